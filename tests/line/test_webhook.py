"""The LINE webhook: only correctly signed LINE requests are accepted (never a 500), each event is handled
once, residents are answered by the navigator (crisis lines first), and the answer goes out through the
worker, so that a LINE outage never fails the webhook."""

from __future__ import annotations

import base64
import json
import logging
import time
from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.cases.test_people import _all_text_in_the_database
from tests.line.conftest import LINE_USER, post_webhook, recorded, sign
from tsunagari.crypto import encrypt_text, generate_key
from tsunagari.directory.hotlines import lines_for
from tsunagari.line.models import HandledEvent, LineDelivery
from tsunagari.line.replies import contact_url, line_user_from_contact_token
from tsunagari.reachout.models import ContactRequest
from tsunagari.worker.runner import run_due_tasks

pytestmark = pytest.mark.django_db

QUESTION = "ぬばたま団地で一人暮らし。もう何日も誰とも話していなくてさみしい"
CRISIS = "ぬばたま団地の屋上から飛び降りたい。もう消えたい"


def _due_now() -> None:
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now() - timedelta(seconds=1))


def test_without_configuration_line_is_off_and_the_webhook_is_404(client):
    body = recorded("text_message")
    assert post_webhook(client, body).status_code == 404
    assert client.get("/line/webhook/").status_code == 404
    assert not LineDelivery.objects.exists() and not HandledEvent.objects.exists()


def test_a_signed_message_is_answered_by_the_worker_with_the_navigator(client, line_on, fake_line):
    response = post_webhook(client, recorded("text_message"))
    assert response.status_code == 200 and response.content == b""
    assert fake_line.requests == []  # the webhook itself never calls LINE
    delivery = LineDelivery.objects.get()
    assert delivery.kind == LineDelivery.Kind.REPLY and delivery.status == LineDelivery.Status.QUEUED
    assert run_due_tasks() == 1
    [request] = fake_line.requests
    assert request["path"] == "/v2/bot/message/reply"
    assert request["headers"]["Authorization"] == "Bearer test-channel-access-token"
    assert request["body"]["replyToken"] == "b60d432864f44d079f6d8efe86cf404b"
    texts = fake_line.texts()
    assert "https://tsunagari.example.jp/navi/" in texts[-1]
    assert texts[-2].count("■ ") == 2  # the two closest services, each with its page
    assert texts[-2].count("https://tsunagari.example.jp/directory/services/") == 2
    assert not any("いのちの電話" in t or "110" in t for t in texts)  # no crisis here: no crisis lines
    quick = [item["action"] for item in request["body"]["messages"][-1]["quickReply"]["items"]]
    assert [a["label"] for a in quick] == ["相談したい", "セルフチェック"]
    assert quick[1]["uri"] == "https://tsunagari.example.jp/check/"
    assert quick[0]["type"] == "postback" and quick[0]["data"] == "soudan"  # the request is made in the chat
    assert QUESTION not in json.dumps(
        request["body"], ensure_ascii=False
    )  # the answer never repeats the text
    delivery.refresh_from_db()
    assert delivery.status == LineDelivery.Status.SENT
    assert (delivery.to, delivery.messages, delivery.reply_token) == ("", "", "")  # forgotten once sent


def test_a_crisis_text_gets_the_crisis_lines_first(client, line_on, fake_line):
    assert post_webhook(client, recorded("crisis_message")).status_code == 200
    run_due_tasks()
    texts = fake_line.texts()
    first_line = lines_for("suicide", when=timezone.now())["phone"][0].line
    assert texts[0].startswith("いま、とてもつらい状況")  # the first message is the crisis lines
    assert first_line.name in texts[0] and first_line.number in texts[0] and "119" in texts[0]
    assert "■ " in texts[1]  # then the services (crisis services first, as on the navigator page)
    assert CRISIS not in "".join(texts)


def test_a_bad_signature_is_403_and_a_missing_one_400(client, line_on, fake_line):
    body = recorded("text_message")
    assert post_webhook(client, body, signature=sign(body, "another-secret")).status_code == 403
    assert post_webhook(client, body, signature="not base64 at all").status_code == 403
    assert post_webhook(client, body, signature=None).status_code == 400
    # The body changed after signing (a man in the middle): refused.
    tampered = body.replace("さみしい", "お金がない")
    assert post_webhook(client, tampered, signature=sign(body)).status_code == 403
    assert not LineDelivery.objects.exists() and not HandledEvent.objects.exists()


@pytest.mark.parametrize(
    "body", ["", "not json", "[]", '{"events": "x"}', '{"events": [{"no": "type"}]}', '{"destination": "U"}']
)
def test_a_signed_body_that_is_not_a_webhook_is_400_not_500(client, line_on, body):
    assert post_webhook(client, body).status_code == 400


