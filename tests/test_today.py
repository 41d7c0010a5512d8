"""The today view (the dashboard) and the header's badge: figures from the visibility selectors only, so a
member never counts what they may not see; a constant number of queries however much waits."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_member
from tsunagari.cases import services as cases
from tsunagari.cases.models import Case, Referral
from tsunagari.cases.referrals import send_referral
from tsunagari.cases.tasks import add_task
from tsunagari.notifications.services import notify
from tsunagari.orgs.models import District, Role
from tsunagari.today import today_for
from tsunagari.watch import services as watch
from tsunagari.watch.models import Alert

CONTACT_FORM = {
    "means": "phone", "phone": "0857-12-3456", "email": "", "address": "", "when": "weekday_daytime",
    "when_note": "", "name": "ぬばたまの星子", "district": "", "categories": ["loneliness"],
    "message": "話す人がいない（架空）", "consent": "on", "from": "check",
}  # fmt: skip


def _figures(membership) -> dict[str, int]:
    today = today_for(membership)
    return {str(f.label): f.count for f in [*today.urgent, *today.figures]}


def _fill(world, org_b, n: int) -> None:
    """``n`` of everything: urgent cases and tasks in org A, referrals from A to B, SOS reports, cases
    without a lead, urgent alerts about people org A watches over."""
    staff = world["staff"]
    day = timezone.localdate()
    for i in range(n):
        person = cases.register_person(by=staff, data={"name": f"架空 太郎{i}"})
        case = cases.open_case(by=staff, person=person, risk=Case.Risk.URGENT)
        add_task(by=staff, case=case, title="電話する", due_on=day)
        add_task(by=staff, case=case, title="訪問する", due_on=day - timedelta(days=2))
        consent = cases.record_consent(
            by=staff,
            person=person,
            recipients=[org_b],
            info_kinds=["contact"],
            method="written",
            purpose="紹介のため",
        )
        send_referral(by=staff, case=case, to_org=org_b, message="お願いします", consent=consent)
        cases.open_case(by=staff, person=person, lead_self=False)
        watch.report_sos(
            by=world["other_staff"],
            data={
                "sign": "mail",
                "place": f"港町{i}丁目",
                "district": District.objects.get(code="minatomachi"),
            },
        )
        target = watch.create_target(
            by=staff, supporters=[],
            data={"name": f"架空 見守{i}", "contact": "", "legal_basis": "consent", "basis_note": "書面",
                  "every_days": 7, "district": District.objects.get(code="chuo")},
        )  # fmt: skip
        watch.raise_alert(kind=Alert.Kind.URGENT, target=target)


def test_each_member_counts_only_what_they_may_see(world, org_b):
    _fill(world, org_b, 1)
    # Org A's urgent case is shared with B by the referral, so both count it; the case without a lead is
    # not urgent.
    assert _figures(world["staff"]) == {
        "リスク「高」「緊急」の未終結のケース": 1,
        "段階の高い未対応のアラート": 1,
        "危機を示す言葉のある相談の申込み（緊急）": 0,
        "連絡を待っている住民の方（相談したい）": 0,
        "対応期限を過ぎた相談の申込み": 0,
        "回答を待っている紹介": 0,
        "受信箱の紹介のうち回答期限を過ぎたもの": 0,
        "今日が期限のタスク": 1,
        "期限を過ぎたタスク": 1,
    }
    assert _figures(world["other_staff"]) == {
        "リスク「高」「緊急」の未終結のケース": 1,
        "段階の高い未対応のアラート": 0,  # org A's alert is not B's
        "危機を示す言葉のある相談の申込み（緊急）": 0,
        "連絡を待っている住民の方（相談したい）": 0,
        "対応期限を過ぎた相談の申込み": 0,
        "回答を待っている紹介": 1,
        "受信箱の紹介のうち回答期限を過ぎたもの": 0,
        "今日が期限のタスク": 0,
        "期限を過ぎたタスク": 0,
    }
    coordinator = _figures(world["coordinator"])
    assert coordinator["判断を待っているSOS"] == 1 and coordinator["主担当のいないケース"] == 1
    assert coordinator["段階の高い未対応のアラート"] == 2  # the SOS alert and org A's urgent one
    assert today_for(world["viewer"]).urgent == [] and today_for(world["volunteer"]).figures == []
    assert today_for(world["staff"]).waiting == 1 + 1 + 1  # the alert and two tasks
    # The urgent alert, the SOS report (its alert is not counted twice) and the case without a lead.
    assert today_for(world["coordinator"]).waiting == 3


def test_overdue_referrals_are_counted_in_the_recipient_inbox(world, org_b):
    _fill(world, org_b, 1)
    Referral.objects.update(due_on=timezone.localdate() - timedelta(days=1))
    assert _figures(world["other_staff"])["受信箱の紹介のうち回答期限を過ぎたもの"] == 1
    assert _figures(world["coordinator"])["回答期限を過ぎた紹介（すべての団体）"] == 1


def test_the_dashboard_is_the_landing_page_and_shows_the_figures(world, org_b, login):
    _fill(world, org_b, 1)
    client = login(world["other_staff"])
    response = client.get("/dashboard/", follow=True)
    assert response.redirect_chain[-1][0] == "/o/org-b/"
    page = response.content.decode()
    assert "今日のこと" in page and "回答を待っている紹介" in page and 'href="/o/org-b/cases/inbox/"' in page
    assert "架空 太郎" not in page  # counts, never names
    viewer = login(world["viewer"]).get("/o/org-a/").content.decode()
    assert "今日、ここで待っていることはありません。" in viewer


def _queries(client, url: str) -> int:
    """Queries of one page, leaving out the session's (written when the badge's figures change: whether
    they changed, not how much waits)."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return sum(
        "django_session" not in q["sql"]
        and q["sql"] not in ("BEGIN", "COMMIT")
        and "SAVEPOINT" not in q["sql"]
        for q in queries
    )


