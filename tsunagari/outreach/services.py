"""Writes about inquiries and news (the audit log names no person: ids only)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagari.audit.services import log_action
from tsunagari.notifications.services import notify
from tsunagari.orgs.applications import secretariat_coordinators
from tsunagari.orgs.models import Membership

from .models import Inquiry, NewsItem


class AlreadyAnswered(Exception):
    """Another coordinator marked the inquiry answered meanwhile."""


@transaction.atomic
def receive_inquiry(*, name: str, email: str, phone: str, message: str) -> Inquiry:
    """Store an inquiry from the public form and tell the secretariat's coordinators (without its words)."""
    inquiry = Inquiry.objects.create(name=name, email=email, phone=phone, message=message)
    log_action(inquiry, actor=None, action="outreach.inquiry.received")
    coordinators = list(secretariat_coordinators())
    if coordinators:
        notify(
            [m.user for m in coordinators],
            subject=_("New inquiry to the secretariat (#%(pk)s)") % {"pk": inquiry.pk},
            url=reverse("outreach:inquiry_detail", args=[coordinators[0].organization.slug, inquiry.pk]),
        )
    return inquiry


@transaction.atomic
def mark_answered(*, inquiry: Inquiry, by: Membership, note: str) -> Inquiry:
    if not by.is_coordinator:
        raise PermissionDenied
    updated = Inquiry.objects.filter(pk=inquiry.pk, answered_at__isnull=True).update(
        answered_at=timezone.now(), answered_by=by.user, answer_note=note
    )
    if not updated:
        raise AlreadyAnswered
    log_action(inquiry, actor=by, action="outreach.inquiry.answered")
    inquiry.refresh_from_db()
    return inquiry


@transaction.atomic
def save_news(*, by: Membership, item: NewsItem | None, data: dict[str, Any]) -> NewsItem:
    if not by.is_coordinator:
        raise PermissionDenied
    item = item or NewsItem()
    for field, value in data.items():
        setattr(item, field, value)
    item.full_clean()
    item.save()
    log_action(item, actor=by, action="outreach.news.saved", data={"published": item.is_published})
    return item
