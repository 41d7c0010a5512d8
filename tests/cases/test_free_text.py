"""Free text is personal until proven otherwise (issue 15, finding 6): reasons and notes on legal bases are
encrypted, typed text goes through forms (length, NUL bytes), and every text field of every model is either
encrypted or listed here as non-personal, with the reason."""

from __future__ import annotations

from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection, models
from django.urls import reverse

from tests.cases.test_people import _all_text_in_the_database
from tests.conftest import client_for
from tsunagari.audit.models import LegalBasis
from tsunagari.cases import services
from tsunagari.cases.forms import ReferralForm, ShareForm
from tsunagari.cases.models import Referral, SharingBasis
from tsunagari.cases.referrals import decline_referral, send_referral
from tsunagari.crypto import EncryptedTextField
from tsunagari.orgs.models import District
from tsunagari.watch import services as watch
from tsunagari.watch.models import WatchTarget

# Text fields that are not encrypted, and why that is safe. A new plain text field fails the inventory test
# below until it is encrypted (tsunagari.crypto.EncryptedTextField) or added here with its reason.
# Fields with choices hold codes and are never listed. "app.Model" covers every field of the model.
NON_PERSONAL: dict[str, str] = {
    "accounts.User.password": "a password hash",
    "accounts.User.email": "staff sign-in identity (not residents'); looked up in the clear to sign in",
    "accounts.User.display_name": "staff name shown to colleagues and in the log (not residents')",
    "accounts.Invitation.email": "address of the staff member invited",
    "accounts.Invitation.token_hash": "a hash",
    "orgs.District": "public reference data (district names)",
    "orgs.Organization": "the organisation's public profile",
    "audit.ActivityLog": "codes, ids and hashes only: log_action() takes no names (see its docstring)",
    "audit.ChainHead": "a hash",
    "ratelimit.Counter.key": "a limit's scope and window with a client address, a user id, a reference code or a "
    "blind index (never a name or typed text); deleted when the window is over",
    "directory": "the public service directory (published, HSDS); no residents' data",
    "cases.Person.kana_birth_index": "a blind index (keyed hash)",
    "cases.Person.phone_index": "a blind index (keyed hash)",
    "cases.InfoKind": "reference data: the names of the kinds of information (seeded, not typed)",
    "cases.Assessment.instrument": "the instrument's code",
    "cases.Assessment.label": "the instrument's label for the score (not typed)",
    "needs.NeedReport.description": "refused when it contains personal data (needs.services.check_description)",
    "needs.GapIssue.title": "refused when it contains personal data (GapIssueForm.clean)",
    "needs.GapIssue.summary": "refused when it contains personal data (GapIssueForm.clean)",
    "needs.GapIssueEntry.text": "refused when it contains personal data (add_entry → check_description)",
    "notifications.Notification.subject": "written by the system: ids, statuses, organisation names",
    "notifications.Notification.body": "written by the system: ids, statuses, organisation names",
    "notifications.Notification.url": "a link inside the platform (ids only)",
    "notifications.EmailDelivery.subject": "the notification's subject, written by the system (see above)",
    "notifications.EmailDelivery.last_error": "the mail server's answer (status text; staff addresses at most)",
    "meetings.MeetingKind": "reference data: kinds of meeting, their laws and confidentiality wording (seeded)",
    "meetings.Meeting.title": "refused when it contains personal data (meetings.services.create_meeting)",
    "meetings.Meeting.place": "refused when it contains personal data (meetings.services.create_meeting)",
    "meetings.Meeting.online_url": "the link of an online meeting room",
    "meetings.Meeting.public_minutes": "published on the public site; refused when it contains personal data",
    "meetings.Attendee.confirmed_text": "a copy of the kind's confidentiality wording as confirmed",
    "meetings.AgendaItem.topic": "refused when it contains personal data (meetings.services.add_topic_item)",
    "meetings.CalendarFeed.token_hash": "a hash",
    "orgs.MembershipApplication.organization_name": "the applying organisation's name (public once it joins)",
    "outreach.NewsItem": "news the secretariat publishes (public text)",
    "needs.PublicSnapshot.title": "the title of a table the secretariat publishes (public text)",
    "events.Event": "the event's public page, written by the organiser for everyone to read",
    "events.SurveyQuestion": "questions written by the organiser; answers are choice numbers, linked to nobody",
    "events.Registration.email_index": "a blind index (keyed hash)",
    "events.Registration.phone_index": "a blind index (keyed hash)",
    "reachout.ContactRequest.reference": "a random reference code given to the person (no meaning)",
    "reachout.ContactRequest.pin_hash": "a hash",
    "reachout.ContactRequest.contact_index": "a blind index (keyed hash)",
    "training.CurriculumItem": "a course's curriculum, written by the organiser for the public event page",
    "training.Certificate.number": "the certificate's number (year, course and registration ids)",
    "training.Certificate.email_index": "a blind index (keyed hash)",
    "training.Supporter.consent_text": "a copy of the consent wording as shown (written by the system)",
    "worker": "job names, codes, counts and host names of the background worker; no residents' data",
    "line.LineLink.line_user_index": "a blind index (keyed hash) of the LINE user id",
    "line.LinkCode.code_index": "a blind index (keyed hash) of the one-time code",
    "line.HandledEvent.webhook_event_id": "a random id LINE gives each webhook event (for replays)",
    "line.LineDelivery.last_error": "LINE's status and error message, or the network error; never the content",
}


