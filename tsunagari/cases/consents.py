"""The scanned consent form: which files are accepted, and how they are stored and read back.

A file is accepted when its first bytes say it is a PDF, a JPEG or a PNG (what the browser claims in the
upload header is not trusted) and it is at most ``MAX_SCAN_BYTES``. It is stored base64-encoded inside an
encrypted field, like every other personal value (tsunagari/crypto.py)."""

from __future__ import annotations

import base64
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import ConsentScan

# Large enough for a few pages scanned at 300 dpi; small enough to keep encrypted rows and backups sensible.
MAX_SCAN_BYTES = 5 * 1024 * 1024

# The file signatures ("magic bytes") of the accepted types.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", ConsentScan.ContentType.PDF),
    (b"\xff\xd8\xff", ConsentScan.ContentType.JPEG),
    (b"\x89PNG\r\n\x1a\n", ConsentScan.ContentType.PNG),
)


def sniff(head: bytes) -> str | None:
    """The content type the file's first bytes show, or None when they are none of the accepted types."""
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def check_scan(upload: Any) -> str:
    """Refuse a file that is too large or is not a PDF, JPEG or PNG by its content; return its type."""
    if upload.size > MAX_SCAN_BYTES:
        raise ValidationError(
            _(
                "The file is %(size)s MB; the most allowed is %(max)s MB. Scan at a lower resolution or in parts."
            )
            % {"size": f"{upload.size / 1024 / 1024:.1f}", "max": MAX_SCAN_BYTES // 1024 // 1024}
        )
    upload.seek(0)
    content_type = sniff(upload.read(16))
    upload.seek(0)
    if content_type is None:
        raise ValidationError(_("Attach a PDF, JPEG or PNG file (this file is none of these)."))
    return content_type


def encode(content: bytes) -> str:
    return base64.b64encode(content).decode("ascii")


def decode(scan: ConsentScan) -> bytes:
    return base64.b64decode(scan.data)
