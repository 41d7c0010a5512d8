"""The read-only HSDS 3.0 API (/api/hsds/), on the benchmark directory loaded by conftest.

Answers are validated against HSDS 3.0's compiled schemas (copied into hsds_schemas/), made strict: an object
may hold only the properties its schema names (plus the `attribution` extension on services), so a misspelt
field fails as surely as a missing one.
"""

from __future__ import annotations

import copy
import hashlib
import json
import uuid
from datetime import date, datetime
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker

from tests.conftest import client_for
from tsunagari.audit.models import ActivityLog
from tsunagari.directory.api.views import OPENAPI
from tsunagari.directory.hsds import _attribute_rows
from tsunagari.directory.models import (
    ApiToken,
    DirectoryOrganization,
    Location,
    Phone,
    Service,
    ServiceAtLocation,
    ServiceCategory,
    TaxonomyTerm,
)
from tsunagari.directory.search import matching
from tsunagari.directory.services import hash_token
from tsunagari.directory.taxonomy import CATEGORY_TAXONOMY_ID, DISTRICT_TAXONOMY_ID
from tsunagari.text.analysis import analyze

SCHEMAS = Path(__file__).parent / "hsds_schemas"
API = "/api/hsds"
LOCAL_SERVICES, NATIONAL_SCHEMES = 95, 122

# --- schemas -------------------------------------------------------------------------------------------


