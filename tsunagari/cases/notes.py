"""Case notes and the support plan, with optimistic versioning: a second save on something changed since it
was opened is refused, not overwritten."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagari.audit.services import log_action
from tsunagari.orgs.models import Membership, Role

from .models import Case, CaseNote, SupportPlan
from .selectors import leads


class EditConflict(Exception):
    """What the person acted on changed after they read it; nothing is overwritten. Raised by versioned
    edits (a note, the support plan, a case: the edit form then shows both versions) and by state
    transitions whose row changed meanwhile (referral answers, ticking a task off, acknowledging an alert,
    triaging an SOS report: the conflict page). ``current`` is the object as it is now."""

    def __init__(self, current: models.Model) -> None:
        super().__init__("edit conflict")
        # Any: callers know which model they acted on (a note's version, a referral's status, …).
        self.current: Any = current


@transaction.atomic
def add_note(*, by: Membership, case: Case, text: str, visibility: str) -> CaseNote:
    if not by.has_role(Role.STAFF):
        raise PermissionDenied
    if not text.strip():
        raise ValidationError({"text": _("Write the note.")})
    note = CaseNote.objects.create(
        case=case, organization=by.organization, author=by.user, text=text.strip(), visibility=visibility
    )
    log_action(
        case,
        actor=by,
        action="cases.note.added",
        data={"note": note.pk, "visibility": visibility},
    )
    return note


@transaction.atomic
def edit_note(*, by: Membership, note: CaseNote, text: str, expected_version: int) -> CaseNote:
    """Save only if nobody saved since ``expected_version``; otherwise raise EditConflict."""
    if note.organization_id != by.organization_id or not by.has_role(Role.STAFF):
        raise PermissionDenied
    if not text.strip():
        raise ValidationError({"text": _("Write the note.")})
    updated = CaseNote.objects.filter(pk=note.pk, version=expected_version).update(
        text=text.strip(),  # update() encrypts through the field, as save() does
        version=expected_version + 1,
        updated_at=timezone.now(),
    )
    if not updated:
        raise EditConflict(CaseNote.objects.get(pk=note.pk))
    note.refresh_from_db()
    log_action(note.case, actor=by, action="cases.note.edited", data={"note": note.pk})
    return note


@transaction.atomic
def save_plan(
    *, by: Membership, case: Case, goals: str, next_review: date | None, expected_version: int,
) -> SupportPlan:  # fmt: skip
    """The lead organisation writes the plan; a save on a plan changed since it was opened is refused."""
    if not leads(by, case) or not by.has_role(Role.STAFF):
        raise PermissionDenied
    if not goals.strip():
        raise ValidationError({"goals": _("Write at least one goal.")})
    existing = SupportPlan.objects.filter(case=case).first()
    if existing is None:
        try:
            with transaction.atomic():  # a savepoint: the other first save may win (one plan per case)
                plan = SupportPlan.objects.create(
                    case=case, goals=goals.strip(), next_review=next_review, updated_by=by.user
                )
        except IntegrityError:
            raise EditConflict(SupportPlan.objects.get(case=case)) from None
    else:
        updated = SupportPlan.objects.filter(pk=existing.pk, version=expected_version).update(
            goals=goals.strip(), next_review=next_review, version=expected_version + 1, updated_at=timezone.now(),
            updated_by=by.user,
        )  # fmt: skip
        if not updated:
            raise EditConflict(existing)
        plan = SupportPlan.objects.get(pk=existing.pk)
    log_action(case, actor=by, action="cases.plan.saved")
    return plan
