"""Readable names for the actions written to the activity log (codes stay stable; labels translate)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTION_LABELS: dict[str, Promise] = {
    "orgs.organization.created": _("Organisation registered"),
    "orgs.organization.updated": _("Organisation profile changed"),
    "orgs.membership.added": _("Member added"),
    "orgs.membership.role_changed": _("Role changed"),
    "orgs.membership.deactivated": _("Membership ended"),
    "orgs.membership.reactivated": _("Membership restored"),
    "accounts.invitation.sent": _("Invitation sent"),
    "accounts.invitation.revoked": _("Invitation withdrawn"),
    "accounts.invitation.accepted": _("Invitation accepted"),
}

OBJECT_LABELS: dict[str, Promise] = {
    "orgs.organization": _("Organisation"),
    "orgs.membership": _("Membership"),
    "accounts.invitation": _("Invitation"),
}


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))


def object_label(object_type: str) -> str:
    return str(OBJECT_LABELS.get(object_type, object_type))
