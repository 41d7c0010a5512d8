"""HSDS 3.0 JSON for the API: each object's scalar fields are the HSDS tabular columns of the descriptor
that import and export use (hsds.py); categories and districts come back as HSDS attributes with the same
ids as in an exported package. Empty optional fields are left out (the HSDS schemas do not allow null).
Also the querysets that load nested answers in a constant number of queries."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, TypeVar

from django.db import models
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from ..hsds import DESCRIPTOR, MODELS, _attname, _attribute_rows
from ..models import (
    Address,
    DirectoryOrganization,
    Language,
    Location,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from .access import Access

T = TypeVar("T")

# --- serialising -------------------------------------------------------------------------------------

Column = tuple[str, str, str, bool]  # HSDS column, model attribute, type, required


@cache
def _columns() -> dict[str, list[Column]]:
    """Each resource's columns from the HSDS tabular descriptor, as import and export read them."""
    descriptor = json.loads(DESCRIPTOR.read_text(encoding="utf-8"))
    return {
        resource["name"]: [
            (
                field["name"],
                _attname(resource["name"], field["name"], MODELS[resource["name"]]) or field["name"],
                field.get("type", "string"),
                bool(field.get("constraints", {}).get("required")),
            )
            for field in resource["schema"]["fields"]
        ]
        for resource in descriptor["resources"]
    }


def json_value(value: Any, kind: str) -> Any:
    if value is None or value == "":
        return None
    if kind in ("number", "integer"):  # HSDS numbers held as text here (schedule timezone, phone extension)
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return None
        if not number.is_finite():
            return None
        return int(number) if number == number.to_integral_value() else float(number)
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


# Who confirmed an entry is a staff member's personal e-mail: kept inside the platform.
PRIVATE_COLUMNS = {("service", "assurer_email")}


def _scalars(resource: str, source: models.Model | dict[str, Any]) -> dict[str, Any]:
    """The object's HSDS columns; empty optional ones left out, empty required ones as ""."""
    data: dict[str, Any] = {}
    for column, attname, kind, required in _columns()[resource]:
        if (resource, column) in PRIVATE_COLUMNS:
            continue
        raw = source.get(column) if isinstance(source, dict) else getattr(source, attname, None)
        value = json_value(raw, kind)
        if value is not None:
            data[column] = value
        elif required:
            data[column] = ""
    return data


def taxonomy_json(taxonomy: Taxonomy) -> dict[str, Any]:
    return _scalars("taxonomy", taxonomy)


def term_json(term: TaxonomyTerm) -> dict[str, Any]:
    data = _scalars("taxonomy_term", term)
    if term.taxonomy_ref is not None:
        data["taxonomy_detail"] = taxonomy_json(term.taxonomy_ref)
    return data


class Attributes:
    """Every HSDS attribute (categories, districts and the rest, as the export writes them) by the id of
    the object it describes, each with its taxonomy term. Loaded only for nested answers."""

    def __init__(self) -> None:
        rows = _attribute_rows()
        terms = TaxonomyTerm.objects.select_related("taxonomy_ref").in_bulk(
            {row["taxonomy_term_id"] for row in rows}
        )
        term_data = {pk: term_json(term) for pk, term in terms.items()}
        self._by_link: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            item = _scalars("attribute", row)
            if row["taxonomy_term_id"] in term_data:
                item["taxonomy_term"] = term_data[row["taxonomy_term_id"]]
            self._by_link[row["link_id"]].append(item)

    def of(self, obj: models.Model) -> list[dict[str, Any]]:
        return self._by_link.get(obj.pk, [])


def each(
    objects: Iterable[T], serialize: Callable[[T, Attributes], dict[str, Any]], attrs: Attributes
) -> list[dict[str, Any]]:
    return [serialize(obj, attrs) for obj in objects]


def _language(language: Language, attrs: Attributes) -> dict[str, Any]:
    return _scalars("language", language) | {"attributes": attrs.of(language)}


def _phone(phone: Phone, attrs: Attributes) -> dict[str, Any]:
    return _scalars("phone", phone) | {
        "languages": each(phone.languages.all(), _language, attrs),
        "attributes": attrs.of(phone),
    }


def _schedule(schedule: Schedule, attrs: Attributes) -> dict[str, Any]:
    return _scalars("schedule", schedule) | {"attributes": attrs.of(schedule)}


def _address(address: Address, attrs: Attributes) -> dict[str, Any]:
    return _scalars("address", address) | {"attributes": attrs.of(address)}


def _service_area(area: ServiceArea, attrs: Attributes) -> dict[str, Any]:
    return _scalars("service_area", area) | {"attributes": attrs.of(area)}


def location_json(location: Location, attrs: Attributes) -> dict[str, Any]:
    return _scalars("location", location) | {
        "languages": each(location.languages.all(), _language, attrs),
        "addresses": each(location.addresses.all(), _address, attrs),
        "phones": each(location.phones.all(), _phone, attrs),
        "schedules": each(location.schedules.all(), _schedule, attrs),
        "attributes": attrs.of(location),
    }


def organization_summary(org: DirectoryOrganization) -> dict[str, Any]:
    return _scalars("organization", org)


