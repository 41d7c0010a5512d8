"""Shared needs: the members' dashboard at a million reports and 10,000 services, with its caches cold
and warm, beside the page as it was (every table computed on each request, coverage looped in Python)
and beside grouping the reports themselves.

    uv run python benchmarks/needs.py [--reports 1000000] [--services 10000] [--rounds 30] [--seed 2024]
                                      [--no-page] [--postgres [SERVER] | --database-url URL]
                                      [--json FIGURES.json]

In one run, on a throwaway database: SQLite in a temporary data dir by default (a configured
DATABASE_URL is ignored), or with --postgres a database created on the local PostgreSQL server
(127.0.0.1:5432, trust auth; or the server given) and dropped at the end:

1. Set-up: migrate (which installs the 27 categories of the default taxonomy), create the cache table
   (as a deploy does), load the districts, the benchmark directory without indexing it for search, grown
   to --services services (default 10,000) with benchmarks/navigator.py's grow_directory() (copies
   「…（第N支所）」 with their categories and districts, inserted in bulk), five reporting organisations
   and a VIEWER member.
2. --reports need reports (default 1,000,000) written in bulk straight into the reports table and its
   categories table (executemany in batches; never report_need(), which would take hours), then
   the tallies built with `services.rebuild_tallies()` (the dashboard reads the tallies). Both are
   timed. The data are random but deterministic (--seed) and deliberately uneven, as real reports
   are: district i (file order) weighs 1/i, the kinds of trouble (in a seeded order) weigh 0.65^rank,
   so a long tail of small cells leaves the suppression real work even at a million reports.
3. Consistency: the tallies and the reports must give the same cells, months and household types (and
   so the same suppressed tables), and coverage() the same cells as the former Python loop
   (tests/needs/test_coverage.py's reference_coverage); the script stops with an error otherwise.
4. Latency (one warm-up call, then --rounds timed calls), p50/p95/max/mean in ms, and the full
   garbage collections that fell in the timed calls (how many, total ms), of
   * the dashboard's tables (city_table() + monthly() + household_types()) with the cache warm, and
     cold (the tallies' version token changed before each call, as a new report does), each part cold,
     and the suppression of the city table alone;
   * coverage(), warm and cold (the directory's token changed before each call, as a service change
     does: the SQL GROUP BY), beside the former Python loop;
   * views._picture() warm; the naive per-request tables grouped from the reports;
   * the dashboard page (a test Client GET as the VIEWER member; --no-page skips it): caches warm,
     caches cold (both tokens changed before each request), and the page before (caches cold and the
     Python coverage patched in: what every request cost before).
   It prints the ratios at p95 and the verdict on the target: a dashboard page p95 of at most 300 ms.

Figures are printed (only the consistency is asserted); --json also writes them to a file ("-" for
stdout). Progress goes to stderr.

With --database-url (e.g. postgres://user@localhost/scratch) the script migrates that database and
writes into it: give it a scratch database. It refuses one that already holds need reports or tallies,
and deletes the reports and tallies it wrote at the end (its organisations, member and services stay).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 300.0
MONTHS = 24
REPORTERS = 5
BATCH = 50_000  # reports per executemany (and per transaction)
CATEGORY_DECAY = 0.65  # weight of the kind of trouble ranked r (0-based) is CATEGORY_DECAY ** r
HOUSEHOLD_WEIGHTS = {
    "single_elderly": 0.22, "elderly_couple": 0.12, "8050": 0.08, "single_parent": 0.15,
    "child_rearing": 0.15, "young_carer": 0.03, "foreign": 0.05, "other": 0.20,
}  # fmt: skip
SYSTEM_FIT_WEIGHTS = {"fits": 0.5, "unreached": 0.3, "none": 0.2}


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- set-up ---------------------------------------------------------------------------------------------


def set_up(data_dir: Path, database_url: str | None, services: int) -> dict[str, Any]:
    """Migrate a fresh database (SQLite in data_dir unless database_url) and load what reports refer to."""
    from cryptography.fernet import Fernet

    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)  # always the throwaway SQLite, never a configured database
    # Production-like settings, except that static files are served from the app folders (as in the
    # tests), so that the page renders without collectstatic.
    for name in ("TSUNAGARI_DEBUG", "TSUNAGARI_HTTPS", "TSUNAGARI_DEMO"):
        os.environ.pop(name, None)
    os.environ["TSUNAGARI_COLLECTED_STATIC"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "tsunagari.settings"
    os.environ["TSUNAGARI_DATA_DIR"] = str(data_dir)
    os.environ["TSUNAGARI_SECRET_KEY"] = "benchmark-" + uuid.uuid4().hex * 2
    os.environ["TSUNAGARI_DATA_KEYS"] = Fernet.generate_key().decode("ascii")
    os.environ["TSUNAGARI_AUDIT_KEY"] = Fernet.generate_key().decode("ascii")
    os.environ["TSUNAGARI_CACHE_DIR"] = os.environ.get("TSUNAGARI_CACHE_DIR") or str(REPO / "var" / "cache")
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))

    import django

    django.setup()
    from django.core.management import call_command

    from tsunagari.demo import DEMO_DATA
    from tsunagari.directory.hsds import import_package
    from tsunagari.directory.schemes import import_schemes
    from tsunagari.directory.selectors import category_terms
    from tsunagari.needs.models import NeedReport, NeedTally
    from tsunagari.orgs.districts import load_districts
    from tsunagari.orgs.models import District

    started = time.perf_counter()
    progress("Migrating …")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)  # as a deploy does: the tables are cached there
    if NeedReport.objects.exists() or NeedTally.objects.exists():
        raise SystemExit(
            "This database already holds need reports or tallies: give an empty scratch database."
        )
    load_districts(DEMO_DATA / "districts.csv")
    # The taxonomy comes with the migrations (directory/migrations/0002_default_taxonomy.py). The
    # directory is imported as demo.load_directory() does, minus index_services(): that computes text
    # embeddings for search, which nothing here reads.
    progress("Importing the benchmark directory (no search index) …")
    import_package(DEMO_DATA / "hsds")
    import_schemes(
        DEMO_DATA / "notalone" / "data.csv", categories_path=DEMO_DATA / "notalone" / "categories.csv"
    )
    categories = category_terms().count()
    if categories != 27:
        raise SystemExit(f"Expected the 27 categories of the default taxonomy, found {categories}.")
    progress(f"Growing the directory to {services:,} services …")
    sys.path.insert(0, str(REPO / "benchmarks"))
    from navigator import grow_directory  # the navigator benchmark's copies 「…（第N支所）」

    grow_directory(services)
    return {
        "districts": District.objects.count(),
        "categories": categories,
        "seconds": round(time.perf_counter() - started, 1),
    }


def create_members() -> tuple[list[int], Any]:
    """The reporting organisations (ids) and a VIEWER of the first one (no second factor is required)."""
    from tsunagari.accounts.models import User
    from tsunagari.orgs.models import Role
    from tsunagari.orgs.services import add_membership, create_organization

    suffix = uuid.uuid4().hex[:8]  # slugs and names are unique: --database-url may be used again
    orgs = [
        create_organization(
            by=None, slug=f"needs-bench-{i}-{suffix}", name=f"ベンチマーク団体{i}（{suffix}）", kind="npo"
        )
        for i in range(1, REPORTERS + 1)
    ]
    user = User.objects.create_user(f"needs-bench-{suffix}@example.com")  # no usable password
    membership = add_membership(user=user, organization=orgs[0], role=Role.VIEWER, by=None)
    return [org.pk for org in orgs], membership


def create_postgres(server: str) -> str:
    """A new empty database on the server (trust auth), named for this process; its URL."""
    import psycopg

    name = f"tsunagari_needs_bench_{os.getpid()}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"


def drop_postgres(url: str) -> None:
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


# --- bulk load ------------------------------------------------------------------------------------------


def month_starts(today: date, count: int) -> list[date]:
    """The first days of the ``count`` months ending with today's."""
    months, year, month = [], today.year, today.month
    for _ in range(count):
        months.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months[::-1]


