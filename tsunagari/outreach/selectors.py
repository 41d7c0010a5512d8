from __future__ import annotations

from django.db.models import QuerySet

from tsunagari.orgs.models import Membership

from .models import Inquiry, NewsItem


def inquiries_visible_to(membership: Membership) -> QuerySet[Inquiry]:
    """Every inquiry, to the secretariat's coordinators; nothing to anyone else."""
    if not membership.is_coordinator:
        return Inquiry.objects.none()
    return Inquiry.objects.all()


def news_editable_by(membership: Membership) -> QuerySet[NewsItem]:
    """Every news item, published or not, to the secretariat's coordinators; nothing to anyone else."""
    if not membership.is_coordinator:
        return NewsItem.objects.none()
    return NewsItem.objects.all()


def published_news() -> QuerySet[NewsItem]:
    """What the public sees: published items, newest first."""
    return NewsItem.objects.filter(is_published=True).order_by("-published_on", "-pk")
