"""What our middleware adds to a request, declared for the type checker.

Django's ``HttpRequest`` does not know the attributes middleware and decorators set on it. These
subclasses only declare them (no instance is ever created from them): a view annotates its request
with the one that matches what ran before it, so ``request.htmx`` or ``request.user.pk`` type-check
without ``# type: ignore``. ``OrgRequest`` (orgs/access.py) adds the organisation and membership.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from tsunagari.accounts.models import User


class HtmxRequest(HttpRequest):
    """Every request: django_htmx.middleware.HtmxMiddleware sets ``htmx``."""

    htmx: HtmxDetails


class AuthenticatedRequest(HtmxRequest):
    """A view that LoginRequiredMiddleware guards (every view not marked ``login_not_required``)."""

    user: User
