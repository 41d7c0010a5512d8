"""The visibility selector's plan on PostgreSQL: which cases a member sees is decided by index lookups,
never by reading every case (issue 16: the former ``own OR EXISTS(basis)`` made PostgreSQL read the
whole cases table, test a sub-plan on each row, and spend half a second compiling that with JIT at
100,000 cases).

The test fills the tables enough for the planner to tell a scan from a lookup (3,000 cases over twelve
organisations, statistics gathered) and reads the plans. The former formulation is planned beside, on
the same data, to show that each check can fail.

Fetching a page's rows by those ids is a join whose cases side PostgreSQL may read in full when a member
sees a large share of all cases: that is the cheaper plan then, and ``benchmarks/cases.py`` measures it
at 100,000 cases. What must never come back is a test of visibility on every case row."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.test import RequestFactory

from tests.factories import OrganizationFactory, make_member
from tsunagari.audit.models import LegalBasis
from tsunagari.cases.models import Case, Person, SharingBasis
from tsunagari.cases.selectors import (
    _own_organisation,
    case_list_ids,
    cases_visible_to,
    live_bases,
    visible_case_ids,
)
from tsunagari.orgs.models import Membership, Role
from tsunagari.pagination import paginate

CASES = 3000
SCAN_OF_CASES = "Seq Scan on cases_case"


@pytest.fixture
def crowded(world) -> Membership:
    """3,000 cases led by twelve organisations (some not yet led), org A leading about one in twelve and
    taking part in 100 others on consent-free bases."""
    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's; CI runs this file on PostgreSQL too")
    member = world["staff"]
    orgs = [member.organization, *(OrganizationFactory() for _ in range(11))]
    rng = random.Random(16)
    people = Person.objects.bulk_create(
        Person(organization=rng.choice(orgs), name=f"架空 {i}") for i in range(CASES)
    )
    cases = Case.objects.bulk_create(
        Case(
            person=person,
            opened_by=person.organization,
            lead=None if i % 10 == 0 else rng.choice(orgs),
            status=Case.Status.OPEN if i % 3 else Case.Status.CLOSED,
        )
        for i, person in enumerate(people)
    )
    others = [c for c in cases if c.lead_id != member.organization_id]
    SharingBasis.objects.bulk_create(
        SharingBasis(
            case=case,
            organization=member.organization,
            legal_basis=LegalBasis.VITAL_INTEREST,
            granted_by=member.user,
        )
        for case in rng.sample(others, 100)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return member


def _plan(rows: QuerySet) -> str:
    with connection.cursor() as cursor:
        sql, params = rows.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(line for (line,) in cursor.fetchall())


def _former_selector(member: Membership) -> QuerySet[Case]:
    shared = live_bases(member).filter(case=OuterRef("pk"))
    return Case.objects.filter(_own_organisation(member) | Exists(shared))


def _tests_visibility_row_by_row(plan: str) -> bool:
    """A scan of the cases table filtered by a sub-plan: the visibility rule tested on each case."""
    lines = plan.splitlines()
    return any(
        "on cases_case" in line and "SubPlan" in following
        for line, following in zip(lines, lines[1:], strict=False)
    )


def test_who_sees_which_case_is_decided_by_index_lookups(crowded):
    decision = _plan(visible_case_ids(crowded))
    assert SCAN_OF_CASES not in decision, decision
    assert "Index Cond: (lead_id = " in decision, decision
    # The former formulation can only decide by reading every case.
    assert SCAN_OF_CASES in _plan(_former_selector(crowded).order_by().values("pk"))


def test_the_case_list_never_tests_visibility_case_by_case(crowded):
    page = cases_visible_to(crowded).order_by("status", "-opened_at", "-pk")[:50]
    for rows in (page, cases_visible_to(crowded).order_by().values("pk")):  # the page and its count
        plan = _plan(rows)
        assert not _tests_visibility_row_by_row(plan), plan
    former = _former_selector(crowded).order_by("status", "-opened_at", "-pk")[:50]
    assert _tests_visibility_row_by_row(_plan(former))


def test_both_formulations_see_the_same_cases(crowded):
    assert set(cases_visible_to(crowded).values_list("pk", flat=True)) == set(
        _former_selector(crowded).values_list("pk", flat=True)
    )


def test_each_page_cut_from_the_sorted_branches_is_the_page_of_the_whole_list(crowded):
    """On PostgreSQL each branch of the case list is sorted and cut to the page's end before the union
    (``CaseList``): every page, and the count, must be those of the whole list sorted at once."""
    for filters in ({}, {"status": Case.Status.CLOSED}, {"risk": Case.Risk.MEDIUM}):
        listed = case_list_ids(crowded, **filters)
        whole = sorted(
            cases_visible_to(crowded).filter(**filters).values_list("pk", "status", "opened_at"),
            key=lambda row: (row[1], row[2], row[0]),
            reverse=True,
        )
        assert listed.count() == len(whole) > 100
        for start in (0, 50, 100, len(whole) - 30):
            assert listed[start : start + 50] == whole[start : start + 50], (filters, start)


def test_an_organisation_with_no_cases_gets_an_empty_first_page(crowded):
    """The paginator asks an empty list for rows [0:0]; each branch cut to no rows is an empty query, which
    Django's union leaves out, so the page must be answered without one (it raised on PostgreSQL)."""
    idle = make_member(OrganizationFactory(), Role.STAFF)
    listed = case_list_ids(idle)
    assert listed.count() == 0
    assert listed[0:0] == [] and listed[0:50] == []
    assert list(paginate(RequestFactory().get("/"), listed).page) == []
