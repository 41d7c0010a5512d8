"""Urgency (緊急・至急・通常): response clocks per urgency, the on-call person told at once, crisis words
raising a report or a note to 緊急 (with the red screen and the reporter's guidance), follow-ups that
re-open an alert when missed, SOS matching that offers only people the triager may see, and the district
contacts shown on the ladder step."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for
from tests.factories import make_member
from tests.watch.conftest import TAKEN_ON
from tsunagari.notifications.models import Notification
from tsunagari.orgs.models import District, Role
from tsunagari.watch import services, urgency
from tsunagari.watch.models import Alert, ContactLog, DistrictContact, OnCallShift, SosReport, WatchTarget
from tsunagari.worker.runner import run_due_tasks

MINATOMACHI = {
    "place": "港町3丁目のアパート2階",
    "details": "新聞が3日分たまっている",
    "reporter_contact": "",
}


def _sos(member, **fields):
    data = MINATOMACHI | {"sign": "mail", "district": District.objects.get(code="minatomachi")} | fields
    return services.report_sos(by=member, data=data)


def _shift(member, *, starts, hours=12, phone="090-1111-2222"):
    return OnCallShift.objects.create(
        member=member, phone=phone, starts_at=starts, ends_at=starts + timedelta(hours=hours)
    )


@pytest.mark.parametrize(("level", "minutes"), [("emergency", 30), ("urgent", 4 * 60), ("routine", 24 * 60)])
def test_each_urgency_has_its_own_response_clock(world, level, minutes):
    report = _sos(world["staff"], urgency=level)
    assert report.urgency == level
    assert report.due_at - report.created_at == timedelta(minutes=minutes)


def test_the_clocks_are_a_setting_and_triage_counts_again_from_the_report(world, settings):
    settings.TSUNAGARI_WATCH_CLOCKS = {"emergency": 10, "urgent": 120, "routine": 48 * 60}
    report = _sos(world["staff"])
    assert report.due_at - report.created_at == timedelta(hours=48)
    services.triage_sos(by=world["coordinator"], report=report, status="received", level="urgent")
    report.refresh_from_db()
    assert (report.urgency, report.due_at - report.created_at) == ("urgent", timedelta(hours=2))
    assert Alert.objects.get(sos=report).urgency == "urgent"


def test_an_emergency_tells_the_person_on_call_at_once_and_the_e_mail_names_no_one(world, settings):
    settings.TSUNAGARI_OFFICE_HOURS = "00:00-00:00"  # always outside office hours: night
    coordinator = world["coordinator"]
    on_call = make_member(coordinator.organization, Role.COORDINATOR)
    tonight = make_member(coordinator.organization, Role.COORDINATOR)
    now = timezone.now()
    _shift(on_call, starts=now - timedelta(hours=1))
    _shift(tonight, starts=now + timedelta(hours=12))  # a later shift, not now
    assert [s.member for s in urgency.on_call_at()] == [on_call]
    mail.outbox.clear()
    _sos(world["staff"], urgency="emergency", details="中から「助けて」のような声がした")
    run_due_tasks()
    told = Notification.objects.filter(recipient=on_call.user).get()
    assert told.urgent and "090-1111-2222" in told.body and "30分以内" in told.body
    # At night the other coordinators are told as their e-mail preference says (digest or at once),
    # not as urgent: the rota decides who is woken.
    assert not Notification.objects.get(recipient=coordinator.user).urgent
    to_on_call = [m for m in mail.outbox if m.to == [on_call.user.email]]
    assert len(to_on_call) == 1
    body = to_on_call[0].body
    assert "港町" not in body and "助けて" not in body  # no personal details in the e-mail
    assert "/watch/sos/" in body and "このメールには個人名を書いていません" in body
    # 通常 wakes no one.
    Notification.objects.all().delete()
    _sos(world["staff"], urgency="routine")
    assert not Notification.objects.filter(urgent=True).exists()


def test_with_nobody_on_call_every_coordinator_is_told_at_once(world, settings):
    settings.TSUNAGARI_OFFICE_HOURS = "00:00-00:00"
    _sos(world["staff"], urgency="emergency")
    assert Notification.objects.get(recipient=world["coordinator"].user).urgent


def test_crisis_words_raise_an_sos_to_emergency_and_the_reporter_gets_guidance(world, org_b):
    company = make_member(org_b, Role.VIEWER)
    response = client_for(company).post(
        reverse("watch:sos_new", args=["org-b"]),
        {"sign": "unusual", "urgency": "routine", "place": "港町2丁目の平屋", "noticed_at": "2026-11-27T05:00",
         "district": District.objects.get(code="minatomachi").pk, "details": "「もう生きていたくない」と話していた"},
    )  # fmt: skip
    report = SosReport.objects.get()
    assert (report.urgency, report.raised_by_words) == ("emergency", True)
    assert response.status_code == 302 and response.url == reverse(
        "watch:sos_guidance", args=["org-b", report.pk]
    )
    page = client_for(company).get(response.url).content.decode()
    assert page.index('href="tel:119"') < page.index("話を聴いてください")  # 119 first, then how to stay
    assert "ひとりにしないでください" in page and 'href="tel:0120061338"' in page  # #いのちSOS
    assert "受け付けました。事務局が対応します" not in page
    # Plain wording stays as chosen, and the reporter goes back to the list.
    plain = client_for(company).post(
        reverse("watch:sos_new", args=["org-b"]),
        {"sign": "mail", "place": "港町", "noticed_at": "2026-11-27T08:00", "details": "新聞がたまっている"},
    )
    assert plain.url == reverse("watch:sos_mine", args=["org-b"])
    assert SosReport.objects.latest("pk").urgency == "routine"
    other = make_member(org_b, Role.VIEWER)
    assert client_for(other).get(response.url).status_code == 404  # only the reporter's own


def test_an_urgent_contact_shows_the_red_screen_with_119_first(watch_world, org_a):
    volunteer, target = watch_world["volunteer"], watch_world["target"]
    DistrictContact.objects.create(
        district=target.district,
        kind="minsei",
        name="架空 一郎",
        phone="0857-00-7777",
        hours="平日 9時〜17時",
    )
    url = reverse("watch:contact", args=["org-a", target.pk])
    response = client_for(volunteer).post(
        url,
        {
            "method": "phone",
            "result": "urgent",
            "note": "胸が苦しいと言っている",
            "client_id": str(uuid.uuid4()),
        },
    )
    contact = ContactLog.objects.get()
    assert contact.urgency == "emergency"
    assert response.url == reverse("watch:contact_urgent", args=["org-a", contact.pk])
    page = client_for(volunteer).get(response.url).content.decode()
    assert "記録しました" not in page
    assert page.index('href="tel:119"') < page.index("このあとすること")
    assert 'href="tel:0857007777"' in page  # the district's 民生委員
    bodies = " ".join(Notification.objects.values_list("body", flat=True))
    assert "今日中" not in bodies and "胸が苦しい" not in bodies
    replay = client_for(volunteer).post(
        url, {"method": "phone", "result": "urgent", "note": "胸が苦しいと言っている", "client_id": str(contact.client_id)},
        headers={"X-Tsunagari-Sync": "1"},
    )  # fmt: skip
    assert replay.json()["next"] == response.url  # the phone that synced later shows the red screen too
    someone_else = make_member(org_a, Role.VOLUNTEER)
    assert client_for(someone_else).get(response.url).status_code == 404


def test_crisis_words_in_a_contact_note_raise_it_to_emergency(watch_world):
    volunteer, target = watch_world["volunteer"], watch_world["target"]
    recorded = services.record_contact(
        by=volunteer, target=target, method="visit", result="concern", note="玄関で倒れているのを見つけた"
    )
    assert recorded.contact.urgency == "emergency"
    assert Alert.objects.get(target=target, kind="urgent").urgency == "emergency"
    calm = services.record_contact(
        by=volunteer, target=target, method="visit", result="concern", note="食欲がない"
    )
    assert calm.contact.urgency == "urgent"  # 気になることあり is 至急


def test_taking_an_alert_on_needs_a_note_and_a_date_and_a_missed_follow_up_reopens_it(watch_world):
    staff, target = watch_world["staff"], watch_world["target"]
    alert = services.raise_alert(kind="overdue", target=target)
    url = reverse("watch:alert_acknowledge", args=["org-a", alert.pk])
    refused = client_for(staff).post(url, {"note": "", "follow_up_on": ""})
    assert refused.status_code == 200 and refused.content.decode().count("field--error") == 2
    past = client_for(staff).post(url, {"note": "訪問する", "follow_up_on": "2000-01-01"})
    assert "再確認の日は今日以降にしてください" in past.content.decode()
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    today = timezone.localdate()
    taken = client_for(staff).post(url, {"note": "民生委員に訪問を依頼", "follow_up_on": today.isoformat()})
    assert taken.status_code == 302
    alert.refresh_from_db()
    assert (alert.acknowledge_note, alert.follow_up_on) == ("民生委員に訪問を依頼", today)
    services.check_watch(now=timezone.now())  # the follow-up day has not passed: nothing happens
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None
    Notification.objects.all().delete()
    services.check_watch(now=timezone.now() + timedelta(days=1, hours=1))
    alert.refresh_from_db()
    assert alert.acknowledged_at is None and alert.reopened == 1
    assert Notification.objects.filter(body__contains="ふたたび開きました").exists()
    # Taken on again and followed up in time: it stays closed.
    services.acknowledge_alert(by=staff, alert=alert, **TAKEN_ON)
    follow = client_for(staff).post(
        reverse("watch:alert_follow_up", args=["org-a", alert.pk]), {"note": "訪問して無事を確認"}
    )
    assert follow.status_code == 302
    services.check_watch(now=timezone.now() + timedelta(days=3))
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None and alert.follow_up_done_at is not None and alert.reopened == 1


def test_matching_offers_only_people_the_triager_may_see(watch_world, org_b):
    coordinator, staff, target = watch_world["coordinator"], watch_world["staff"], watch_world["target"]
    minatomachi = District.objects.get(code="minatomachi")
    target.district, target.contact = minatomachi, "港町3丁目のアパート2階（青い郵便受け）"
    target.save()
    quiet = WatchTarget.objects.create(
        organization=target.organization, name="架空 静香さん", contact="港町3丁目", district=minatomachi,
        basis_note="書面で同意",
    )  # fmt: skip
    report = _sos(watch_world["other_staff"])
    url = reverse("watch:sos_detail", args=[coordinator.organization.slug, report.pk])
    page = client_for(coordinator).get(url).content.decode()
    # The secretariat sees people of another organisation only while their alert is open: none yet.
    assert "架空 花子さん" not in page and "架空 静香さん" not in page
    services.raise_alert(kind="overdue", target=target)
    page = client_for(coordinator).get(url).content.decode()
    assert "架空 花子さん" in page and "住所の一致：港町3丁目のアパート2階" in page
    assert "架空 静香さん" not in page
    report.refresh_from_db()
    assert report.target is None  # offered, never linked by itself
    refused = client_for(coordinator).post(url, {"link_target": "1", "pk": quiet.pk})
    report.refresh_from_db()
    assert refused.status_code == 302 and report.target is None
    client_for(coordinator).post(url, {"link_target": "1", "pk": target.pk})
    report.refresh_from_db()
    assert report.target == target
    assert client_for(staff).get(url).status_code == 404  # triage is the secretariat's


def test_the_ladder_step_names_whom_to_call_in_the_persons_district(watch_world):
    staff, target = watch_world["staff"], watch_world["target"]
    DistrictContact.objects.create(
        district=target.district, kind="houkatsu", name="中央地域包括支援センター", phone="0857-00-5555", hours="平日 8:30〜17:15"
    )  # fmt: skip
    DistrictContact.objects.create(
        district=District.objects.get(code="minatomachi"),
        kind="minsei",
        name="港町の民生委員",
        phone="0857-00-6666",
    )
    alert = services.raise_alert(kind="overdue", target=target)
    url = reverse("watch:alert_list", args=["org-a"])
    page = client_for(staff).get(url).content.decode()
    assert "中央地域包括支援センター" not in page  # step 1 is the supporters
    Alert.objects.filter(pk=alert.pk).update(step=1)  # 民生委員 / 地域包括支援センター
    page = client_for(staff).get(url).content.decode()
    assert 'href="tel:0857005555"' in page and "平日 8:30〜17:15" in page
    assert "港町の民生委員" not in page  # another district's
    detail = (
        client_for(staff).get(reverse("watch:alert_acknowledge", args=["org-a", alert.pk])).content.decode()
    )
    assert 'href="tel:0857005555"' in detail


def test_office_hours_skip_weekends_holidays_and_the_year_end(settings):
    assert urgency.is_business_day(date(2026, 12, 1))  # a Tuesday
    assert not urgency.is_business_day(date(2026, 11, 23))  # 勤労感謝の日
    assert not urgency.is_business_day(date(2026, 12, 29))  # 年末年始
    assert not urgency.is_business_day(date(2026, 11, 28))  # a Saturday
    tz = timezone.get_current_timezone()
    assert urgency.is_office_hours(datetime(2026, 12, 1, 10, 0, tzinfo=tz))
    assert not urgency.is_office_hours(datetime(2026, 12, 1, 5, 0, tzinfo=tz))
    settings.TSUNAGARI_OFFICE_HOURS = "09:00-12:00"
    assert not urgency.is_office_hours(datetime(2026, 12, 1, 13, 0, tzinfo=tz))


def test_the_secretariat_keeps_the_rota_and_the_district_contacts(world):
    coordinator, staff = world["coordinator"], world["staff"]
    slug = coordinator.organization.slug
    client = client_for(coordinator)
    # Tomorrow night's shift: the rota lists shifts that have not ended (or ended less than a day ago),
    # so a fixed date would drop out of the list once it has passed.
    evening = timezone.localdate() + timedelta(days=1)
    morning = evening + timedelta(days=1)
    bad = client.post(
        reverse("watch:oncall_new", args=[slug]),
        {"member": coordinator.pk, "phone": "090-1111-2222", "starts_at": f"{evening}T17:15", "ends_at": f"{evening}T08:30"},
    )  # fmt: skip
    assert bad.status_code == 200 and not OnCallShift.objects.exists()
    ok = client.post(
        reverse("watch:oncall_new", args=[slug]),
        {"member": coordinator.pk, "phone": "090-1111-2222", "starts_at": f"{evening}T17:15", "ends_at": f"{morning}T08:30"},
    )  # fmt: skip
    assert ok.status_code == 302 and OnCallShift.objects.get().member == coordinator
    assert 'href="tel:09011112222"' in client.get(reverse("watch:oncall_list", args=[slug])).content.decode()
    added = client.post(
        reverse("watch:district_contact_new", args=[slug]),
        {"district": District.objects.get(code="chuo").pk, "kind": "minsei", "name": "架空 一郎", "phone": "0857-00-7777",
         "hours": "平日 9時〜17時", "note": "", "active": "on"},
    )  # fmt: skip
    assert added.status_code == 302
    listing = client_for(staff).get(reverse("watch:district_contacts", args=["org-a"])).content.decode()
    assert "架空 一郎" in listing and 'href="tel:0857007777"' in listing  # staff read it …
    own_address = reverse("watch:district_contact_new", args=["org-a"])
    assert client_for(staff).get(own_address).status_code == 404  # … only the secretariat keeps it


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("夜中に部屋の中から「助けて」という声がした", "help"),
        ("ドア越しに、うめき声が聞こえる", "help"),
        ("本人が胸が苦しいと言っている", "medical"),
        ("息ができないと電話口で言っていた", "medical"),
        ("台所で倒れていて起き上がれない様子", "medical"),
        ("部屋から焦げ臭いにおいがする", "hazard"),
        ("もう生きていたくないと話していた", "suicide"),
    ],
)
def test_signs_of_something_happening_now_are_heard(text, kind):
    assert kind in urgency.crisis_words(text)


@pytest.mark.parametrize(
    "text",
    [
        "元気そうでした。畑の話をした",
        "電話に出なかったので、明日もう一度かける",
        "腰が痛いので買い物を手伝ってほしいとのこと",
        "弱音を吐いていたが、最後は笑っていた",
        "デイサービスの送迎で会えなかった",
    ],
)
def test_ordinary_notes_stay_as_they_were(text):
    assert urgency.crisis_words(text) == frozenset()
    assert urgency.raised("routine", text) == ("routine", False)
