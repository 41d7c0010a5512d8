"""The service card's two parts of the moment (directory/_service_card.html), written by cards.py."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from ..cards import today_part, why_part
from ..opening import Opening

register = template.Library()


@register.simple_tag
def card_why(why: str = "") -> SafeString:
    return why_part(why)


@register.simple_tag
def card_today(opening: Opening | None = None) -> SafeString:
    return today_part(opening)
