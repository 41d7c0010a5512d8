"""Validation of Japan's corporate number (法人番号)."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def corporate_number_check_digit(base12: str) -> int:
    """Check digit of a 法人番号 from its last 12 digits (国税庁「法人番号の指定等に関する省令」第2条).

    Digits are numbered from the right (P1 is the rightmost of the 12); odd positions weigh 1,
    even positions weigh 2; the check digit is 9 - (sum mod 9).
    """
    total = 0
    for position, char in enumerate(reversed(base12), start=1):
        weight = 2 if position % 2 == 0 else 1
        total += int(char) * weight
    return 9 - (total % 9)


def clean_digits(value: str) -> str:
    """Full-width digits, hyphens and spaces as typed on a Japanese keyboard → plain digits."""
    return re.sub(r"[\s\-‐－ー―]", "", unicodedata.normalize("NFKC", value or ""))


_PHONE = re.compile(r"^\+?[0-9]{1,5}(-?[0-9]{1,5}){1,4}$")


def validate_phone_number(value: str) -> None:
    if not _PHONE.match(unicodedata.normalize("NFKC", value).replace(" ", "")):
        raise ValidationError(
            _("Enter a phone number with digits and hyphens, e.g. 0857-00-1234."), code="phone"
        )


def validate_corporate_number(value: str) -> None:
    if len(value) != 13 or not value.isascii() or not value.isdigit():
        raise ValidationError(_("A corporate number has exactly 13 digits."), code="format")
    if int(value[0]) != corporate_number_check_digit(value[1:]):
        raise ValidationError(
            _("This corporate number's check digit is wrong: please check the number."), code="check_digit"
        )
