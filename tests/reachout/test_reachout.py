"""Residents reach out (issue 14, items 1 and 2): the self-check stores nothing; 「相談したい」 is stored
encrypted, gives a reference code and PIN that show the status only, reaches the secretariat's today view
(緊急 to whoever is on call at once), is assigned or becomes a person and case, and escalates when nobody
answers."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone, translation

from tests.cases.test_people import _all_text_in_the_database
from tests.conftest import client_for
from tests.factories import make_member
from tsunagari.audit.models import ActivityLog, LegalBasis
from tsunagari.cases.models import Case, Person
from tsunagari.line.replies import contact_url
from tsunagari.notifications.models import Notification
from tsunagari.orgs.models import District, Role
from tsunagari.reachout import check, services
from tsunagari.reachout.models import ContactRequest
from tsunagari.today import today_for
from tsunagari.watch.models import OnCallShift

CHECK = {
    "direct_loneliness__q1": "5",
    "ucla3_ja_national_survey__q1": "3",
    "ucla3_ja_national_survey__q2": "3",
    "ucla3_ja_national_survey__q3": "4",
}
FORM = {
    "means": "phone", "phone": "0857-12-3456", "email": "", "address": "", "when": "weekday_daytime",
    "when_note": "午後3時以降（架空ぬばたま）", "name": "ぬばたまの月子", "district": "", "categories": ["loneliness"],
    "message": "引っ越してきて話す人がいない（ぬばたま荘）", "consent": "on", "from": "check",
}  # fmt: skip


def _send(client, data=None):
    response = client.post(reverse("reachout:contact"), data or FORM)
    html = response.content.decode()
    found = re.search(r"data-reference>([^<]+)<", html)
    pin = re.search(r"data-pin>(\d{6})<", html)
    return response, (found.group(1) if found else None), (pin.group(1) if pin else None)


def _status(client, reference, pin) -> str:
    response = client.post(reverse("reachout:status"), {"reference": reference, "pin": pin})
    found = re.search(r'data-status="(\w+)"', response.content.decode())
    return found.group(1) if found else ""


# --- the self-check ------------------------------------------------------------------------------------


def test_the_self_check_answers_in_words_and_stores_nothing(db, client):
    logged = ActivityLog.objects.count()
    response = client.post(
        reverse("reachout:check"), {**CHECK, "district": District.objects.get(code="yamate").pk}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "4.8" in html  # the national survey's share of people who gave the same answer, in words
    assert "相談したい" in html and "近くの居場所を見る" in html
    assert reverse("reachout:contact") + "?from=check&amp;district=" in html
    assert "/directory/?category=belonging&amp;district=" in html
    assert "crisis--urgent" not in html
    assert ContactRequest.objects.count() == 0 and ActivityLog.objects.count() == logged


def test_the_self_check_shows_the_survey_wording_and_its_source(db, client):
    html = client.get(reverse("reachout:check")).content.decode()
    assert "あなたはどの程度、孤独であると感じることがありますか。" in html
    assert "あなたは、自分は取り残されていると感じることがありますか。" in html
    assert "人々のつながりに関する基礎調査" in html


def test_crisis_words_put_the_crisis_box_first(db, client):
    response = client.post(reverse("reachout:check"), {**CHECK, "text": "もう死にたい"})
    html = response.content.decode()
    assert "crisis--urgent" in html
    assert html.index("crisis--urgent") < html.index('id="result-title"')


def test_a_missing_answer_keeps_what_was_typed(db, client):
    response = client.post(
        reverse("reachout:check"), {**CHECK, "direct_loneliness__q1": "", "text": "ねむれない夜"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "notice--error" in html
    assert "ねむれない夜" in html
    assert re.search(r'name="ucla3_ja_national_survey__q1" value="3"[^>]*checked', html)


@pytest.mark.parametrize(
    ("answers", "level"),
    [
        ((1, 1, 1, 1), "rarely"),
        ((3, 1, 1, 1), "sometimes"),
        ((2, 2, 2, 2), "sometimes"),
        ((4, 3, 3, 3), "often"),
    ],
)
def test_the_level_comes_from_both_instruments(answers, level):
    names = list(CHECK)
    assert check.outcome(dict(zip(names, answers, strict=True))).level == level


def test_places_of_each_kind_come_from_the_directory_the_district_first(db):
    yamate = District.objects.get(code="yamate")
    groups = check.places(yamate)
    codes = [g.kind.code for g in groups]
    assert set(codes) >= {"listening", "phone", "salon", "ibasho"}
    names = {g.kind.code: [s.name for s in g.services] for g in groups}
    assert any("傾聴" in name for name in names["listening"])
    assert any("お話し相手" in name for name in names["phone"])
    for group in groups:
        distances = [check._distance(s, yamate) for s in group.services]
        assert distances == sorted(distances), group.kind.code


# --- 「相談したい」 ----------------------------------------------------------------------------------------


def test_a_request_is_stored_encrypted_and_waits_on_the_secretariat_today_view(world, client):
    response, reference, pin = _send(client)
    assert response.status_code == 200 and reference and pin
    request = ContactRequest.objects.get()
    assert request.reference == reference and request.name == "ぬばたまの月子" and not request.urgent
    assert request.source == "check" and [t.code for t in request.categories.all()] == ["loneliness"]
    assert pin not in request.pin_hash
    dump = _all_text_in_the_database()
    for secret in ("ぬばたまの月子", "0857-12-3456", "08571234 56", "架空ぬばたま", "ぬばたま荘", pin):
        assert secret not in dump, secret
    assert Notification.objects.filter(recipient=world["coordinator"].user, urgent=False).count() == 1
    assert "ぬばたま" not in Notification.objects.get().body
    with translation.override("en"):
        figures = {str(f.label): f.count for f in today_for(world["coordinator"]).figures}
    assert figures["Residents waiting to be contacted (相談したい)"] == 1
    assert today_for(world["coordinator"]).waiting == 1
    assert today_for(world["staff"]).waiting == 0  # org A sees nothing until it is assigned
    assert _status(client_for(None), reference, pin) == "received"


def test_the_answer_time_is_one_business_day_by_default(world):
    friday = timezone.make_aware(timezone.datetime(2026, 12, 4, 10, 0))
    due = services.due_at(urgent=False, since=friday)
    assert timezone.localtime(due).date().isoformat() == "2026-12-08"  # end of Monday
    assert services.due_at(urgent=True, since=friday) - friday == timedelta(minutes=30)


def test_bad_input_keeps_what_was_typed(world, client):
    response, reference, _pin = _send(client, {**FORM, "phone": ""})
    html = response.content.decode()
    assert reference is None and "notice--error" in html
    assert "ぬばたまの月子" in html and "引っ越してきて話す人がいない" in html
    assert ContactRequest.objects.count() == 0


def _on_call_now(world):
    on_call = make_member(world["coordinator"].organization, Role.COORDINATOR)
    now = timezone.now()
    OnCallShift.objects.create(member=on_call, phone="090-0000-0000", starts_at=now - timedelta(hours=1),
                               ends_at=now + timedelta(hours=1))  # fmt: skip
    return on_call


def test_crisis_words_make_it_urgent_tell_the_on_call_person_and_show_the_crisis_box(world, client):
    on_call = _on_call_now(world)
    response, reference, _pin = _send(client, {**FORM, "message": "もう死にたい"})
    html = response.content.decode()
    assert (
        reference and "crisis--urgent" in html and html.index("crisis--urgent") < html.index("data-reference")
    )
    request = ContactRequest.objects.get()
    assert request.urgent and request.due_at - request.created_at == timedelta(minutes=30)
    assert Notification.objects.get(recipient=on_call.user).urgent
    assert Notification.objects.get(recipient=world["coordinator"].user).urgent
    with translation.override("en"):
        urgent = {str(f.label): f.count for f in today_for(world["coordinator"]).urgent}
    assert urgent["Contact requests with crisis words (緊急) waiting"] == 1


def test_a_repeated_request_is_answered_like_a_new_one_and_the_secretariat_told_which_it_repeats(
    world, client
):
    """Saying "we already have a request from you" would tell anyone who types a resident's phone that
    the resident asked for help today; and a second message may now hold crisis words."""
    _response, first, _pin = _send(client)
    on_call = _on_call_now(world)
    stranger = client_for(None)
    response, second, pin = _send(
        stranger, {**FORM, "phone": "０８５７（１２）３４５６", "message": "もう死にたい"}
    )
    assert second and second != first and pin
    assert "すでに" not in response.content.decode() and "already" not in response.content.decode()
    assert ContactRequest.objects.get(reference=second).urgent
    told = Notification.objects.filter(recipient=world["coordinator"].user).order_by("pk").last()
    assert first in told.body and told.urgent
    assert Notification.objects.filter(recipient=on_call.user, urgent=True).exists()


def test_honeypot_and_rate_limits(world, client, settings):
    _send(client)
    response, reference, _pin = _send(client, {**FORM, "phone": "0857-99-0000", "homepage": "http://spam"})
    assert reference is None and response.status_code == 200 and ContactRequest.objects.count() == 1
    settings.TSUNAGARI_CONTACT_REQUESTS_PER_HOUR = 2
    response, reference, _pin = _send(client, {**FORM, "phone": "0857-99-0001"})
    assert response.status_code == 429 and reference is None
    assert "ぬばたまの月子" in response.content.decode()  # kept


def test_the_pin_is_rate_limited_per_reference(world, client, settings):
    _response, reference, pin = _send(client)
    settings.TSUNAGARI_PUBLIC_FORMS_PER_MINUTE = 100
    other = client_for(None)
    for _ in range(5):
        assert _status(other, reference, "000000" if pin != "000000" else "111111") == ""
    response = other.post(reverse("reachout:status"), {"reference": reference, "pin": pin})
    assert response.status_code == 429 and "data-status" not in response.content.decode()
    with pytest.raises(services.TooManyAttempts):
        services.check_status(reference=reference, pin=pin)


def test_a_reference_is_read_back_in_any_typing(world, client):
    _response, reference, pin = _send(client)
    typed = reference.lower().replace("-", "").replace("r", "ｒ", 1)
    assert services.check_status(reference=typed, pin=pin).pk == ContactRequest.objects.get().pk


def test_assigning_tells_the_organisation_which_sees_it_and_marks_it_contacted(world, org_a, client):
    _response, reference, pin = _send(client)
    request = ContactRequest.objects.get()
    coordinator = world["coordinator"]
    slug = coordinator.organization.slug
    staff = client_for(coordinator)
    detail = staff.get(reverse("reachout_staff:request_detail", args=[slug, request.pk]))
    assert "ぬばたまの月子" in detail.content.decode()
    response = staff.post(
        reverse("reachout_staff:request_assign", args=[slug, request.pk]), {"organization": org_a.pk}
    )
    assert response.status_code == 302
    assert Notification.objects.filter(recipient=world["staff"].user).count() == 1
    assert not Notification.objects.filter(recipient=world["viewer"].user).exists()
    assert _status(client_for(None), reference, pin) == "assigned"
    # org A's staff see it, org B's do not
    url_a = reverse("reachout_staff:request_detail", args=["org-a", request.pk])
    assert client_for(world["staff"]).get(url_a).status_code == 200
    assert (
        client_for(world["other_staff"])
        .get(reverse("reachout_staff:request_detail", args=["org-b", request.pk]))
        .status_code
        == 404
    )
    assert today_for(world["staff"]).waiting == 1
    # a second assignment is a conflict, not an overwrite
    again = staff.post(
        reverse("reachout_staff:request_assign", args=[slug, request.pk]), {"organization": org_a.pk}
    )
    assert again.status_code == 409
    done = client_for(world["staff"]).post(
        reverse("reachout_staff:request_contacted", args=["org-a", request.pk])
    )
    assert done.status_code == 302
    assert _status(client_for(None), reference, pin) == "contacted"
    assert today_for(world["staff"]).waiting == 0


def test_the_secretariat_opens_a_person_and_case_on_the_persons_own_request(world, client):
    _send(client)
    request = ContactRequest.objects.get()
    coordinator = world["coordinator"]
    slug = coordinator.organization.slug
    response = client_for(coordinator).post(
        reverse("reachout_staff:request_open_case", args=[slug, request.pk]), {}
    )
    assert response.status_code == 302
    case = Case.objects.get()
    person = Person.objects.get()
    assert (person.name, person.phone, person.organization_id) == (
        "ぬばたまの月子",
        "0857-12-3456",
        coordinator.organization_id,
    )
    assert case.lead is None and case.unassigned_since is not None  # the ordinary queue, with its clock
    assert "引っ越してきて" in case.summary
    assert ActivityLog.objects.get(action="cases.case.opened").legal_basis == LegalBasis.SELF_REQUEST
    request.refresh_from_db()
    assert request.case == case and request.status == "assigned"


def test_a_request_nobody_answers_escalates_once(world, client):
    _send(client)
    later = timezone.now() + timedelta(days=10)
    assert services.escalate_unanswered(now=later) == 1
    assert services.escalate_unanswered(now=later) == 0
    told = Notification.objects.filter(recipient=world["coordinator"].user).order_by("pk").last()
    assert ContactRequest.objects.get().reference in told.body and "ぬばたま" not in told.body


def test_line_is_offered_only_through_a_signed_link(world, client):
    assert 'value="line"' not in client.get(reverse("reachout:contact")).content.decode()
    token = contact_url("U1234567890abcdef").split("/soudan/?line=", 1)[1]  # the LINE reply's link
    html = client.get(reverse("reachout:contact"), {"line": token}).content.decode()
    assert 'value="line"' in html
    forged = signing.dumps("U1234567890abcdef", salt="another.salt")
    assert 'value="line"' not in client.get(reverse("reachout:contact"), {"line": forged}).content.decode()
    response, reference, _pin = _send(client, {**FORM, "means": "line", "phone": "", "line": token})
    assert reference, response.content.decode()
    request = ContactRequest.objects.get()
    assert request.line_user_id == "U1234567890abcdef" and request.source == "line"
    assert "U1234567890abcdef" not in _all_text_in_the_database()
    response, reference, _pin = _send(client, {**FORM, "means": "line", "phone": "", "line": forged})
    assert reference is None and ContactRequest.objects.count() == 1


def test_the_navigator_and_a_service_page_lead_to_the_request(db, client):
    from tsunagari.directory.selectors import public_services

    service = public_services().first()
    html = client.get(reverse("directory:service_detail", args=[service.pk])).content.decode()
    assert reverse("reachout:contact") + "?from=service" in html
    home = client.get(reverse("home")).content.decode()
    assert reverse("reachout:check") in home and reverse("reachout:contact") in home
    assert reverse("reachout:check") in client.get(reverse("directory:navigator")).content.decode()


def test_the_demo_leaves_a_request_waiting_for_the_secretariat(world, org_a):
    from tsunagari.demo import _seed_contact_requests

    _seed_contact_requests({"jimukyoku": world["coordinator"].organization, "yorisoi": org_a})
    assert today_for(world["coordinator"]).waiting == 1  # one waiting for the secretariat
    assert today_for(world["staff"]).waiting == 1  # one given to the NPO, waiting for its call
    assert sorted(ContactRequest.objects.values_list("status", flat=True)) == ["assigned", "received"]


def test_a_form_with_a_mistake_still_shows_the_crisis_lines_first(db, client):
    check_page = client.post(reverse("reachout:check"), {"text": "死にたい"}).content.decode()
    assert "crisis--urgent" in check_page and "notice--error" in check_page
    response, reference, _pin = _send(client, {**FORM, "phone": "", "message": "死にたい"})
    html = response.content.decode()
    assert reference is None and "crisis--urgent" in html and "notice--error" in html


def test_the_request_list_takes_as_many_queries_for_three_as_for_one_and_decrypts_nothing(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    coordinator = world["coordinator"]
    url = reverse("reachout_staff:request_list", args=[coordinator.organization.slug])
    staff = client_for(coordinator)
    staff.get(url)  # warm: session, preferences

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff.get(url).status_code == 200
        return len(captured)

    _send(client)
    one = queries()
    for phone in ("0857-12-0002", "0857-12-0003"):
        _send(client, {**FORM, "phone": phone})
    assert ContactRequest.objects.count() == 3
    assert queries() == one
    html = staff.get(url).content.decode()
    assert html.count("R-") >= 3 and "ぬばたまの月子" not in html  # references and states, no names


def test_the_request_list_shows_the_waiting_ones_before_those_already_contacted(world, client):
    """PostgreSQL sorts an empty contacted_at last and SQLite first: the order is said, not left to them."""
    coordinator = world["coordinator"]
    _send(client)
    answered = ContactRequest.objects.get()
    ContactRequest.objects.filter(pk=answered.pk).update(
        status=ContactRequest.Status.CONTACTED, contacted_at=timezone.now()
    )
    _send(client, {**FORM, "phone": "0857-12-0009"})
    waiting = ContactRequest.objects.exclude(pk=answered.pk).get()
    url = reverse("reachout_staff:request_list", args=[coordinator.organization.slug])
    html = client_for(coordinator).get(url).content.decode()
    assert html.index(waiting.reference) < html.index(answered.reference)


def _overdue(request: ContactRequest) -> None:
    ContactRequest.objects.filter(pk=request.pk).update(due_at=timezone.now() - timedelta(hours=1))
    request.refresh_from_db()


def test_an_overdue_assigned_request_tells_the_organisation_that_must_act_once(world, org_a, client):
    _send(client)
    request = ContactRequest.objects.get()
    services.assign_request(by=world["coordinator"], request=request, organization=org_a)
    staff, coordinator = world["staff"].user, world["coordinator"].user
    before = Notification.objects.filter(recipient=staff).count()
    _overdue(request)
    assert services.escalate_unanswered() == 1
    told = Notification.objects.filter(recipient=staff).order_by("pk")
    assert told.count() == before + 1
    last = told.last()
    assert request.reference in last.body and "ぬばたま" not in last.body + last.subject
    assert last.url == reverse("reachout_staff:request_detail", args=["org-a", request.pk])
    assert request.reference in Notification.objects.filter(recipient=coordinator).order_by("pk").last().body
    assert not Notification.objects.filter(recipient=world["viewer"].user).exists()
    assert not Notification.objects.filter(recipient=world["other_staff"].user).exists()
    escalated = ActivityLog.objects.get(action="reachout.request.escalated")
    assert escalated.organization_id == org_a.pk
    # once: later runs do not tell anyone again
    count = Notification.objects.count()
    assert services.escalate_unanswered() == 0
    assert services.escalate_unanswered(now=timezone.now() + timedelta(days=5)) == 0
    assert Notification.objects.count() == count


def test_an_overdue_unassigned_request_goes_to_the_coordinators_only(world, org_a, client):
    _send(client)
    request = ContactRequest.objects.get()
    _overdue(request)
    assert services.escalate_unanswered() == 1
    assert (
        request.reference
        in Notification.objects.filter(recipient=world["coordinator"].user).order_by("pk").last().body
    )
    assert not Notification.objects.filter(recipient=world["staff"].user).exists()


def test_a_request_given_once_overdue_is_escalated_by_the_giving_and_not_again(world, org_a, client):
    """Escalated while it waited for the secretariat; then given to org A already overdue: org A's notice
    says it is overdue, and the next run does not tell them a second time."""
    _send(client)
    request = ContactRequest.objects.get()
    _overdue(request)
    assert services.escalate_unanswered() == 1
    services.assign_request(by=world["coordinator"], request=request, organization=org_a)
    notice = Notification.objects.get(recipient=world["staff"].user)
    with translation.override("en"):
        assert "past its answer time" in notice.body or "期限" in notice.body
    assert services.escalate_unanswered() == 0
    assert Notification.objects.filter(recipient=world["staff"].user).count() == 1


def test_a_request_given_in_time_escalates_again_to_the_organisation_when_overdue(world, org_a, client):
    _send(client)
    request = ContactRequest.objects.get()
    services.assign_request(by=world["coordinator"], request=request, organization=org_a)
    assert services.escalate_unanswered() == 0  # not yet due
    _overdue(request)
    assert services.escalate_unanswered() == 1
    assert Notification.objects.filter(recipient=world["staff"].user).count() == 2
    services.mark_contacted(by=world["staff"], request=request)
    assert services.escalate_unanswered(now=timezone.now() + timedelta(days=5)) == 0


def test_answered_requests_are_deleted_after_the_keeping_time_and_waiting_ones_never(
    world, org_a, client, settings
):
    settings.TSUNAGARI_CONTACT_REQUEST_KEEP_DAYS = 30
    for phone in ("0857-11-0001", "0857-11-0002", "0857-11-0003"):
        _send(client_for(None), {**FORM, "phone": phone})
    contacted, with_case, waiting = ContactRequest.objects.order_by("pk")
    now = timezone.now()
    ContactRequest.objects.filter(pk=contacted.pk).update(
        status="contacted", contacted_at=now - timedelta(days=31)
    )
    coordinator = world["coordinator"]
    client_for(coordinator).post(
        reverse("reachout_staff:request_open_case", args=[coordinator.organization.slug, with_case.pk]), {}
    )
    person_case = Case.objects.get()
    ContactRequest.objects.filter(pk=with_case.pk).update(assigned_at=now - timedelta(days=31))
    ContactRequest.objects.filter(pk=waiting.pk).update(created_at=now - timedelta(days=400))
    assert services.forget_answered(now=now - timedelta(days=2)) == 0  # not yet 30 days after the answer
    assert services.forget_answered(now=now) == 2
    assert list(ContactRequest.objects.values_list("pk", flat=True)) == [waiting.pk]
    assert Case.objects.filter(pk=person_case.pk).exists()  # the case lives on, on its own basis
