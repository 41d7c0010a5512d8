"""Every hand-off tells the other side (cases/handoffs.py): who is told, who is not, in which words, and
that a rolled-back change tells nobody."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction
from django.utils import translation

from tests.factories import make_member
from tsunagari.cases import services
from tsunagari.cases.models import Case, Referral
from tsunagari.cases.referrals import (
    accept_referral,
    cancel_referral,
    complete_referral,
    decline_referral,
    send_referral,
    start_referral,
)
from tsunagari.notifications.models import EmailDelivery, Notification
from tsunagari.orgs.models import Membership, Role
from tsunagari.orgs.services import deactivate_membership
from tsunagari.worker.runner import run_due_tasks

BROKEN = "tests.accounts.broken_mail.BrokenBackend"


@pytest.fixture
def hand(world, org_b):
    """Org A's staff member refers 架空 花子 to org B under her consent. Org B also has a viewer and a
    volunteer, who must not be told of other people's cases."""
    lead = world["staff"]
    person = services.register_person(by=lead, data={"name": "架空 花子", "phone": "0857-00-9999"})
    case = services.open_case(by=lead, person=person, summary="夜に眠れず、家賃を滞納している")
    consent = services.record_consent(
        by=lead,
        person=person,
        recipients=[org_b],
        info_kinds=["contact"],
        method="written",
        purpose="家賃の相談のため",
    )
    world["other_viewer"] = make_member(org_b, Role.VIEWER)
    world["other_volunteer"] = make_member(org_b, Role.VOLUNTEER)
    return case, consent


def _send(world, hand) -> Referral:
    case, consent = hand
    return send_referral(
        by=world["staff"], case=case, to_org=world["other_staff"].organization,
        message="花子さんの家賃のことで相談したい", consent=consent,
    )  # fmt: skip


def _told(*members) -> set[int]:
    return {m.user_id for m in members}


def _recipients() -> set[int]:
    return set(Notification.objects.values_list("recipient_id", flat=True))


def test_a_sent_referral_tells_the_receiving_staff_and_nobody_else(world, hand):
    referral = _send(world, hand)
    assert _recipients() == _told(world["other_staff"], world["other_admin"])  # not B's viewer or volunteer
    notification = Notification.objects.filter(recipient=world["other_staff"].user).get()
    assert notification.subject == f"【つながり】{referral.from_org.name}から紹介が1件届きました"
    assert notification.url == "/o/org-b/cases/inbox/"
    assert (
        "回答してください" in notification.body and referral.due_on.strftime("%Y-%m-%d") in notification.body
    )


def test_the_e_mail_is_a_letter_without_personal_details(world, hand, settings):
    settings.TSUNAGARI_SITE_URL = "https://tsunagari.example.jp"
    referral = _send(world, hand)
    run_due_tasks()
    [email] = [m for m in mail.outbox if world["other_staff"].user.email in m.to]
    body = email.body
    name = world["other_staff"].user.get_short_name()
    assert body.startswith(f"{name} 様\n\n")  # a greeting
    assert f"紹介（No. {referral.pk}）が届きました" in body  # what happened
    assert "回答してください" in body  # what to do
    # The link closes its own paragraph, said in words; the footer says why and where to change it.
    assert (
        "つながりにサインインしてご確認ください：\nhttps://tsunagari.example.jp/o/org-b/cases/inbox/\n\n-- \n"
        in body
    )
    assert "メールを受け取るタイミング" in body and body.endswith(
        "https://tsunagari.example.jp/notifications/"
    )
    for personal in ["花子", "0857", "家賃", "眠れず"]:
        assert personal not in body and personal not in email.subject


