"""Who is told when a person is handed from one organisation to another, and in which words.

One place for every hand-off of the cases app (docs/architecture.md, "Hand-offs: who is told"):

- a referral is sent → the receiving organisation's staff (staff, admins, coordinators; never viewers or
  volunteers): they must answer it;
- it is accepted, declined (with the reason), started or completed (with the outcome) → the person who sent
  it, while they are still staff of the sending organisation; if they have left, the sending organisation's
  staff, so that an answer never reaches nobody. Their colleagues see the answer on the case page; telling
  every colleague of every step would teach them to ignore the e-mails;
- it is cancelled by the sender → the receiving organisation's staff (it leaves their inbox);
- the secretariat makes an organisation a case's lead → that organisation's staff.

The person who did it is never told of their own action. Each function is called inside the service's
transaction, so a rolled-back change tells nobody. The words carry no personal details: no names, no case
summary, no free text (a decline note stays on the referral): the organisations, the number of the referral
or case, the status, and what to do next. They are written in the platform's language (settings.LANGUAGE_CODE),
not in the language of the person who acted, because they are read by someone else.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from tsunagari.accounts.models import User
from tsunagari.notifications.services import notify
from tsunagari.orgs.models import Membership, Organization
from tsunagari.orgs.selectors import staff_of

from .models import Case, Referral


def _tell(people: Iterable[User], *, by: Membership, subject: str, body: str, url: str, urgent: bool) -> None:
    notify([p for p in people if p.pk != by.user_id], subject=subject, body=body, url=url, urgent=urgent)


def _sender_side(referral: Referral) -> list[User]:
    """The sender while still staff of the sending organisation, else that organisation's staff."""
    staff = staff_of(referral.from_org)
    return list(staff.filter(pk=referral.sent_by_id)) or list(staff)


def referral_sent(referral: Referral, *, by: Membership) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        names = {"org": referral.from_org.name, "pk": referral.pk, "due": f"{referral.due_on:%Y-%m-%d}"}
        _tell(
            staff_of(referral.to_org),
            by=by,
            subject=_("[Tsunagari] A referral has arrived from %(org)s") % names,
            body=_(
                "%(org)s has sent your organisation a referral (No. %(pk)s). Please open the referral "
                "inbox, read what they wrote and answer by %(due)s: accept it, or decline it with a reason."
            )
            % names,
            url=reverse("cases:inbox", args=[referral.to_org.slug]),
            urgent=referral.case.risk == Case.Risk.URGENT,
        )


def referral_answered(referral: Referral, *, by: Membership) -> None:
    """Accepted, declined, started or completed: the sender learns it, with what to do next."""
    with translation.override(settings.LANGUAGE_CODE):
        names = {"org": referral.to_org.name, "pk": referral.pk}
        Status = Referral.Status
        if referral.status == Status.ACCEPTED:
            subject = _("[Tsunagari] %(org)s accepted your referral (No. %(pk)s)")
            body = _(
                "%(org)s accepted the referral (No. %(pk)s). Next: agree with them how the person will be "
                "introduced, and note it in the case."
            )
        elif referral.status == Status.DECLINED:
            subject = _("[Tsunagari] %(org)s declined your referral (No. %(pk)s)")
            body = _(
                "%(org)s declined the referral (No. %(pk)s). Reason: %(reason)s. They no longer see the case. "
                "Next: look for another organisation for the person, or ask the secretariat."
            )
            names["reason"] = referral.get_decline_reason_display()
        elif referral.status == Status.IN_PROGRESS:
            subject = _("[Tsunagari] %(org)s started support (referral No. %(pk)s)")
            body = _(
                "%(org)s has started supporting the person you referred (No. %(pk)s). Nothing needs doing "
                "now; you can follow the case on its page."
            )
        elif referral.status == Status.COMPLETED:
            subject = _("[Tsunagari] %(org)s completed your referral (No. %(pk)s)")
            body = _(
                "%(org)s completed the referral (No. %(pk)s). Outcome: %(outcome)s. Next: check whether the "
                "case needs anything more, and close it when it does not."
            )
            names["outcome"] = referral.get_outcome_display()
        else:
            raise ValueError(f"not an answer: {referral.status}")
        _tell(
            _sender_side(referral),
            by=by,
            subject=subject % names,
            body=body % names,
            url=reverse("cases:case_detail", args=[referral.from_org.slug, referral.case_id]),
            urgent=False,
        )


def referral_cancelled(referral: Referral, *, by: Membership) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        names = {"org": referral.from_org.name, "pk": referral.pk}
        _tell(
            staff_of(referral.to_org),
            by=by,
            subject=_("[Tsunagari] %(org)s withdrew a referral (No. %(pk)s)") % names,
            body=_(
                "%(org)s withdrew the referral (No. %(pk)s) before you answered. Your organisation no longer "
                "sees the case; nothing needs doing."
            )
            % names,
            url=reverse("cases:inbox", args=[referral.to_org.slug]),
            urgent=False,
        )


def lead_assigned(case: Case, organization: Organization, *, by: Membership) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        names = {"org": by.organization.name, "pk": case.pk}
        _tell(
            staff_of(organization),
            by=by,
            subject=_("[Tsunagari] Your organisation has been asked to lead a case (No. %(pk)s)") % names,
            body=_(
                "The secretariat (%(org)s) has made your organisation the lead of case No. %(pk)s, which "
                "nobody led. Please open the case, read it and plan the first contact with the person."
            )
            % names,
            url=reverse("cases:case_detail", args=[organization.slug, case.pk]),
            urgent=case.risk == Case.Risk.URGENT,
        )
