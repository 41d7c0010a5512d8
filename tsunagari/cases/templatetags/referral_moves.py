"""Which answers a page offers for a referral, read from the one transition table (``referrals.TRANSITIONS``)."""

from __future__ import annotations

from django import template

from tsunagari.cases.models import Referral
from tsunagari.cases.referrals import TRANSITIONS

register = template.Library()


@register.filter
def can_become(referral: Referral, status: str) -> bool:
    """``{% if r|can_become:"accepted" %}``: the referral's status may move to ``status``."""
    return referral.status in TRANSITIONS[status]