def _listed(model: type[models.Model], field: str) -> bool:
    label = model._meta.label
    return any(key in NON_PERSONAL for key in (f"{label}.{field}", label, model._meta.app_label))


def _our_text_fields() -> list[tuple[type[models.Model], models.Field]]:
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("tsunagari."):
            continue  # third-party models (sessions, allauth) hold no residents' free text
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField) and not field.choices:
                found.append((model, field))
    return found


def test_every_text_field_is_encrypted_or_declared_non_personal():
    plain = [
        f"{model._meta.label}.{field.name}"
        for model, field in _our_text_fields()
        if not isinstance(field, EncryptedTextField) and not _listed(model, field.name)
    ]
    assert plain == [], (
        "Encrypt these fields, or add them to NON_PERSONAL with the reason they are not personal"
    )


def test_the_allow_list_names_only_fields_that_exist_and_are_plain():
    existing = {}
    for model, field in _our_text_fields():
        existing[f"{model._meta.label}.{field.name}"] = field
        existing.setdefault(model._meta.label, field)
        existing.setdefault(model._meta.app_label, field)
    for key in NON_PERSONAL:
        assert key in existing, f"{key} is listed as non-personal but is not a text field"
        if key.count(".") == 2:
            assert not isinstance(existing[key], EncryptedTextField), (
                f"{key} is encrypted: drop it from the list"
            )


@pytest.fixture
def referral_world(world, org_b):
    lead = world["staff"]
    person = services.register_person(by=lead, data={"name": "架空 花子"})
    case = services.open_case(by=lead, person=person)
    return lead, case


def test_reasons_and_notes_on_legal_bases_are_not_in_a_dump(referral_world, world, org_b):
    lead, case = referral_world
    coordinator = world["coordinator"]
    referral = send_referral(
        by=coordinator, case=case, to_org=org_b, message="至急", legal_basis=LegalBasis.VITAL_INTEREST,
        override_reason="長男の架空一郎さん（0857-11-2222）から通報",
    )  # fmt: skip
    decline_referral(
        referral=referral, by=world["other_staff"], reason=Referral.DeclineReason.OTHER,
        note="本人の妹 架空さくらさんが同居を始めた",
    )  # fmt: skip
    services.share_case(
        by=coordinator, case=case, organization=org_b, legal_basis=LegalBasis.SUPPORT_MEETING,
        reason="支援会議で架空花子さんの件を共有（0857-33-4444）", kinds=["situation"],
    )  # fmt: skip
    watch.create_target(
        by=lead, supporters=[],
        data={"name": "架空 竹子", "contact": "0857-00-5555", "district": District.objects.get(code="chuo"),
              "legal_basis": "consent", "basis_note": "長女の架空梅子さん立会いで同意", "every_days": 7,
              "plan": "架空梅子さんに毎週電話"},
    )  # fmt: skip
    dump = _all_text_in_the_database()
    for secret in ("架空一郎", "0857-11-2222", "架空さくら", "0857-33-4444", "架空梅子"):
        assert secret not in dump, secret
    referral.refresh_from_db()
    assert referral.override_reason.startswith("長男") and referral.decline_note.endswith("始めた")
    assert SharingBasis.objects.get(
        reason__isnull=False, organization=org_b, referral__isnull=True
    ).reason.startswith("支援会議")
    assert WatchTarget.objects.get().plan == "架空梅子さんに毎週電話"


