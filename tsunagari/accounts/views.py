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
    existing_account = user is None and User.objects.filter(email__iexact=invitation.email).exists()
    form = AcceptInvitationForm(request.POST or None) if user is None else None

    if request.method == "POST" and not existing_account:
        try:
            if user is not None:
                membership = services.accept_invitation(invitation=invitation, request=request, user=user)
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
                form.add_error("password1", error)
            else:
                messages.error(request, " ".join(error.messages))
        except PermissionDenied as error:
            messages.error(request, str(error))
        else:
            if membership is not None:
                messages.success(request, _("Welcome to %(org)s.") % {"org": invitation.organization.name})
                return redirect("orgs:dashboard", org_slug=invitation.organization.slug)
    context = {"invitation": invitation, "form": form, "existing_account": existing_account}
    return render(request, "accounts/invitation_accept.html", context)