def insert_reports(n: int, seed: int, reporters: list[int]) -> dict[str, Any]:
    """Write n random reports and their categories with executemany; how many, and how long it took."""
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.utils import timezone

    from tsunagari.directory.models import TaxonomyTerm
    from tsunagari.directory.selectors import category_terms
    from tsunagari.needs.models import AgeBand, HouseholdType, NeedReport, SystemFit
    from tsunagari.orgs.models import District

    # Raw inserts bypass the choices: make sure the weights still name exactly the model's values.
    if set(HOUSEHOLD_WEIGHTS) != set(HouseholdType.values) or set(SYSTEM_FIT_WEIGHTS) != set(
        SystemFit.values
    ):
        raise SystemExit("HOUSEHOLD_WEIGHTS / SYSTEM_FIT_WEIGHTS no longer match the model's choices.")
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    ops = connection.ops
    districts = list(District.objects.values_list("pk", flat=True))
    district_weights = 1 / np.arange(1, len(districts) + 1)
    district_weights /= district_weights.sum()
    terms = list(category_terms().values_list("pk", flat=True))
    rank = rng.permutation(len(terms))  # which kind of trouble is common and which is rare
    log_weights = rank * np.log(CATEGORY_DECAY)
    # Values as the database driver takes them (UUIDs as 32 hex digits on SQLite, dates as text).
    term_pk = TaxonomyTerm._meta.pk
    term_db = np.array([term_pk.get_db_prep_value(t, connection) for t in terms], dtype=object)
    months = np.array(
        [ops.adapt_datefield_value(m) for m in month_starts(timezone.localdate(), MONTHS)], dtype=object
    )
    households = np.array(list(HOUSEHOLD_WEIGHTS), dtype=object)
    household_p = np.array(list(HOUSEHOLD_WEIGHTS.values()))
    fits = np.array(list(SYSTEM_FIT_WEIGHTS), dtype=object)
    fit_p = np.array(list(SYSTEM_FIT_WEIGHTS.values()))
    ages = np.array(AgeBand.values, dtype=object)
    created_at = ops.adapt_datetimefield_value(timezone.now())

    report_table = ops.quote_name(NeedReport._meta.db_table)
    names = ["id", "organization_id", "reported_by_id", "period", "district_id", "age_band",
             "household_type", "count", "system_fit", "description", "created_at"]  # fmt: skip
    columns = ", ".join(ops.quote_name(NeedReport._meta.get_field(name).column) for name in names)
    report_sql = f"INSERT INTO {report_table} ({columns}) VALUES ({', '.join(['%s'] * len(names))})"  # noqa: S608 (names only)
    through = NeedReport.categories.through
    link_columns = ", ".join(
        ops.quote_name(through._meta.get_field(name).column) for name in ("needreport", "taxonomyterm")
    )
    link_sql = f"INSERT INTO {ops.quote_name(through._meta.db_table)} ({link_columns}) VALUES (%s, %s)"  # noqa: S608

    links = 0
    for first in range(1, n + 1, BATCH):
        size = min(BATCH, n - first + 1)
        ids = np.arange(first, first + size)
        # 1-3 distinct kinds of trouble per report, drawn by weight without replacement: the three
        # largest of log(weight) + Gumbel noise (the Gumbel-top-k trick).
        top = np.argsort(-(log_weights + rng.gumbel(size=(size, len(terms)))), axis=1)[:, :3]
        kinds = rng.integers(1, 4, size)
        reports = zip(
            ids.tolist(),
            np.asarray(reporters)[rng.integers(0, len(reporters), size)].tolist(),
            [None] * size,
            months[rng.integers(0, MONTHS, size)].tolist(),
            np.asarray(districts)[rng.choice(len(districts), size, p=district_weights)].tolist(),
            ages[rng.integers(0, len(ages), size)].tolist(),
            households[rng.choice(len(households), size, p=household_p)].tolist(),
            rng.integers(1, 21, size).tolist(),
            fits[rng.choice(len(fits), size, p=fit_p)].tolist(),
            [""] * size,
            [created_at] * size,
            strict=True,
        )
        chosen = np.arange(3) < kinds[:, None]
        link_rows = zip(
            np.broadcast_to(ids[:, None], top.shape)[chosen].tolist(),
            term_db[top[chosen]].tolist(),
            strict=True,
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(report_sql, list(reports))
            rows = list(link_rows)
            cursor.executemany(link_sql, rows)
        links += len(rows)
        done = first + size - 1
        if done % 100_000 < BATCH or done == n:
            progress(f"  {done:>10,} / {n:,} reports written ({time.perf_counter() - started:.1f} s)")
    with connection.cursor() as cursor:  # explicit ids: move PostgreSQL's sequence past them
        for sql in ops.sequence_reset_sql(no_style(), [NeedReport]):
            cursor.execute(sql)
    return {"reports": n, "links": links, "seconds": round(time.perf_counter() - started, 1)}


def directory_size() -> dict[str, int]:
    from tsunagari.directory.models import Service, ServiceCategory

    return {
        "services": Service.objects.count(),
        "active_services": Service.objects.filter(status=Service.Status.ACTIVE).count(),
        "service_categories": ServiceCategory.objects.count(),
        "service_districts": Service.districts.through.objects.count(),
    }


def rebuild() -> dict[str, Any]:
    from tsunagari.needs.services import rebuild_tallies

    started = time.perf_counter()
    rows = rebuild_tallies()
    return {"tallies": rows, "seconds": round(time.perf_counter() - started, 1)}


# --- the two ways of computing the picture ----------------------------------------------------------------


def dashboard_aggregates() -> tuple[Any, Any, Any]:
    """What the members' dashboard computes from the tallies (views._picture, minus the charts)."""
    from tsunagari.needs import aggregates

    city = aggregates.city_table()
    return city, aggregates.monthly(city), aggregates.household_types(city)


def view_picture() -> dict[str, Any]:
    """Everything views._picture computes for the dashboard (the three tables above, the charts and the
    needs no service is taking on), called as the view calls it, so that it follows the view."""
    from tsunagari.needs import views

    return views._picture()


def naive_aggregates() -> tuple[Any, Any, Any]:
    """The same three tables grouped straight from the reports on each request, then suppressed.

    Like the tallies, people are counted once per kind of trouble (延べ数), so every figure groups the
    reports joined to their categories."""
    from django.db.models import Sum

    from tsunagari.directory.selectors import category_terms
    from tsunagari.needs import aggregates
    from tsunagari.needs.models import HouseholdType, NeedReport
    from tsunagari.needs.suppression import suppress
    from tsunagari.orgs.models import District

    k = aggregates.k_threshold()
    total = aggregates.TOTAL
    districts = list(District.objects.all())
    categories = list(category_terms())
    cells = aggregates.naive_city_cells()
    city = aggregates.CityTable(
        districts, categories, suppress(cells, [d.pk for d in districts], [c.pk for c in categories], k)
    )

    links = NeedReport.categories.through.objects
    per_month = dict(
        links.values_list("needreport__period").annotate(people=Sum("needreport__count")).order_by()
    )
    months = sorted(per_month)
    if months:
        months = aggregates._every_month(months[0], months[-1])
    shared = aggregates._shared_total(city)  # the grand total as the city table shows it
    month_table = suppress({(m, total): per_month.get(m, 0) for m in months}, months, [total], k, **shared)
    monthly = aggregates.Series([m.strftime("%Y-%m") for m in months], month_table, list(months))

    per_type = dict(
        links.values_list("needreport__household_type").annotate(people=Sum("needreport__count")).order_by()
    )
    keys = list(HouseholdType.values)
    type_table = suppress({(key, total): per_type.get(key, 0) for key in keys}, keys, [total], k, **shared)
    households = aggregates.Series([str(HouseholdType(key).label) for key in keys], type_table, keys)
    return city, monthly, households


def check_consistency() -> dict[str, Any]:
    """The tallies and the reports must agree on every cell and series, and so on what is hidden."""
    from tsunagari.needs import aggregates

    city, months, households = dashboard_aggregates()
    naive_city, naive_months, naive_households = naive_aggregates()
    tally_cells = {key[1:]: v for key, v in city.table.values.items() if key[0] == "cell" and v}
    report_cells = {key: v for key, v in aggregates.naive_city_cells().items() if v}
    problems = []
    if tally_cells != report_cells:
        problems.append(
            f"city cells differ: {len(set(tally_cells.items()) ^ set(report_cells.items()))} entries"
        )
    for name, mine, theirs in (
        ("city table", city.table, naive_city.table),
        ("months", months.table, naive_months.table),
        ("household types", households.table, naive_households.table),
    ):
        if mine.values != theirs.values or mine.hidden != theirs.hidden:
            problems.append(f"{name} differs")
    old_coverage = python_coverage()
    for exact in (False, True):
        mine = aggregates.coverage(city=city, exact=exact)
        if mine != old_coverage(city=city, exact=exact):
            problems.append(f"coverage(exact={exact}) differs from the Python loop's")
    if problems:
        raise SystemExit("consistent: NO (" + "; ".join(problems) + ")")
    table = city.table
    return {
        "consistent": True,
        "cells": len(city.districts) * len(city.categories),
        "non_zero_cells": len(tally_cells),
        "hidden_cells": sum(1 for key in table.hidden if key[0] == "cell"),
        "hidden_entries": len(table.hidden),
        "entries": len(table.values),
        "hidden_months": len(months.table.hidden),
        "months": len(months.keys),
        "hidden_household_types": len(households.table.hidden),
        "coverage_cells": len(aggregates.coverage(city=city)),
        "k": table.k,
    }


# --- latency ----------------------------------------------------------------------------------------------


class FullCollections:
    """Python's full (generation 2) garbage collections while it is active: how many, and their ms.

    They stop the process for as long as they walk every tracked object (about 0.1 s in a Django
    process), so an otherwise fast call that meets one lands in the p95."""

    def __init__(self) -> None:
        self.count, self.ms, self._started = 0, 0.0, 0.0

    def __enter__(self) -> FullCollections:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.count += 1
            self.ms += (time.perf_counter() - self._started) * 1000


def time_calls(
    call: Callable[[], object], rounds: int, before: Callable[[], object] | None = None
) -> dict[str, float]:
    """Wall time per call in ms, after one warm-up call, and the full collections in the timed calls.
    ``before`` runs ahead of each call, untimed (to make the cache cold)."""
    call()
    samples = []
    with FullCollections() as collections:
        for _ in range(rounds):
            if before is not None:
                before()
            start = time.perf_counter()
            call()
            samples.append((time.perf_counter() - start) * 1000)
    values = np.asarray(samples)
    return {
        "calls": len(samples),
        "p50_ms": round(float(np.percentile(values, 50)), 1),
        "p95_ms": round(float(np.percentile(values, 95)), 1),
        "max_ms": round(float(values.max()), 1),
        "mean_ms": round(float(values.mean()), 1),
        "full_gc": collections.count,
        "full_gc_ms": round(collections.ms, 1),
    }


def page_call(membership: Any) -> Callable[[], object]:
    """A GET of the members' needs dashboard, signed in as ``membership``'s user."""
    from django.test import Client
    from django.urls import reverse

    client = Client(HTTP_HOST="localhost")  # an allowed host, without setup_test_environment()
    client.force_login(membership.user)
    url = reverse("needs:dashboard", args=[membership.organization.slug])

    def get() -> object:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}, not 200")
        return response

    return get


