"""Writes to the directory: every change is checked, re-indexed for search and logged."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tsunagari.audit.services import log_action
from tsunagari.orgs.models import Membership, Organization, Role

from .models import ApiToken, DirectoryOrganization, Phone, Schedule, Service, TaxonomyTerm
from .search import index_services
from .selectors import services_editable_by


def _set_contact(service: Service, *, phone: str | None, hours: str | None) -> None:
    """The main phone number and hours, as the first Phone and Schedule of the service (HSDS)."""
    if phone is not None:
        first = service.phones.order_by("pk").first()
        if phone and first:
            first.number = phone
            first.save(update_fields=["number"])
        elif phone:
            Phone.objects.create(service=service, number=phone, type="voice")
        elif first:
            first.delete()
    if hours is not None:
        schedule = service.schedules.order_by("pk").first()
        if hours and schedule:
            schedule.description = hours
            schedule.save(update_fields=["description"])
        elif hours:
            Schedule.objects.create(service=service, description=hours)
        elif schedule:
            schedule.delete()


def _check_editable(service: Service, by: Membership) -> None:
    if not services_editable_by(by).filter(pk=service.pk).exists():
        raise PermissionDenied


@transaction.atomic
def update_service(*, service: Service, by: Membership, changes: dict[str, Any]) -> Service:
    _check_editable(service, by)
    categories = changes.pop("categories", None)
    districts = changes.pop("districts", None)
    phone, hours = changes.pop("phone", None), changes.pop("hours", None)
    if "availability" in changes and changes["availability"] != service.availability:
        service.availability_set_on = timezone.localdate()
    for name, value in changes.items():
        setattr(service, name, value)
    service.last_modified = timezone.now()
    service.assured_date = timezone.localdate()  # whoever edits an entry has just checked it
    service.assurer_email = by.user.email
    service.full_clean()
    service.save()
    if categories is not None:
        service.categories.set(categories)
    if districts is not None:
        service.districts.set(districts)
    _set_contact(service, phone=phone, hours=hours)
    index_services([service.pk])
    changed = sorted(
        [
            *changes,
            *(["categories"] if categories is not None else []),
            *(["districts"] if districts is not None else []),
        ]
    )
    log_action(service, actor=by, action="directory.service.updated", data={"fields": changed})
    return service


@transaction.atomic
def create_service(*, by: Membership, data: dict[str, Any]) -> Service:
    """A member's new service, under its directory entry (created on first use)."""
    if not by.has_role(Role.STAFF):
        raise PermissionDenied
    provider = DirectoryOrganization.objects.filter(member=by.organization).order_by("name").first()
    if provider is None:
        provider = DirectoryOrganization.objects.create(
            name=by.organization.name,
            description=by.organization.public_profile or by.organization.name,
            member=by.organization,
        )
    categories = data.pop("categories", [])
    districts = data.pop("districts", [])
    phone, hours = data.pop("phone", ""), data.pop("hours", "")
    service = Service(
        organization=provider, assured_date=timezone.localdate(), assurer_email=by.user.email, **data
    )
    service.full_clean()
    service.save()
    service.categories.set(categories)
    service.districts.set(districts)
    _set_contact(service, phone=phone, hours=hours)
    index_services([service.pk])
    log_action(service, actor=by, action="directory.service.created")
    return service


@transaction.atomic
def set_availability(*, service: Service, by: Membership, availability: str) -> Service:
    _check_editable(service, by)
    if availability not in Service.Availability.values:
        raise ValueError(availability)
    service.availability = availability
    service.availability_set_on = timezone.localdate()
    service.last_modified = timezone.now()
    service.save(update_fields=["availability", "availability_set_on", "last_modified"])
    log_action(
        service,
        actor=by,
        action="directory.service.availability_set",
        data={"availability": availability},
    )
    return service


@transaction.atomic
def confirm_service(*, service: Service, by: Membership) -> Service:
    """ "Still correct": the entry was checked today (resets the 180-day freshness clock)."""
    _check_editable(service, by)
    service.assured_date = timezone.localdate()
    service.assurer_email = by.user.email
    service.save(update_fields=["assured_date", "assurer_email"])
    log_action(service, actor=by, action="directory.service.confirmed")
    return service


@transaction.atomic
def update_category(*, term: TaxonomyTerm, by: Membership, changes: dict[str, Any]) -> TaxonomyTerm:
    if not by.is_coordinator:
        raise PermissionDenied
    for name, value in changes.items():
        setattr(term, name, value)
    term.full_clean()
    term.save()
    # Category names are part of services' search text and of the navigator's category phrases.
    index_services(term.services.values_list("pk", flat=True))
    log_action(term, actor=by, action="directory.category.updated", data={"fields": sorted(changes)})
    return term


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def issue_api_token(*, organization: Organization, name: str) -> tuple[ApiToken, str]:
    """A new API token for an active member organisation. The token is returned once; only its hash is kept."""
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise ValidationError("The token needs a name of 1 to 100 characters.")
    if not organization.is_active:
        raise ValidationError("The organisation is not active.")
    token = secrets.token_urlsafe(32)
    api_token = ApiToken.objects.create(organization=organization, name=name, token_hash=hash_token(token))
    log_action(api_token, actor=None, action="directory.api_token.created", organization=organization)
    return api_token, token
