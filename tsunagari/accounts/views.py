"""Accepting an invitation: the only way to get an account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import services
from .forms import AcceptInvitationForm


@login_not_required
@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.find_invitation(token)
    if (
        invitation is None
        or invitation.revoked_at
        or invitation.accepted_at
        or invitation.expires_at <= timezone.now()
    ):
        status = "expired" if invitation and invitation.expires_at <= timezone.now() else "invalid"
        if invitation and invitation.accepted_at:
            status = "used"
        return render(
            request,
            "accounts/invitation_unusable.html",
            {"status": status},
            status=410 if invitation else 404,
        )

    signed_in = request.user.is_authenticated
    form = AcceptInvitationForm(request.POST or None) if not signed_in else None
    existing_account = not signed_in and services.User.objects.filter(email__iexact=invitation.email).exists()
    if request.method == "POST":
        try:
            if signed_in:
                membership = services.accept_invitation(
                    invitation=invitation, request=request, user=request.user
                )  # type: ignore[arg-type]
            elif form is not None and form.is_valid():
                membership = services.accept_invitation(
                    invitation=invitation,
                    request=request,
                    display_name=form.cleaned_data["display_name"],
                    password=form.cleaned_data["password1"],
                )
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                membership = None
        except ValidationError as error:
            if form is not None:
                form.add_error("password1" if not existing_account else None, error)
            else:
                messages.error(request, " ".join(error.messages))
            membership = None
        except PermissionDenied as error:
            messages.error(request, str(error))
            membership = None
        if membership is not None:
            messages.success(request, _("Welcome to %(org)s.") % {"org": invitation.organization.name})
            return redirect("orgs:dashboard", org_slug=invitation.organization.slug)
    context = {"invitation": invitation, "form": form, "existing_account": existing_account}
    return render(request, "accounts/invitation_accept.html", context)
