"""Courses, 受講証, the register of つながりサポーター (opt-in, withdrawal, invitation) and the QR code at the door."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.cases.test_people import _all_text_in_the_database
from tests.conftest import client_for
from tests.events.conftest import data, make_event
from tests.factories import DistrictFactory
from tsunagari.accounts.models import Invitation
from tsunagari.accounts.services import accept_invitation
from tsunagari.audit.models import ActivityLog
from tsunagari.events import services as events
from tsunagari.events.models import EventKind, Registration
from tsunagari.notifications.models import EmailDelivery, Notification
from tsunagari.orgs.models import Organization, Role
from tsunagari.training import services
from tsunagari.training.curriculum import NATIONAL_TEXT
from tsunagari.training.models import Certificate, Supporter
from tsunagari.watch import services as watch_services


@pytest.fixture
def course(world, org_a):
    event = make_event(
        org_a, kind=EventKind.SUPPORTER_COURSE, title="つながりサポーター養成講座", capacity=30
    )
    events.save_event(event=event, by=world["staff"])  # the default curriculum is added on saving
    return event


@pytest.fixture
def attendee(course) -> Registration:
    return events.register(event=course, data=data(name="架空 ななかまど", kana="かくう ななかまど"))


def _check_in(world, registration: Registration, attended: bool = True) -> None:
    events.set_attendance(registration=registration, attended=attended, by=world["staff"])


def _join(client, certificate: Certificate, **fields):
    form = {"name": "架空 ななかまど", "kana": "かくう ななかまど", "district": fields.pop("district").pk,
            "ways": ["greeting", "listening"], "contact_by": "email", "email": "nanakamado@example.org",
            "phone": "", "contact_note": "平日の夜", "consent": "on", **fields}  # fmt: skip
    return client.post(reverse("training:join", args=[services.certificate_token(certificate)]), form)


def test_a_course_gets_the_default_90_minute_curriculum_on_the_national_text(client, course):
    items = list(course.curriculum.values_list("kind", "minutes", "material"))
    assert sum(minutes for _kind, minutes, _m in items) == 90
    assert {kind for kind, _min, _m in items} == {"lecture", "individual_work"}
    assert {m for _k, _min, m in items} == {NATIONAL_TEXT}
    page = client.get(reverse("events:detail", args=[course.pk])).content.decode()
    assert "個人ワーク" in page and NATIONAL_TEXT in page


def test_attendance_issues_a_certificate_once_and_undo_withdraws_it(client, world, attendee):
    assert not Certificate.objects.exists()
    _check_in(world, attendee)
    cert = Certificate.objects.get()
    assert (cert.name, cert.issued_by, cert.revoked_at) == (
        "架空 ななかまど",
        attendee.event.organization,
        None,
    )
    assert cert.number == f"TS-{cert.completed_on.year}-{attendee.event.pk:04d}-{attendee.pk:05d}"
    mail = EmailDelivery.objects.latest("pk")  # after the confirmation
    assert services.certificate_url(cert) in mail.body and services.join_url(cert) in mail.body
    _check_in(world, attendee, attended=False)
    cert.refresh_from_db()
    assert cert.revoked_at is not None
    assert (
        client.get(reverse("training:certificate", args=[services.certificate_token(cert)])).status_code
        == 404
    )
    _check_in(world, attendee)
    assert list(Certificate.objects.values_list("number", "revoked_at")) == [(cert.number, None)]


def test_a_salon_issues_no_certificate(world, org_a):
    salon = make_event(org_a, kind=EventKind.SALON)
    registration = events.register(event=salon, data=data())
    _check_in(world, registration)
    assert not Certificate.objects.exists()


def test_a_walk_in_at_a_course_gets_a_certificate(world, course):
    events.register(event=course, data=data(email=""), walk_in=True, by=world["staff"])
    assert Certificate.objects.count() == 1


def test_the_certificate_page_through_the_manage_link(client, world, attendee):
    manage = reverse("events:manage", args=[events.manage_token(attendee)])
    assert "受講証" not in client.get(manage).content.decode()
    _check_in(world, attendee)
    page = client.get(manage).content.decode()
    cert = Certificate.objects.get()
    assert services.certificate_url(cert) in page and services.join_url(cert) in page
    response = client.get(services.certificate_url(cert))
    text = response.content.decode()
    for expected in ("架空 ななかまど", "つながりサポーター養成講座", cert.number, attendee.event.organization.name,
                     "css/certificate.css"):  # fmt: skip
        assert expected in text, expected
    assert "style=" not in text
    assert response["Cache-Control"].startswith("max-age=0") and response["Referrer-Policy"] == "same-origin"
    forged = services.certificate_token(cert)[:-2] + "xx"
    assert client.get(reverse("training:certificate", args=[forged])).status_code == 404


def test_joining_the_register_with_consent_and_withdrawing(client, world, attendee):
    district = DistrictFactory()
    _check_in(world, attendee)
    cert = Certificate.objects.get()
    # Bad input: a clear message, and what was typed is kept.
    bad = _join(client, cert, district=district, kana="Nanakamado", consent="", email="")
    assert bad.status_code == 200
    assert set(bad.context["form"].errors) == {"kana", "consent", "email"}
    assert bad.context["form"]["contact_note"].value() == "平日の夜"
    assert not Supporter.objects.exists()

    response = _join(client, cert, district=district)
    supporter = Supporter.objects.get()
    assert response.status_code == 302 and response["Location"] == services.supporter_url(supporter)
    assert (supporter.district, supporter.ways, supporter.email) == (district, ["greeting", "listening"],
                                                                     "nanakamado@example.org")  # fmt: skip
    assert "いつでも" in supporter.consent_text or "at any time" in supporter.consent_text
    assert list(Certificate.objects.values_list("supporter", flat=True)) == [supporter.pk]
    assert Notification.objects.filter(recipient=world["coordinator"].user).count() == 1
    assert EmailDelivery.objects.filter(to=["nanakamado@example.org"]).exists()
    # The join link (the certificate's, which a person may forward) says only that they are listed: no
    # contact details, no link to the entry; their own manage page links the entry.
    again = client.get(reverse("training:join", args=[services.certificate_token(cert)])).content.decode()
    assert 'id="already-listed"' in again
    assert services.supporter_url(supporter) not in again and "nanakamado@example.org" not in again
    assert _join(client, cert, district=district).status_code == 200 and Supporter.objects.count() == 1
    manage = client.get(reverse("events:manage", args=[events.manage_token(attendee)])).content.decode()
    assert services.supporter_url(supporter) in manage

    coordinator = client_for(world["coordinator"])
    register_url = reverse("supporters:list", args=["jimukyoku"])
    assert "架空 ななかまど" in coordinator.get(register_url).content.decode()

    client.post(services.supporter_url(supporter), {"action": "withdraw"})
    supporter.refresh_from_db()
    assert supporter.withdrawn_at is not None and (supporter.name, supporter.email) == ("", "")
    assert "架空 ななかまど" not in coordinator.get(register_url).content.decode()
    assert ActivityLog.objects.filter(action="training.supporter.withdrawn").count() == 1


def test_the_register_is_for_staff_of_members_and_every_showing_is_logged(world, attendee, org_b):
    _check_in(world, attendee)
    district = DistrictFactory()
    _join(client_for(None), Certificate.objects.get(), district=district)
    supporter = Supporter.objects.get()
    other_staff = client_for(world["other_staff"])
    page = other_staff.get(reverse("supporters:list", args=[org_b.slug]))
    assert page.status_code == 200 and "nanakamado@example.org" in page.content.decode()
    log = ActivityLog.objects.filter(action="training.register.viewed").latest("pk")
    assert (log.legal_basis, log.data["supporters"]) == ("consent", [supporter.pk])
    detail = other_staff.get(reverse("supporters:detail", args=[org_b.slug, supporter.pk]))
    assert detail.status_code == 200 and "つながりサポーター養成講座" in detail.content.decode()
    volunteer = client_for(world["volunteer"])
    assert volunteer.get(reverse("supporters:list", args=["org-a"])).status_code == 403
    org_b.tier = Organization.Tier.DIRECTORY_ONLY
    org_b.save()
    assert other_staff.get(reverse("supporters:list", args=[org_b.slug])).status_code == 403


def test_counts_by_district_beside_the_needs_picture(world, attendee):
    from tsunagari.training.selectors import supporters_by_district

    north, _south = DistrictFactory(name="北地区"), DistrictFactory(name="南地区")
    _check_in(world, attendee)
    _join(client_for(None), Certificate.objects.get(), district=north)
    rows = {row.district.name: row for row in supporters_by_district(world["staff"])}
    assert (rows["北地区"].supporters, rows["南地区"].supporters) == (1, 0)
    # No needs reported: the needs figure is hidden below the threshold, never a small number.
    assert rows["北地区"].needs.value in (0, None)
    page = client_for(world["staff"]).get(reverse("supporters:list", args=["org-a"])).content.decode()
    assert "北地区" in page and "南地区" in page


def test_follow_up_training_joins_the_supporters_entry(world, attendee, org_a):
    _check_in(world, attendee)
    _join(client_for(None), Certificate.objects.get(), district=DistrictFactory())
    supporter = Supporter.objects.get()
    follow_up = make_event(org_a, kind=EventKind.TRAINING, title="フォローアップ研修")
    again = events.register(event=follow_up, data=data(name="架空 ななかまど", kana="かくう ななかまど"))
    _check_in(world, again)
    assert sorted(supporter.certificates.values_list("event__title", flat=True)) == [
        "つながりサポーター養成講座", "フォローアップ研修",
    ]  # fmt: skip


def test_the_secretariat_invites_a_supporter_who_can_then_be_assigned_to_watch(
    world, attendee, org_b, settings
):
    _check_in(world, attendee)
    _join(client_for(None), Certificate.objects.get(), district=DistrictFactory())
    supporter = Supporter.objects.get()
    coordinator = client_for(world["coordinator"])
    invite = reverse("supporters:invite", args=["jimukyoku", supporter.pk])
    assert client_for(world["other_admin"]).post(invite, {"organization": org_b.pk}).status_code == 404
    response = coordinator.post(invite, {"organization": org_b.pk})
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.organization) == (
        "nanakamado@example.org", Role.VOLUNTEER, org_b,
    )  # fmt: skip
    supporter.refresh_from_db()
    assert supporter.invited_to == org_b
    membership = accept_invitation(
        invitation=invitation, display_name="架空 ななかまど", password="a-long-passphrase-42"
    )
    assert membership.role == Role.VOLUNTEER and membership.organization == org_b
    target = watch_services.create_target(
        by=world["other_staff"], supporters=[membership],
        data={"name": "架空 梅子さん", "contact": "電話", "district": supporter.district, "legal_basis": "consent",
              "basis_note": "本人の同意", "every_days": 7},
    )  # fmt: skip
    assert list(target.supporters.all()) == [membership]


def test_an_invitation_needs_an_e_mail_address(world, attendee, org_b):
    _check_in(world, attendee)
    _join(client_for(None), Certificate.objects.get(), district=DistrictFactory(), contact_by="phone",
          email="", phone="0857-11-2233")  # fmt: skip
    supporter = Supporter.objects.get()
    response = client_for(world["coordinator"]).post(
        reverse("supporters:invite", args=["jimukyoku", supporter.pk]), {"organization": org_b.pk}
    )
    assert response.status_code == 200 and "電話" in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_coordinator_still_cannot_invite_staff_into_another_organisation(world, org_b):
    from django.core.exceptions import PermissionDenied

    from tsunagari.accounts.services import invite_member

    with pytest.raises(PermissionDenied):
        invite_member(by=world["coordinator"], email="x@example.org", role=Role.STAFF, site_url="/",
                      organization=org_b, supporter_volunteer=True)  # fmt: skip
    with pytest.raises(PermissionDenied):
        invite_member(by=world["coordinator"], email="x@example.org", role=Role.VOLUNTEER, site_url="/",
                      organization=org_b)  # fmt: skip


def test_supporters_details_are_not_in_a_database_dump(world, course):
    from django.db import connection

    # No e-mail address on the registration: the outgoing mail queue (notifications.EmailDelivery) holds a
    # message's recipient and text until it is sent, which is outside what this test is about.
    attendee = events.register(
        event=course, data=data(name="架空 ななかまど", email="", phone="0857-12-3456")
    )
    _check_in(world, attendee)
    _join(client_for(None), Certificate.objects.get(), district=DistrictFactory(), name="架空 うばたまの",
          kana="かくう うばたまの", contact_by="phone", email="", phone="0857-44-3322", contact_note="火曜の午後")  # fmt: skip
    dump = _all_text_in_the_database()
    for secret in ("ななかまど", "うばたまの", "0857-44-3322", "火曜の午後"):
        assert secret not in dump, secret
    # An e-mail address on the register is encrypted too (its confirmation e-mail is then queued).
    supporter = Supporter.objects.get()
    supporter.email = "ubatama@example.org"
    supporter.save(update_fields=["email"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM training_supporter")
        rows = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert "ubatama" not in rows and "greeting" in rows


def test_the_confirmation_e_mail_carries_the_qr_code_of_the_check_in_page(world, course):
    registration = events.register(event=course, data=data())
    mail = EmailDelivery.objects.get()
    (attachment,) = mail.attachments
    assert attachment["content_type"] == "image/svg+xml" and attachment["content"].startswith("<svg")
    assert "QR" in mail.body
    from tsunagari.events.qr import check_in_url, qr_svg

    url = reverse("events_staff:check_in", args=["org-a", course.pk, registration.pk])
    assert check_in_url(registration).endswith(url)
    assert attachment["content"] == qr_svg(check_in_url(registration), scale=8)


def test_the_check_in_page_from_the_qr_code_is_for_the_organisers_staff_only(world, course):
    registration = events.register(event=course, data=data())
    url = reverse("events_staff:check_in", args=["org-a", course.pk, registration.pk])
    staff = client_for(world["staff"])
    page = staff.get(url)
    assert page.status_code == 200 and "架空 花子" in page.content.decode()
    assert client_for(world["other_staff"]).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302
    response = staff.post(url, {"attended": "1", "next": "person"})
    assert response.status_code == 302 and response["Location"] == url
    registration.refresh_from_db()
    assert registration.attended_at is not None and Certificate.objects.count() == 1


def test_online_attendance_is_marked_by_the_organiser(world, course):
    registration = events.register(event=course, data=data(mode="online"))
    door = client_for(world["staff"]).get(reverse("events_staff:attendance", args=["org-a", course.pk]))
    assert "オンライン出席にする" in door.content.decode()
    _check_in(world, registration)
    registration.refresh_from_db()
    assert registration.attended_at is not None


def test_survey_results_show_counts_and_a_chart(client, world, org_a):
    from datetime import timedelta

    from django.utils import timezone

    from tsunagari.events.models import SurveyQuestion

    past = make_event(
        org_a, starts_at=timezone.now() - timedelta(days=2), ends_at=timezone.now() - timedelta(days=2)
    )
    question = SurveyQuestion.objects.create(event=past, text="満足度", choices=["よかった", "ふつう"])
    for choice in ("0", "0", "1"):
        client.post(reverse("events:survey", args=[past.pk]), {f"q{question.pk}": choice})
    page = client_for(world["staff"]).get(reverse("events_staff:registrations", args=["org-a", past.pk]))
    chart = next(c for (q, _counts), c in page.context["survey"] if q == question)
    assert list(chart.series[0].data) == [2, 1]
    text = page.content.decode()
    assert f'id="survey-{question.pk}"' in text and "js/charts.js" in text


def test_member_pages_and_query_counts(world, course, django_assert_max_num_queries):
    district = DistrictFactory()
    for i in range(3):
        registration = events.register(event=course, data=data(email=f"p{i}@example.org", name=f"架空 {i}"))
        _check_in(world, registration)
        _join(client_for(None), Certificate.objects.get(registration=registration), district=district,
              email=f"p{i}@example.org", name=f"架空 {i}")  # fmt: skip
    staff = client_for(world["staff"])
    url = reverse("supporters:list", args=["org-a"])
    staff.get(url)
    with django_assert_max_num_queries(25) as three:
        staff.get(url)
    Supporter.objects.exclude(pk=Supporter.objects.first().pk).update(withdrawn_at=course.starts_at)
    with django_assert_max_num_queries(25) as one:
        staff.get(url)
    assert len(three.captured_queries) == len(one.captured_queries)
    filtered = staff.get(url, {"district": district.pk, "way": "greeting"})
    assert filtered.status_code == 200 and filtered.context["total"] == 1


def test_the_demo_course_has_50_registered_44_attended_and_30_supporters(secretariat, world):
    from tsunagari.demo import _seed_training
    from tsunagari.training.selectors import supporters_by_district, supporters_visible_to

    _seed_training({"jimukyoku": secretariat})
    past, future = secretariat.events.filter(kind=EventKind.SUPPORTER_COURSE).order_by("starts_at")
    assert past.registrations.count() == 50
    assert past.registrations.filter(attended_at__isnull=False).count() == 44
    assert Certificate.objects.filter(event=past).count() == 44
    assert supporters_visible_to(world["coordinator"]).count() == 30
    assert len({row.district for row in supporters_by_district(world["coordinator"]) if row.supporters}) >= 5
    assert future.curriculum.count() == 3 and future.ends_at > future.starts_at


def _invited_supporter(world, attendee, org, django_capture_on_commit_callbacks) -> tuple[Supporter, str]:
    """A listed supporter the secretariat invited to volunteer for ``org``, and the link they received."""
    from unittest import mock

    from tsunagari.accounts import services as accounts

    _check_in(world, attendee)
    _join(client_for(None), Certificate.objects.get(), district=DistrictFactory())
    supporter = Supporter.objects.get()
    links: list[str] = []
    real = accounts.invite_member

    def keep_link(**kwargs):
        invitation, link = real(**kwargs)
        links.append(link)
        return invitation, link

    with mock.patch.object(accounts, "invite_member", keep_link), django_capture_on_commit_callbacks():
        services.invite_as_volunteer(
            supporter=supporter, organization=org, by=world["coordinator"], site_url="/"
        )
    supporter.refresh_from_db()
    return supporter, links[-1]


def test_withdrawing_stops_the_invitation_to_volunteer(
    world, attendee, org_b, django_capture_on_commit_callbacks
):
    supporter, link = _invited_supporter(world, attendee, org_b, django_capture_on_commit_callbacks)
    path = link  # site_url "/": the link is the path itself
    assert client_for(None).get(path).status_code == 200  # the sign-up page, before withdrawal
    page = client_for(None).post(reverse("training:supporter", args=[services.supporter_token(supporter)]),
                                 {"action": "withdraw"})  # fmt: skip
    assert page.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.revoked_at is not None and invitation.accepted_at is None
    response = client_for(None).get(path)
    assert response.status_code == 410
    assert "accounts/invitation_unusable.html" in [t.name for t in response.templates]
    assert 'name="password1"' not in response.content.decode()
    with pytest.raises(ValidationError):
        accept_invitation(invitation=invitation, display_name="架空", password="a-long-passphrase-42")
    assert ActivityLog.objects.filter(
        action="accounts.invitation.revoked", data__supporter=supporter.pk
    ).exists()


def test_a_withdrawn_supporter_is_not_offered_for_invitation(
    world, attendee, org_b, django_capture_on_commit_callbacks
):
    supporter, _link = _invited_supporter(world, attendee, org_b, django_capture_on_commit_callbacks)
    services.withdraw(supporter=supporter)
    coordinator = client_for(world["coordinator"])
    listing = coordinator.get(reverse("supporters:list", args=["jimukyoku"])).content.decode()
    assert reverse("supporters:detail", args=["jimukyoku", supporter.pk]) not in listing
    assert coordinator.get(reverse("supporters:detail", args=["jimukyoku", supporter.pk])).status_code == 404
    invite = reverse("supporters:invite", args=["jimukyoku", supporter.pk])
    assert coordinator.post(invite, {"organization": org_b.pk}).status_code == 404
    with pytest.raises(ValidationError):
        services.invite_as_volunteer(
            supporter=supporter, organization=org_b, by=world["coordinator"], site_url="/"
        )
    assert Invitation.objects.filter(revoked_at__isnull=True).count() == 0


def test_inviting_again_elsewhere_replaces_the_open_invitation_so_withdrawal_stops_every_one(
    world, attendee, org_a, org_b, django_capture_on_commit_callbacks
):
    supporter, _link = _invited_supporter(world, attendee, org_b, django_capture_on_commit_callbacks)
    services.invite_as_volunteer(
        supporter=supporter, organization=org_a, by=world["coordinator"], site_url="/"
    )
    assert Invitation.objects.filter(revoked_at__isnull=True).count() == 1
    page = client_for(world["coordinator"]).get(
        reverse("supporters:detail", args=["jimukyoku", supporter.pk])
    )
    assert org_a.name in page.content.decode()
    supporter.refresh_from_db()
    services.withdraw(supporter=supporter)
    assert not [i for i in Invitation.objects.all() if i.is_pending]
