"""The one decorator that resolves organisation pages under /o/<org_slug>/….

Rule: a signed-in user who is not an active member of the organisation gets 404 (we do not reveal
what exists); a member without the required role gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from .models import Membership, Role

View = Callable[..., HttpResponse]


@dataclass(frozen=True)
class OrgAccess:
    """What an organisation page requires; kept on the view so tests can enumerate every rule."""

    min_role: Role = Role.VIEWER
    secretariat_only: bool = False


def org_view(min_role: Role = Role.VIEWER, *, secretariat_only: bool = False) -> Callable[[View], View]:
    access = OrgAccess(min_role=min_role, secretariat_only=secretariat_only)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, org_slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:  # LoginRequiredMiddleware normally answers first
                raise Http404
            membership = (
                Membership.objects.select_related("organization", "user")
                .filter(
                    user=request.user,
                    organization__slug=org_slug,
                    organization__is_active=True,
                    is_active=True,
                )
                .first()
            )
            if membership is None:
                raise Http404
            if access.secretariat_only and not membership.organization.is_secretariat:
                raise Http404
            if not membership.has_role(access.min_role):
                raise PermissionDenied
            request.membership = membership  # type: ignore[attr-defined]
            request.org = membership.organization  # type: ignore[attr-defined]
            request.session["current_org"] = org_slug
            return view(request, *args, **kwargs)

        wrapper.org_access = access  # type: ignore[attr-defined]
        return wrapper

    return decorator


def conflict_page(request: HttpRequest, *, now: str, back: str) -> HttpResponse:
    """The answer to someone who acted on something another person changed meanwhile (a referral
    answered, a task ticked off, an alert acknowledged, an SOS report triaged): nothing was overwritten;
    this is what it is now. 409, so that scripts and tests can tell it from success."""
    from django.shortcuts import render

    return render(request, "conflict.html", {"now": now, "back": back}, status=409)