def test_the_words_are_japanese_even_when_the_sender_reads_english(world, hand):
    with translation.override("en"):
        _send(world, hand)
    notification = Notification.objects.filter(recipient=world["other_staff"].user).get()
    assert "紹介が1件届きました" in notification.subject


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ("accept", ["受理しました", "つなぐか"]),
        ("decline", ["辞退しました", "受入枠なし", "他の団体"]),
        ("start", ["支援を始めました"]),
        ("complete", ["完了しました", "支援開始"]),
    ],
)
def test_each_answer_tells_the_sender_only(world, hand, answer, words):
    referral = _send(world, hand)
    recipient = world["other_staff"]
    if answer in {"start", "complete"}:
        accept_referral(referral=referral, by=recipient)
    Notification.objects.all().delete()
    if answer == "accept":
        accept_referral(referral=referral, by=recipient)
    elif answer == "decline":
        decline_referral(
            referral=referral, by=recipient, reason=Referral.DeclineReason.NO_CAPACITY, note="花子さんは遠方"
        )
    elif answer == "start":
        start_referral(referral=referral, by=recipient)
    else:
        complete_referral(referral=referral, by=recipient, outcome=Referral.Outcome.SUPPORT_STARTED)
    # The sender, not their colleagues (org A's admin sees it on the case page), not org B.
    assert _recipients() == _told(world["staff"])
    notification = Notification.objects.get()
    text = notification.subject + notification.body
    for word in words:
        assert word in text
    assert "遠方" not in text and "花子" not in text  # the free-text note stays on the referral
    assert notification.url == f"/o/org-a/cases/{referral.case_id}/"


def test_an_answer_reaches_the_sending_organisation_when_the_sender_has_left(world, hand):
    referral = _send(world, hand)
    deactivate_membership(membership=world["staff"], by=world["admin"])
    Notification.objects.all().delete()
    accept_referral(referral=referral, by=world["other_staff"])
    assert _recipients() == _told(world["admin"])  # org A's remaining staff and up; not its viewer


def test_a_cancelled_referral_tells_the_receiving_staff(world, hand):
    referral = _send(world, hand)
    Notification.objects.all().delete()
    cancel_referral(referral=referral, by=world["staff"])
    assert _recipients() == _told(world["other_staff"], world["other_admin"])
    assert "取り下げました" in Notification.objects.first().subject


def test_the_person_who_acts_is_not_told_of_their_own_action(world, hand, org_b):
    """Someone who is staff in both organisations sends to the other: their colleagues there are told."""
    both = make_member(org_b, Role.STAFF)
    sender = Membership.objects.create(
        user=both.user, organization=world["staff"].organization, role=Role.STAFF
    )
    case, consent = hand
    send_referral(by=sender, case=case, to_org=org_b, message="お願い", consent=consent)
    assert both.user_id not in _recipients()
    assert _told(world["other_staff"], world["other_admin"]) <= _recipients()


def test_a_new_lead_organisation_is_told(world, org_b):
    staff, coordinator = world["staff"], world["coordinator"]
    person = services.register_person(by=staff, data={"name": "架空 五郎"})
    case = services.open_case(by=staff, person=person, lead_self=False, risk=Case.Risk.URGENT)
    services.assign_lead(by=coordinator, case=case, organization=org_b)
    assert _recipients() == _told(world["other_staff"], world["other_admin"])
    notification = Notification.objects.first()
    assert "主担当" in notification.subject and notification.url == f"/o/org-b/cases/{case.pk}/"
    assert notification.urgent  # a case marked urgent is e-mailed at once, whatever the preference
    assert "五郎" not in notification.subject + notification.body


def test_a_rolled_back_hand_off_tells_nobody(world, hand):
    with pytest.raises(RuntimeError), transaction.atomic():
        _send(world, hand)
        raise RuntimeError
    assert not Notification.objects.exists() and not EmailDelivery.objects.exists()


def test_a_referral_whose_e_mail_fails_stays_visible_in_the_app(world, hand, settings, login):
    settings.EMAIL_BACKEND = BROKEN
    settings.TSUNAGARI_EMAIL_MAX_ATTEMPTS = 1
    _send(world, hand)
    run_due_tasks()
    delivery = EmailDelivery.objects.get(to=[world["other_staff"].user.email])
    assert delivery.status == EmailDelivery.Status.FAILED
    page = login(world["other_staff"]).get("/notifications/").content.decode()
    assert "紹介が1件届きました" in page and "送信失敗" in page
