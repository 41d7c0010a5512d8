"""The endpoints of the HSDS API: the api_view decorator, parameter parsing, pagination and filters."""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache, wraps
from http import HTTPStatus
from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt

from tsunagari.pagecache import public_page
from tsunagari.text.analysis import analyze

from ..models import (
    Attribute,
    DirectoryOrganization,
    Service,
    ServiceAtLocation,
    ServiceCategory,
    Taxonomy,
    TaxonomyTerm,
)
from ..search import matching
from ..taxonomy import DISTRICT_CODE_PREFIX
from .access import Access, ApiError, authenticate
from .serializers import (
    Attributes,
    each,
    json_value,
    organization_summary,
    organization_with_services,
    organizations_nested,
    place_with_service,
    places_nested,
    service_at_location_summary,
    service_json,
    service_summary,
    services_nested,
    taxonomy_json,
    term_json,
    with_service,
)

HSDS_VERSION = "3.0"
OPENAPI = Path(__file__).parent.parent / "data" / "hsds_openapi.json"
PER_PAGE_DEFAULT = 50
PER_PAGE_MAX = 200
MAX_PAGE = 1_000_000
EARLIEST, LATEST = datetime(1, 1, 2, tzinfo=UTC), datetime(9999, 12, 30, tzinfo=UTC)


