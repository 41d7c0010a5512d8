"""Members link a LINE account with a one-time code sent from it, receive their notifications there through
the worker (retried when LINE fails), choose urgent-only, and unlink; the settings page says when LINE is off."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.line.conftest import LINE_USER, post_webhook, recorded
from tsunagari.audit.models import ActivityLog
from tsunagari.line.models import LineDelivery, LineLink, LinkCode
from tsunagari.line.services import code_in, new_link_code
from tsunagari.notifications.models import EmailDelivery
from tsunagari.notifications.services import notify
from tsunagari.worker.runner import run_due_tasks


def _send_code(client, code: str, event_id: str = "01JGK9T4ZB6Q0V3A8S1N2M3PBZ"):
    body = recorded("link_code", CODE=code, **{"01JGK9T4ZB6Q0V3A8S1N2M3PBZ": event_id})
    return post_webhook(client, body)


def _get_code(login, member) -> str:
    page = login(member)
    assert page.post("/line/settings/", {"action": "code"}).status_code == 302
    return LinkCode.objects.get(user=member.user, used_at__isnull=True).code


def test_the_settings_page_says_when_line_is_off(world, login):
    page = login(world["staff"]).get("/line/settings/")
    assert page.status_code == 200
    assert "LINEが設定されていない" in page.content.decode()
    assert login(world["staff"]).post("/line/settings/", {"action": "code"}).status_code == 200
    assert not LinkCode.objects.exists()


def test_the_settings_page_needs_sign_in(client, line_on):
    assert client.get("/line/settings/").status_code == 302


def test_a_member_links_line_with_a_one_time_code(client, world, login, line_on, fake_line):
    member = world["staff"]
    code = _get_code(login, member)
    page = login(member).get("/line/settings/").content.decode()
    assert code in page and len(code) == 8
    assert (
        _send_code(
            client, f"{code[:4]}－{code[4:]}".translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        ).status_code
        == 200
    )
    link = LineLink.objects.get(user=member.user)
    assert link.line_user_id == LINE_USER
    assert LinkCode.objects.get(user=member.user).used_at is not None
    assert ActivityLog.objects.filter(action="line.linked", actor=member.user).exists()
    # Told by e-mail (and in the app): someone who did not link it learns it.
    assert EmailDelivery.objects.filter(
        subject="つながりのアカウントにLINEアカウントが連携されました"
    ).exists()
    run_due_tasks()
    assert any("連携しました" in t for t in fake_line.texts())
    assert "連携しています" in login(member).get("/line/settings/").content.decode()
    # The code works once.
    assert _send_code(client, code, event_id="01JGK9T4ZB6Q0V3A8S1N2M3PXX").status_code == 200
    run_due_tasks()
    assert "有効期限" in fake_line.texts()[-1]


def test_a_wrong_or_expired_code_links_nothing_and_too_many_are_refused(client, world, login, line_on, fake_line,
                                                                        settings):  # fmt: skip
    member = world["staff"]
    code = _get_code(login, member)
    LinkCode.objects.filter(user=member.user).update(expires_at=timezone.now() - timedelta(seconds=1))
    _send_code(client, code, event_id="01E0000000000000000000000A")
    wrong = f"{(int(code) + 1) % 10**8:08d}"
    _send_code(client, wrong, event_id="01E0000000000000000000000B")
    assert not LineLink.objects.exists()
    run_due_tasks()
    assert all("正しくないか、有効期限が切れています" in t for t in fake_line.texts())
    settings.TSUNAGARI_LINE_WRONG_CODES_PER_HOUR = 3
    fresh = _get_code(login, member)
    _send_code(client, wrong, event_id="01E0000000000000000000000C")  # the third wrong one
    _send_code(client, fresh, event_id="01E0000000000000000000000D")  # now even the right one is refused
    assert not LineLink.objects.exists()
    run_due_tasks()
    assert "多すぎます" in fake_line.texts()[-1]


def test_a_code_is_only_a_message_made_of_eight_digits():
    assert code_in("1234 5678") == "12345678"
    assert code_in("１２３４-５６７８") == "12345678"
    assert code_in("電話は 1234 5678 です") is None
    assert code_in("1234567") is None


def test_notifications_reach_line_through_the_worker_and_a_failure_is_retried(world, line_on, fake_line):
    member = world["staff"]
    link = LineLink.objects.create(user=member.user, line_user_id=LINE_USER, line_user_index="x")
    from tsunagari.line.services import user_index

    link.line_user_index = user_index(LINE_USER)
    link.save()
    fake_line.failures = [0]  # the network is down for the first attempt
    [notification] = notify([member.user], subject="紹介が届きました", url="/o/org-a/cases/")
    delivery = LineDelivery.objects.get(notification=notification)
    assert delivery.kind == LineDelivery.Kind.NOTIFICATION and delivery.recipient == member.user
    run_due_tasks()
    delivery.refresh_from_db()
    assert delivery.status == LineDelivery.Status.RETRYING and "MaxRetryError" in delivery.last_error
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now() - timedelta(seconds=1))
    run_due_tasks()
    delivery.refresh_from_db()
    assert delivery.status == LineDelivery.Status.SENT and delivery.attempts == 2
    pushes = [r for r in fake_line.requests if r["path"] == "/v2/bot/message/push"]
    assert len(pushes) == 2 and pushes[0]["body"]["to"] == LINE_USER
    assert pushes[0]["headers"]["X-Line-Retry-Key"] == pushes[1]["headers"]["X-Line-Retry-Key"]
    text = pushes[1]["body"]["messages"][0]["text"]
    assert "紹介が届きました" in text and "https://tsunagari.example.jp/o/org-a/cases/" in text


def test_urgent_only_and_unlinking_are_respected(world, login, line_on, fake_line):
    member = world["staff"]
    from tsunagari.line.services import user_index

    LineLink.objects.create(user=member.user, line_user_id=LINE_USER, line_user_index=user_index(LINE_USER))
    client = login(member)
    assert client.post("/line/settings/", {"action": "mode", "mode": "urgent"}).status_code == 302
    notify([member.user], subject="ふつうのお知らせ")
    notify([member.user], subject="緊急のお知らせ", urgent=True)
    assert list(LineDelivery.objects.values_list("notification__subject", flat=True)) == ["緊急のお知らせ"]
    assert client.post("/line/settings/", {"action": "unlink"}).status_code == 302
    assert not LineLink.objects.exists()
    assert ActivityLog.objects.filter(action="line.unlinked").exists()
    run_due_tasks()  # the queued one is not sent to an account that was unlinked meanwhile
    assert fake_line.requests == []
    assert LineDelivery.objects.get().status == LineDelivery.Status.FAILED
    notify([member.user], subject="緊急のお知らせ 2", urgent=True)
    assert LineDelivery.objects.count() == 1


def test_a_member_who_blocks_the_account_is_unlinked_and_told(client, world, line_on, fake_line):
    member = world["staff"]
    from tsunagari.line.services import user_index

    LineLink.objects.create(user=member.user, line_user_id=LINE_USER, line_user_index=user_index(LINE_USER))
    assert post_webhook(client, recorded("unfollow")).status_code == 200
    assert not LineLink.objects.exists()
    assert EmailDelivery.objects.filter(subject="LINEアカウントの連携が解除されました").exists()
    assert not LineDelivery.objects.exists()  # nothing can be sent to a LINE account that blocked us


def test_no_line_without_configuration(world):
    from tsunagari.line.services import user_index

    LineLink.objects.create(
        user=world["staff"].user, line_user_id=LINE_USER, line_user_index=user_index(LINE_USER)
    )
    notify([world["staff"].user], subject="お知らせ", urgent=True)
    assert not LineDelivery.objects.exists()


def test_a_new_code_replaces_the_old_one(world):
    first = new_link_code(user=world["staff"].user)
    second = new_link_code(user=world["staff"].user)
    assert list(LinkCode.objects.values_list("pk", flat=True)) == [second.pk] and first.pk != second.pk


@pytest.mark.parametrize("action", ["code", "unlink", "mode", "nonsense", ""])
def test_any_post_on_the_settings_page_is_never_a_500(world, login, line_on, action):
    response = login(world["staff"]).post("/line/settings/", {"action": action, "mode": "\x00"})
    assert response.status_code in {200, 302}
