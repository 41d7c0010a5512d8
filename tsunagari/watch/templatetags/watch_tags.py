from __future__ import annotations

import unicodedata

from django import template

from tsunagari.watch.ladder import tel_uri as _tel_uri
from tsunagari.watch.models import ContactLog

register = template.Library()


@register.filter
def tel_uri(phone: str) -> str:
    """A phone number as a ``tel:`` link target (digits only), for phones to dial in one tap."""
    return _tel_uri(phone or "")


@register.filter
def call_uri(contact: str) -> str:
    """The ``tel:`` link for how to reach someone, when it holds a number to call: 「0857-00-9999（午前中）」
    does, 「玄関で声かけ」 does not (at least 10 digits: a Japanese number with its area code, or a mobile)."""
    digits = sum(ch.isdigit() for ch in unicodedata.normalize("NFKC", contact or ""))
    return _tel_uri(contact) if digits >= 10 else ""


@register.filter
def contact_method_label(code: str) -> str:
    return str(ContactLog.Method(code).label) if code in ContactLog.Method.values else ""


@register.filter
def contact_result_label(code: str) -> str:
    return str(ContactLog.Result(code).label) if code in ContactLog.Result.values else ""
