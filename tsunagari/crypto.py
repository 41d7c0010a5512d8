"""Encryption of data that a database dump must not reveal, with the deployment's data keys.

TSUNAGARI_DATA_KEYS holds Fernet keys (AES-128-CBC + HMAC-SHA256), newest first: the first key
encrypts, every key decrypts, so keys rotate by prepending a new one and re-encrypting
(``MultiFernet.rotate``). One module so that every app encrypts the same way.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from datetime import date
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.DATA_ENCRYPTION_KEYS))


def encrypt_text(plain: str) -> str:
    return fernet().encrypt(plain.encode()).decode("ascii")


def decrypt_text(token: str) -> str:
    return fernet().decrypt(token.encode("ascii")).decode()


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


# --- fields and blind indexes ---------------------------------------------------------------------------


@cache
def _index_key(first_key: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"tsunagari blind index v1").derive(
        first_key.encode("ascii")
    )


def blind_index(value: str, *, purpose: str) -> str:
    """A keyed hash for exact-match lookups on encrypted data (e.g. same kana + birth date).

    The key is derived from the newest data key, so `tsunagari rotate-data-key` recomputes every index
    together with re-encrypting; without the key, the hash says nothing about the value.
    """
    key = _index_key(settings.DATA_ENCRYPTION_KEYS[0])
    return hmac.new(key, f"{purpose}\n{value}".encode(), hashlib.sha256).hexdigest()


def normalise_for_index(value: str) -> str:
    """Width, case, spaces, hyphens and katakana/hiragana do not make two values different."""
    text = unicodedata.normalize("NFKC", value or "").lower()
    text = "".join(ch for ch in text if not ch.isspace() and ch not in "-‐－ー―・")
    return "".join(chr(ord(ch) - 0x60) if "ァ" <= ch <= "ヶ" else ch for ch in text)


def encrypt_columns_in_place(connection: Any, table: str, columns: list[str]) -> int:
    """For data migrations that turn plain text columns into EncryptedTextField: encrypt every non-empty
    value that is not already a token (so running it twice is harmless). Raw SQL, because the field
    itself would try to decrypt the plain values. Returns the values encrypted."""
    from cryptography.fernet import InvalidToken

    quote = connection.ops.quote_name
    count = 0
    with connection.cursor() as cursor:
        for column in columns:
            cursor.execute(f"SELECT id, {quote(column)} FROM {quote(table)} WHERE {quote(column)} <> ''")  # noqa: S608
            for pk, value in cursor.fetchall():
                try:
                    decrypt_text(value)
                    continue
                except (InvalidToken, ValueError, UnicodeError):
                    pass
                cursor.execute(
                    f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE id = %s",  # noqa: S608
                    [encrypt_text(value), pk],
                )
                count += 1
    return count


def decrypt_columns_in_place(connection: Any, table: str, columns: list[str]) -> None:
    """The reverse of ``encrypt_columns_in_place`` (for migrating back)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for column in columns:
            cursor.execute(f"SELECT id, {quote(column)} FROM {quote(table)} WHERE {quote(column)} <> ''")  # noqa: S608
            for pk, value in cursor.fetchall():
                cursor.execute(
                    f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE id = %s",  # noqa: S608
                    [decrypt_text(value), pk],
                )


class EncryptedTextField(models.TextField):
    """Text stored encrypted (Fernet with the deployment's data keys); a database dump shows only tokens.

    Not searchable in SQL: look values up through a blind index stored beside them.
    """

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(str(value))


class EncryptedDateField(EncryptedTextField):
    """A date stored encrypted (as an ISO date inside the token)."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> date | None:  # type: ignore[override]
        text = super().from_db_value(value, expression, connection)
        return date.fromisoformat(text) if text else None

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        if value in (None, ""):
            return None
        if isinstance(value, date):
            return value
        return date.fromisoformat(str(value))

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, date):
            value = value.isoformat()
        return super().get_prep_value(value)

    def formfield(self, **kwargs: Any) -> Any:
        from django import forms

        # Through Field.formfield (not TextField's), so the form field gets the model field's label and
        # `required=not blank` like any date field, with a date widget instead of a textarea.
        defaults = {"form_class": forms.DateField, "widget": forms.DateInput(attrs={"type": "date"})}
        return models.Field.formfield(self, **{**defaults, **kwargs})