def test_bytes_that_are_not_utf8_are_400(client, line_on):
    response = client.post("/line/webhook/", data=b"\xff\xfe", content_type="application/json",
                           HTTP_X_LINE_SIGNATURE="x")  # fmt: skip
    assert response.status_code == 400


def test_get_is_not_allowed(client, line_on):
    assert client.get("/line/webhook/").status_code == 405


def test_the_console_verify_request_is_200(client, line_on, fake_line):
    assert post_webhook(client, recorded("verify")).status_code == 200
    assert not LineDelivery.objects.exists()


def test_a_replayed_or_redelivered_event_is_answered_once(client, line_on, fake_line):
    body = recorded("text_message")
    assert post_webhook(client, body).status_code == 200
    assert post_webhook(client, body).status_code == 200  # the same request again (a replay)
    assert post_webhook(client, recorded("text_message_redelivered")).status_code == 200  # LINE's redelivery
    assert LineDelivery.objects.count() == 1
    assert HandledEvent.objects.get().webhook_event_id == "01JGK9T4ZB6Q0V3A8S1N2M3P4R"


def test_unknown_events_and_group_messages_are_ignored_with_200(client, line_on, fake_line):
    assert post_webhook(client, recorded("unknown_events")).status_code == 200
    assert post_webhook(client, recorded("group_message")).status_code == 200
    assert not LineDelivery.objects.exists()


def test_events_in_standby_mode_are_left_to_the_channel_that_answers(client, line_on, fake_line):
    assert post_webhook(client, recorded("text_message").replace('"active"', '"standby"')).status_code == 200
    assert not LineDelivery.objects.exists() and not HandledEvent.objects.exists()


def test_the_contact_token_gives_back_the_line_user_only_when_made_here(settings, monkeypatch):
    token = contact_url(LINE_USER).split("?line=", 1)[1]
    assert line_user_from_contact_token(token) == LINE_USER
    assert line_user_from_contact_token(token[:-4] + "AAA=") is None  # altered
    assert line_user_from_contact_token(signing.dumps(LINE_USER, salt="tsunagari.line.contact")) is None
    # Another ciphertext of the data keys (an encrypted column) does not pass for a link's token.
    assert line_user_from_contact_token(encrypt_text(LINE_USER)) is None
    assert line_user_from_contact_token("") is None
    assert line_user_from_contact_token("ü" * 50) is None and line_user_from_contact_token("A" * 5000) is None
    with monkeypatch.context() as later:
        now = time.time()
        later.setattr(time, "time", lambda: now + 24 * 3600 + 60)
        assert line_user_from_contact_token(token) is None  # a day old
        assert line_user_from_contact_token(token, max_age=None) == LINE_USER
    # Still read after a new data key is put first (key rotation); not read with unrelated keys.
    settings.DATA_ENCRYPTION_KEYS = [generate_key(), *settings.DATA_ENCRYPTION_KEYS]
    assert line_user_from_contact_token(token) == LINE_USER
    settings.DATA_ENCRYPTION_KEYS = [generate_key()]
    assert line_user_from_contact_token(token) is None


def test_the_contact_link_holds_the_line_user_id_in_no_readable_form():
    url = contact_url(LINE_USER)
    token = url.split("?line=", 1)[1]
    raw = LINE_USER.encode()
    readable = {LINE_USER, LINE_USER.lower(), raw.hex()}
    for skip in range(3):  # base64 of the id at every alignment, in both alphabets, with and without padding
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            encoded = encode(b"x" * skip + raw).decode()
            readable.add(encoded.rstrip("=")[4 if skip else 0 : -4])
    for form in readable:
        assert form not in url, form
    decoded = base64.urlsafe_b64decode(token)
    assert raw not in decoded and LINE_USER[1:9].encode() not in decoded
    assert contact_url(LINE_USER) != url  # a fresh token each time: two links cannot be matched


def test_a_text_with_nothing_to_go_on_is_asked_for_more(client, line_on, fake_line):
    assert post_webhook(client, recorded("text_message").replace(QUESTION, "あ")).status_code == 200
    run_due_tasks()
    [request] = fake_line.requests
    [message] = request["body"]["messages"]
    assert "もう少し" in message["text"] and "https://tsunagari.example.jp/navi/" in message["text"]
    assert len(message["quickReply"]["items"]) == 2


def test_a_sticker_is_asked_for_words(client, line_on, fake_line):
    assert post_webhook(client, recorded("sticker")).status_code == 200
    run_due_tasks()
    assert "文字" in fake_line.texts()[0] or "言葉" in fake_line.texts()[0]


