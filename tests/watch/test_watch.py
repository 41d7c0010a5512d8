"""Watching over: contacts stored once however often they are sent, the alerts they call for, the
ladder climbed by the worker until someone acknowledges, and who sees what."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for
from tests.factories import make_member
from tests.watch.conftest import TAKEN_ON
from tsunagari.audit.models import ActivityLog
from tsunagari.cli import worker
from tsunagari.notifications.models import Notification
from tsunagari.orgs.models import Role
from tsunagari.watch import services
from tsunagari.watch.models import Alert, ContactLog
from tsunagari.worker.runner import run_due_tasks

FINE, NO_ANSWER, URGENT = ContactLog.Result.FINE, ContactLog.Result.NO_ANSWER, ContactLog.Result.URGENT


def _contact(member, target, result, **kwargs):
    return services.record_contact(by=member, target=target, method="phone", result=result, **kwargs)


def test_the_same_entry_sent_twice_is_stored_once(watch_world):
    volunteer, target = watch_world["volunteer"], watch_world["target"]
    entry = uuid.uuid4()
    first = _contact(volunteer, target, FINE, client_id=entry)
    again = _contact(volunteer, target, FINE, client_id=entry)
    assert first.created and not again.created and again.contact.pk == first.contact.pk
    assert ContactLog.objects.count() == 1


def test_a_copy_arriving_while_the_first_is_stored_is_stored_once(watch_world, monkeypatch):
    """The second request looked before the first had committed, saw nothing, and its insert collides:
    inside record_contact's transaction the savepoint rolls back and the stored entry is returned."""
    from django.db.models import QuerySet

    volunteer, target = watch_world["volunteer"], watch_world["target"]
    entry = uuid.uuid4()
    first = _contact(volunteer, target, FINE, client_id=entry)
    logged = ActivityLog.objects.filter(action="watch.contact.recorded").count()
    monkeypatch.setattr(QuerySet, "first", lambda self: None)  # the look-up that missed the first copy
    again = _contact(volunteer, target, FINE, client_id=entry)
    monkeypatch.undo()
    assert not again.created and again.contact.pk == first.contact.pk
    assert ContactLog.objects.count() == 1
    assert ActivityLog.objects.filter(action="watch.contact.recorded").count() == logged


def test_the_phone_form_records_a_contact_and_a_replay_reports_the_duplicate(watch_world):
    volunteer, target = watch_world["volunteer"], watch_world["target"]
    url = reverse("watch:contact", args=["org-a", target.pk])
    client = client_for(volunteer)
    page = client.get(url).content.decode()
    assert "架空 花子さん" in page and "0857-00-9999" in page and 'name="client_id"' in page
    entry = str(uuid.uuid4())
    form = {"method": "visit", "result": "fine", "note": "元気", "client_id": entry}
    assert client.post(url, form).status_code == 302
    replay = client.post(url, form, headers={"X-Tsunagari-Sync": "1"})
    assert replay.json() == {"saved": True, "duplicate": True, "next": ""}  # no red screen: not 緊急
    assert ContactLog.objects.count() == 1
    missing = client.post(url, {"method": "visit", "note": "結果を選び忘れ", "client_id": str(uuid.uuid4())})
    assert missing.status_code == 200 and "結果を選び忘れ" in missing.content.decode()  # input kept


def test_repeated_no_answer_and_urgent_raise_alerts_to_the_organisation_and_the_secretariat(watch_world):
    volunteer, target = watch_world["volunteer"], watch_world["target"]
    coordinator, staff = watch_world["coordinator"], watch_world["staff"]
    _contact(volunteer, target, NO_ANSWER)
    assert not Alert.objects.exists()  # once is not yet a pattern
    _contact(volunteer, target, NO_ANSWER)
    alert = Alert.objects.get()
    assert alert.kind == "no_answer" and alert.step == 0
    told = set(Notification.objects.values_list("recipient__email", flat=True))
    assert {staff.user.email, coordinator.user.email, volunteer.user.email} <= told
    _contact(volunteer, target, NO_ANSWER)
    assert Alert.objects.count() == 1  # still the same open alert
    _contact(volunteer, target, URGENT)
    urgent = Alert.objects.get(kind="urgent")
    assert Notification.objects.filter(urgent=True).exists() and urgent.organization == target.organization


def test_worker_once_raises_overdue_alerts_and_climbs_the_ladder_until_acknowledged(watch_world, settings):
    target, staff = watch_world["target"], watch_world["staff"]
    long_ago = timezone.now() - timedelta(days=10)
    _contact(watch_world["volunteer"], target, FINE, contacted_at=long_ago)
    assert worker(["--once"]) == 0
    alert = Alert.objects.get(kind="overdue")
    assert alert.step == 0
    Alert.objects.filter(pk=alert.pk).update(stepped_at=timezone.now() - timedelta(hours=25))
    worker(["--once"])
    alert.refresh_from_db()
    assert alert.step == 1  # 民生委員 / 地域包括支援センター
    mail.outbox.clear()
    services.acknowledge_alert(by=staff, alert=alert, **TAKEN_ON)
    Alert.objects.filter(pk=alert.pk).update(stepped_at=timezone.now() - timedelta(hours=25))
    worker(["--once"])
    alert.refresh_from_db()
    assert alert.step == 1 and alert.acknowledged_by == staff.user  # acknowledged: no more climbing
    assert not mail.outbox


