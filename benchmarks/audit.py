"""Logged case views per second on PostgreSQL: the activity log with one lane (the old single chain, all
writers taking turns on one head) beside TSUNAGARI_AUDIT_LANES lanes, at 1, 4 and 16 concurrent clients.

    uv run python benchmarks/audit.py                        # default: 16 lanes, 5 s per cell
    uv run python benchmarks/audit.py --lanes 16 --seconds 10 --clients 1,4,16,32
    uv run python benchmarks/audit.py --json figures.json    # … and the figures as JSON ("-": stdout)

It creates a throwaway database on the PostgreSQL server at --server (default the local one, trust
auth), migrates it with production settings (DEBUG off, fresh random secrets, the lanes asked for),
makes an organisation, a staff member and --cases cases, and then, for each lane count and client
count, runs that many threads, each with its own database connection, each doing what the case page
does, over and over for --seconds: in one transaction, read the case through `cases_visible_to` and log
the view with `cases.services.record_case_view` (which works out the legal basis and calls
`log_action`). It prints views/s, the p50/p95 time of one view, and the ratio lanes / one lane, then
verifies every chain (and times that) and drops the database.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _admin(server: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _setup(database_url: str, lanes: int) -> None:
    from cryptography.fernet import Fernet

    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "tsunagari.settings",
            "TSUNAGARI_SECRET_KEY": secrets.token_urlsafe(50),
            "TSUNAGARI_DATA_KEYS": Fernet.generate_key().decode(),
            "TSUNAGARI_AUDIT_KEY": secrets.token_urlsafe(48),
            "TSUNAGARI_DATA_DIR": tempfile.mkdtemp(prefix="tsunagari-bench-audit-"),
            "TSUNAGARI_AUDIT_LANES": str(lanes),
        }
    )
    os.environ.pop("TSUNAGARI_DEBUG", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _world(cases: int) -> tuple[Any, list[int]]:
    from tests.factories import OrganizationFactory, make_member
    from tsunagari.cases import services
    from tsunagari.orgs.models import Role

    org = OrganizationFactory(slug="bench", name="ベンチ支援センター")
    staff = make_member(org, Role.STAFF)
    pks = []
    for n in range(cases):
        person = services.register_person(by=staff, data={"name": f"架空 太郎{n}"})
        pks.append(services.open_case(by=staff, person=person).pk)
    return staff, pks


def _view(membership: Any, case_pk: int) -> None:
    """One logged case view, as the case page does it, in one transaction."""
    from django.db import transaction

    from tsunagari.cases.selectors import cases_visible_to
    from tsunagari.cases.services import record_case_view

    with transaction.atomic():
        case = cases_visible_to(membership).select_related("lead", "person", "household").get(pk=case_pk)
        record_case_view(case=case, by=membership)


def _run(membership: Any, case_pks: list[int], clients: int, seconds: float) -> dict[str, float]:
    from django.db import connections

    start = threading.Barrier(clients + 1)
    stop = threading.Event()
    timings: list[list[float]] = [[] for _ in range(clients)]
    errors: list[BaseException] = []

    def client(i: int) -> None:
        try:
            n = i
            _view(membership, case_pks[n % len(case_pks)])  # connect before the clock starts
            start.wait()
            while not stop.is_set():
                n += clients
                began = time.perf_counter()
                _view(membership, case_pks[n % len(case_pks)])
                timings[i].append(time.perf_counter() - began)
        except BaseException as error:  # printed below; a benchmark with errors is no figure
            errors.append(error)
            start.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise RuntimeError(f"{len(errors)} client(s) failed: {errors[0]!r}")
    every = sorted(t for per_client in timings for t in per_client)
    return {
        "views": len(every),
        "views_per_s": len(every) / elapsed,
        "p50_ms": statistics.median(every) * 1000,
        "p95_ms": every[int(0.95 * (len(every) - 1))] * 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--lanes", type=int, default=16, help="lanes to compare with one lane (default 16)")
    parser.add_argument("--clients", default="1,4,16", help="concurrent clients, comma-separated")
    parser.add_argument("--seconds", type=float, default=5.0, help="measured time per cell")
    parser.add_argument("--cases", type=int, default=50)
    parser.add_argument("--json", help="write the figures as JSON to this file ('-': stdout)")
    args = parser.parse_args()
    client_counts = [int(c) for c in args.clients.split(",")]

    database = f"tsunagari_bench_audit_{os.getpid()}"
    _admin(args.server, f"DROP DATABASE IF EXISTS {database}")
    _admin(args.server, f"CREATE DATABASE {database}")
    try:
        _setup(f"{args.server}/{database}", args.lanes)
        from django.conf import settings
        from django.db import connection, connections

        from tsunagari.audit.models import ActivityLog
        from tsunagari.audit.services import verify_chain

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
            cursor.execute("SHOW synchronous_commit")
            sync = cursor.fetchone()[0]
        membership, case_pks = _world(args.cases)
        print(f"PostgreSQL {version} (synchronous_commit={sync}), {os.cpu_count()} CPUs, {args.cases} cases,")
        print(f"{args.seconds:g} s per cell; one view = read the case + record_case_view in one transaction")
        figures: dict[str, Any] = {"postgresql": version, "cpus": os.cpu_count(), "cells": []}
        by_cell: dict[tuple[int, int], dict[str, float]] = {}
        for clients in client_counts:
            for lanes in (1, args.lanes):
                settings.TSUNAGARI_AUDIT_LANES = lanes  # threads read it at each write
                cell = _run(membership, case_pks, clients, args.seconds)
                by_cell[(clients, lanes)] = cell
                figures["cells"].append({"clients": clients, "lanes": lanes, **cell})
        header = f"{'clients':>7} | {'1 lane views/s':>14} {'p50 ms':>7} {'p95 ms':>7} | "
        header += f"{f'{args.lanes} lanes views/s':>16} {'p50 ms':>7} {'p95 ms':>7} | {'ratio':>5}"
        print(header)
        print("-" * len(header))
        for clients in client_counts:
            one, many = by_cell[(clients, 1)], by_cell[(clients, args.lanes)]
            print(
                f"{clients:>7} | {one['views_per_s']:>14.0f} {one['p50_ms']:>7.1f} {one['p95_ms']:>7.1f} | "
                f"{many['views_per_s']:>16.0f} {many['p50_ms']:>7.1f} {many['p95_ms']:>7.1f} | "
                f"{many['views_per_s'] / one['views_per_s']:>5.2f}"
            )
        began = time.perf_counter()
        result = verify_chain()
        took = time.perf_counter() - began
        used = ActivityLog.objects.values("lane").distinct().count()
        print(
            f"verify-audit: {'intact' if result.ok else 'BROKEN: ' + result.problem}, "
            f"{result.rows_checked} rows in {used} lanes used, {took:.1f} s"
        )
        figures["verify"] = {"ok": result.ok, "rows": result.rows_checked, "seconds": took}
        if args.json:
            text = json.dumps(figures, indent=2)
            if args.json == "-":
                print(text)
            else:
                Path(args.json).write_text(text + "\n")
        connections.close_all()
        return 0 if result.ok else 1
    finally:
        _admin(args.server, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main())
