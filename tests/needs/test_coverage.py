"""Coverage of reported needs by the directory, counted by the database: the same figures as the former
loop over services × categories × districts in Python (kept here as the reference, and timed beside the
new one by benchmarks/needs.py), and a number of queries that does not grow with the directory."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import client_for
from tsunagari.directory.models import Service, ServiceCategory
from tsunagari.directory.selectors import category_terms
from tsunagari.needs import aggregates
from tsunagari.needs.aggregates import CityTable, CoverageCell, Figure
from tsunagari.needs.models import HouseholdType, SystemFit
from tsunagari.needs.services import ReportData, import_reports
from tsunagari.orgs.models import District


def reference_coverage(*, city: CityTable | None = None, exact: bool = False) -> list[CoverageCell]:
    """aggregates.coverage() as it was before the database counted the services (issue 16): every
    active service's categories and districts read into Python, then counted cell by cell."""
    city = city or aggregates.city_table()
    counts: dict[tuple[int, object], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    district_ids = [d.pk for d in city.districts]
    services = Service.objects.filter(status=Service.Status.ACTIVE, categories__in=city.categories).distinct()
    availability = dict(services.values_list("pk", "availability"))
    service_categories: dict[object, set[object]] = defaultdict(set)
    for service_id, term_id in ServiceCategory.objects.filter(service__in=services).values_list(
        "service_id", "term_id"
    ):
        service_categories[service_id].add(term_id)
    service_districts: dict[object, list[int]] = defaultdict(list)
    for service_id, district_id in Service.districts.through.objects.filter(service__in=services).values_list(
        "service_id", "district_id"
    ):
        service_districts[service_id].append(district_id)
    for service_id, state in availability.items():
        covered = service_districts.get(service_id) or district_ids  # no districts: the whole city
        for category_id in service_categories.get(service_id, ()):
            for district_id in covered:
                counts[(district_id, category_id)][state] += 1
    shares = aggregates._unreached_shares() if exact else {}
    cells = []
    for district in city.districts:
        for category in city.categories:
            key = ("cell", district.pk, category.pk)
            need = (
                Figure(city.table.values[key], False, city.table.k) if exact else Figure.of(city.table, key)
            )
            if need.value == 0:
                continue
            found = counts[(district.pk, category.pk)]
            cells.append(
                CoverageCell(
                    district=district, category=category, need=need,
                    accepting=found[Service.Availability.ACCEPTING], waitlist=found[Service.Availability.WAITLIST],
                    closed=found[Service.Availability.CLOSED], unreached_share=shares.get((district.pk, category.pk)),
                )
            )  # fmt: skip
    return cells


def _shuffle_directory(rng: random.Random, districts: list[District], terms: list) -> None:
    """Give every service of the test directory a random status, availability, 0-3 districts (0: the
    whole city) and 1-3 kinds of trouble, and add a few services with none at all."""
    through = Service.districts.through
    services = list(Service.objects.all())
    for service in services:
        service.status = rng.choice(Service.Status.values)
        service.availability = rng.choice(Service.Availability.values)
    Service.objects.bulk_update(services, ["status", "availability"])
    through.objects.all().delete()
    ServiceCategory.objects.all().delete()
    areas, links = [], []
    for service in services[:-5]:  # the last five keep no category: they cover nothing
        areas += [
            through(service=service, district=d) for d in rng.sample(districts, rng.choice([0, 0, 1, 2, 3]))
        ]
        links += [ServiceCategory(service=service, term=t) for t in rng.sample(terms, rng.randint(1, 3))]
    through.objects.bulk_create(areas)
    ServiceCategory.objects.bulk_create(links)


def _random_reports(rng: random.Random, member, districts: list[District], terms: list, n: int) -> None:
    rows = [
        ReportData(
            period=date(2026, rng.randint(1, 6), 1),
            district_id=rng.choice(districts).pk,
            categories=rng.sample(terms[:8], rng.randint(1, 2)),
            age_band="70s",
            household_type=rng.choice(HouseholdType.values),
            count=rng.choice([1, 2, 3, 5, 8, 13, 40]),
            system_fit=rng.choice(SystemFit.values),
        )  # fmt: skip
        for _ in range(n)
    ]
    import_reports(by=member, rows=rows)


def _figures(cells: list[CoverageCell]) -> list[tuple]:
    return [
        (
            c.district.pk,
            c.category.pk,
            c.need.value,
            c.need.below_k,
            c.accepting,
            c.waitlist,
            c.closed,
            c.unreached_share,
        )  # fmt: skip
        for c in cells
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_coverage_matches_the_python_reference_on_a_random_world(world, seed):
    rng = random.Random(seed)
    districts, terms = list(District.objects.all()), list(category_terms())
    _shuffle_directory(rng, districts, terms)
    _random_reports(rng, world["staff"], districts, terms, 120)
    city = aggregates.city_table()
    assert city.table.hidden, "the world should leave the suppression something to hide"
    for exact in (False, True):
        new = _figures(aggregates.coverage(city=city, exact=exact))
        assert new == _figures(reference_coverage(city=city, exact=exact))
        assert any(accepting for *_, accepting, _waitlist, _closed, _share in new)
    # Hidden needs are still listed (a gap would tell), and members still see no figure under k.
    members = aggregates.coverage(city=city)
    assert any(c.need.value is None for c in members)
    assert all(c.need.value is None or c.need.value >= city.table.k for c in members)


def test_the_queries_do_not_grow_with_the_directory_or_the_reports(world):
    rng = random.Random(7)
    districts, terms = list(District.objects.all()), list(category_terms())
    _random_reports(rng, world["staff"], districts, terms, 20)
    url = reverse("needs:dashboard", args=["org-a"])
    client = client_for(world["viewer"])

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as coverage:
            aggregates.coverage(exact=True)
        with CaptureQueriesContext(connection) as page:
            assert client.get(url).status_code == 200
        return len(coverage), len(page)

    # The session's first writes (its organisation, the badge) are not what is measured; another page makes
    # them, so that the caches behind this one stay cold.
    client.get(reverse("orgs:dashboard", args=["org-a"]))
    before = count()
    originals = list(Service.objects.all()[:100])
    for original in originals:  # a directory three times as large …
        for n in (1, 2):
            copy = Service.objects.create(
                organization_id=original.organization_id, name=f"{original.name}{n}"
            )
            copy.categories.set(original.categories.all())
            copy.districts.set(original.districts.all())
    _random_reports(rng, world["staff"], districts, terms, 200)  # … and ten times the reports
    assert count() == before


# --- the tables cached under the tallies' version --------------------------------------------------------


@pytest.fixture
def suppressions(monkeypatch):
    """How many tables were suppressed (computed) rather than read from the cache."""
    calls = []
    real = aggregates.suppress

    def counting(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(aggregates, "suppress", counting)
    return calls


def _picture():
    city = aggregates.city_table()
    return city, aggregates.monthly(city), aggregates.household_types(city)


def test_a_new_or_withdrawn_report_shows_at_once_and_nothing_is_recomputed_until_then(
    world, report, terms, districts, suppressions
):
    from tsunagari.needs.services import delete_report, rebuild_tallies

    cell = ("cell", districts["chuo"].pk, terms["food"].pk)
    report(world["staff"], 30, categories=("food",))
    _picture()
    assert len(suppressions) == 3  # city, months, household types
    city, months, households = _picture()
    assert len(suppressions) == 3  # the same tallies: all three from the cache
    assert city.table.shown(cell) == 30 and months.values() == [30] and households.values()[0] == 30

    added = report(world["other_staff"], 12, categories=("food",), household_type="foreign")
    city, months, households = _picture()
    assert len(suppressions) == 6
    assert city.table.shown(cell) == 42 and months.values() == [42]
    assert households.values()[list(HouseholdType.values).index("foreign")] == 12

    delete_report(by=world["other_staff"], report=added)
    city, months, _households = _picture()
    assert city.table.shown(cell) == 30 and months.values() == [30]

    rebuild_tallies()
    before = len(suppressions)
    assert _picture()[0].table.shown(cell) == 30
    assert len(suppressions) == before + 3  # a rebuild is a change too
    page = client_for(world["viewer"]).get(reverse("needs:dashboard", args=["org-a"])).content.decode()
    assert len(suppressions) == before + 3  # the page read what was just computed
    assert ">30<" in page


def test_a_different_threshold_is_not_served_from_the_cache(world, report, terms, districts, settings):
    report(world["staff"], 12, categories=("food",))
    cell = ("cell", districts["chuo"].pk, terms["food"].pk)
    assert aggregates.city_table().table.shown(cell) == 12
    settings.TSUNAGARI_NEEDS_MIN_CELL = 20
    assert aggregates.city_table().table.shown(cell) is None


def test_a_service_change_shows_at_once_beside_cached_tables(world, report, terms, districts, suppressions):
    report(world["staff"], 30, categories=("food",))
    food = Service.objects.filter(status=Service.Status.ACTIVE, categories=terms["food"]).distinct()
    food.update(availability=Service.Availability.ACCEPTING)

    def chuo_food():
        cells = aggregates.coverage(exact=True)
        return next(c for c in cells if c.district == districts["chuo"] and c.category == terms["food"])

    def dashboard_row():  # the dashboard's coverage table: districts with the need, covered or not
        client = client_for(world["viewer"])
        page = client.get(reverse("needs:dashboard", args=["org-a"])).content.decode()
        label = f'<th scope="row">{terms["food"].label}</th>'
        return page[page.index(label) + len(label) :].split("</tr>")[0]

    before = chuo_food()
    assert before.accepting >= 1 and before.closed == 0
    assert dashboard_row() == "<td>1</td><td>0</td>"
    computed = len(suppressions)
    food.update(availability=Service.Availability.CLOSED)
    after = chuo_food()
    assert (after.accepting, after.closed) == (0, before.accepting)  # the services from the directory …
    assert dashboard_row() == "<td>0</td><td>1</td>"
    assert len(suppressions) == computed  # … beside the need from the cache
    new = Service.objects.create(organization=food.first().organization, name="新しい食料支援")
    new.categories.add(terms["food"])
    new.districts.add(districts["chuo"])
    assert chuo_food().accepting == 1
    assert dashboard_row() == "<td>1</td><td>0</td>"


def test_the_cache_survives_a_missing_version_row(world, report, terms, districts):
    from tsunagari.needs.models import TallyVersion

    TallyVersion.objects.all().delete()  # as after a test's flush
    report(world["staff"], 30, categories=("food",))
    assert TallyVersion.objects.count() == 1  # the write made a new one
    TallyVersion.objects.all().delete()
    assert aggregates.city_table().table.shown(("cell", districts["chuo"].pk, terms["food"].pk)) == 30


def test_every_change_coverage_counts_moves_the_directory_token_and_nothing_else_does(
    world, terms, districts
):
    """The token is moved by triggers, whatever writes: a raw change must move it as a form's does (a
    migration that rebuilds a directory table on SQLite drops them: this fails then)."""
    from tsunagari.directory.search import index_services
    from tsunagari.needs.models import DirectoryVersion

    def token():
        return DirectoryVersion.objects.get(pk=1).token

    service = Service.objects.filter(status=Service.Status.ACTIVE, districts__isnull=False).first()
    changes = [
        lambda: Service.objects.filter(pk=service.pk).update(availability=Service.Availability.WAITLIST),
        lambda: Service.objects.filter(pk=service.pk).update(status=Service.Status.INACTIVE),
        lambda: service.districts.clear(),
        lambda: service.districts.add(districts["chuo"]),
        lambda: ServiceCategory.objects.create(service=service, term=terms["housing"]),
        lambda: ServiceCategory.objects.filter(service=service, term=terms["housing"]).update(
            term=terms["food"]
        ),
        lambda: ServiceCategory.objects.filter(service=service).delete(),
        lambda: Service.objects.create(organization=service.organization, name="新しい窓口"),
        lambda: Service.objects.filter(name="新しい窓口").delete(),
    ]
    for number, change in enumerate(changes):
        before = token()
        change()
        assert token() != before, number
    before = token()
    Service.objects.filter(pk=service.pk).update(description="説明だけ変わる")
    index_services([service.pk])  # rewrites the search columns of the same rows
    assert token() == before


def test_coverage_is_counted_once_per_directory_version(world, report, terms, districts, monkeypatch):
    counted = []
    real = aggregates._covering_services
    monkeypatch.setattr(
        aggregates, "_covering_services", lambda categories: counted.append(1) or real(categories)
    )
    report(world["staff"], 30, categories=("food",))
    aggregates.coverage()
    aggregates.coverage(exact=True)
    assert len(counted) == 1
    Service.objects.filter(categories=terms["food"]).update(availability=Service.Availability.CLOSED)
    cell = next(
        c for c in aggregates.coverage() if c.category == terms["food"] and c.district == districts["chuo"]
    )
    assert len(counted) == 2 and cell.accepting == 0