@pytest.mark.parametrize("member", ["coordinator", "other_staff", "staff"])
def test_the_dashboard_and_the_badge_take_the_same_queries_however_much_waits(world, org_b, login, member):
    client = login(world[member])
    org = world[member].organization.slug
    _fill(world, org_b, 1)
    notify([world[member].user], subject="お知らせ")
    # First visits create the e-mail preference and remember the organisation: not what is measured.
    client.get("/notifications/")
    client.get(f"/o/{org}/")
    one = (_queries(client, f"/o/{org}/"), _queries(client, "/notifications/"))
    _fill(world, org_b, 2)
    notify([world[member].user], subject="お知らせ2")
    three = (_queries(client, f"/o/{org}/"), _queries(client, "/notifications/"))
    assert one == three


def test_the_badge_shows_unread_notifications_and_what_waits_on_every_page(world, org_b, login):
    _fill(world, org_b, 1)
    recipient = world["other_staff"]
    page = login(recipient).get("/notifications/").content.decode()
    # The referral's notification is unread; one referral waits in org B's inbox.
    assert '<span class="visually-hidden">未読： </span>1</span>' in page
    assert 'href="/o/org-b/">対応待ち <span class="badge badge--alert">1</span>' in page
    other = login(make_member(org_b, Role.VIEWER)).get("/o/org-b/needs/").content.decode()
    assert "対応待ち" not in other and "未読：" not in other  # a viewer is not told of cases


def test_views_are_hidden_from_a_case_history_until_asked_for(world, login):
    staff = world["staff"]
    person = cases.register_person(by=staff, data={"name": "架空 花子"})
    case = cases.open_case(by=staff, person=person)
    client = login(staff)
    client.get(f"/o/org-a/cases/{case.pk}/")
    page = client.get(f"/o/org-a/cases/{case.pk}/").content.decode()
    timeline = page[page.index('id="timeline"') :]
    assert "ケースを開始" in timeline and "ケースを閲覧" not in timeline
    assert 'href="?views=1#timeline"' in timeline
    shown = client.get(f"/o/org-a/cases/{case.pk}/?views=1").content.decode()
    assert shown[shown.index('id="timeline"') :].count("ケースを閲覧") == 3