def _error(status: int, message: str) -> JsonResponse:
    response = JsonResponse(
        {"status": status, "error": HTTPStatus(status).phrase, "message": message}, status=status
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="hsds", error="invalid_token"'
    return response


def api_view(view: Callable[..., dict[str, Any]]) -> Callable[..., HttpResponse]:
    """A public GET endpoint answering JSON; the view gets the request's Access and returns a dict."""

    @login_not_required
    @csrf_exempt  # nothing here changes anything; other methods get a JSON 405 rather than a CSRF page
    @wraps(view)
    @public_page
    def wrapper(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        response: HttpResponse
        if request.method not in ("GET", "HEAD"):
            response = _error(405, "This API is read-only: use GET.")
            response["Allow"] = "GET, HEAD"
        else:
            try:
                _refuse_nul(request)
                access = Access(token=authenticate(request))
                response = JsonResponse(
                    view(request, access, **kwargs), json_dumps_params={"ensure_ascii": False}
                )
            except ApiError as error:
                response = _error(error.status, error.message)
        patch_vary_headers(response, ["Authorization"])
        return response

    return wrapper


def _refuse_nul(request: HttpRequest) -> None:
    """No text holds a NUL character, and PostgreSQL refuses one in a query (it answered 500): any
    parameter or path carrying one is a clear 400, checked once here for every endpoint."""
    if "\x00" in request.path or any(
        "\x00" in name or any("\x00" in value for value in values) for name, values in request.GET.lists()
    ):
        raise ApiError(400, "Parameters must not contain NUL characters.")


# --- parameters --------------------------------------------------------------------------------------


# A parameter that is present is checked, even when empty: "?page=" or "?taxonomy_id=" is a mistake to
# report, as the OpenAPI document says (an integer, a UUID), not a silent default.


def _int(request: HttpRequest, name: str, *, default: int, low: int, high: int) -> int:
    if name not in request.GET:
        return default
    raw = request.GET[name]
    value = int(raw) if re.fullmatch(r"[+-]?[0-9]{1,18}", raw) else low - 1
    if not low <= value <= high:
        raise ApiError(400, f"{name} must be a whole number from {low} to {high}.")
    return value


def _uuid(raw: str, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw.strip())
    except ValueError:
        raise ApiError(400, f"{name} must be a UUID, such as 91600f53-863a-51ba-9ecd-db4fff7bd206.") from None


def _path_id(raw: str, kind: str) -> uuid.UUID:
    """An id in the path that is not a UUID names nothing: 404, as for an unknown UUID."""
    try:
        return uuid.UUID(raw.strip())
    except ValueError:
        raise ApiError(404, f"No {kind} with this id.") from None


def _uuid_param(request: HttpRequest, name: str) -> uuid.UUID | None:
    return _uuid(request.GET[name], name) if name in request.GET else None


def _bool(request: HttpRequest, name: str) -> bool:
    raw = request.GET.get(name, "false").strip().lower()
    if raw in ("false", "0", "no"):
        return False
    if raw in ("true", "1", "yes"):
        return True
    raise ApiError(400, f"{name} must be true or false.")


def _modified_after(request: HttpRequest) -> datetime | None:
    if "modified_after" not in request.GET:
        return None
    raw = request.GET["modified_after"].strip()
    # An unencoded "+09:00" in a query string arrives as " 09:00".
    for text in (raw, raw.replace(" ", "+")):
        try:
            parsed = parse_datetime(text)
            if parsed is None and (day := parse_date(text)) is not None:
                parsed = datetime(day.year, day.month, day.day)  # noqa: DTZ001 - made aware below
            if parsed is None:
                continue
            aware = timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed
        except (ValueError, OverflowError):
            continue
        try:  # in UTC: PostgreSQL takes offsets up to ±15:59 only, RFC 3339 allows up to ±23:59
            return aware.astimezone(UTC)
        except (ValueError, OverflowError):  # a valid date-time at the edge of the calendar
            return EARLIEST if aware.year < 2 else LATEST
    raise ApiError(
        400,
        "modified_after must be an ISO 8601 date or date-time, such as 2026-04-01 or 2026-04-01T09:00:00+09:00.",
    )


def _json_only(request: HttpRequest) -> None:
    if request.GET.get("format", "json").strip().lower() not in ("", "json"):
        raise ApiError(400, "Only format=json is supported.")


def _paginate(
    request: HttpRequest, qs: QuerySet, serialize: Callable[[list[Any]], list[dict[str, Any]]]
) -> dict[str, Any]:
    """The HSDS Page envelope around one page of ``qs`` (a page past the last one is empty)."""
    _json_only(request)
    per_page = _int(request, "per_page", default=PER_PAGE_DEFAULT, low=1, high=PER_PAGE_MAX)
    page = _int(request, "page", default=1, low=1, high=MAX_PAGE)
    total = qs.count()
    total_pages = math.ceil(total / per_page)
    contents = serialize(list(qs[(page - 1) * per_page : page * per_page]))
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


# --- filters -----------------------------------------------------------------------------------------


def _linked_to(terms: QuerySet[TaxonomyTerm]) -> Q:
    """Services linked to any of the terms the way HSDS sees it: a category, an attribute of the service,
    or (for a district term) being offered at a location in that district."""
    linked = Q(pk__in=ServiceCategory.objects.filter(term__in=terms).values("service_id")) | Q(
        pk__in=Attribute.objects.filter(link_entity="service", taxonomy_term__in=terms).values("link_id")
    )
    districts = [
        code.removeprefix(DISTRICT_CODE_PREFIX)
        for code in terms.filter(code__startswith=DISTRICT_CODE_PREFIX).values_list("code", flat=True)
    ]
    if districts:
        at = ServiceAtLocation.objects.filter(location__district__code__in=districts)
        linked |= Q(pk__in=at.values("service_id"))
    return linked


def _filtered_services(request: HttpRequest, access: Access) -> QuerySet[Service]:
    """The visible services narrowed by search, taxonomy_term_id, taxonomy_id, organization_id and
    modified_after (all parameters are checked before anything is queried)."""
    search = _search_param(request)
    term_id = _uuid_param(request, "taxonomy_term_id")
    taxonomy_id = _uuid_param(request, "taxonomy_id")
    organization_id = _uuid_param(request, "organization_id")
    after = _modified_after(request)
    qs = access.services
    if search:
        qs = matching(qs, analyze(search))
    if term_id is not None:
        qs = qs.filter(_linked_to(TaxonomyTerm.objects.filter(pk=term_id)))
    if taxonomy_id is not None:
        qs = qs.filter(_linked_to(TaxonomyTerm.objects.filter(taxonomy_ref_id=taxonomy_id)))
    if organization_id is not None:
        qs = qs.filter(organization_id=organization_id)
    if after is not None:
        qs = qs.filter(last_modified__gte=after)
    return qs


# Longer than any name or question; SQLite refuses LIKE patterns past 50,000 bytes, and nobody searches so.
MAX_SEARCH = 200


def _search_param(request: HttpRequest) -> str:
    search = request.GET.get("search", "").strip()
    if len(search) > MAX_SEARCH:
        raise ApiError(400, f"search must be at most {MAX_SEARCH} characters.")
    return search


def _contains(search: str, *fields: str) -> Q:
    q = Q()
    for field in fields:
        q |= Q(**{f"{field}__icontains": search})
    return q


# --- views -------------------------------------------------------------------------------------------


@api_view
def root(request: HttpRequest, access: Access) -> dict[str, Any]:
    return {
        "version": HSDS_VERSION,
        "openapi_url": request.build_absolute_uri(reverse("hsds_api:openapi")),
    }


@cache
def _openapi_bytes() -> bytes:
    return OPENAPI.read_bytes()


@login_not_required
def openapi(request: HttpRequest) -> HttpResponse:
    """The HSDS openapi.json trimmed to what this API implements, with its server and notes."""
    if request.method not in ("GET", "HEAD"):
        response = _error(405, "This API is read-only: use GET.")
        response["Allow"] = "GET, HEAD"
        return response
    return HttpResponse(_openapi_bytes(), content_type="application/json")


@api_view
def service_list(request: HttpRequest, access: Access) -> dict[str, Any]:
    minimal, full = _bool(request, "minimal"), _bool(request, "full")
    qs = _filtered_services(request, access).order_by("name", "pk")
    if minimal:
        return _paginate(
            request,
            qs.values_list("pk", "name", "status", "last_modified"),
            lambda rows: [  # the fields HSDS requires of a service, and when it last changed
                {
                    "id": str(pk),
                    "name": name,
                    "status": status,
                    "last_modified": json_value(modified, "datetime"),
                }
                for pk, name, status, modified in rows
            ],
        )
    if full:
        qs = services_nested(qs, access)
        return _paginate(request, qs, lambda page: each(page, service_json, Attributes()))
    return _paginate(
        request, qs.select_related("organization"), lambda page: [service_summary(s) for s in page]
    )


@api_view
def service_detail(request: HttpRequest, access: Access, id: str) -> dict[str, Any]:
    service = services_nested(access.services, access).filter(pk=_path_id(id, "service")).first()
    if service is None:
        raise ApiError(404, "No service with this id.")
    return service_json(service, Attributes())


@api_view
def organization_list(request: HttpRequest, access: Access) -> dict[str, Any]:
    full, full_service = _bool(request, "full"), _bool(request, "full_service")
    qs = access.organizations.order_by("name", "pk")
    if search := _search_param(request):
        qs = qs.filter(_contains(search, "name", "alternate_name", "description"))
    if not (full or full_service):
        return _paginate(request, qs, lambda page: [organization_summary(o) for o in page])
    qs = organizations_nested(qs, access, full_service=full_service)

    def serialize(page: list[DirectoryOrganization]) -> list[dict[str, Any]]:
        attrs = Attributes()
        return [organization_with_services(org, attrs, full_service) for org in page]

    return _paginate(request, qs, serialize)


@api_view
def organization_detail(request: HttpRequest, access: Access, id: str) -> dict[str, Any]:
    full_service = _bool(request, "full_service")
    pk = _path_id(id, "organization")
    org = organizations_nested(access.organizations, access, full_service=full_service).filter(pk=pk).first()
    if org is None:
        raise ApiError(404, "No organization with this id.")
    return organization_with_services(org, Attributes(), full_service)


def _service_at_locations(request: HttpRequest, access: Access) -> QuerySet[ServiceAtLocation]:
    for unsupported in ("postcode", "proximity"):
        if request.GET.get(unsupported, "").strip():
            raise ApiError(400, f"{unsupported} is not supported: the directory holds no coordinates.")
    services = _filtered_services(request, access)
    return ServiceAtLocation.objects.filter(service__in=services)


@api_view
def service_at_location_list(request: HttpRequest, access: Access) -> dict[str, Any]:
    full = _bool(request, "full")
    qs = _service_at_locations(request, access).order_by("service__name", "pk")
    if not full:
        qs = qs.select_related("location", "service__organization")
        return _paginate(request, qs, lambda page: [service_at_location_summary(sal) for sal in page])
    qs = with_service(places_nested(qs, access), access)

    def serialize(page: list[ServiceAtLocation]) -> list[dict[str, Any]]:
        attrs = Attributes()
        return [place_with_service(sal, attrs) for sal in page]

    return _paginate(request, qs, serialize)


@api_view
def service_at_location_detail(request: HttpRequest, access: Access, id: str) -> dict[str, Any]:
    pk = _path_id(id, "service_at_location")
    qs = ServiceAtLocation.objects.filter(pk=pk, service__in=access.services)
    sal = with_service(places_nested(qs, access), access).first()
    if sal is None:
        raise ApiError(404, "No service_at_location with this id.")
    return place_with_service(sal, Attributes())


@api_view
def taxonomy_list(request: HttpRequest, access: Access) -> dict[str, Any]:
    qs = Taxonomy.objects.order_by("name", "pk")
    if search := _search_param(request):
        qs = qs.filter(_contains(search, "name", "description"))
    return _paginate(request, qs, lambda page: [taxonomy_json(t) for t in page])


@api_view
def taxonomy_detail(request: HttpRequest, access: Access, id: str) -> dict[str, Any]:
    taxonomy = Taxonomy.objects.filter(pk=_path_id(id, "taxonomy")).first()
    if taxonomy is None:
        raise ApiError(404, "No taxonomy with this id.")
    return taxonomy_json(taxonomy)


@api_view
def taxonomy_term_list(request: HttpRequest, access: Access) -> dict[str, Any]:
    taxonomy_id = _uuid_param(request, "taxonomy_id")
    parent_id = _uuid_param(request, "parent_id")
    top_only = _bool(request, "top_only")
    qs = TaxonomyTerm.objects.select_related("taxonomy_ref").order_by("taxonomy", "sort_order", "code", "pk")
    if search := _search_param(request):
        qs = qs.filter(_contains(search, "name", "name_en", "code", "description"))
    if taxonomy_id is not None:
        qs = qs.filter(taxonomy_ref_id=taxonomy_id)
    if parent_id is not None:
        qs = qs.filter(parent_id=parent_id)
    if top_only:
        qs = qs.filter(parent__isnull=True)
    return _paginate(request, qs, lambda page: [term_json(t) for t in page])


@api_view
def taxonomy_term_detail(request: HttpRequest, access: Access, id: str) -> dict[str, Any]:
    term = (
        TaxonomyTerm.objects.select_related("taxonomy_ref").filter(pk=_path_id(id, "taxonomy term")).first()
    )
    if term is None:
        raise ApiError(404, "No taxonomy term with this id.")
    return term_json(term)
