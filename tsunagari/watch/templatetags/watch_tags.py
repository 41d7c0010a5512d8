from __future__ import annotations

from django import template

from tsunagari.watch.ladder import tel_uri as _tel_uri

register = template.Library()


@register.filter
def tel_uri(phone: str) -> str:
    """A phone number as a ``tel:`` link target (digits only), for phones to dial in one tap."""
    return _tel_uri(phone or "")
