"""Shared fixtures. Every test world has two ordinary organisations with data, plus the secretariat,
so that a leak has something to leak."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import MembershipFactory, OrganizationFactory, make_member
from tsunagari.orgs.models import Membership, Organization, Role


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database holds the benchmark city's districts and directory (95 local services and
    122 national schemes), imported and indexed once per session, as after `tsunagari demo`."""
    from tsunagari.demo import DEMO_DATA, load_directory
    from tsunagari.orgs.districts import load_districts

    with django_db_blocker.unblock():
        load_districts(DEMO_DATA / "districts.csv")
        load_directory()


def _is_transactional(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return "transactional_db" in request.fixturenames


@pytest.fixture(autouse=True)
def _audit_log_survives_flush(request):
    """Transactional tests end with a flush (DELETE or TRUNCATE of every table), which the activity log's
    append-only triggers refuse. Lift them for the flush only, and give each such test the lanes' heads, the
    triggers and the kinds of information (seeded by a migration, emptied by the flush) back, as after
    `migrate`."""
    if not _is_transactional(request):
        yield
        return
    request.getfixturevalue("transactional_db")
    from importlib import import_module

    from django.db import connection

    from tsunagari.audit.services import ensure_lanes

    lanes = import_module("tsunagari.audit.migrations.0004_lanes")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name LIKE 'audit_%'"
            )
            if cursor.fetchone()[0] == 0:
                for sql in lanes.SQLITE_TRIGGERS:
                    cursor.execute(sql)
        else:
            cursor.execute("SET session_replication_role = DEFAULT")
    ensure_lanes()
    _seed_info_kinds()
    _seed_meeting_kinds()
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name LIKE 'audit_%'"
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f"DROP TRIGGER {name}")
        else:
            # Session-wide (the flush runs on this connection next); the next transactional test resets it.
            cursor.execute("SET session_replication_role = replica")


def _seed_info_kinds() -> None:
    from importlib import import_module

    from tsunagari.cases.models import InfoKind

    seeded = import_module("tsunagari.cases.migrations.0010_info_kinds_and_consent_details")
    for code, name_ja, name_en, position in seeded.KINDS:
        InfoKind.objects.get_or_create(
            code=code, defaults={"name_ja": name_ja, "name_en": name_en, "position": position}
        )


def _seed_meeting_kinds() -> None:
    from importlib import import_module

    from django.apps import apps

    seeded = import_module("tsunagari.meetings.migrations.0002_meeting_kinds")
    seeded.seed(apps, None)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_kept_public_pages():
    """Each test starts with no public page kept in memory (tsunagari/pagecache.py): a page kept by an
    earlier test would show that test's data; nor with a part of a page kept (tsunagari/fragments.py), nor a
    count query kept for a member of an earlier test (tsunagari/today.py), whose ids a new member may reuse."""
    from tsunagari import fragments, pagecache, today

    pagecache.clear()
    fragments.clear()
    today.clear_kept_queries()
    yield
    pagecache.clear()
    fragments.clear()
    today.clear_kept_queries()


@pytest.fixture
def secretariat(db) -> Organization:
    return OrganizationFactory(slug="jimukyoku", name="架空市 事務局", is_secretariat=True, kind="city")


@pytest.fixture
def org_a(db) -> Organization:
    return OrganizationFactory(slug="org-a", name="NPO法人 あおぞら")


@pytest.fixture
def org_b(db) -> Organization:
    return OrganizationFactory(slug="org-b", name="架空生活協同組合", kind="coop")


@pytest.fixture
def world(secretariat, org_a, org_b) -> dict[str, Membership]:
    """A member of every role in org A, an admin in org B, and a secretariat coordinator."""
    members = {role.value: make_member(org_a, role) for role in Role if role != Role.COORDINATOR}
    members["coordinator"] = make_member(secretariat, Role.COORDINATOR)
    members["other_admin"] = make_member(org_b, Role.ADMIN)
    members["other_staff"] = make_member(org_b, Role.STAFF)
    return members


def client_for(membership: Membership | None) -> Client:
    client = Client()
    if membership is not None:
        client.force_login(membership.user)
    return client


@pytest.fixture
def login():
    return client_for


__all__ = ["MembershipFactory", "client_for"]
