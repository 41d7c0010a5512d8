"""The crisis box's lines for the danger the navigator found (hours and "open now" in Japan time)."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from ..hotlines import ShownLine, lines_for

register = template.Library()


@dataclass(frozen=True)
class Group:
    title: str
    lines: list[ShownLine]


@register.simple_tag
def crisis_groups(danger: str | None, crisis: bool) -> list[Group]:
    """Groups of lines, the one for the danger first: the emergency and DV lines for violence, 119
    and #7119 for a medical emergency, then (for suicide danger) phones to talk and lines to write."""
    if not danger:
        return []
    now = timezone.now()
    groups: list[Group] = []
    if danger in ("violence", "medical"):
        lines = lines_for(danger, when=now, limit=6)
        groups.append(Group(_("Call now"), lines["phone"]))
        if lines["write"]:
            groups.append(Group(_("Write instead of calling"), lines["write"]))
    if danger == "suicide" or crisis:
        lines = lines_for("suicide", when=now)
        groups.append(Group(_("Talk by phone"), lines["phone"]))
        groups.append(Group(_("Write if talking is hard (chat, LINE)"), lines["write"]))
    return groups
