"""Referrals (つなぎ) between organisations: sending on a lawful basis, the recipient's answer, the clock.

Lifecycle: 送付 → 受理 / 辞退 (with a reason) → 対応中 → 完了 (with an outcome), or 取消 by the sender
before an answer. Every step tells the other side (``handoffs.py``: who is told, in which words). The recipient sees the case from sending until it declines or the sender cancels.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagari.audit.models import LegalBasis
from tsunagari.audit.services import log_action
from tsunagari.orgs.models import Membership, Organization, Role

from . import handoffs
from .business_days import add_business_days
from .disclosure import case_people
from .models import Case, Consent, Referral, SharingBasis
from .notes import EditConflict
from .selectors import may_share
from .services import share_case

Status = Referral.Status

# The lifecycle in one table: each status, and the statuses a referral may reach it from. `_move` (every
# answer and the cancellation) and the pages (the `can_become` template filter) read it; nothing else decides.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.ACCEPTED: frozenset({Status.SENT}),
    Status.DECLINED: frozenset({Status.SENT}),
    Status.IN_PROGRESS: frozenset({Status.ACCEPTED}),
    Status.COMPLETED: frozenset({Status.ACCEPTED, Status.IN_PROGRESS}),
    Status.CANCELLED: frozenset({Status.SENT}),
}
NON_CONSENT_BASES = {LegalBasis.SUPPORT_MEETING, LegalBasis.REGIONAL_COUNCIL, LegalBasis.VITAL_INTEREST}


class InvalidTransition(ValidationError):
    def __init__(self, current: str, wanted: str) -> None:
        super().__init__(
            _("This referral is %(current)s; it cannot become %(wanted)s.")
            % {"current": current, "wanted": wanted}
        )


@transaction.atomic
def send_referral(
    *,
    by: Membership,
    case: Case,
    to_org: Organization,
    message: str,
    consent: Consent | None = None,
    legal_basis: str = LegalBasis.CONSENT,
    override_reason: str = "",
    kinds: list[str] | None = None,
) -> Referral:
    """Sent on the person's live consent when it covers the recipient; otherwise on another legal basis
    under the rule of ``services.share_case`` (支援会議 / 協議会: a secretariat coordinator; protection of
    life: an emergency, reviewed by the coordinators), with the reason (logged)."""
    if not by.has_role(Role.STAFF) or not may_share(by, case):
        raise PermissionDenied
    if to_org.pk == by.organization_id:
        raise ValidationError(_("Choose another organisation."))
    if not message.strip():
        raise ValidationError({"message": _("Write what the receiving organisation should know.")})
    covered = (
        consent is not None
        and consent.is_live
        and consent.person_id in case_people([case])[case.pk]
        and consent.recipients.filter(pk=to_org.pk).exists()
    )
    if covered:
        legal_basis, override_reason = LegalBasis.CONSENT, ""
    elif legal_basis in NON_CONSENT_BASES:
        consent = None
    else:
        raise ValidationError(
            _(
                "The person's consent does not cover this organisation. Ask for consent, or ask the secretariat."
            )
        )
    # The same door as the 共有 form: share_case holds who may create which basis.
    sharing = share_case(
        by=by, case=case, organization=to_org, legal_basis=legal_basis, consent=consent, reason=override_reason,
        kinds=kinds,
    )  # fmt: skip
    referral = Referral.objects.create(
        case=case, from_org=by.organization, to_org=to_org, message=message.strip(), legal_basis=legal_basis,
        sharing=sharing, override_reason=override_reason.strip(), sent_by=by.user,
        due_on=add_business_days(timezone.localdate(), settings.TSUNAGARI_REFERRAL_DUE_DAYS),
    )  # fmt: skip
    log_action(
        referral, actor=by, action="cases.referral.sent", legal_basis=legal_basis,
        data={"case": case.pk, "to": to_org.pk, "override": bool(override_reason)},
    )  # fmt: skip
    handoffs.referral_sent(referral, by=by)
    return referral


def _recipient(referral: Referral, by: Membership) -> None:
    if referral.to_org_id != by.organization_id or not by.has_role(Role.STAFF):
        raise PermissionDenied


def _lock(referral: Referral, expected_status: str | None) -> None:
    """Lock the referral's row (inside the caller's transaction) and check that it is still in the status
    the person acted on (``expected_status``, or what ``referral`` was read with): if someone else
    answered meanwhile, raise EditConflict with the referral as it is now."""
    current = Referral.objects.select_for_update().get(pk=referral.pk)
    if current.status != (expected_status or referral.status):
        raise EditConflict(current)
    referral.status = current.status


def _move(referral: Referral, wanted: str, expected_status: str | None = None) -> None:
    """Lock the row, then allow the move only if ``TRANSITIONS`` lists the current status for ``wanted``."""
    _lock(referral, expected_status)
    if referral.status not in TRANSITIONS[wanted]:
        raise InvalidTransition(referral.get_status_display(), str(Status(wanted).label))
    referral.status = wanted


@transaction.atomic
def accept_referral(
    *,
    referral: Referral,
    by: Membership,
    expected_status: str | None = None,
) -> Referral:
    _recipient(referral, by)
    _move(referral, Status.ACCEPTED, expected_status)
    referral.responded_at = timezone.now()
    referral.save(update_fields=["status", "responded_at"])
    log_action(referral, actor=by, action="cases.referral.accepted")
    handoffs.referral_answered(referral, by=by)
    return referral


@transaction.atomic
def decline_referral(
    *, referral: Referral, by: Membership, reason: str, note: str = "", expected_status: str | None = None,
) -> Referral:  # fmt: skip
    _recipient(referral, by)
    if reason not in Referral.DeclineReason.values:
        raise ValidationError({"reason": _("Choose why the referral is declined.")})
    _move(referral, Status.DECLINED, expected_status)
    referral.decline_reason, referral.decline_note = reason, note.strip()
    referral.responded_at = timezone.now()
    referral.save(update_fields=["status", "decline_reason", "decline_note", "responded_at"])
    _end_sharing(referral)
    log_action(referral, actor=by, action="cases.referral.declined", data={"reason": reason})
    handoffs.referral_answered(referral, by=by)
    return referral


@transaction.atomic
def start_referral(
    *,
    referral: Referral,
    by: Membership,
    expected_status: str | None = None,
) -> Referral:
    _recipient(referral, by)
    _move(referral, Status.IN_PROGRESS, expected_status)
    referral.save(update_fields=["status"])
    log_action(referral, actor=by, action="cases.referral.started")
    handoffs.referral_answered(referral, by=by)
    return referral


@transaction.atomic
def complete_referral(
    *, referral: Referral, by: Membership, outcome: str, expected_status: str | None = None,
) -> Referral:  # fmt: skip
    _recipient(referral, by)
    if outcome not in Referral.Outcome.values:
        raise ValidationError({"outcome": _("Choose the outcome.")})
    _move(referral, Status.COMPLETED, expected_status)
    referral.outcome = outcome
    referral.finished_at = timezone.now()
    referral.save(update_fields=["status", "outcome", "finished_at"])
    log_action(referral, actor=by, action="cases.referral.completed", data={"outcome": outcome})
    handoffs.referral_answered(referral, by=by)
    return referral


@transaction.atomic
def cancel_referral(
    *,
    referral: Referral,
    by: Membership,
    expected_status: str | None = None,
) -> Referral:
    if referral.from_org_id != by.organization_id or not by.has_role(Role.STAFF):
        raise PermissionDenied
    _move(referral, Status.CANCELLED, expected_status)
    referral.finished_at = timezone.now()
    referral.save(update_fields=["status", "finished_at"])
    _end_sharing(referral)
    log_action(referral, actor=by, action="cases.referral.cancelled")
    handoffs.referral_cancelled(referral, by=by)
    return referral


@transaction.atomic
def edit_referral_message(*, referral: Referral, by: Membership, message: str) -> Referral:
    """The sender may correct what was sent until the recipient has answered; after that it is fixed."""
    if referral.from_org_id != by.organization_id:
        raise PermissionDenied
    referral.status = (
        Referral.objects.select_for_update().values_list("status", flat=True).get(pk=referral.pk)
    )
    if referral.status != Status.SENT:
        raise ValidationError(_("The recipient has answered: what was sent can no longer be changed."))
    referral.message = message.strip()
    referral.save(update_fields=["message"])
    log_action(referral, actor=by, action="cases.referral.edited")
    return referral


def _end_sharing(referral: Referral) -> None:
    if referral.sharing_id:
        SharingBasis.objects.filter(pk=referral.sharing_id).update(revoked_at=timezone.now())
