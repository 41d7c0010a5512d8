"""Tasks on cases, owned by an organisation, with an assignee and a due date; the overdue list."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagari.accounts.models import User
from tsunagari.audit.services import log_action
from tsunagari.orgs.models import Membership, Organization, Role

from .models import Case, Task
from .notes import EditConflict
from .selectors import cases_visible_to


@transaction.atomic
def add_task(
    *,
    by: Membership,
    case: Case,
    title: str,
    due_on: date,
    assignee: User | None = None,
) -> Task:
    """A task for the member's own organisation on a case it can see."""
    if not by.has_role(Role.STAFF) or not cases_visible_to(by).filter(pk=case.pk).exists():
        raise PermissionDenied
    if not title.strip():
        raise ValidationError({"title": _("Say what needs doing.")})
    if (
        assignee is not None
        and not assignee.memberships.filter(organization=by.organization, is_active=True).exists()
    ):
        raise ValidationError({"assignee": _("The assignee must be a member of your organisation.")})
    task = Task.objects.create(
        case=case,
        owner=by.organization,
        assignee=assignee,
        title=title.strip(),
        due_on=due_on,
        created_by=by.user,
    )
    log_action(case, actor=by, action="cases.task.added", data={"task": task.pk, "due_on": due_on})
    return task


@transaction.atomic
def assign_task(
    *, by: Membership, case: Case, owner: Organization, title: str, due_on: date, assignee: User | None = None
) -> Task:
    """A task for another organisation, decided together (an action of a meeting's minutes; the caller has
    checked who decided it). The owner must see the case (it leads it or has a live basis), so the task
    shows in its task list; the assignee, if any, must be one of its members."""
    owner_member = Membership(organization=owner, role=Role.STAFF)
    if not by.has_role(Role.STAFF) or not cases_visible_to(owner_member).filter(pk=case.pk).exists():
        raise PermissionDenied
    if not title.strip():
        raise ValidationError({"title": _("Say what needs doing.")})
    if assignee is not None and not assignee.memberships.filter(organization=owner, is_active=True).exists():
        raise ValidationError({"assignee": _("The assignee must be a member of that organisation.")})
    task = Task.objects.create(
        case=case, owner=owner, assignee=assignee, title=title.strip(), due_on=due_on, created_by=by.user
    )
    log_action(
        case, actor=by, action="cases.task.assigned",
        data={"task": task.pk, "owner": owner.pk, "due_on": due_on},
    )  # fmt: skip
    return task


@transaction.atomic
def complete_task(*, by: Membership, task: Task) -> Task:
    """Tick a task off once: if someone ticked it off meanwhile, raise EditConflict."""
    if task.owner_id != by.organization_id or not by.has_role(Role.STAFF):
        raise PermissionDenied
    now = timezone.now()
    if not Task.objects.filter(pk=task.pk, done_at__isnull=True).update(done_at=now):
        raise EditConflict(Task.objects.get(pk=task.pk))
    task.done_at = now
    log_action(task.case, actor=by, action="cases.task.done", data={"task": task.pk})
    return task
