"""Referral pages: sending from a case, the inbox and its answers, cancelling, the overdue list."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagari.audit.models import LegalBasis
from tsunagari.orgs.access import OrgRequest, conflict_page, org_view
from tsunagari.orgs.models import Role
from tsunagari.pagination import paginate

from .. import notes, referrals, selectors
from ..forms import (
    CompleteForm,
    DeclineForm,
    ReferralFilterForm,
    ReferralForm,
)
from ..models import Referral
from ..selectors import cases_visible_to


@org_view(Role.STAFF)
@require_POST
def referral_send(request: OrgRequest, case_pk: int) -> HttpResponse:
    membership = request.membership
    case = get_object_or_404(cases_visible_to(membership), pk=case_pk)
    form = ReferralForm(
        request.POST, case=case, by_org=membership.organization, coordinator=membership.is_coordinator,
        prefix="refer",
    )  # fmt: skip
    if form.is_valid():
        data = form.cleaned_data
        try:
            referrals.send_referral(
                by=membership, case=case, to_org=data["to_org"], message=data["message"], consent=data["consent"],
                legal_basis=data["legal_basis"] or LegalBasis.CONSENT, override_reason=data["override_reason"],
                kinds=[k.code for k in data["kinds"]],
            )  # fmt: skip
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("Referral sent to %(org)s.") % {"org": data["to_org"].name})
    else:
        messages.error(request, _("Choose the organisation and write what they should know."))
    return redirect("cases:case_detail", org_slug=request.org.slug, case_pk=case.pk)


@org_view(Role.STAFF)
def inbox(request: OrgRequest) -> HttpResponse:
    """Referrals addressed to this organisation, newest first, with what can be done next."""
    form = ReferralFilterForm(request.GET or None)
    items = form.filter(selectors.inbox_for(request.membership)).select_related("from_org")
    listing = paginate(request, items.order_by("-sent_at", "-pk"))
    context = {
        "form": form, "items": listing.page, "page": listing.page, "query": listing.query,
        "decline_form": DeclineForm(), "complete_form": CompleteForm(),
    }  # fmt: skip
    return render(request, "cases/referral_inbox.html", context)


@org_view(Role.STAFF)
@require_POST
def referral_answer(request: OrgRequest, referral_pk: int) -> HttpResponse:
    membership = request.membership
    referral = get_object_or_404(selectors.inbox_for(membership), pk=referral_pk)
    action = request.POST.get("action")
    # The status the inbox showed when the person pressed the button: an answer given meanwhile is a conflict.
    seen = request.POST.get("seen") or None
    try:
        if action == "accept":
            referrals.accept_referral(referral=referral, by=membership, expected_status=seen)
        elif action == "decline":
            decline = _valid(DeclineForm(request.POST))
            referrals.decline_referral(
                referral=referral, by=membership, reason=decline["reason"], note=decline["note"],
                expected_status=seen,
            )  # fmt: skip
        elif action == "start":
            referrals.start_referral(referral=referral, by=membership, expected_status=seen)
        elif action == "complete":
            complete = _valid(CompleteForm(request.POST))
            referrals.complete_referral(
                referral=referral, by=membership, outcome=complete["outcome"], expected_status=seen,
            )  # fmt: skip
        else:
            raise ValidationError(_("Unknown action."))
    except notes.EditConflict as conflict:
        return _referral_conflict(request, conflict, reverse("cases:inbox", args=[request.org.slug]))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Referral updated."))
    return redirect("cases:inbox", org_slug=request.org.slug)


def _valid(form: forms.Form) -> dict:
    """The form's cleaned data, or a ValidationError carrying its messages (shown on the inbox)."""
    if not form.is_valid():
        raise ValidationError([message for messages_ in form.errors.values() for message in messages_])
    return form.cleaned_data


def _referral_conflict(request: HttpRequest, conflict: notes.EditConflict, back: str) -> HttpResponse:
    current = conflict.current
    now = current.get_status_display() if isinstance(current, Referral) else ""
    return conflict_page(request, now=now, back=back)


@org_view(Role.STAFF)
@require_POST
def referral_cancel(request: OrgRequest, referral_pk: int) -> HttpResponse:
    membership = request.membership
    referral = get_object_or_404(Referral.objects.filter(from_org=membership.organization), pk=referral_pk)
    try:
        referrals.cancel_referral(
            referral=referral,
            by=membership,
            expected_status=request.POST.get("seen") or None,
        )
    except notes.EditConflict as conflict:
        back = reverse("cases:case_detail", args=[request.org.slug, referral.case_id])
        return _referral_conflict(request, conflict, back)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("cases:case_detail", org_slug=request.org.slug, case_pk=referral.case_id)


@org_view(Role.COORDINATOR, secretariat_only=True)
def overdue(request: OrgRequest) -> HttpResponse:
    items = selectors.overdue_referrals().select_related("from_org", "to_org").order_by("due_on", "pk")
    listing = paginate(request, items.defer("message", "override_reason", "decline_note"))
    context = {"items": listing.page, "page": listing.page, "query": listing.query}
    return render(request, "cases/referral_overdue.html", context)
