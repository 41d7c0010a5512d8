"""Reads of the training app, and who may see what."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from tsunagari.events.models import EventKind, Registration
from tsunagari.needs.aggregates import Figure, city_table
from tsunagari.orgs.models import District, Membership, Organization, Role

from .models import Certificate, Supporter


def sees_register(membership: Membership) -> bool:
    """Staff and up of the secretariat or of an active full member organisation."""
    org = membership.organization
    return (
        membership.has_role(Role.STAFF)
        and org.is_active
        and (org.is_secretariat or org.tier == Organization.Tier.FULL)
    )


def supporters_visible_to(membership: Membership) -> QuerySet[Supporter]:
    """Listed つながりサポーター (not withdrawn, their 受講証 not withdrawn), for staff and up of the secretariat
    and of full member organisations: the people agreed to exactly this when they joined the register.
    Nobody else sees any. Each showing is logged (services.log_register_viewed)."""
    if not sees_register(membership):
        return Supporter.objects.none()
    return (
        Supporter.objects.filter(withdrawn_at__isnull=True, certificate__revoked_at__isnull=True)
        .select_related("district", "invited_to", "invitation")
        .prefetch_related(
            Prefetch(
                "certificates",
                queryset=Certificate.objects.filter(revoked_at__isnull=True)
                .select_related("event")
                .defer("name")
                .order_by("completed_on", "pk"),
            )
        )
    )


@dataclass(frozen=True)
class DistrictRow:
    district: District
    supporters: int
    needs: Figure  # reported people, as members see it (suppressed below k)

    @property
    def needs_per_supporter(self) -> float | None:
        if self.needs.value is None or not self.needs.value:
            return None
        return self.needs.value / max(self.supporters, 1)


def supporters_by_district(membership: Membership) -> list[DistrictRow]:
    """Listed supporters per district beside the needs reported there, at the level members already see
    (needs.aggregates.city_table: suppressed below k, never finer). Sorted with the districts where needs
    are many and supporters few first; districts whose needs figure is hidden come last."""
    counts = Counter(supporters_visible_to(membership).values_list("district_id", flat=True))
    rows = [
        DistrictRow(district, counts.get(district.pk, 0), total)
        for district, _figures, total in city_table().rows()
    ]
    return sorted(rows, key=lambda r: (r.needs_per_supporter is None, -(r.needs_per_supporter or 0)))


def training_links(registration: Registration) -> dict[str, str] | None:
    """What the registrant's manage page offers after a course: their 受講証, and either their entry in the
    register or the invitation to join it. None when there is no live certificate."""
    from . import services

    certificate = (
        Certificate.objects.filter(registration=registration, revoked_at__isnull=True)
        .select_related("supporter", "event")
        .first()
    )
    if certificate is None:
        return None
    links = {"certificate_url": services.certificate_url(certificate), "supporter_url": "", "join_url": ""}
    live = Supporter.objects.filter(certificate=certificate, withdrawn_at__isnull=True).first()
    if live is not None:
        links["supporter_url"] = services.supporter_url(live)
    elif certificate.event.kind == EventKind.SUPPORTER_COURSE:
        links["join_url"] = services.join_url(certificate)
    return links