def test_the_ladder_is_configurable_and_stops_at_its_top(watch_world, settings):
    settings.TSUNAGARI_WATCH_LADDER = ["supporter", "emergency"]
    services.raise_alert(kind=Alert.Kind.URGENT, target=watch_world["target"])
    alert = Alert.objects.get()
    for _ in range(3):
        Alert.objects.filter(pk=alert.pk).update(stepped_at=timezone.now() - timedelta(hours=2))
        services.check_watch()
    alert.refresh_from_db()
    assert alert.step == 1
    assert Notification.objects.filter(body__contains="119").exists()


def test_a_supporter_sees_only_assigned_people_and_no_case_details(watch_world, org_a):
    target = watch_world["target"]
    other_volunteer = make_member(org_a, Role.VOLUNTEER)
    assert (
        client_for(other_volunteer).get(reverse("watch:contact", args=["org-a", target.pk])).status_code
        == 404
    )
    assert (
        client_for(other_volunteer).get(reverse("watch:target_detail", args=["org-a", target.pk])).status_code
        == 403
    )
    outsider = client_for(watch_world["other_staff"])
    assert outsider.get(reverse("watch:contact", args=["org-b", target.pk])).status_code == 404
    assert outsider.get(reverse("watch:target_detail", args=["org-b", target.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        _contact(other_volunteer, target, FINE)
    home = client_for(watch_world["volunteer"]).get(reverse("watch:home", args=["org-a"])).content.decode()
    assert "架空 花子さん" in home and "書面で同意" not in home  # the basis and the case stay with staff


def test_digest_sends_what_is_waiting(watch_world):
    from tsunagari.notifications.jobs import send_daily_digests
    from tsunagari.notifications.models import EmailPreference
    from tsunagari.notifications.services import notify

    staff = watch_world["staff"]
    EmailPreference.objects.create(user=staff.user, mode=EmailPreference.Mode.DIGEST)
    notify([staff.user], subject="普通のお知らせ", url="/o/org-a/watch/")
    notify([staff.user], subject="緊急のお知らせ", urgent=True)
    run_due_tasks()
    assert [m.subject for m in mail.outbox] == ["緊急のお知らせ"]  # urgent: at once, even for digest readers
    send_daily_digests()
    run_due_tasks()
    assert len(mail.outbox) == 2 and "普通のお知らせ" in mail.outbox[1].body
    assert "緊急のお知らせ" not in mail.outbox[1].body  # already e-mailed at once
    send_daily_digests()
    run_due_tasks()
    assert len(mail.outbox) == 2  # nothing is sent twice


@pytest.mark.parametrize("count", [1, 3])
def test_watch_list_pages_query_counts_do_not_grow(watch_world, django_assert_num_queries, count):
    from tsunagari.orgs.models import District

    staff, volunteer, coordinator = watch_world["staff"], watch_world["volunteer"], watch_world["coordinator"]
    for i in range(count):
        target = services.create_target(
            by=staff, supporters=[volunteer],
            data={"name": f"架空 {i}さん", "district": District.objects.first(), "legal_basis": "consent",
                  "basis_note": "書面で同意", "every_days": 7},
        )  # fmt: skip
        _contact(volunteer, target, NO_ANSWER)
        _contact(volunteer, target, NO_ANSWER)
        services.report_sos(
            by=staff, data={"sign": "mail", "place": f"港町{i}", "district": District.objects.first()}
        )
    pages = [
        (staff, reverse("watch:home", args=["org-a"]), 7),
        (volunteer, reverse("watch:home", args=["org-a"]), 5),
        # with its log row, its count, who is on call and the district contacts
        (staff, reverse("watch:alert_list", args=["org-a"]), 15),
        (coordinator, reverse("watch:alert_list", args=[coordinator.organization.slug]), 15),
        (coordinator, reverse("watch:sos_queue", args=[coordinator.organization.slug]), 7),
        (staff, reverse("watch:sos_mine", args=["org-a"]), 5),
    ]
    for member, url, queries in pages:
        client = client_for(member)
        client.get(url)
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200, url


def test_review_fixes_for_alerts_and_contacts(watch_world, org_a):
    """Found in review: a second supporter broke the staff contact page; an acknowledged overdue alert was
    raised again at once; a contact did not close the alert it answered; ended watches kept escalating;
    the same client id with other content was dropped as a retry."""
    staff, volunteer, target = watch_world["staff"], watch_world["volunteer"], watch_world["target"]
    target.supporters.add(make_member(org_a, Role.VOLUNTEER))
    assert client_for(staff).get(reverse("watch:contact", args=["org-a", target.pk])).status_code == 200

    _contact(volunteer, target, FINE, contacted_at=timezone.now() - timedelta(days=10))
    services.check_watch()
    overdue = Alert.objects.get(kind="overdue")
    services.acknowledge_alert(by=staff, alert=overdue, **TAKEN_ON)
    services.check_watch()
    assert Alert.objects.filter(kind="overdue").count() == 1  # not raised again for the same missed contact

    _contact(volunteer, target, NO_ANSWER)
    _contact(volunteer, target, NO_ANSWER)
    no_answer = Alert.objects.get(kind="no_answer")
    _contact(volunteer, target, FINE)  # someone answered
    no_answer.refresh_from_db()
    assert no_answer.acknowledged_by == volunteer.user

    services.raise_alert(kind=Alert.Kind.URGENT, target=target)
    target.active = False
    target.save()
    Alert.objects.filter(kind="urgent").update(stepped_at=timezone.now() - timedelta(days=1))
    services.check_watch()
    assert Alert.objects.get(kind="urgent").step == 2  # 「緊急」 starts at the home visit; ended: no climbing

    target.active = True
    target.save()
    entry = uuid.uuid4()
    _contact(volunteer, target, FINE, client_id=entry)
    again = _contact(volunteer, target, URGENT, client_id=entry)  # an old page, sent with new content
    assert again.created and again.contact.result == URGENT and again.contact.client_id != entry


def test_impossible_dates_get_a_message_not_an_error(watch_world):
    volunteer, target = watch_world["volunteer"], watch_world["target"]
    url = reverse("watch:contact", args=["org-a", target.pk])
    response = client_for(volunteer).post(
        url,
        {
            "method": "visit",
            "result": "fine",
            "contacted_at": "0001-01-01T00:00",
            "client_id": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 200 and "field--error" in response.content.decode()
    sos = client_for(volunteer).post(
        reverse("watch:sos_new", args=["org-a"]),
        {"sign": "mail", "place": "港町", "noticed_at": "2999-01-01T00:00"},
    )
    assert sos.status_code == 200 and "field--error" in sos.content.decode()


def test_the_alert_list_logs_whom_it_names(watch_world, org_b):
    """The secretariat's alert list names other organisations' people while their alert is open: that
    is a disclosure, logged like any view of a person (ids only, with the watch's legal basis)."""
    target, coordinator, staff = watch_world["target"], watch_world["coordinator"], watch_world["staff"]
    alert = services.raise_alert(kind="overdue", target=target)
    page = client_for(coordinator).get(reverse("watch:alert_list", args=[coordinator.organization.slug]))
    assert target.name in page.content.decode()
    row = ActivityLog.objects.filter(action="watch.alerts.viewed").get()
    assert (row.actor_id, row.legal_basis, row.data) == (
        coordinator.user_id,
        "consent",
        {"targets": [target.pk]},
    )
    assert target.name not in str(row.data)

    client_for(staff).get(reverse("watch:alert_list", args=["org-a"]))
    own = ActivityLog.objects.filter(action="watch.alerts.viewed").latest("id")
    assert (own.legal_basis, own.data) == ("own_org", {"targets": [target.pk]})

    services.acknowledge_alert(
        by=staff, alert=alert, **TAKEN_ON
    )  # handled: the secretariat no longer sees the name
    before = ActivityLog.objects.filter(action="watch.alerts.viewed").count()
    page = client_for(coordinator).get(reverse("watch:alert_list", args=[coordinator.organization.slug]))
    assert target.name not in page.content.decode()
    assert ActivityLog.objects.filter(action="watch.alerts.viewed").count() == before


def test_a_supporter_lands_on_their_people_with_the_last_result_and_a_number_to_call(watch_world):
    volunteer, target = watch_world["volunteer"], watch_world["target"]
    target.contact, target.usual_method = "0857-00-1234（夕方）", "phone"
    target.save()
    client = client_for(volunteer)
    landing = client.get(reverse("orgs:dashboard", args=["org-a"]))
    assert landing.status_code == 302 and landing["Location"] == reverse("watch:home", args=["org-a"])
    services.record_contact(by=volunteer, target=target, method="line", result="concern", note="")
    home = client.get(reverse("watch:home", args=["org-a"])).content.decode()
    assert 'href="tel:0857001234"' in home
    assert str(ContactLog.Method.LINE.label) in home and str(ContactLog.Result.CONCERN.label) in home
    form = client.get(reverse("watch:contact", args=["org-a", target.pk])).content.decode()
    assert re.search(r'value="phone"[^>]*checked', form)  # the usual way is ticked: one tap fewer


def test_a_place_to_visit_is_not_offered_as_a_number_to_call(watch_world):
    volunteer, target = watch_world["volunteer"], watch_world["target"]
    target.contact = "玄関で声かけ（3号棟）"
    target.save()
    home = client_for(volunteer).get(reverse("watch:home", args=["org-a"])).content.decode()
    assert "tel:" not in home.split("watch-cards")[1].split("</ul>")[0]
