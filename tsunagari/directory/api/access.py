"""Who the API caller is (an optional bearer token) and what the caller may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest

from ..models import ApiToken, DirectoryOrganization, Location, Phone, Schedule, Service, ServiceAtLocation
from ..selectors import services_visible_to_api
from ..services import hash_token


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def authenticate(request: HttpRequest) -> ApiToken | None:
    """The live token of an active member organisation sent as ``Authorization: Bearer …``; None when
    there is no Authorization header, a 401 ApiError for anything else."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(
            401, "Send the API token as 'Authorization: Bearer <token>', or no Authorization header."
        )
    api_token = ApiToken.objects.filter(
        token_hash=hash_token(token.strip()), revoked_at__isnull=True, organization__is_active=True
    ).first()
    if api_token is None:
        raise ApiError(401, "The API token is unknown or has been revoked.")
    return api_token


@dataclass(frozen=True)
class Access:
    token: ApiToken | None

    @property
    def services(self) -> QuerySet[Service]:
        """Services the API shows to this request (the rule: ``selectors.services_visible_to_api``)."""
        return services_visible_to_api(self.token)

    @property
    def organizations(self) -> QuerySet[DirectoryOrganization]:
        """Providers with at least one service this request may see (so none is known only from a
        members-only service)."""
        return DirectoryOrganization.objects.filter(pk__in=self.services.values("organization_id"))

    @property
    def locations(self) -> QuerySet[Location]:
        """Places linked to a service this request may see, or to no service at all."""
        linked = ServiceAtLocation.objects.filter(location=OuterRef("pk"))
        return Location.objects.filter(~Exists(linked) | Exists(linked.filter(service__in=self.services)))

    def shown(self, model: type[Phone] | type[Schedule]) -> QuerySet:
        """Phones or schedules, except those of a service, service-at-location or place this request
        may not see (a members-only shelter's number must not turn up under its provider)."""
        services, locations = self.services, self.locations
        return model._default_manager.filter(
            Q(service__isnull=True) | Q(service__in=services),
            Q(service_at_location__isnull=True) | Q(service_at_location__service__in=services),
            Q(location__isnull=True) | Q(location__in=locations),
        )
