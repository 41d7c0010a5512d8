"""The organisation menu (_org_nav.html), rendered once per organisation, role, page and language and kept.

Every page of an organisation shows the menu: about two dozen links, each reversed and translated, which cost a
member of staff's page about an eighth of its CPU when rendered each time. The menu reads nothing but what its key
holds (the organisation's name, slug, kind and tier; the member's role; the page's name; the language), so a kept
menu is always the one the template would write, and it holds nothing personal. Tests start with none kept
(``fragments.clear``).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from tsunagari.fragments import Keeper

register = template.Library()

# Organisations × roles × pages × languages met in a day by one process; about 3 KB each.
_menus: Keeper[SafeString] = Keeper(2048)
MENU_SECONDS = 3600  # everything the menu shows is in its key; this only lets unused menus go


@register.simple_tag(takes_context=True)
def org_menu(context: template.Context) -> SafeString:
    request = context["request"]
    org, membership = getattr(request, "org", None), getattr(request, "membership", None)
    match = request.resolver_match
    menu: dict[str, Any] = {"request": request}
    if org is None or membership is None or match is None:  # not an organisation's page: nothing to key on
        return mark_safe(render_to_string("_org_nav.html", menu))  # noqa: S308 - escaped by the template
    key = (
        org.pk, org.slug, org.name, org.is_secretariat, org.tier,
        membership.role, membership.is_coordinator,
        match.app_name, match.url_name, get_language(),
    )  # fmt: skip
    found = _menus.find(key)
    if found is not None:
        return found
    html = render_to_string("_org_nav.html", menu)
    return _menus.keep(key, MENU_SECONDS, mark_safe(html))  # noqa: S308 - rendered by the template, escaped there