def _load(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def _strict(schema: Any) -> Any:
    """Every object schema closed to properties it does not name; services may add `attribution`."""
    if isinstance(schema, dict):
        schema = {key: _strict(value) for key, value in schema.items()}
        properties = schema.get("properties")
        if isinstance(properties, dict) and "type" in schema:
            if {"status", "organization_id", "last_modified"} <= properties.keys():
                properties["attribution"] = {"type": "string"}
            schema["additionalProperties"] = False
    elif isinstance(schema, list):
        schema = [_strict(item) for item in schema]
    return schema


FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


@FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or bool(urlsplit(value).scheme and urlsplit(value).netloc)


def _schemas() -> dict[str, dict[str, Any]]:
    nested = _load("service_with_definitions.json")
    definitions = nested.pop("definitions")
    definitions["service"] = nested
    organization = copy.deepcopy(definitions["organization"])
    organization["properties"]["services"] = {"type": "array", "items": _load("service_list.json")}
    full_organization = copy.deepcopy(definitions["organization"])
    full_organization["properties"]["services"] = {
        "type": "array",
        "items": {"$ref": "#/definitions/service"},
    }
    service_at_location = copy.deepcopy(definitions["service_at_location"])
    service_at_location["properties"]["service"] = {"$ref": "#/definitions/service"}
    roots = {
        "service": nested,
        "service_list": _load("service_list.json"),
        "organization": organization,
        "full_organization": full_organization,
        "organization_list": _load("organization_list.json"),
        "service_at_location": service_at_location,
        "service_at_location_list": _load("service_at_location_list.json"),
        "taxonomy": definitions["taxonomy"],
        "taxonomy_term": definitions["taxonomy_term"],
    }
    return {name: _strict(root | {"definitions": definitions}) for name, root in roots.items()}


SCHEMA = _schemas()
PAGE = json.loads(OPENAPI.read_text(encoding="utf-8"))["components"]["schemas"]["Page"]


def assert_valid(instance: Any, schema: str) -> None:
    validator = Draft202012Validator(SCHEMA[schema], format_checker=FORMATS)
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def assert_page(body: dict[str, Any], item_schema: str) -> None:
    page = PAGE | {
        "properties": PAGE["properties"] | {"contents": {"type": "array", "items": SCHEMA[item_schema]}},
        "required": [*PAGE["properties"], "contents"],
        "additionalProperties": False,
        "definitions": SCHEMA[item_schema]["definitions"],  # "#/definitions/…" resolves from the root
    }
    errors = list(Draft202012Validator(page, format_checker=FORMATS).iter_errors(body))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


# --- helpers -------------------------------------------------------------------------------------------


def get(client, path: str, token: str | None = None, **params: Any):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(API + path, params, headers=headers)


def ids(body: dict[str, Any]) -> set[str]:
    return {item["id"] for item in body["contents"]}


def public_services():
    return Service.objects.filter(visibility="public").exclude(status="defunct")


@pytest.fixture
def token(org_a) -> str:
    secret = "test-token-" + uuid.uuid4().hex
    ApiToken.objects.create(organization=org_a, name="partner system", token_hash=hash_token(secret))
    return secret


@pytest.fixture
def hidden(db) -> dict[str, Any]:
    """A provider whose only service is members-only (at a place of its own), and an ended service."""
    provider = DirectoryOrganization.objects.create(name="DVシェルター運営団体", description="非公開")
    service = Service.objects.create(
        organization=provider,
        name="緊急一時保護（会員限定）",
        visibility="members",
        last_modified=timezone.now(),
    )
    ServiceCategory.objects.create(service=service, term=TaxonomyTerm.objects.get(code="violence"))
    shelter = Location.objects.create(organization=provider, name="シェルター所在地")
    place = ServiceAtLocation.objects.create(service=service, location=shelter)
    ended = Service.objects.create(
        organization=DirectoryOrganization.objects.first(), name="終了した事業", status="defunct"
    )
    return {"provider": provider, "service": service, "place": place, "ended": ended}


# --- the envelope and pagination ------------------------------------------------------------------------


def test_root_gives_the_hsds_version_and_the_openapi_address(client, db):
    response = get(client, "/")
    assert response.status_code == 200
    assert response.json() == {"version": "3.0", "openapi_url": "http://testserver/api/hsds/openapi.json"}


def test_service_list_is_a_valid_hsds_page(client, db):
    total = LOCAL_SERVICES + NATIONAL_SCHEMES
    first = get(client, "/services", per_page=10).json()
    assert_page(first, "service_list")
    assert (first["total_items"], first["total_pages"], first["page_number"], first["size"]) == (
        total,
        22,
        1,
        10,
    )
    assert (first["first_page"], first["last_page"], first["empty"]) == (True, False, False)
    last = get(client, "/services", per_page=10, page=22).json()
    assert (last["size"], last["first_page"], last["last_page"]) == (7, False, True)
    assert get(client, "/services").json()["size"] == 50  # the default page size


def test_pages_cover_every_service_once(client, db):
    seen = [
        item["id"]
        for page in (1, 2)
        for item in get(client, "/services", per_page=200, page=page).json()["contents"]
    ]
    assert sorted(seen) == sorted(str(pk) for pk in public_services().values_list("pk", flat=True))


def test_an_empty_result_is_one_empty_page(client, db):
    body = get(client, "/services", search="ぬばたまの夜").json()
    assert body == {
        "total_items": 0, "total_pages": 0, "page_number": 1, "size": 0,
        "first_page": True, "last_page": True, "empty": True, "contents": [],
    }  # fmt: skip


# --- nested answers against the compiled schemas -----------------------------------------------------------


def test_every_service_validates_fully_nested(client, db):
    for page in (1, 2):
        body = get(client, "/services", per_page=200, page=page, full="true").json()
        assert_page(body, "service")


def test_service_detail_nests_places_categories_and_districts(client, db):
    service = Service.objects.get(name="高齢者の総合相談（北部地域包括支援センター）")
    response = get(client, f"/services/{service.pk}")
    assert response.status_code == 200
    body = response.json()
    assert_valid(body, "service")
    assert body["organization"]["id"] == str(service.organization_id)
    categories = [a for a in body["attributes"] if a["link_type"] == "category"]
    assert {a["id"] for a in categories} == {
        str(pk) for pk in ServiceCategory.objects.filter(service=service).values_list("pk", flat=True)
    }
    assert {a["taxonomy_term"]["code"] for a in categories} == set(
        service.categories.values_list("code", flat=True)
    )
    assert all(a["taxonomy_term"]["taxonomy_id"] == str(CATEGORY_TAXONOMY_ID) for a in categories)
    place = body["service_at_locations"][0]
    location = Location.objects.get(pk=place["location"]["id"])
    assert place["location"]["addresses"][0]["city"] == "架空市"
    [district] = place["location"]["attributes"]
    assert (district["link_type"], district["value"]) == ("district", location.district.name)
    assert district["taxonomy_term"]["taxonomy_id"] == str(DISTRICT_TAXONOMY_ID)


def test_attributes_carry_the_ids_of_the_tabular_export(client, db):
    exported = {str(row["id"]) for row in _attribute_rows()}
    body = get(client, "/services", per_page=200, full="true").json()
    seen = {a["id"] for s in body["contents"] for a in s["attributes"]}
    seen |= {
        a["id"]
        for s in body["contents"]
        for p in s["service_at_locations"]
        for a in p["location"]["attributes"]
    }
    assert seen and seen <= exported


def test_dates_and_national_scheme_attribution(client, db):
    scheme = Service.objects.filter(source="national").exclude(attribution="").first()
    body = get(client, f"/services/{scheme.pk}").json()
    assert body["attribution"] == scheme.attribution
    assert datetime.fromisoformat(body["last_modified"]) == scheme.last_modified
    local = Service.objects.filter(source="local", assured_date__isnull=False).first()
    assert (
        date.fromisoformat(get(client, f"/services/{local.pk}").json()["assured_date"]) == local.assured_date
    )


def test_organizations_validate_with_their_services(client, db):
    body = get(client, "/organizations", per_page=200).json()
    assert_page(body, "organization_list")
    assert body["total_items"] == public_services().values("organization").distinct().count()
    org = DirectoryOrganization.objects.get(name="架空市 福祉総務課")
    detail = get(client, f"/organizations/{org.pk}").json()
    assert_valid(detail, "organization")
    assert {s["id"] for s in detail["services"]} == {
        str(pk) for pk in org.services.values_list("pk", flat=True)
    }
    assert_valid(get(client, f"/organizations/{org.pk}", full_service="true").json(), "full_organization")
    assert_page(get(client, "/organizations", per_page=200, full_service="true").json(), "full_organization")


def test_service_at_locations_validate(client, db):
    body = get(client, "/service_at_locations", per_page=200).json()
    assert_page(body, "service_at_location_list")
    assert body["total_items"] == ServiceAtLocation.objects.count()
    assert_page(get(client, "/service_at_locations", per_page=200, full="true").json(), "service_at_location")
    place = ServiceAtLocation.objects.first()
    detail = get(client, f"/service_at_locations/{place.pk}").json()
    assert_valid(detail, "service_at_location")
    assert detail["service"]["id"] == str(place.service_id)


def test_taxonomies_and_terms_validate_and_filter(client, db):
    taxonomies = get(client, "/taxonomies").json()
    assert_page(taxonomies, "taxonomy")
    assert ids(taxonomies) == {str(CATEGORY_TAXONOMY_ID), str(DISTRICT_TAXONOMY_ID)}
    assert_valid(get(client, f"/taxonomies/{CATEGORY_TAXONOMY_ID}").json(), "taxonomy")
    terms = get(client, "/taxonomy_terms", per_page=200).json()
    assert_page(terms, "taxonomy_term")
    assert terms["total_items"] == TaxonomyTerm.objects.count()
    categories = get(client, "/taxonomy_terms", per_page=200, taxonomy_id=str(CATEGORY_TAXONOMY_ID)).json()
    assert categories["total_items"] == 27
    assert (
        get(client, "/taxonomy_terms", top_only="true").json()["total_items"]
        == TaxonomyTerm.objects.filter(parent=None).count()
    )
    term = TaxonomyTerm.objects.get(code="violence")
    assert_valid(get(client, f"/taxonomy_terms/{term.pk}").json(), "taxonomy_term")
    assert ids(get(client, "/taxonomy_terms", search="violence").json()) >= {str(term.pk)}


# --- filters ----------------------------------------------------------------------------------------------


def test_search_uses_the_japanese_full_text_index(client, db):
    body = get(client, "/services", search="介護", per_page=200).json()
    expected = {str(pk) for pk in matching(public_services(), analyze("介護")).values_list("pk", flat=True)}
    assert body["total_items"] > 0
    assert ids(body) == expected
    assert ids(get(client, "/services", search="ﾋｷｺﾓﾘ", per_page=200).json()) == ids(
        get(client, "/services", search="ひきこもり", per_page=200).json()
    )


def test_taxonomy_term_id_finds_the_services_of_a_category(client, db):
    term = TaxonomyTerm.objects.get(code="violence")
    body = get(client, "/services", taxonomy_term_id=str(term.pk), per_page=200).json()
    assert body["total_items"] > 0
    assert ids(body) == {
        str(pk) for pk in public_services().filter(categories=term).values_list("pk", flat=True)
    }


def test_taxonomy_term_id_of_a_district_finds_the_services_offered_there(client, db):
    location = Location.objects.exclude(district=None).first()
    term = TaxonomyTerm.objects.get(code=f"district_{location.district.code}")
    body = get(client, "/services", taxonomy_term_id=str(term.pk), per_page=200).json()
    expected = public_services().filter(service_at_locations__location__district=location.district)
    assert ids(body) == {str(pk) for pk in expected.values_list("pk", flat=True)}
    assert body["total_items"] > 0


def test_organization_id_and_taxonomy_id_filters(client, db):
    org = DirectoryOrganization.objects.get(name="架空市 福祉総務課")
    assert ids(get(client, "/services", organization_id=str(org.pk)).json()) == {
        str(pk) for pk in org.services.values_list("pk", flat=True)
    }
    categorised = get(client, "/services", taxonomy_id=str(CATEGORY_TAXONOMY_ID), per_page=1).json()
    assert categorised["total_items"] == public_services().filter(categories__isnull=False).distinct().count()


def test_modified_after(client, db):
    changed = Service.objects.filter(source="local").first()
    Service.objects.filter(pk=changed.pk).update(
        last_modified=datetime.fromisoformat("2030-01-02T10:00:00+09:00")
    )
    for value in ("2030-01-01", "2030-01-02T10:00:00+09:00", "2030-01-02T01:00:00Z"):
        assert ids(get(client, "/services", modified_after=value).json()) == {str(changed.pk)}, value
    # An unencoded "+" in a query string arrives as a space.
    response = client.get(API + "/services?modified_after=2030-01-02T10:00:00+09:00")
    assert ids(response.json()) == {str(changed.pk)}
    assert get(client, "/services", modified_after="2030-01-02T10:00:01+09:00").json()["empty"]
    minimal = get(client, "/services", modified_after="2030-01-01", minimal="true").json()
    assert minimal["contents"] == [
        {"id": str(changed.pk), "name": changed.name, "status": changed.status,
         "last_modified": "2030-01-02T10:00:00+09:00"}
    ]  # fmt: skip


# --- who sees what --------------------------------------------------------------------------------------


def test_members_only_services_and_their_provider_are_hidden_without_a_token(client, hidden):
    service, provider, place = hidden["service"], hidden["provider"], hidden["place"]
    assert get(client, "/services").json()["total_items"] == LOCAL_SERVICES + NATIONAL_SCHEMES
    dv = str(service.categories.get().pk)
    assert str(service.pk) not in ids(get(client, "/services", taxonomy_term_id=dv, per_page=200).json())
    assert get(client, f"/services/{service.pk}").status_code == 404
    assert str(provider.pk) not in ids(get(client, "/organizations", per_page=200).json())
    assert get(client, f"/organizations/{provider.pk}").status_code == 404
    assert str(place.pk) not in ids(get(client, "/service_at_locations", per_page=200).json())
    assert get(client, f"/service_at_locations/{place.pk}").status_code == 404
    assert get(client, f"/services/{hidden['ended'].pk}").status_code == 404


def test_a_valid_token_shows_members_only_services_but_never_ended_ones(client, hidden, token):
    service, provider, place = hidden["service"], hidden["provider"], hidden["place"]
    body = get(client, "/services", token, per_page=200, organization_id=str(provider.pk)).json()
    assert ids(body) == {str(service.pk)}
    detail = get(client, f"/services/{service.pk}", token)
    assert detail.status_code == 200
    assert_valid(detail.json(), "service")
    assert str(provider.pk) in ids(get(client, "/organizations", token, per_page=200).json())
    org = get(client, f"/organizations/{provider.pk}", token).json()
    assert [loc["id"] for loc in org["locations"]] == [str(place.location_id)]
    assert get(client, f"/service_at_locations/{place.pk}", token).status_code == 200
    assert get(client, f"/services/{hidden['ended'].pk}", token).status_code == 404
    assert get(client, "/services", token).json()["total_items"] == LOCAL_SERVICES + NATIONAL_SCHEMES + 1


def test_a_public_provider_does_not_show_a_place_used_only_by_members_only_services(client, hidden):
    public = DirectoryOrganization.objects.get(name="架空市 福祉総務課")
    Location.objects.filter(pk=hidden["place"].location_id).update(organization=public)
    locations = get(client, f"/organizations/{public.pk}").json()["locations"]
    assert str(hidden["place"].location_id) not in {loc["id"] for loc in locations}


def test_numbers_of_members_only_services_and_places_stay_hidden(client, hidden, token):
    public = DirectoryOrganization.objects.get(name="架空市 福祉総務課")
    shelter_line = Phone.objects.create(
        organization=public, location=hidden["place"].location, number="0857-00-9999"
    )
    place = ServiceAtLocation.objects.filter(service__organization=public).first()
    hotline = Phone.objects.create(location=place.location, service=hidden["service"], number="0857-00-9998")

    def numbers(token: str | None) -> set[str]:
        text = json.dumps(get(client, f"/organizations/{public.pk}", token, full_service="true").json())
        text += json.dumps(get(client, f"/service_at_locations/{place.pk}", token).json())
        return {n for n in (shelter_line.number, hotline.number) if n in text}

    assert numbers(None) == set()
    assert numbers(token) == {shelter_line.number, hotline.number}


def test_a_signed_in_member_without_a_token_sees_only_public_services(world, hidden):
    client = client_for(world["staff"])
    assert get(client, f"/services/{hidden['service'].pk}").status_code == 404


@pytest.mark.parametrize(
    "header",
    ["Bearer not-a-token", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc"],
)
def test_a_bad_authorization_header_is_refused(client, db, header):
    response = client.get(API + "/services", headers={"Authorization": header})
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_refused(client, token):
    ApiToken.objects.update(revoked_at=timezone.now())
    response = get(client, "/services", token)
    assert response.status_code == 401
    assert "revoked" in response.json()["message"]


def test_the_token_of_an_inactive_organisation_is_refused(client, token, org_a):
    org_a.is_active = False
    org_a.save()
    assert get(client, "/services", token).status_code == 401


def test_answers_vary_by_authorization_and_need_no_login(client, db):
    response = get(client, "/services", per_page=1)
    assert response.status_code == 200
    assert "Authorization" in response["Vary"]
    assert "Authorization" in get(client, "/services/not-a-uuid")["Vary"]


# --- errors ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/services", {"page": "0"}),
        ("/services", {"page": "two"}),
        ("/services", {"per_page": "0"}),
        ("/services", {"per_page": "201"}),
        ("/services", {"per_page": "1.5"}),
        ("/services", {"taxonomy_term_id": "dv"}),
        ("/services", {"taxonomy_id": "123"}),
        ("/services", {"organization_id": "x"}),
        ("/services", {"modified_after": "yesterday"}),
        ("/services", {"modified_after": "2026-02-30"}),
        ("/services", {"full": "maybe"}),
        ("/services", {"format": "ndjson"}),
        ("/service_at_locations", {"postcode": "000-0001"}),
        ("/service_at_locations", {"modified_after": "2026-13-01"}),
        ("/organizations", {"page": "-1"}),
        ("/taxonomy_terms", {"parent_id": "root"}),
    ],
)
def test_bad_parameters_are_a_json_400(client, db, path, params):
    response = get(client, path, **params)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == 400 and body["error"] == "Bad Request" and body["message"]