def new_tally_version() -> None:
    """What a new or withdrawn report does to the cache: the tallies get a new version token, so the next
    request computes the tables again (services.tallies_changed(), in its own transaction here)."""
    from django.db import transaction

    from tsunagari.needs.services import tallies_changed

    with transaction.atomic():
        tallies_changed()


def new_directory_version() -> None:
    """What a service change does to the cache (the directory's triggers change the token)."""
    from tsunagari.needs.models import DirectoryVersion

    DirectoryVersion.objects.filter(pk=1).update(token=uuid.uuid4())


def new_versions() -> None:
    """Both caches cold: as after a new report and a service change."""
    new_tally_version()
    new_directory_version()


def python_coverage() -> Callable[..., Any]:
    """The former coverage(): a Python loop over services × categories × districts (the reference that
    tests/needs/test_coverage.py holds the new one to)."""
    from tests.needs.test_coverage import reference_coverage

    return reference_coverage


def latency(rounds: int, membership: Any | None) -> dict[str, dict[str, float]]:
    from unittest import mock

    from tsunagari.needs import aggregates
    from tsunagari.needs.suppression import suppress

    city = aggregates.city_table()
    cells = {key[1:]: v for key, v in city.table.values.items() if key[0] == "cell"}
    rows, cols, k = [d.pk for d in city.districts], [c.pk for c in city.categories], city.table.k
    old_coverage = python_coverage()

    # name: (call, run untimed before each call)
    calls: dict[str, tuple[Callable[[], object], Callable[[], object] | None]] = {
        "dashboard": (dashboard_aggregates, None),
        "dashboard_cold": (dashboard_aggregates, new_tally_version),
        "city_table_cold": (aggregates.city_table, new_tally_version),
        "monthly_cold": (lambda: aggregates.monthly(city), new_tally_version),
        "household_types_cold": (lambda: aggregates.household_types(city), new_tally_version),
        "suppress_city": (lambda: suppress(cells, rows, cols, k), None),
        "coverage": (lambda: aggregates.coverage(city=city), None),
        "coverage_cold": (lambda: aggregates.coverage(city=city), new_directory_version),
        "coverage_python": (lambda: old_coverage(city=city), None),
        "view_picture": (view_picture, None),
        "naive": (naive_aggregates, None),
        "naive_city_cells": (aggregates.naive_city_cells, None),
    }
    results = {}
    for name, (call, before) in calls.items():
        progress(f"Timing {name} ({rounds} rounds) …")
        results[name] = time_calls(call, rounds, before)
    if membership is not None:
        get = page_call(membership)
        for name, before in (("page", None), ("page_cold", new_versions)):
            progress(f"Timing {name} ({rounds} rounds) …")
            results[name] = time_calls(get, rounds, before)
        # The page as it was: every table computed on each request and the Python coverage.
        progress(f"Timing page_before ({rounds} rounds) …")
        with mock.patch.object(aggregates, "coverage", old_coverage):
            results["page_before"] = time_calls(get, rounds, new_versions)
    return results