def test_follow_is_welcomed(client, line_on, fake_line):
    assert post_webhook(client, recorded("follow")).status_code == 200
    run_due_tasks()
    [request] = fake_line.requests
    assert request["body"]["replyToken"] == "e93a765197177a30c9a1b2c3d4e5f6a7"
    assert "119" in fake_line.texts()[0]
    assert len(request["body"]["messages"][0]["quickReply"]["items"]) == 2


def test_a_line_outage_never_fails_the_webhook_and_the_reply_is_pushed_later(
    client, line_on, fake_line, settings
):
    fake_line.failures = [500]
    assert post_webhook(client, recorded("crisis_message")).status_code == 200
    run_due_tasks()
    delivery = LineDelivery.objects.get()
    assert delivery.status == LineDelivery.Status.RETRYING and delivery.attempts == 1
    assert "500" in delivery.last_error and delivery.messages  # kept (encrypted) for the next attempt
    assert run_due_tasks() == 0  # the retry waits for its time
    _due_now()
    run_due_tasks()
    delivery.refresh_from_db()
    assert delivery.status == LineDelivery.Status.SENT and delivery.attempts == 2
    first, second = fake_line.requests
    assert first["path"] == "/v2/bot/message/reply"
    # The reply token lives briefly: the retry pushes to the user, with a retry key so LINE sends it once.
    assert second["path"] == "/v2/bot/message/push" and second["body"]["to"] == LINE_USER
    assert second["headers"]["X-Line-Retry-Key"] == str(delivery.retry_key)
    assert first["body"]["messages"] == second["body"]["messages"]


def test_an_expired_reply_token_is_pushed_at_once(client, line_on, fake_line):
    fake_line.failures = [400]
    post_webhook(client, recorded("text_message"))
    run_due_tasks()
    assert [r["path"] for r in fake_line.requests] == ["/v2/bot/message/reply", "/v2/bot/message/push"]
    assert LineDelivery.objects.get().status == LineDelivery.Status.SENT


def test_a_reply_that_fails_for_good_is_blanked_and_shown_to_the_secretariat(client, line_on, fake_line, settings,
                                                                            world, login):  # fmt: skip
    settings.TSUNAGARI_LINE_MAX_ATTEMPTS = 2
    fake_line.failures = [500, 0, 0]
    post_webhook(client, recorded("text_message"))
    for _ in range(3):
        run_due_tasks()
        _due_now()
    delivery = LineDelivery.objects.get()
    assert delivery.status == LineDelivery.Status.FAILED and delivery.attempts == 2
    assert "MaxRetryError" in delivery.last_error
    assert (delivery.to, delivery.messages) == ("", "")
    page = login(world["coordinator"]).get("/notifications/").content.decode()
    assert "送信できなかったLINE" in page and "MaxRetryError" in page
    assert "送信できなかったLINE" not in login(world["admin"]).get("/notifications/").content.decode()
    assert login(world["admin"]).get("/healthz").json()["line"]["failed_last_7_days"] == 1


def test_a_line_message_text_is_stored_nowhere(client, line_on, fake_line, settings, caplog):
    """The dump-leak check for LINE: after the webhook, a contact request made in the chat, a failed attempt
    (the reply waiting, encrypted, for a retry) and a success, no table holds the resident's words, nor their
    LINE user id in the clear, and no log line (at any level, the SDK's and urllib3's included) holds their
    words."""
    caplog.set_level(logging.DEBUG)
    fake_line.failures = [500]
    for name in ("text_message", "crisis_message", "follow"):
        post_webhook(client, recorded(name))
    # Then a contact request made with the chat's buttons: it holds the kind of trouble, never the words.
    post_webhook(client, recorded("postback").replace('"soudan"', '"soudan:yes:loneliness"'))
    request = ContactRequest.objects.get()
    assert request.message == "" and request.when_note == "" and request.line_user_id == LINE_USER
    run_due_tasks()
    secrets = (QUESTION, CRISIS, "ぬばたま団地", "何日も誰とも話していなく", "屋上から飛び降り", LINE_USER)
    dump = _all_text_in_the_database()
    for secret in secrets:
        assert secret not in dump, secret
    _due_now()
    run_due_tasks()
    dump = _all_text_in_the_database()
    for secret in secrets:
        assert secret not in dump, secret
    assert LineDelivery.objects.filter(status=LineDelivery.Status.SENT).count() == 4
    for secret in (QUESTION, CRISIS, "ぬばたま団地"):
        assert secret not in caplog.text, secret