@pytest.mark.parametrize(
    "path", ["services", "organizations", "service_at_locations", "taxonomies", "taxonomy_terms"]
)
def test_an_unknown_id_is_a_json_404(client, db, path):
    response = get(client, f"/{path}/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_other_methods_are_refused_in_json(client, db):
    response = client.post(API + "/services")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response.json()["status"] == 405


# --- efficiency -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "limit"),
    [
        ("/services", {}, 2),
        ("/services", {"search": "相談", "taxonomy_id": str(CATEGORY_TAXONOMY_ID)}, 3),
        ("/services", {"full": "true"}, 22),
        ("/organizations", {}, 2),
        ("/organizations", {"full_service": "true"}, 30),
        ("/service_at_locations", {}, 2),
        ("/service_at_locations", {"full": "true"}, 30),
        ("/taxonomy_terms", {}, 2),
    ],
)
@pytest.mark.parametrize("per_page", [1, 50])
def test_list_queries_do_not_grow_with_the_page(
    client, db, django_assert_max_num_queries, path, params, limit, per_page
):
    with django_assert_max_num_queries(limit):
        response = get(client, path, per_page=per_page, **params)
    assert response.status_code == 200
    body = response.json()
    assert body["size"] == min(per_page, body["total_items"]) > 0


def test_a_token_costs_one_query(client, token, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert get(client, "/services", token, per_page=50).status_code == 200


# --- the OpenAPI document -------------------------------------------------------------------------------


def _api_routes() -> set[str]:
    resolver = get_resolver()
    [api] = [p for p in resolver.url_patterns if str(p.pattern) == "api/hsds/"]
    routes = {
        "/" + str(p.pattern).replace("<str:id>", "{id}")
        for p in api.url_patterns
        if isinstance(p, URLPattern)
    }
    return routes - {"/openapi.json"}


def test_openapi_document_is_served_and_matches_the_urls(client, db):
    response = client.get(reverse("hsds_api:openapi"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    spec = response.json()
    assert spec["openapi"].startswith("3.1")
    assert spec["servers"] == [{"url": "/api/hsds", "description": "This Tsunagari site"}]
    assert "link_type" in spec["info"]["description"] and "category" in spec["info"]["description"]
    assert set(spec["paths"]) == _api_routes()
    samples = {
        "services": Service.objects.first().pk,
        "organizations": DirectoryOrganization.objects.filter(services__isnull=False).first().pk,
        "service_at_locations": ServiceAtLocation.objects.first().pk,
        "taxonomies": CATEGORY_TAXONOMY_ID,
        "taxonomy_terms": TaxonomyTerm.objects.first().pk,
    }
    for path in spec["paths"]:
        url = path.replace("{id}", str(samples.get(path.split("/")[1], "")))
        assert get(client, url).status_code == 200, path
    implemented = {"search", "page", "per_page", "taxonomy_term_id", "taxonomy_id", "organization_id",
                   "modified_after", "minimal", "full", "full_service"}  # fmt: skip
    assert set(spec["components"]["parameters"]) == implemented


# --- create-api-token -------------------------------------------------------------------------------------


def test_create_api_token_prints_a_working_token_once(client, org_a, hidden):
    out, err = StringIO(), StringIO()
    call_command("create_api_token", org=org_a.slug, name="区役所システム", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    assert len(secret) >= 43 and secret not in err.getvalue()
    stored = ApiToken.objects.get(organization=org_a)
    assert stored.name == "区役所システム"
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert get(client, f"/services/{hidden['service'].pk}", secret).status_code == 200
    assert ActivityLog.objects.filter(action="directory.api_token.created", object_id=str(stored.pk)).exists()


def test_create_api_token_refuses_an_unknown_or_inactive_organisation(org_a):
    with pytest.raises(CommandError):
        call_command("create_api_token", org="no-such-org", name="x", stdout=StringIO(), stderr=StringIO())
    org_a.is_active = False
    org_a.save()
    with pytest.raises(CommandError):
        call_command("create_api_token", org=org_a.slug, name="x", stdout=StringIO(), stderr=StringIO())
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/services/not-a-uuid",
        "/organizations/123",
        "/service_at_locations/x",
        "/taxonomies/x",
        "/taxonomy_terms/x",
    ],
)
def test_an_id_that_is_not_a_uuid_names_nothing(client, db, path):
    response = get(client, path)
    assert response.status_code == 404 and response.json()["status"] == 404


def test_a_page_past_the_last_is_empty_and_calendar_edges_are_dates(client, db):
    body = get(client, "/services", page="99").json()
    assert (body["page_number"], body["empty"], body["contents"]) == (99, True, [])
    assert get(client, "/services", modified_after="0001-01-01T00:00:00+09:00").json()["total_items"] > 0
    assert get(client, "/services", modified_after="9999-12-31T23:59:59-09:00").json()["total_items"] == 0


def test_minimal_services_keep_the_fields_hsds_requires(client, db):
    body = get(client, "/services", minimal="true", per_page="200").json()
    required = set(_load("service_list.json")["required"])
    assert body["contents"] and all(required <= set(item) for item in body["contents"])
    assert all(set(item) == {"id", "name", "status", "last_modified"} for item in body["contents"])


@pytest.mark.parametrize("path", ["/services", "/organizations", "/taxonomies", "/taxonomy_terms"])
def test_a_search_longer_than_anyone_types_is_a_clear_400(client, db, path):
    response = get(client, path, search="x" * 60_000)
    assert response.status_code == 400, response.content
    assert "at most 200 characters" in response.json()["message"]
    assert get(client, path, search="x" * 200).status_code == 200


@pytest.mark.parametrize("path", ["/services", "/organizations", "/taxonomies", "/taxonomy_terms"])
@pytest.mark.parametrize("param", ["search", "page", "format", "unknown"])
def test_a_parameter_with_a_nul_character_is_a_clear_400(client, db, path, param):
    """Found by Schemathesis on PostgreSQL, which refuses NUL in text (it answered 500)."""
    response = get(client, path, **{param: "1\x00"})
    assert response.status_code == 400, response.content
    assert "NUL" in response.json()["message"]
