"""Accepting an invitation (the only way to get an account), and guards around allauth's pages."""

from __future__ import annotations

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.webauthn.views import remove_webauthn
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import services
from .forms import AcceptInvitationForm
from .models import Invitation, User


def _unusable_reason(invitation: Invitation | None) -> str | None:
    if invitation is None or invitation.revoked_at is not None:
        return "invalid"
    if invitation.accepted_at is not None:
        return "used"
    if invitation.expires_at <= timezone.now():
        return "expired"
    return None


@login_not_required
@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.find_invitation(token)
    reason = _unusable_reason(invitation)
    if invitation is None or reason is not None:
        status = 404 if invitation is None else 410
        return render(request, "accounts/invitation_unusable.html", {"status": reason}, status=status)

    user = request.user if isinstance(request.user, User) else None
    if user is not None and user.email.lower() != invitation.email.lower():
        return render(
            request, "accounts/invitation_accept.html", {"invitation": invitation, "wrong_account": True}
        )
    existing_account = user is None and User.objects.filter(email__iexact=invitation.email).exists()
    form = AcceptInvitationForm(request.POST or None, email=invitation.email) if user is None else None

    if request.method == "POST" and not existing_account and (form is None or form.is_valid()):
        try:
            if form is None:  # signed in: join with the current account
                membership = services.accept_invitation(invitation=invitation, user=user)
            else:
                membership = services.accept_invitation(
                    invitation=invitation,
                    display_name=form.cleaned_data["display_name"],
                    password=form.cleaned_data["password1"],
                )
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
                # Tell allauth a password was just used, so setting up the second factor does not
                # ask for the password again.
                record_authentication(
                    request,
                    membership.user,
                    method="password",
                    email=membership.user.email,
                    reauthenticated=True,
                )
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            if form is not None:
                form.add_error(None, text)
            else:
                messages.error(request, text)
        else:
            messages.success(request, _("Welcome to %(org)s.") % {"org": invitation.organization.name})
            return redirect("orgs:dashboard", org_slug=invitation.organization.slug)
    context = {"invitation": invitation, "form": form, "existing_account": existing_account}
    return render(request, "accounts/invitation_accept.html", context)


def remove_passkey(request: HttpRequest, pk: int) -> HttpResponse:
    """allauth's own page, but a role that needs a second factor cannot remove its last one."""
    authenticator = get_object_or_404(
        Authenticator.objects.filter(user=request.user, type=Authenticator.Type.WEBAUTHN), pk=pk
    )
    if not get_mfa_adapter().can_delete_authenticator(authenticator):
        messages.error(
            request,
            _("Your role needs a second sign-in step: add another passkey or an authenticator app first."),
        )
        return redirect("mfa_list_webauthn")
    return remove_webauthn(request, pk=pk)


def email_change_disabled(request: HttpRequest) -> HttpResponse:
    """The sign-in address is the identity the organisation invited; an admin re-invites to change it."""
    raise Http404