def clean_up() -> None:
    """Delete the reports and tallies written here (only with --database-url: SQLite is thrown away)."""
    from django.db import connection, transaction

    from tsunagari.needs.models import NeedReport, NeedTally

    tables = [
        NeedReport.categories.through._meta.db_table,
        NeedReport._meta.db_table,
        NeedTally._meta.db_table,
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for table in tables:  # raw: the ORM would load a million reports to cascade their deletion
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608 (names only)


# --- report -----------------------------------------------------------------------------------------------

ROWS = [
    ("dashboard", "dashboard tables, warm cache"),
    ("dashboard_cold", "dashboard tables, cold cache"),
    ("city_table_cold", "  city_table(), cold"),
    ("monthly_cold", "  monthly(), cold"),
    ("household_types_cold", "  household_types(), cold"),
    ("suppress_city", "  of which suppress(city cells)"),
    ("coverage", "coverage(), warm cache"),
    ("coverage_cold", "coverage(), cold: SQL GROUP BY"),
    ("coverage_python", "coverage() Python loop (before)"),
    ("view_picture", "views._picture(), warm cache"),
    ("naive", "naive tables (from reports)"),
    ("naive_city_cells", "  naive_city_cells() query only"),
    ("page", "page, warm cache"),
    ("page_cold", "page, cold cache"),
    ("page_before", "page before (cold, Python coverage)"),
]


def print_report(figures: dict[str, Any]) -> None:
    machine, data, table = figures["machine"], figures["data"], figures["table"]
    print(
        f"\nMachine: {machine['platform']}, {machine['cpus']} CPUs, Python {machine['python']}, "
        f"{machine['database']}"
    )
    print(
        f"Data: {data['reports']:,} need reports, {data['links']:,} rows in the categories table, "
        f"{data['tallies']:,} tally rows; {data['districts']} districts × {data['categories']} kinds of trouble, "
        f"{data['services']:,} services ({data['active_services']:,} active), "
        f"{data['service_categories']:,} service categories, {data['service_districts']:,} service districts"
    )
    print(
        f"Set-up {data['setup_seconds']:.1f} s; insert (generation included) {data['insert_seconds']:.1f} s; "
        f"rebuild_tallies() {data['rebuild_seconds']:.1f} s"
    )
    print(
        f"Suppression (k = {table['k']}): {table['hidden_cells']} of {table['cells']} cells hidden "
        f"({table['non_zero_cells']} non-zero), {table['hidden_entries']} of {table['entries']} entries "
        f"with totals; {table['hidden_months']} of {table['months']} months, "
        f"{table['hidden_household_types']} household types"
    )
    print(
        f"consistent: {'yes' if table['consistent'] else 'NO'} (tallies and reports give the same tables; "
        f"coverage in SQL and the Python loop give the same {table['coverage_cells']:,} cells)"
    )

    print(f"\nLatency, warm, {figures['rounds']} rounds (ms)")
    print(f"  {'':<38} {'p50':>8} {'p95':>8} {'max':>8} {'mean':>8}   full GCs (ms)")
    for key, label in ROWS:
        t = figures["latency"].get(key)
        if t:
            print(
                f"  {label:<38} {t['p50_ms']:>8.1f} {t['p95_ms']:>8.1f} {t['max_ms']:>8.1f} {t['mean_ms']:>8.1f}"
                f"   {t['full_gc']:>3} ({t['full_gc_ms']:.0f})"
            )
    for label, ratio in figures["ratios_p95"].items():
        print(f"  ratio at p95, {label}: {ratio:.1f}x")

    target = figures["target"]
    verdicts = [
        f"{name} {p95:.1f} ms ({_met(p95 <= target['p95_ms'])})" for name, p95 in target["p95"].items()
    ]
    print(
        f"\nTarget: dashboard page p95 <= {target['p95_ms']:.0f} ms at {data['reports']:,} reports and "
        f"{data['services']:,} services: "
        + "; ".join(verdicts)
        + f" — this machine has {machine['cpus']} CPUs"
    )
    load = machine["load_average_1m"]
    print(f"Load average (1 min) at start / end: {load['start']} / {load['end']}")


def _met(met: bool) -> str:
    return "met" if met else "NOT met"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=1_000_000, help="need reports to write")
    parser.add_argument("--rounds", type=int, default=30, help="timed calls per measurement")
    parser.add_argument("--seed", type=int, default=2024, help="seed of the random reports")
    parser.add_argument("--no-page", action="store_true", help="do not time the dashboard page")
    parser.add_argument("--services", type=int, default=10_000, help="services in the directory")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database-url", help="a scratch database to use instead of a throwaway SQLite")
    where.add_argument(
        "--postgres",
        nargs="?",
        const="postgres://postgres@127.0.0.1:5432",
        metavar="SERVER",
        help="create a throwaway database on this PostgreSQL server (default the local one, trust auth) "
        "and drop it at the end",
    )
    parser.add_argument("--json", dest="json_path", help='write the figures as JSON here ("-": stdout)')
    args = parser.parse_args()
    if args.reports < 1 or args.rounds < 1:
        parser.error("--reports and --rounds must be at least 1")
    load_at_start = round(os.getloadavg()[0], 2)  # other work on the machine shows in p95 and max

    throwaway = create_postgres(args.postgres) if args.postgres else None
    try:
        with tempfile.TemporaryDirectory(prefix="tsunagari-bench-", ignore_cleanup_errors=True) as tmp:
            setup = set_up(Path(tmp) / "data", args.database_url or throwaway, args.services)
            progress(f"Set up in {setup['seconds']:.1f} s; writing {args.reports:,} reports …")
            reporters, membership = create_members()
            inserted = insert_reports(args.reports, args.seed, reporters)
            progress(f"Rebuilding the tallies from {inserted['links']:,} report categories …")
            tallies = rebuild()
            progress(
                f"{tallies['tallies']:,} tally rows in {tallies['seconds']:.1f} s; checking consistency …"
            )
            table = check_consistency()
            directory = directory_size()
            timings = latency(args.rounds, None if args.no_page else membership)

            from django.db import connection

            database = f"{connection.display_name} {'.'.join(map(str, connection.get_database_version()))}"
            if args.database_url:
                progress("Deleting the reports and tallies written …")
                clean_up()
            connection.close()
    finally:
        if throwaway:
            drop_postgres(throwaway)

    p95 = {name: t["p95_ms"] for name, t in timings.items()}
    ratios = {
        "coverage Python loop / SQL": p95["coverage_python"] / p95["coverage_cold"],
        "naive tables / warm cache": p95["naive"] / p95["dashboard"],
    }
    if "page" in p95:
        ratios |= {
            "page before / warm cache": p95["page_before"] / p95["page"],
            "page before / cold cache": p95["page_before"] / p95["page_cold"],
        }
    figures = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "database": database,
            "load_average_1m": {"start": load_at_start, "end": round(os.getloadavg()[0], 2)},
        },
        "rounds": args.rounds,
        "seed": args.seed,
        "data": {
            "reports": inserted["reports"],
            "links": inserted["links"],
            "tallies": tallies["tallies"],
            "districts": setup["districts"],
            "categories": setup["categories"],
            **directory,
            "setup_seconds": setup["seconds"],
            "insert_seconds": inserted["seconds"],
            "rebuild_seconds": tallies["seconds"],
        },
        "table": table,
        "latency": timings,
        "ratios_p95": {label: round(value, 1) for label, value in ratios.items()},
        "target": {
            "p95_ms": TARGET_P95_MS,
            "p95": {
                label: p95[name]
                for name, label in (
                    ("page", "page warm"),
                    ("page_cold", "page cold"),
                    ("page_before", "page before"),
                    ("dashboard", "tables warm"),
                    ("dashboard_cold", "tables cold"),
                )
                if name in p95
            },  # fmt: skip
        },
    }
    print_report(figures)
    if args.json_path == "-":
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    elif args.json_path:
        Path(args.json_path).write_text(
            json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        print(f"\nFigures written to {args.json_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