@pytest.mark.parametrize("note", ["あ" * 100_017, "電話\x00番号"])
def test_a_decline_note_goes_through_the_form(referral_world, world, org_b, note):
    lead, case = referral_world
    consent = services.record_consent(
        by=lead,
        person=case.person,
        recipients=[org_b],
        purpose="支援のため",
        info_kinds=["contact"],
        method="verbal",
        witness="立会 人",
    )
    referral = send_referral(by=lead, case=case, to_org=org_b, message="お願いします", consent=consent)
    url = reverse("cases:referral_answer", args=["org-b", referral.pk])
    response = client_for(world["other_staff"]).post(
        url, {"action": "decline", "reason": "other", "note": note, "seen": "sent"}, follow=True
    )
    assert response.status_code == 200  # never a 500: the inbox, with the reason
    assert "notice--error" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT


@pytest.mark.parametrize("field", ["override_reason", "message"])
@pytest.mark.parametrize("bad", ["理由\x00です", "あ" * 2001])
def test_referral_texts_refuse_nul_bytes_and_overlong_text(referral_world, org_b, field, bad):
    lead, case = referral_world
    data = {"refer-to_org": org_b.pk, "refer-message": "至急", "refer-legal_basis": "vital_interest",
            "refer-override_reason": "緊急のため", f"refer-{field}": bad}  # fmt: skip
    form = ReferralForm(data, case=case, by_org=lead.organization, coordinator=True, prefix="refer")
    assert not form.is_valid() and field in form.errors


@pytest.mark.parametrize("bad", ["理由\x00です", "あ" * 2001])
def test_sharing_reason_refuses_nul_bytes_and_overlong_text(referral_world, org_b, bad):
    lead, case = referral_world
    data = {"share-organization": org_b.pk, "share-legal_basis": "support_meeting", "share-reason": bad}
    form = ShareForm(data, case=case, by_org=lead.organization, coordinator=True, prefix="share")
    assert not form.is_valid() and "reason" in form.errors


def test_the_data_migration_encrypts_existing_plain_rows(referral_world, world, org_b):
    lead, case = referral_world
    basis = services.share_case(
        by=world["coordinator"], case=case, organization=org_b, legal_basis=LegalBasis.SUPPORT_MEETING, reason="x",
        kinds=["situation"],
    )  # fmt: skip
    with connection.cursor() as cursor:  # as before the migration: plain text in the column
        cursor.execute("UPDATE cases_sharingbasis SET reason = %s WHERE id = %s", ["架空 平文", basis.pk])
    migration = import_module("tsunagari.cases.migrations.0009_encrypt_free_text_on_legal_bases")
    editor = SimpleNamespace(connection=connection)  # all the function uses of a schema editor
    migration.encrypt_existing(apps, editor)
    migration.encrypt_existing(apps, editor)  # running twice does not encrypt twice
    assert "架空 平文" not in _all_text_in_the_database()
    assert SharingBasis.objects.get(pk=basis.pk).reason == "架空 平文"


def test_key_rotation_covers_every_encrypted_field(referral_world, world, org_b, settings):
    from tsunagari.crypto import generate_key

    lead, case = referral_world
    services.share_case(
        by=world["coordinator"],
        case=case,
        organization=org_b,
        legal_basis=LegalBasis.SUPPORT_MEETING,
        reason="支援会議で共有",
        kinds=["situation"],
    )
    watch.create_target(
        by=lead, supporters=[],
        data={"name": "架空 竹子", "contact": "0857-00-5555", "district": District.objects.get(code="chuo"),
              "legal_basis": "consent", "basis_note": "書面で同意", "every_days": 7, "plan": "毎週電話"},
    )  # fmt: skip
    settings.DATA_ENCRYPTION_KEYS = [generate_key(), *settings.DATA_ENCRYPTION_KEYS]
    services.rotate_data_key()
    settings.DATA_ENCRYPTION_KEYS = settings.DATA_ENCRYPTION_KEYS[:1]  # the old key is dropped
    for model in apps.get_models():
        encrypted = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if encrypted:
            list(model.objects.values_list(*encrypted))  # every value decrypts with the new key alone
