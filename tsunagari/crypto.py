"""Encryption of data that a database dump must not reveal, with the deployment's data keys.

TSUNAGARI_DATA_KEYS holds Fernet keys (AES-128-CBC + HMAC-SHA256), newest first: the first key
encrypts, every key decrypts, so keys rotate by prepending a new one and re-encrypting
(``MultiFernet.rotate``). One module so that every app encrypts the same way.
"""

from __future__ import annotations

from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


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
