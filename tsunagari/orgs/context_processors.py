from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .selectors import memberships_of


def memberships(request: HttpRequest) -> dict[str, Any]:
    """The signed-in person's organisations for the header's switcher (queried only if a page uses it)."""
    user = getattr(request, "user", None)  # absent on an error page raised before authentication (bad Host)
    if user is None or not user.is_authenticated:
        return {}
    read = getattr(request, "my_memberships", None)  # an organisation's page has them (orgs/access.py)
    return {
        "my_memberships": read if read is not None else SimpleLazyObject(lambda: list(memberships_of(user))),
        "current_membership": getattr(request, "membership", None),
    }
