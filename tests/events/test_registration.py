"""Registering without an account: seats, the waiting list, duplicates, the manage link, spam guards."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import signing
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.events.conftest import data, make_event
from tsunagari.events import services
from tsunagari.events.models import Registration
from tsunagari.notifications.models import EmailDelivery

FORM = {"name": "架空 花子", "kana": "カクウ ハナコ", "email": "hanako@example.org", "phone": "", "people": "1",
        "mode": "in_person", "accessibility": ["wheelchair"], "consent": "on"}  # fmt: skip


def test_registering_on_the_public_page_confirms_and_emails_the_manage_link(client, event):
    response = client.post(reverse("events:register", args=[event.pk]), FORM)
    registration = Registration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("events:manage", args=[services.manage_token(registration)])
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.accessibility_codes == ["wheelchair"]
    mail = EmailDelivery.objects.get()
    assert mail.to == ["hanako@example.org"]
    assert services.manage_token(registration) in mail.body
    page = client.get(response["Location"])
    assert page.status_code == 200 and "架空 花子" in page.content.decode()
    assert "https://example.org/live" in page.content.decode()  # registrants get the stream link


def test_full_hall_puts_people_on_the_waiting_list_and_cancelling_promotes_the_first(event):
    first = services.register(event=event, data=data(email="a@example.org", people=2))
    second = services.register(event=event, data=data(email="b@example.org", people=1))
    waiting1 = services.register(event=event, data=data(email="c@example.org", people=1))
    waiting2 = services.register(event=event, data=data(email="d@example.org", people=1))
    online = services.register(event=event, data=data(email="e@example.org", mode="online"))
    assert [r.status for r in (first, second, waiting1, waiting2, online)] == [
        "confirmed", "confirmed", "waitlisted", "waitlisted", "confirmed"
    ]  # fmt: skip
    EmailDelivery.objects.all().delete()
    promoted = services.cancel_registration(registration=second)
    assert promoted == [waiting1]
    waiting1.refresh_from_db()
    waiting2.refresh_from_db()
    assert (waiting1.status, waiting2.status) == ("confirmed", "waitlisted")
    assert services.seats_taken(event) == 3
    subjects = sorted(EmailDelivery.objects.values_list("to", "subject"))
    assert [to for to, _ in subjects] == [["b@example.org"], ["c@example.org"]]
    assert services.cancel_registration(registration=second) == []  # twice is harmless


def test_a_larger_group_waiting_first_is_not_overtaken(event):
    services.register(event=event, data=data(email="a@example.org", people=3))
    group = services.register(event=event, data=data(email="b@example.org", people=2))
    single = services.register(event=event, data=data(email="c@example.org", people=1))
    first = Registration.objects.get(email_index=services._indexes("a@example.org", "")[0])
    services.change_registration(registration=first, people=2, mode="in_person", accessibility=[], note="")
    group.refresh_from_db()
    single.refresh_from_db()
    assert (group.status, single.status) == ("waitlisted", "waitlisted")


def test_duplicate_registration_gets_a_clear_message_and_keeps_what_was_typed(client, event):
    client.post(reverse("events:register", args=[event.pk]), FORM)
    again = client.post(reverse("events:register", args=[event.pk]), {**FORM, "email": "HANAKO@example.org "})
    html = again.content.decode()
    assert again.status_code == 200
    assert "notice--error" in html and 'value="架空 花子"' in html
    assert Registration.objects.count() == 1


def test_same_phone_is_a_duplicate_whatever_its_hyphens(event):
    services.register(event=event, data=data(email="", phone="0857-00-1234"))
    with pytest.raises(services.DuplicateRegistration):
        services.register(event=event, data=data(email="", phone="０８５７００１２３４"))


@pytest.mark.parametrize(
    ("change", "field"),
    [({"email": "", "phone": ""}, None), ({"kana": "Hanako"}, "kana"), ({"people": "0"}, "people"),
     ({"people": "abc"}, "people"), ({"consent": ""}, "consent"), ({"name": "花\x00子"}, "name"),
     ({"name": "あ" * 101}, "name"), ({"mode": "zoom"}, "mode"), ({"accessibility": ["childcare"]}, "accessibility"),
     ({"phone": "abc"}, "phone")],
)  # fmt: skip
def test_bad_input_is_refused_with_a_message_never_a_500(client, event, change, field):
    response = client.post(reverse("events:register", args=[event.pk]), {**FORM, **change})
    assert response.status_code == 200
    html = response.content.decode()
    assert "notice--error" in html
    if field:
        assert response.context["form"].errors[field]
    assert Registration.objects.count() == 0


def test_the_honeypot_stores_nothing(client, event):
    response = client.post(reverse("events:register", args=[event.pk]), {**FORM, "website": "http://spam"})
    assert response.status_code == 302 and Registration.objects.count() == 0


def test_rate_limit_per_client(client, event, settings):
    settings.TSUNAGARI_EVENT_REGISTRATIONS_PER_HOUR = 2
    from django.core.cache import cache

    cache.clear()
    for i in range(2):
        client.post(reverse("events:register", args=[event.pk]), {**FORM, "email": f"p{i}@example.org"})
    third = client.post(reverse("events:register", args=[event.pk]), {**FORM, "email": "p9@example.org"})
    assert third.status_code == 429 and 'value="架空 花子"' in third.content.decode()
    assert Registration.objects.count() == 2
    cache.clear()


def test_manage_link_changes_and_cancels_and_a_forged_one_is_404(client, event):
    registration = services.register(event=event, data=data(mode="in_person"))
    url = reverse("events:manage", args=[services.manage_token(registration)])
    response = client.post(
        url, {"action": "change", "people": "2", "mode": "online", "accessibility": [], "future_events": "on"}
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert (registration.people, registration.mode, registration.future_events) == (2, "online", True)
    assert "https://example.org/live" in client.get(url).content.decode()  # online: the stream link
    too_many = client.post(url, {"action": "change", "people": "9", "mode": "in_person"})
    assert too_many.status_code == 200 and "notice--error" in too_many.content.decode()
    client.post(url, {"action": "cancel"})
    registration.refresh_from_db()
    assert registration.status == "cancelled"
    forged = signing.dumps({"r": registration.pk}, salt="something else")
    assert client.get(reverse("events:manage", args=[forged])).status_code == 404
    assert client.get(reverse("events:manage", args=["nonsense"])).status_code == 404


def test_past_events_cannot_be_registered_for(client, org_a):
    past = make_event(
        org_a, starts_at=timezone.now() - timedelta(days=2), ends_at=timezone.now() - timedelta(days=2)
    )
    assert client.get(reverse("events:register", args=[past.pk])).status_code == 404
    with pytest.raises(services.RegistrationError):
        services.register(event=past, data=data())


def test_reminder_the_day_before_goes_once(org_a):
    soon = make_event(
        org_a, starts_at=timezone.now() + timedelta(hours=20), ends_at=timezone.now() + timedelta(hours=22)
    )
    later = make_event(org_a, title="later")
    services.register(event=soon, data=data())
    services.register(event=later, data=data())
    EmailDelivery.objects.all().delete()
    assert services.send_reminders() == 1
    assert services.send_reminders() == 0
    assert EmailDelivery.objects.count() == 1


def test_details_are_erased_after_the_retention_unless_the_person_asked_for_news(org_a, settings):
    settings.TSUNAGARI_EVENT_RETENTION_DAYS = 30
    past = make_event(
        org_a, starts_at=timezone.now() - timedelta(days=40), ends_at=timezone.now() - timedelta(days=40)
    )
    gone = Registration.objects.create(event=past, name="架空 太郎", kana="かくう", email="t@example.org")
    kept = Registration.objects.create(
        event=past, name="架空 次郎", kana="かくう", email="j@example.org", future_events=True
    )
    recent = make_event(
        org_a, starts_at=timezone.now() - timedelta(days=3), ends_at=timezone.now() - timedelta(days=3)
    )
    fresh = Registration.objects.create(event=recent, name="架空 三郎", kana="かくう", email="s@example.org")
    assert services.erase_after_events() == 1
    gone.refresh_from_db()
    assert (gone.name, gone.email, gone.erased_at is not None, gone.people) == ("", "", True, 1)
    kept.refresh_from_db()
    fresh.refresh_from_db()
    assert kept.name == "架空 次郎" and fresh.name == "架空 三郎"


def test_registrants_details_are_not_in_a_database_dump(event):
    from tests.cases.test_people import _all_text_in_the_database

    services.register(
        event=event,
        data=data(name="架空 ぬばたま", kana="かくう ぬばたま", email="", phone="0857-77-6655",
                  accessibility=["wheelchair"], note="杖を使っています"),
    )  # fmt: skip
    dump = _all_text_in_the_database()
    for secret in ("ぬばたま", "0857-77-6655", "0857776655", "杖を使って"):
        assert secret not in dump, secret
    with connection.cursor() as cursor:  # the event offers wheelchair seats; who asked for one is encrypted
        cursor.execute("SELECT accessibility FROM events_registration")
        assert "wheelchair" not in cursor.fetchone()[0]