def organization_json(
    org: DirectoryOrganization, attrs: Attributes, *, services: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """An organisation with its own phones; with its locations and services when given (prefetched as
    ``shown_locations`` and ``shown_services`` by ``organizations_nested``)."""
    data = organization_summary(org) | {
        "phones": each(org.phones.all(), _phone, attrs),
        "attributes": attrs.of(org),
    }
    if hasattr(org, "shown_locations"):
        data["locations"] = each(org.shown_locations, location_json, attrs)
    if services is not None:
        data["services"] = services
    return data


def service_summary(service: Service) -> dict[str, Any]:
    """A service's own fields and its organisation's (HSDS compiled/service_list.json)."""
    data = _scalars("service", service) | {"organization": organization_summary(service.organization)}
    if service.attribution:  # a platform extension: CC BY sources must be named wherever shown
        data["attribution"] = service.attribution
    return data


def service_at_location_summary(sal: ServiceAtLocation) -> dict[str, Any]:
    """HSDS compiled/service_at_location_list.json."""
    return _scalars("service_at_location", sal) | {
        "location": _scalars("location", sal.location),
        "service": service_summary(sal.service),
    }


def service_at_location_json(
    sal: ServiceAtLocation, attrs: Attributes, *, service: dict[str, Any] | None = None
) -> dict[str, Any]:
    data = _scalars("service_at_location", sal) | {
        "phones": each(sal.phones.all(), _phone, attrs),
        "schedules": each(sal.schedules.all(), _schedule, attrs),
        "location": location_json(sal.location, attrs),
        "attributes": attrs.of(sal),
    }
    if service is not None:
        data["service"] = service
    return data


def service_json(service: Service, attrs: Attributes, *, with_locations: bool = True) -> dict[str, Any]:
    """A fully nested service (HSDS compiled/service.json); prefetched by ``services_nested``."""
    data = service_summary(service) | {
        "organization": organization_json(service.organization, attrs),
        "phones": each(service.phones.all(), _phone, attrs),
        "schedules": each(service.schedules.all(), _schedule, attrs),
        "service_areas": each(service.service_areas.all(), _service_area, attrs),
        "languages": each(service.languages.all(), _language, attrs),
        "attributes": attrs.of(service),
    }
    if with_locations:
        data["service_at_locations"] = each(
            service.service_at_locations.all(), service_at_location_json, attrs
        )
    return data


# --- querysets for nested answers (a constant number of queries, whatever the page size) -------------


def _by_pk(lookup: str, model: type[models.Model]) -> Prefetch:
    return Prefetch(lookup, queryset=model._default_manager.order_by("pk"))


def _phones(lookup: str, access: Access, **filters: Any) -> Prefetch:
    phones = access.shown(Phone).filter(**filters).order_by("pk")
    return Prefetch(lookup, queryset=phones.prefetch_related(_by_pk("languages", Language)))


def _schedules(lookup: str, access: Access) -> Prefetch:
    return Prefetch(lookup, queryset=access.shown(Schedule).order_by("pk"))


def _location_parts(prefix: str, access: Access) -> list[Prefetch]:
    return [
        _by_pk(f"{prefix}languages", Language),
        _by_pk(f"{prefix}addresses", Address),
        _phones(f"{prefix}phones", access),
        _schedules(f"{prefix}schedules", access),
    ]


def _organization_phones(prefix: str, access: Access) -> Prefetch:
    """An organisation's own numbers; those of a service go with that service."""
    return _phones(f"{prefix}phones", access, service__isnull=True, service_at_location__isnull=True)


def services_nested(
    qs: QuerySet[Service], access: Access, *, with_locations: bool = True
) -> QuerySet[Service]:
    qs = qs.select_related("organization").prefetch_related(
        _organization_phones("organization__", access),
        _phones("phones", access),
        _schedules("schedules", access),
        _by_pk("service_areas", ServiceArea),
        _by_pk("languages", Language),
    )
    if with_locations:
        places = places_nested(ServiceAtLocation.objects.order_by("pk"), access)
        qs = qs.prefetch_related(Prefetch("service_at_locations", queryset=places))
    return qs


def places_nested(qs: QuerySet[ServiceAtLocation], access: Access) -> QuerySet[ServiceAtLocation]:
    """Services at locations with their place, phones and hours (not their service)."""
    return qs.select_related("location").prefetch_related(
        *_location_parts("location__", access), _phones("phones", access), _schedules("schedules", access)
    )


def organizations_nested(
    qs: QuerySet[DirectoryOrganization], access: Access, *, full_service: bool
) -> QuerySet[DirectoryOrganization]:
    services = access.services.order_by("name", "pk")
    services = services_nested(services, access) if full_service else services.select_related("organization")
    locations = access.locations.order_by("pk").prefetch_related(*_location_parts("", access))
    return qs.prefetch_related(
        _organization_phones("", access),
        Prefetch("locations", queryset=locations, to_attr="shown_locations"),
        Prefetch("services", queryset=services, to_attr="shown_services"),
    )


def organization_with_services(
    org: DirectoryOrganization, attrs: Attributes, full_service: bool
) -> dict[str, Any]:
    shown: list[Service] = org.shown_services  # type: ignore[attr-defined]
    services = (
        [service_json(s, attrs) for s in shown] if full_service else [service_summary(s) for s in shown]
    )
    return organization_json(org, attrs, services=services)


def with_service(qs: QuerySet[ServiceAtLocation], access: Access) -> QuerySet[ServiceAtLocation]:
    services = services_nested(access.services, access, with_locations=False)
    return qs.prefetch_related(Prefetch("service", queryset=services))


def place_with_service(sal: ServiceAtLocation, attrs: Attributes) -> dict[str, Any]:
    """A fully nested service_at_location (HSDS compiled/service_at_location.json)."""
    service = service_json(sal.service, attrs, with_locations=False)
    return service_at_location_json(sal, attrs, service=service)
