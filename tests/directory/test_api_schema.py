"""The HSDS API answers as its served OpenAPI document says (issue 15, finding 10).

Schemathesis reads the document the site serves, generates requests from it (valid and invalid
parameters) and checks every answer against it (status codes, content type, response schemas), calling
the Django app through WSGI, a bounded number of examples per operation. The document points to Open
Referral's schema files on GitHub; the test resolves those references to the same files copied into
hsds_schemas/, so that it runs offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings

from tsunagari.wsgi import application

SCHEMAS = Path(__file__).parent / "hsds_schemas"
HSDS = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"


def _load(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def _offline(document: dict[str, Any]) -> dict[str, Any]:
    """The served document with its references to HSDS's schema files pointing to local copies."""
    service = _load("service_with_definitions.json")
    definitions = service.pop("definitions")
    local = {
        "compiled/service.json": service,
        "compiled/service_list.json": _load("service_list.json"),
        "compiled/organization_list.json": _load("organization_list.json"),
        "compiled/service_at_location_list.json": _load("service_at_location_list.json"),
        "compiled/organization.json": definitions["organization"],
        "compiled/service_at_location.json": definitions["service_at_location"],
        "taxonomy.json": definitions["taxonomy"],
        "taxonomy_term.json": definitions["taxonomy_term"],
    }
    text = json.dumps(document)
    for name in local:
        text = text.replace(json.dumps(HSDS + name), json.dumps(f"#/components/schemas/hsds_{_key(name)}"))
    assert HSDS not in text, "a reference to HSDS without a local copy"
    document = json.loads(text)
    schemas = {f"hsds_{_key(name)}": schema for name, schema in local.items()} | definitions
    schemas = json.loads(json.dumps(schemas).replace('"#/definitions/', '"#/components/schemas/'))
    document["components"]["schemas"] |= schemas
    return document


def _key(name: str) -> str:
    return name.removeprefix("compiled/").removesuffix(".json")


served = Client().get(
    "/api/hsds/openapi.json", HTTP_HOST="localhost"
)  # before pytest-django allows testserver
assert served.status_code == 200
schema = schemathesis.openapi.from_dict(_offline(served.json()))


@pytest.fixture(autouse=True)
def _one_connection_per_test():
    """Django closes the database connection at the end of each request; inside a test's transaction that
    would lose the test database on PostgreSQL. Django's own test client disconnects it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_api_conforms_to_its_openapi_document(case):
    case.call_and_validate(app=application)
