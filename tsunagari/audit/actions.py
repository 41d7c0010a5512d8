"""The registry of activity-log actions: every code a service passes to ``log_action`` and its readable
name (codes stay stable; labels translate). The log page, its filter and the case timeline read it;
``tests/audit/test_action_registry.py`` fails when the code writes an action that has no label here."""

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
    "cases.person.registered": _("Person registered"),
    "cases.person.viewed": _("Person's record viewed"),
    "cases.person.duplicate_elsewhere": _("Possible duplicate registration in another organisation"),
    "cases.household.created": _("Household registered"),
    "cases.household.viewed": _("Household viewed"),
    "cases.household.member_added": _("Household member added"),
    "cases.household.member_removed": _("Household member removed"),
    "cases.case.opened": _("Case opened"),
    "cases.case.viewed": _("Case viewed"),
    "cases.case.shared": _("Case shared"),
    "cases.case.lead_assigned": _("Lead assigned"),
    "cases.case.escalated": _("Case without a lead escalated"),
    "cases.retention.purged": _("Deleted after the retention period"),
    "cases.note.added": _("Note added"),
    "cases.note.edited": _("Note edited"),
    "cases.task.added": _("Task added"),
    "cases.task.done": _("Task done"),
    "cases.assessment.recorded": _("Assessment recorded"),
    "cases.plan.saved": _("Support plan saved"),
    "cases.case.updated": _("Case edited"),
    "cases.consent.recorded": _("Consent recorded"),
    "cases.consent.withdrawn": _("Consent withdrawn"),
    "cases.consent.scan_viewed": _("Scanned consent form viewed"),
    "cases.case.share_reviewed": _("Sharing to protect life reviewed and kept"),
    "cases.case.share_ended": _("Sharing to protect life ended on review"),
    "cases.referral.sent": _("Referral sent"),
    "cases.referral.accepted": _("Referral accepted"),
    "cases.referral.declined": _("Referral declined"),
    "cases.referral.started": _("Support started after referral"),
    "cases.referral.completed": _("Referral completed"),
    "cases.referral.cancelled": _("Referral cancelled"),
    "cases.referral.edited": _("Referral corrected"),
    "cases.referral.escalated": _("Referral escalated to the secretariat"),
    "directory.service.created": _("Service added to the directory"),
    "directory.service.updated": _("Service details changed"),
    "directory.service.availability_set": _("Service availability changed"),
    "directory.service.confirmed": _("Service details confirmed as still correct"),
    "directory.category.updated": _("Directory category changed"),
    "directory.api_token.created": _("API token issued"),
    "needs.report.created": _("Need reported"),
    "needs.report.imported": _("Needs reported from a spreadsheet"),
    "needs.report.deleted": _("Need report withdrawn"),
    "needs.gap.raised": _("Gap issue raised"),
    "needs.gap.updated": _("Gap issue updated"),
    "needs.gap.joined": _("Organisation joined a gap issue"),
    "needs.gap.note_added": _("Note added to a gap issue"),
    "needs.gap.decision_added": _("Decision recorded on a gap issue"),
    "watch.target.created": _("Person put under watch"),
    "watch.target.supporters_set": _("Supporters assigned"),
    "watch.target.viewed": _("Watch record viewed"),
    "watch.contact.recorded": _("Contact recorded"),
    "watch.alert.raised": _("Alert raised"),
    "watch.alert.escalated": _("Alert escalated"),
    "watch.alert.acknowledged": _("Alert acknowledged"),
    "watch.alerts.viewed": _("Alert list naming people viewed"),
    "watch.sos.reported": _("SOS reported"),
    "watch.sos.viewed": _("SOS report viewed"),
    "watch.sos.triaged": _("SOS report triaged"),
}

OBJECT_LABELS: dict[str, Promise] = {
    "orgs.organization": _("Organisation"),
    "orgs.membership": _("Membership"),
    "accounts.invitation": _("Invitation"),
    "cases.person": _("Person"),
    "cases.household": _("Household"),
    "needs.needreport": _("Need report"),
    "needs.gapissue": _("Gap issue"),
    "watch.watchtarget": _("Person under watch"),
    "watch.alert": _("Alert"),
    "watch.sosreport": _("SOS report"),
    "cases.case": _("Case"),
    "cases.consent": _("Consent"),
    "cases.referral": _("Referral"),
    "directory.service": _("Service"),
    "directory.taxonomyterm": _("Directory category"),
    "directory.apitoken": _("API token"),
}


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))


def object_label(object_type: str) -> str:
    return str(OBJECT_LABELS.get(object_type, object_type))
