"""The QR code that opens a registrant's check-in page for the organiser's staff. It holds only the
staff page's address (ids, no names, no token): whoever scans it still has to be signed in as staff of
the organising organisation to see the person or check them in."""

from __future__ import annotations

import io

import segno
from django.urls import reverse

from tsunagari.notifications.channels import absolute

from .models import Registration


def check_in_url(registration: Registration) -> str:
    event = registration.event
    return absolute(
        reverse("events_staff:check_in", args=[event.organization.slug, event.pk, registration.pk])
    )


def qr_svg(data: str, *, scale: int = 4) -> str:
    """An SVG drawing of the QR code (no XML declaration: it can be placed in a page or attached)."""
    out = io.BytesIO()
    segno.make(data, error="m").save(
        out, kind="svg", scale=scale, xmldecl=False, svgclass="qr-code", dark="#000"
    )
    return out.getvalue().decode()


def check_in_attachment(registration: Registration) -> dict[str, str]:
    """The e-mail attachment: an SVG QR code of the staff check-in page."""
    return {
        "filename": f"check-in-{registration.pk}.svg",
        "content_type": "image/svg+xml",
        "content": qr_svg(check_in_url(registration), scale=8),
    }
