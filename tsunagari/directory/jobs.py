from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from tsunagari.jobs import periodic
from tsunagari.notifications.services import queue_email
from tsunagari.orgs.models import Membership, Role

from .models import DirectoryOrganization, Service
from .selectors import stale_services

REMIND_EVERY = timedelta(days=7)


@periodic(every=timedelta(hours=6))
def remind_stale_services() -> str:
    """Each member organisation with entries not confirmed for 180 days hears about them, once a week."""
    due_before = timezone.now() - REMIND_EVERY
    by_provider: dict[DirectoryOrganization, list[Service]] = defaultdict(list)
    stale = (
        stale_services()
        .filter(organization__member__isnull=False)
        .filter(
            Q(organization__stale_reminded_at__isnull=True)
            | Q(organization__stale_reminded_at__lt=due_before)
        )
        .select_related("organization__member")
        .order_by("name")
    )
    for service in stale:
        by_provider[service.organization].append(service)
    sent = 0
    for provider, services in by_provider.items():
        admins = list(
            Membership.objects.filter(
                organization=provider.member, is_active=True, role__in=[Role.ADMIN, Role.STAFF]
            ).values_list("user__email", flat=True)
        )
        if admins:
            context = {"provider": provider, "services": services, "site_url": settings.TSUNAGARI_SITE_URL}
            queue_email(
                to=admins,
                subject=render_to_string("directory/email/stale_subject.txt", context).strip(),
                body=render_to_string("directory/email/stale_message.txt", context),
            )
            sent += 1
        DirectoryOrganization.objects.filter(pk=provider.pk).update(stale_reminded_at=timezone.now())
    return f"reminded {sent} organisation(s)"