def _badge_counted(client, url: str) -> bool:
    """Whether the page counted the badge's figures (the unread count is only asked for by the badge)."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return any("notifications_notification" in q["sql"] and "COUNT" in q["sql"] for q in queries)


def test_the_badge_is_kept_for_a_moment_and_counted_afresh_after_the_members_own_change(
    world, org_b, login, monkeypatch
):
    from tsunagari import today

    clock = [1_000_000.0]
    monkeypatch.setattr(today.time, "time", lambda: clock[0])
    recipient = world["other_staff"]
    client = login(recipient)
    cases_url = "/o/org-b/cases/"
    assert _badge_counted(client, cases_url)
    assert not _badge_counted(client, cases_url)  # kept: the second page asks nothing for it
    _fill(world, org_b, 1)  # a referral arrives for org B and its notification for the member
    page = client.get(cases_url).content.decode()
    assert "対応待ち" not in page  # work others sent shows within BADGE_SECONDS, not at once
    clock[0] += today.BADGE_SECONDS
    page = client.get(cases_url).content.decode()
    assert 'href="/o/org-b/">対応待ち <span class="badge badge--alert">1</span>' in page
    # The member opens the notification (a POST): the next page counts afresh, however soon.
    notification = recipient.user.notifications.get()
    client.post(f"/notifications/{notification.pk}/open/")
    assert _badge_counted(client, cases_url)
    assert '<span class="visually-hidden">未読： </span>' not in client.get(cases_url).content.decode()


def test_a_kept_badge_is_not_shown_for_another_organisation_or_role(world, org_b, login):
    from tsunagari.orgs.models import Membership

    member = world["other_staff"]
    second = make_member(world["staff"].organization, Role.STAFF)
    Membership.objects.filter(pk=second.pk).update(user=member.user)
    client = login(member)
    assert _badge_counted(client, "/o/org-b/cases/")
    assert _badge_counted(client, "/o/org-a/cases/")  # another organisation: its own counts
    Membership.objects.filter(pk=member.pk).update(role=Role.ADMIN)
    assert _badge_counted(client, "/o/org-b/cases/")  # a new role: counted afresh


def test_the_count_query_is_built_once_per_member_and_day_and_still_counts_afresh(
    world, org_b, client, monkeypatch
):
    """The SQL of the counts is kept (today.py, _count); what it counts is read on every page: a task added,
    a contact request past its time (the database's clock) and a new day all show at once."""
    from tsunagari import today as today_module
    from tsunagari.reachout.models import ContactRequest

    built: list[int] = []
    build = today_module._today_querysets
    monkeypatch.setattr(today_module, "_today_querysets", lambda m: built.append(m.pk) or build(m))
    _fill(world, org_b, 1)
    staff, coordinator = world["staff"], world["coordinator"]
    assert _figures(staff)["今日が期限のタスク"] == 1
    case = Case.objects.filter(lead=staff.organization).first()
    add_task(by=staff, case=case, title="もう一度電話する", due_on=timezone.localdate())
    assert _figures(staff)["今日が期限のタスク"] == 2
    assert built == [staff.pk]  # counted twice from one build

    client.post(reverse("reachout:contact"), CONTACT_FORM)
    assert _figures(coordinator)["対応期限を過ぎた相談の申込み"] == 0
    ContactRequest.objects.update(due_at=timezone.now() - timedelta(minutes=1))
    assert _figures(coordinator)["対応期限を過ぎた相談の申込み"] == 1
    assert built == [staff.pk, coordinator.pk]  # each member's own query, built once
    # A time in the kept SQL would stop moving: only dates (the key's day) and ids are parameters.
    kept_params = [p for query in today_module._kept_sql.values() for p in query.params]
    assert not [p for p in kept_params if isinstance(p, datetime)]

    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: tomorrow)
    # Yesterday's "today" tasks are overdue now: the query of the new day says so.
    assert _figures(staff)["期限を過ぎたタスク"] == 1 + 2
    assert built == [staff.pk, coordinator.pk, staff.pk]
