"""The one decorator that resolves organisation pages under /o/<org_slug>/….

Rule: a signed-in user who is not an active member of the organisation gets 404 (we do not reveal
what exists); a member without the required role gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import update_wrapper
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from tsunagari.http import AuthenticatedRequest

from .models import Membership, Organization, Role
from .selectors import memberships_of

View = Callable[..., HttpResponse]


class OrgRequest(AuthenticatedRequest):
    """A request to an organisation page: ``@org_view`` has checked the membership and set both.
    Declared only (like healthchecks' AuthenticatedHttpRequest); org views annotate ``request:
    OrgRequest`` and read ``request.org.slug`` for the URLs they redirect to."""

    org: Organization
    membership: Membership
    my_memberships: list[Membership]  # every active membership of the person, this one included


@dataclass(frozen=True)
class OrgAccess:
    """What an organisation page requires; kept on the view so tests can enumerate every rule."""

    min_role: Role = Role.VIEWER
    secretariat_only: bool = False


class OrgView:
    """An organisation page: the view wrapped with its access check. A callable object rather than a
    closure so that ``org_access`` is a declared attribute (tests enumerate every rule through it)."""

    def __init__(self, view: View, access: OrgAccess) -> None:
        update_wrapper(self, view)
        self.view = view
        self.org_access = access

    def __call__(self, request: HttpRequest, org_slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        access = self.org_access
        if not request.user.is_authenticated:  # LoginRequiredMiddleware normally answers first
            raise Http404
        # All of the person's memberships in one query: this page's, and the header's switcher (the
        # ``memberships`` context processor) without a second query.
        memberships = list(memberships_of(request.user))  # type: ignore[arg-type]
        membership = next((m for m in memberships if m.organization.slug == org_slug), None)
        if membership is None:
            raise Http404
        if access.secretariat_only and not membership.organization.is_secretariat:
            raise Http404
        if not membership.has_role(access.min_role):
            raise PermissionDenied
        org_request = cast(OrgRequest, request)  # here it becomes one: its attributes are set next
        for each in memberships:
            each.user = request.user  # type: ignore[assignment]  # already read by the authentication
        org_request.membership = membership
        org_request.org = membership.organization
        org_request.my_memberships = memberships
        if request.session.get("current_org") != org_slug:  # a write only when it changes
            request.session["current_org"] = org_slug
        return self.view(org_request, *args, **kwargs)


def org_view(min_role: Role = Role.VIEWER, *, secretariat_only: bool = False) -> Callable[[View], OrgView]:
    access = OrgAccess(min_role=min_role, secretariat_only=secretariat_only)

    def decorator(view: View) -> OrgView:
        return OrgView(view, access)

    return decorator


def conflict_page(request: HttpRequest, *, now: str, back: str) -> HttpResponse:
    """The answer to someone who acted on something another person changed meanwhile (a referral
    answered, a task ticked off, an alert acknowledged, an SOS report triaged): nothing was overwritten;
    this is what it is now. 409, so that scripts and tests can tell it from success."""
    from django.shortcuts import render

    return render(request, "conflict.html", {"now": now, "back": back}, status=409)
