"""The staff lists of people, households, cases, referrals and tasks at 1,000 and at 100,000 cases on
PostgreSQL: p50/p95 per page and queries per request, against the goal "every list p95 <= 100 ms at 100k".

    uv run python benchmarks/cases.py                            # 1,000 then 100,000 cases (~10 min on 2 cores)
    uv run python benchmarks/cases.py --large 10000 --rounds 10  # a quick look
    uv run python benchmarks/cases.py --jit-off                  # … and every page again, at --large, without JIT
    uv run python benchmarks/cases.py --json figures.json        # … and the figures as JSON ("-": stdout)

In one run, on a throwaway database created on the PostgreSQL server given with --postgres (default the
local one, postgres://postgres@127.0.0.1:5432, trust auth) and dropped at the end (--keep-database keeps
it and prints its URL and the run's keys, to look at plans or pages afterwards):

1. Set-up: migrate with production settings (DEBUG off, fresh random secrets and data key; static files
   from the app folders, so that no collectstatic is needed) and create the cache table; then, through
   the services, the secretariat (架空市 地域福祉課) with a coordinator, and 20 member organisations, each
   with one member of staff who writes its records; the 社協's member and the coordinator get a second
   factor (TOTP), as the second-factor middleware requires of their roles.
2. Build --small cases (default 1,000), then VACUUM ANALYZE (what autovacuum does for a database that grew
   over years; without it the planner would guess at freshly loaded tables) and measure; then grow the
   same database to --large cases (default 100,000), VACUUM ANALYZE again and measure again, so that both
   columns come from one run. Everything is random but deterministic (--seed), and each growth step has
   the same shape:
   * the 社協 leads 12.5 % of the cases, the other 19 organisations the rest (the n-th weighing 1/n^0.7);
     1 % of the cases wait for a lead (the secretariat's queue); 30 % are closed; opened over 5 years;
   * 90 % are about one person, 10 % about a household of 2-3 people (people and households are
     registered by the organisation that opened the case); 1-3 kinds of trouble each;
   * about 0.75 referrals per case led (to any other member), each with its sharing basis: 75 % on the
     person's consent (a consent naming the recipient, some withdrawn or expired), 10 % 支援会議, 5 %
     地域協議会, 10 % protection of life; statuses 6 % sent (two thirds past their response day), 12 %
     accepted, 30 % in progress, 37 % completed, 10 % declined, 5 % cancelled (declined and cancelled
     referrals' bases are revoked, as the services do); and on 8 % of the cases a 支援会議 basis without a
     referral (a fifth of them past their end);
   * about 3 notes per case (by the lead or a sharing organisation; 15 % kept within the writer's own
     organisation) and 1 task (70 % done).
   These rows are bulk-inserted (Django's bulk_create, in one transaction per 2,000 cases), not written
   through the services (register_person, open_case, share_case, send_referral, add_note, add_task):
   each service call writes an activity-log row under its lane's lock and some tell people (e-mail,
   in-app), so 100,000 cases would take hours. bulk_create still goes through the fields, so every
   encrypted value (names, kana, birth dates, phones, addresses, labels, summaries, purposes, reasons,
   messages, notes, task titles) is encrypted with the data key, and people get their blind indexes from
   the same function register_person uses; the time spent encrypting is counted and reported. The
   activity log gets no rows for these records: its triggers accept a row only right after its lane's
   head, one row at a time (tsunagari/audit), so it cannot be bulk-inserted honestly. Of the pages timed,
   only the case page reads it (its timeline, through the index on object_type, object_id).
3. At each size, for each list, signed in (the test Client's force_login) as the 社協's staff member, or
   as the secretariat's coordinator for the queue and the overdue referrals: one warm-up request, then up
   to --rounds timed GETs (stopping early, after at least 5, once one list has taken --budget seconds),
   p50/p95 in ms, of the default page and of ?page=2 (pagination is being added; a view that ignores the
   parameter answers page 2 with page 1), plus one more request whose queries are counted with
   CaptureQueriesContext and timed with an execute wrapper (all of them, and the slowest), and the size
   of the HTML. The lists: people:person_list,
   people:household_list, cases:case_list, cases:case_queue, cases:inbox, cases:task_list, cases:overdue;
   cases:case_detail of the busiest case the 社協 leads (most notes) is timed as a reference (it writes an
   activity-log row for each view, as in production). Requests run in-process (no HTTP server, no TLS).
4. At each size, EXPLAIN (ANALYZE, BUFFERS) of cases_visible_to(the 社協's member) in the case list's order,
   limited to 50 rows (what a paginated case list asks), with JIT as the server is configured and with
   SET jit = off: whether the plan reads cases_case with a Seq Scan, its planning, execution and JIT
   times, and the plan's estimated cost beside jit_above_cost.
5. With --jit-off, at --large only: every page timed again with jit = off for the database (ALTER DATABASE
   … SET jit = off, as a deployment would set it), beside the figures with JIT as configured.

Figures are printed (what the run checks is only that the database holds what was asked for: the number
of cases, every referral with its basis, every consent basis on a consent of one of its case's people; it
stops otherwise); --json also writes them to a file ("-" for stdout). Progress goes to stderr. Other work
on the machine shows in p95: the load average at start and end is printed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import re
import secrets
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
GOAL_P95_MS = 100.0
CHUNK = 2_000  # cases per transaction while building
MIN_CALLS = 5  # timed requests per page even when the budget is spent

# The member organisations (slug, name, kind); the first, the 社協, is the one whose lists are timed.
MEMBERS = [
    ("shakyo", "社会福祉法人 架空市社会福祉協議会", "shakyo"),
    ("korei", "架空市 高齢福祉課", "city"),
    ("seikatsu", "架空市 生活福祉課", "city"),
    ("kosodate", "架空市 子育て支援課", "city"),
    ("hoken", "架空市 保健センター", "city"),
    ("houkatsu-kita", "北部地域包括支援センター", "swc"),
    ("houkatsu-minami", "南部地域包括支援センター", "swc"),
    ("jiritsu", "架空市 生活自立相談センター", "npo"),
    ("yorisoi", "NPO法人 よりそい", "npo"),
    ("kodomo", "NPO法人 こども食堂ネット", "npo"),
    ("kazokukai", "NPO法人 ひきこもり家族会", "npo"),
    ("foodbank", "NPO法人 フードバンク架空", "npo"),
    ("coop", "架空生活協同組合", "coop"),
    ("minsei", "架空市 民生委員児童委員協議会", "minsei"),
    ("clinic", "医療法人 架空クリニック", "medical"),
    ("hospital", "架空市立病院 地域連携室", "medical"),
    ("kyoju", "NPO法人 居住支援ネット", "npo"),
    ("hidamari", "障害者相談支援センター ひだまり", "swc"),
    ("tabunka", "架空市国際交流協会 多文化相談", "other"),
    ("daigaku", "架空大学 地域連携センター", "university"),
]
MEASURED_SHARE = 0.125  # of the cases, led by the 社協
UNASSIGNED = 0.01  # cases waiting for a lead
CLOSED = 0.30
HOUSEHOLD_CASES = 0.10
YEARS = 5
REFERRALS_PER_CASE = {0: 0.45, 1: 0.40, 2: 0.12, 3: 0.03}  # mean 0.73, for cases with a lead
BASES = {"consent": 0.75, "support_meeting": 0.10, "regional_council": 0.05, "vital_interest": 0.10}
STATUSES = {
    "sent": 0.06, "accepted": 0.12, "in_progress": 0.30, "completed": 0.37, "declined": 0.10,
    "cancelled": 0.05,
}  # fmt: skip
MEETING_BASES = 0.08  # cases with a 支援会議 basis that came with no referral
NOTES_PER_CASE = 3.0
TASKS_PER_CASE = 1.0
TASKS_DONE = 0.70

# (URL name, who asks): the staff lists (the queue and the overdue referrals are the secretariat's), and
# the case page as a reference.
LISTS = [
    ("people:person_list", "staff"),
    ("people:household_list", "staff"),
    ("cases:case_list", "staff"),
    ("cases:case_queue", "coordinator"),
    ("cases:inbox", "staff"),
    ("cases:task_list", "staff"),
    ("cases:overdue", "coordinator"),
]
REFERENCE = ("cases:case_detail", "staff")

SURNAMES = [("佐藤", "さとう"), ("鈴木", "すずき"), ("高橋", "たかはし"), ("田中", "たなか"), ("伊藤", "いとう"),
            ("渡辺", "わたなべ"), ("山本", "やまもと"), ("中村", "なかむら"), ("小林", "こばやし"), ("加藤", "かとう")]  # fmt: skip
GIVEN = [("太郎", "たろう"), ("花子", "はなこ"), ("一郎", "いちろう"), ("美咲", "みさき"), ("健", "けん"),
         ("由美", "ゆみ"), ("翔太", "しょうた"), ("和子", "かずこ"), ("浩", "ひろし"), ("陽菜", "ひな")]  # fmt: skip
NOTE_TEXTS = [
    "自宅を訪問。本人と30分ほど話す。食事は一日二回とのこと。次回は来週の火曜日に電話で様子を確認する。",
    "電話で近況を確認。通院は続けているが、外出の機会が少なく、話し相手がいないと話していた。",
    "家族会の案内を渡した。本人は興味があるが、一人で行くのは不安とのことで、初回は同行する。",
    "生活費の相談。今月の家賃の支払いが難しい。生活福祉課の窓口につなぐことを本人と確認した。",
    "支援会議で共有。見守りの頻度を週一回に増やし、民生委員と連絡を取り合うことになった。",
]
TASK_TITLES = ["電話で様子を確認する", "家族会への同行", "窓口への申請に付き添う", "支援計画を見直す",
               "食料支援の受け取りを手配する"]  # fmt: skip


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- set-up -----------------------------------------------------------------------------------------------


def create_postgres(server: str) -> str:
    """A new empty database on the server (trust auth), named for this process; its URL."""
    import psycopg

    name = f"tsunagari_cases_bench_{os.getpid()}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"


def drop_postgres(url: str) -> None:
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def set_up(data_dir: Path, database_url: str) -> float:
    """Production-like settings on the throwaway database, migrated; the seconds it took."""
    from cryptography.fernet import Fernet

    # DEBUG off, as in production; static files straight from the app folders (as in the tests), so that
    # pages render without collectstatic; no HTTPS settings, since requests stay in-process.
    for name in ("TSUNAGARI_DEBUG", "TSUNAGARI_HTTPS", "TSUNAGARI_DEMO"):
        os.environ.pop(name, None)
    os.environ |= {
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "tsunagari.settings",
        "TSUNAGARI_COLLECTED_STATIC": "0",
        "TSUNAGARI_DATA_DIR": str(data_dir),
        "TSUNAGARI_SECRET_KEY": secrets.token_urlsafe(50),
        "TSUNAGARI_DATA_KEYS": Fernet.generate_key().decode("ascii"),
        "TSUNAGARI_AUDIT_KEY": secrets.token_urlsafe(48),
    }
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    progress("Migrating …")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    return time.perf_counter() - started


@dataclass
class World:
    """The organisations and members the cases are built around."""

    orgs: list[int]  # member organisations' ids, the 社協 first
    lead_weights: list[float]  # the share of the cases each leads
    writer: dict[int, int]  # organisation id → the user id that writes its records
    coordinator_user: int
    terms: list[Any]  # the kinds of trouble (TaxonomyTerm pks)
    districts: list[int]
    staff: Any  # the 社協's member of staff, whose lists are timed
    coordinator: Any  # the secretariat's coordinator (the queue, the overdue referrals)
    # A referral's response day, by the day it was sent (the business-day calendar is slow to build).
    due_on: dict[date, date] = field(default_factory=dict)


def create_world() -> World:
    """The secretariat, the member organisations and their members, through the services."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from tsunagari.accounts.models import User
    from tsunagari.demo import DEMO_DATA
    from tsunagari.directory.selectors import category_terms
    from tsunagari.orgs.districts import load_districts
    from tsunagari.orgs.models import District, Role
    from tsunagari.orgs.services import add_membership, create_organization

    load_districts(DEMO_DATA / "districts.csv")
    secretariat = create_organization(
        by=None, slug="jimukyoku", name="架空市 地域福祉課（事務局）", kind="city", is_secretariat=True
    )
    coordinator = add_membership(
        user=User.objects.create_user("coordinator@jimukyoku.example.jp"), organization=secretariat,
        role=Role.COORDINATOR, by=None,
    )  # fmt: skip
    writer, orgs = {}, []
    staff = None
    for slug, name, kind in MEMBERS:
        org = create_organization(by=coordinator, slug=slug, name=name, kind=kind)
        user = User.objects.create_user(f"staff@{slug}.example.jp")
        membership = add_membership(user=user, organization=org, role=Role.STAFF, by=coordinator)
        staff = staff or membership
        writer[org.pk] = user.pk
        orgs.append(org.pk)
    assert staff is not None
    for member in (staff, coordinator):  # their roles see personal data: a second factor is required
        TOTP.activate(member.user, generate_totp_secret())
    others = [1 / n**0.7 for n in range(1, len(orgs))]
    weights = [MEASURED_SHARE] + [(1 - MEASURED_SHARE) * w / sum(others) for w in others]
    return World(
        orgs=orgs,
        lead_weights=weights,
        writer=writer,
        coordinator_user=coordinator.user_id,
        terms=list(category_terms().values_list("pk", flat=True)),
        districts=list(District.objects.values_list("pk", flat=True)),
        staff=staff,
        coordinator=coordinator,
    )


# --- bulk build -------------------------------------------------------------------------------------------


class BuildClock:
    """Where the build's time goes: each model's bulk_create (encryption included), and, within it, the
    calls to tsunagari.crypto.encrypt_text (counted by wrapping the function the fields call)."""

    def __init__(self) -> None:
        self.rows: Counter[str] = Counter()
        self.insert_seconds: Counter[str] = Counter()
        self.encrypted = 0
        self.encrypt_seconds = 0.0

    def insert(self, objects: list[Any]) -> None:
        if not objects:
            return
        model = type(objects[0])
        started = time.perf_counter()
        model.objects.bulk_create(objects, batch_size=1_000)
        label = model._meta.label
        self.insert_seconds[label] += time.perf_counter() - started
        self.rows[label] += len(objects)

    @contextmanager
    def counting_encryption(self) -> Iterator[None]:
        from tsunagari import crypto

        original = crypto.encrypt_text

        def timed(plain: str) -> str:
            started = time.perf_counter()
            try:
                return original(plain)
            finally:
                self.encrypt_seconds += time.perf_counter() - started
                self.encrypted += 1

        crypto.encrypt_text = timed  # the fields look the name up at each call
        try:
            yield
        finally:
            crypto.encrypt_text = original


def poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: enough for the small means used here."""
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def pick(rng: random.Random, weights: dict[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + (end - start) * rng.random()


def due_on(world: World, sent: date) -> date:
    """The response day the service would set (3 business days), computed once per day."""
    from django.conf import settings

    from tsunagari.cases.business_days import add_business_days

    if sent not in world.due_on:
        world.due_on[sent] = add_business_days(sent, settings.TSUNAGARI_REFERRAL_DUE_DAYS)
    return world.due_on[sent]


def new_person(world: World, rng: random.Random, org: int, created_at: datetime) -> Any:
    """A person as register_person stores one: encrypted fields, and blind indexes from set_indexes()."""
    from tsunagari.cases.models import Person
    from tsunagari.cases.services import set_indexes

    (surname, surname_kana), (given, given_kana) = rng.choice(SURNAMES), rng.choice(GIVEN)
    number = rng.randrange(10_000, 100_000)
    person = Person(
        organization_id=org,
        name=f"{surname} {given}",
        kana=f"{surname_kana} {given_kana}",
        birth_date=date(1930, 1, 1) + timedelta(days=rng.randrange(80 * 365)),
        phone=f"090-{number // 10:04d}-{number % 10_000:04d}" if rng.random() < 0.8 else "",
        address=f"架空市{rng.randrange(1, 13)}丁目{rng.randrange(1, 30)}-{rng.randrange(1, 20)}"
        if rng.random() < 0.7
        else "",
        district_id=rng.choice(world.districts),
        contact_preference=rng.choice(Person.ContactPreference.values),
        created_at=created_at,
    )
    set_indexes(person)
    return person


@dataclass
class Plan:
    """One case to build, with its people, before anything has an id."""

    case: Any
    people: list[Any]
    household: Any | None = None
    relations: list[str] = field(default_factory=list)


def plan_cases(world: World, rng: random.Random, size: int, now: datetime) -> list[Plan]:
    from tsunagari.cases.models import Case, Household, HouseholdMember

    plans = []
    for _ in range(size):
        org = rng.choices(world.orgs, weights=world.lead_weights)[0]
        opened_at = now - timedelta(days=YEARS * 365 * rng.random())
        unassigned = rng.random() < UNASSIGNED
        closed = not unassigned and rng.random() < CLOSED
        registered = opened_at - timedelta(days=30 * rng.random())
        case = Case(
            opened_by_id=org,
            lead_id=None if unassigned else org,
            risk=rng.choices(Case.Risk.values, weights=[0.3, 0.45, 0.2, 0.05])[0],
            status=Case.Status.CLOSED if closed else Case.Status.OPEN,
            summary=rng.choice(NOTE_TEXTS) if rng.random() < 0.7 else "",
            opened_at=opened_at,
            unassigned_since=opened_at if unassigned else None,
            closed_at=between(rng, opened_at, now) if closed else None,
        )
        if rng.random() < HOUSEHOLD_CASES:
            size_of = rng.choice([2, 2, 3])
            people = [new_person(world, rng, org, registered) for _ in range(size_of)]
            relations = [HouseholdMember.Relation.SELF] + [
                rng.choice(["spouse", "child", "parent"]) for _ in people[1:]
            ]
            label = f"{people[0].name.split()[0]}家"
            household = Household(organization_id=org, label=label, created_at=registered)
            plans.append(Plan(case, people, household, relations))
        else:
            plans.append(Plan(case, [new_person(world, rng, org, registered)]))
    return plans


def build_chunk(world: World, rng: random.Random, size: int, clock: BuildClock) -> None:
    """``size`` more cases with everything around them, in one transaction."""
    from django.db import transaction
    from django.utils import timezone

    from tsunagari.cases.models import Case, HouseholdMember

    now = timezone.now()
    with transaction.atomic():
        plans = plan_cases(world, rng, size, now)
        clock.insert([person for plan in plans for person in plan.people])
        clock.insert([plan.household for plan in plans if plan.household])
        clock.insert(
            [
                HouseholdMember(household=plan.household, person=person, relation=relation)
                for plan in plans
                if plan.household
                for person, relation in zip(plan.people, plan.relations, strict=True)
            ]
        )
        for plan in plans:
            if plan.household:
                plan.case.household = plan.household
            else:
                plan.case.person = plan.people[0]
        clock.insert([plan.case for plan in plans])
        clock.insert(
            [
                Case.categories.through(case_id=plan.case.pk, taxonomyterm_id=term)
                for plan in plans
                for term in rng.sample(world.terms, rng.choice([1, 1, 2, 3]))
            ]
        )
        sharing = build_sharing(world, rng, plans, now, clock)
        build_notes_and_tasks(world, rng, plans, sharing, now, clock)


def build_sharing(
    world: World, rng: random.Random, plans: list[Plan], now: datetime, clock: BuildClock
) -> dict[int, list[int]]:
    """Referrals with their sharing bases (and consents), and 支援会議 bases without a referral; returns
    case id → the organisations that see it on a basis, for the notes."""
    from tsunagari.audit.models import LegalBasis
    from tsunagari.cases.disclosure import ALL_KINDS, CONTACT, SITUATION, VITAL_INTEREST_KINDS
    from tsunagari.cases.models import Case, Consent, Referral, SharingBasis

    consents: list[tuple[Any, int, list[str]]] = []  # (consent, the organisation it names, its kinds)
    bases: list[tuple[Any, list[str]]] = []  # (basis, the kinds it covers; a consent basis none of its own)
    referrals = []
    today = now.date()
    sharers: dict[int, list[int]] = {}
    optional_kinds = sorted(ALL_KINDS - {CONTACT, SITUATION})
    for plan in plans:
        case = plan.case
        sharers[case.pk] = []
        if case.lead_id is None:
            continue  # only a lead (or a coordinator) refers a case on
        lead_writer = world.writer[case.lead_id]
        for _ in range(pick(rng, REFERRALS_PER_CASE)):
            to_org = rng.choice([o for o in world.orgs if o != case.lead_id])
            legal_basis = pick(rng, BASES)
            status = pick(rng, STATUSES)
            if case.status == Case.Status.CLOSED and status in {"sent", "accepted", "in_progress"}:
                status = "completed"  # a closed case has no referral still running
            if status == "sent" and rng.random() < 1 / 3:
                sent_at = now - timedelta(hours=30 * rng.random())  # still within its response days
            elif status == "sent":
                sent_at = now - timedelta(days=rng.uniform(6, 90))  # past its response day: overdue
            else:
                sent_at = between(rng, case.opened_at, now)
            sent_at = max(sent_at, case.opened_at)
            answered = status not in {"sent", "cancelled"}
            responded = between(rng, sent_at, min(now, sent_at + timedelta(days=5))) if answered else None
            # Declining or cancelling ends the recipient's sight of the case (the services revoke the basis).
            ended_at = responded if status == "declined" else between(rng, sent_at, now)
            ended = status in {"declined", "cancelled"}

            consent = None
            if legal_basis == LegalBasis.CONSENT:
                given = sent_at - timedelta(days=rng.randrange(0, 14))
                if rng.random() < 0.05:  # expired since
                    valid_until = today - timedelta(days=rng.randrange(1, 200))
                else:
                    valid_until = given.date() + timedelta(days=730) if rng.random() < 0.4 else None
                consent = Consent(
                    person=rng.choice(plan.people), method=Consent.Method.WRITTEN,
                    purpose="支援機関の間で必要な情報を共有し、相談に一緒に対応するため", given_on=given.date(),
                    valid_until=valid_until, recorded_by_id=lead_writer,
                    withdrawn_at=between(rng, given, now) if rng.random() < 0.05 else None,
                )  # fmt: skip
                kinds = [CONTACT, SITUATION, *rng.sample(optional_kinds, rng.randrange(0, 3))]
                consents.append((consent, to_org, kinds))
            vital = legal_basis == LegalBasis.VITAL_INTEREST
            basis = SharingBasis(
                case=case, organization_id=to_org, legal_basis=legal_basis, consent=consent,
                reason="" if consent else "本人の生活の安定のため、関係機関で情報を共有する必要がある",
                granted_by_id=lead_writer if consent or vital else world.coordinator_user, granted_at=sent_at,
                # A consent basis ends with its consent, as share_case and withdraw_consent make it.
                ends_on=consent.valid_until if consent else None,
                revoked_at=(ended_at if ended else None) or (consent.withdrawn_at if consent else None),
                review_by=sent_at.date() + timedelta(days=1) if vital else None,
                reviewed_at=sent_at + timedelta(hours=20) if vital else None,
                reviewed_by_id=world.coordinator_user if vital else None,
            )  # fmt: skip
            if vital:
                bases.append((basis, sorted(VITAL_INTEREST_KINDS)))
            elif consent is None:  # 支援会議 or 地域協議会: the kinds chosen on the basis
                bases.append((basis, [SITUATION, *rng.sample([CONTACT, *optional_kinds], 2)]))
            else:
                bases.append((basis, []))
            referrals.append(
                Referral(
                    case=case,
                    from_org_id=case.lead_id,
                    to_org_id=to_org,
                    message="ご本人の了解を得てご連絡します。生活面の相談に一緒に乗っていただけないでしょうか。",
                    legal_basis=legal_basis,
                    sharing=basis,
                    status=status,
                    decline_reason=rng.choice(Referral.DeclineReason.values) if status == "declined" else "",
                    outcome=rng.choice(Referral.Outcome.values) if status == "completed" else "",
                    sent_by_id=lead_writer,
                    sent_at=sent_at,
                    due_on=due_on(world, sent_at.date()),
                    responded_at=responded,
                    finished_at=between(rng, responded, now) if status == "completed" and responded else None,
                )
            )
            if not ended:
                sharers[case.pk].append(to_org)
        if rng.random() < MEETING_BASES:
            org = rng.choice([o for o in world.orgs if o != case.lead_id])
            past_end = rng.random() < 0.2
            basis = SharingBasis(
                case=case, organization_id=org, legal_basis=LegalBasis.SUPPORT_MEETING,
                reason="支援会議で見守りの分担を決めたため", granted_by_id=world.coordinator_user,
                granted_at=between(rng, case.opened_at, now),
                ends_on=today - timedelta(days=rng.randrange(1, 365)) if past_end else None,
            )  # fmt: skip
            bases.append((basis, [SITUATION, CONTACT]))
            if not past_end:
                sharers[case.pk].append(org)

    clock.insert([consent for consent, _, _ in consents])
    clock.insert([Consent.recipients.through(consent_id=c.pk, organization_id=org) for c, org, _ in consents])
    clock.insert(
        [Consent.kinds.through(consent_id=c.pk, infokind_id=k) for c, _, kinds in consents for k in kinds]
    )
    clock.insert([basis for basis, _ in bases])
    clock.insert(
        [SharingBasis.kinds.through(sharingbasis_id=b.pk, infokind_id=k) for b, kinds in bases for k in kinds]
    )
    clock.insert(referrals)
    return sharers


def build_notes_and_tasks(
    world: World,
    rng: random.Random,
    plans: list[Plan],
    sharers: dict[int, list[int]],
    now: datetime,
    clock: BuildClock,
) -> None:
    """About NOTES_PER_CASE notes per case, by the lead or an organisation it is shared with, and about
    TASKS_PER_CASE tasks, most of them done."""
    from tsunagari.cases.models import Case, CaseNote, Task

    notes, tasks = [], []
    for plan in plans:
        case = plan.case
        owner = case.lead_id or case.opened_by_id
        writers = [owner, *sharers[case.pk]]
        for _ in range(poisson(rng, NOTES_PER_CASE)):
            org = owner if rng.random() < 0.7 else rng.choice(writers)
            written = between(rng, case.opened_at, now)
            notes.append(
                CaseNote(
                    case=case,
                    organization_id=org,
                    author_id=world.writer[org],
                    text=rng.choice(NOTE_TEXTS),
                    visibility=CaseNote.Visibility.OWN if rng.random() < 0.15 else CaseNote.Visibility.TEAM,
                    created_at=written,
                    updated_at=written,
                )
            )
        for _ in range(poisson(rng, TASKS_PER_CASE)):
            created = between(rng, case.opened_at, now)
            done = case.status == Case.Status.CLOSED or rng.random() < TASKS_DONE
            tasks.append(
                Task(
                    case=case,
                    owner_id=owner,
                    assignee_id=world.writer[owner] if rng.random() < 0.5 else None,
                    title=rng.choice(TASK_TITLES),
                    due_on=(created + timedelta(days=rng.randrange(1, 30))).date(),
                    done_at=between(rng, created, now) if done else None,
                    created_by_id=world.writer[owner],
                    created_at=created,
                )
            )
    clock.insert(notes)
    clock.insert(tasks)


def grow(world: World, rng: random.Random, target: int) -> dict[str, Any]:
    """Add cases until the database holds ``target``; then VACUUM ANALYZE. Timed."""
    from django.db import connection

    from tsunagari.cases.models import Case

    have = Case.objects.count()
    clock = BuildClock()
    started = time.perf_counter()
    with clock.counting_encryption():
        while have < target:
            size = min(CHUNK, target - have)
            build_chunk(world, rng, size, clock)
            have += size
            if have % 10_000 < CHUNK or have == target:
                progress(f"  {have:>9,} / {target:,} cases ({time.perf_counter() - started:.0f} s)")
    build_seconds = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {
        "seconds": round(build_seconds, 1),
        "insert_seconds": round(sum(clock.insert_seconds.values()), 1),
        "encrypted_values": clock.encrypted,
        "encrypt_seconds": round(clock.encrypt_seconds, 1),
        "rows_inserted": dict(clock.rows),
        "vacuum_analyze_seconds": round(time.perf_counter() - started, 1),
    }


# --- what the database holds --------------------------------------------------------------------------------


def check_consistency(target: int) -> None:
    """Stop unless the database holds what was asked for (the only thing this script asserts)."""
    from django.db.models import Exists, F, OuterRef

    from tsunagari.cases.models import Case, HouseholdMember, Referral, SharingBasis

    problems = []
    if (cases := Case.objects.count()) != target:
        problems.append(f"{cases:,} cases, not {target:,}")
    if Referral.objects.filter(sharing__isnull=True).exists():
        problems.append("a referral without its sharing basis")
    in_household = HouseholdMember.objects.filter(
        household=OuterRef("case__household"), person=OuterRef("consent__person")
    )
    stray = (
        SharingBasis.objects.filter(consent__isnull=False)
        .exclude(consent__person=F("case__person"))
        .exclude(Exists(in_household))
        .count()
    )
    if stray:
        problems.append(f"{stray:,} consent bases on the consent of someone outside their case")
    if problems:
        raise SystemExit("consistent: NO (" + "; ".join(problems) + ")")


def sizes(world: World) -> dict[str, int]:
    """What the database holds, and how many rows each timed list has for its member (all on one page
    while the views do not paginate)."""
    from django.db import connection

    from tsunagari.cases import selectors
    from tsunagari.cases.models import (
        Case,
        CaseNote,
        Consent,
        Household,
        Person,
        Referral,
        SharingBasis,
        Task,
    )

    staff, coordinator = world.staff, world.coordinator
    visible = selectors.cases_visible_to(staff)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        database_bytes = cursor.fetchone()[0]
    return {
        "cases": Case.objects.count(),
        "people": Person.objects.count(),
        "households": Household.objects.count(),
        "referrals": Referral.objects.count(),
        "referrals_sent": Referral.objects.filter(status=Referral.Status.SENT).count(),
        "sharing_bases": SharingBasis.objects.count(),
        "consents": Consent.objects.count(),
        "notes": CaseNote.objects.count(),
        "tasks": Task.objects.count(),
        "database_mb": round(database_bytes / 2**20),
        "staff_visible_cases": visible.count(),
        "staff_led_cases": visible.filter(lead_id=staff.organization_id).count(),
        "rows:people:person_list": selectors.persons_visible_to(staff).count(),
        "rows:people:household_list": selectors.households_visible_to(staff).count(),
        "rows:cases:case_list": visible.count(),
        "rows:cases:case_queue": selectors.unassigned_queue_for(coordinator).count(),
        "rows:cases:inbox": selectors.inbox_for(staff).count(),
        "rows:cases:task_list": selectors.open_tasks_for(staff).count(),
        "rows:cases:overdue": selectors.overdue_referrals().count(),
    }


def busiest_case(world: World) -> tuple[int, dict[str, int]]:
    """The case the 社協 leads with the most notes and referrals (the reference case page)."""
    from django.db.models import Count

    from tsunagari.cases.models import Case

    case = (
        Case.objects.filter(lead_id=world.staff.organization_id)
        .annotate(n_notes=Count("notes", distinct=True), n_referrals=Count("referrals", distinct=True))
        .order_by("-n_notes", "-n_referrals", "pk")
        .values("pk", "n_notes", "n_referrals")
        .first()
    )
    assert case is not None
    return case["pk"], {"notes": case["n_notes"], "referrals": case["n_referrals"]}


# --- latency ------------------------------------------------------------------------------------------------


def client_for(membership: Any) -> Any:
    from django.test import Client

    client = Client(HTTP_HOST="localhost")  # an allowed host, without setup_test_environment()
    client.force_login(membership.user)
    return client


def time_requests(get: Callable[[], Any], rounds: int, budget: float) -> dict[str, Any]:
    """One warm-up request, then up to ``rounds`` timed ones (at least MIN_CALLS, and no more once
    ``budget`` seconds have gone): p50, p95, max in ms."""
    get()
    samples: list[float] = []
    started = time.perf_counter()
    while len(samples) < rounds and (len(samples) < MIN_CALLS or time.perf_counter() - started < budget):
        began = time.perf_counter()
        get()
        samples.append((time.perf_counter() - began) * 1000)
    values = np.asarray(samples)
    return {
        "calls": len(samples),
        "p50_ms": round(float(np.percentile(values, 50)), 1),
        "p95_ms": round(float(np.percentile(values, 95)), 1),
        "max_ms": round(float(values.max()), 1),
    }


class QueryClock:
    """Each query's SQL and wall time in ms, through the connection's execute wrapper (the times
    CaptureQueriesContext records are rounded to whole milliseconds)."""

    def __init__(self) -> None:
        self.queries: list[tuple[str, float]] = []

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, (time.perf_counter() - started) * 1000))


def count_queries(get: Callable[[], Any]) -> dict[str, Any]:
    """One more request, its queries captured: how many, their SQL time, the slowest, the page's size.
    Kept apart from the timed requests, whose queries are not recorded."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clock = QueryClock()
    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(clock):
        response = get()
    sql, slowest = max(clock.queries, key=lambda query: query[1], default=("", 0.0))
    return {
        "status": response.status_code,
        "queries": len(captured.captured_queries),
        "sql_ms": round(sum(ms for _, ms in clock.queries), 1),
        "slowest_ms": round(slowest, 1),
        "slowest_sql": sql,
        "kb": round(len(response.content) / 1024),
    }


def describe(sql: str) -> str:
    """A query in a few words: the table it reads first, or the header badge's counts (today.py)."""
    if sql.startswith("SELECT (SELECT COUNT(*)"):
        return "the header badge's counts (today.waiting_for)"
    tables = re.findall(r'FROM "(\w+)"', sql)
    joins = re.findall(r'JOIN "(\w+)"', sql)
    where = "WHERE" in sql
    return (
        f"{tables[0] if tables else '?'}"
        + (f" ⋈ {', '.join(joins)}" if joins else "")
        + ("" if where else " (no WHERE)")
    )


def measure(world: World, case_pk: int, rounds: int, budget: float) -> dict[str, dict[str, Any]]:
    """Every list, its page 2, and the reference case page, as their members see them."""
    from django.urls import reverse

    clients = {"staff": client_for(world.staff), "coordinator": client_for(world.coordinator)}
    slugs = {"staff": world.staff.organization.slug, "coordinator": world.coordinator.organization.slug}
    pages = [(name, who, "", [slugs[who]]) for name, who in LISTS]
    pages += [(name, who, "?page=2", [slugs[who]]) for name, who in LISTS]
    name, who = REFERENCE
    pages.append((name, who, "", [slugs[who], case_pk]))
    results = {}
    for name, who, query, args in pages:
        url = reverse(name, args=args) + query
        client = clients[who]

        def get(url: str = url, client: Any = client) -> Any:
            return client.get(url)

        first = count_queries(get)
        if first["status"] != 200 and not query:
            raise SystemExit(f"GET {url} answered {first['status']}, not 200")
        progress(f"  {name}{query}: {first['queries']} queries, {first['kb']} KB; timing …")
        timing = time_requests(get, rounds, budget) if first["status"] == 200 else {}
        results[name + query] = {"url": url, **first, **timing}
    return results


# --- the case list's query plan -------------------------------------------------------------------------------


def explain_case_list(world: World) -> dict[str, Any]:
    """EXPLAIN (ANALYZE, BUFFERS) of the 社協's visible cases in the case list's order, first 50 rows,
    with JIT as configured and with JIT off."""
    from django.db import connection

    from tsunagari.cases.selectors import cases_visible_to

    queryset = cases_visible_to(world.staff).order_by("status", "-opened_at")[:50]
    sql, params = queryset.query.sql_with_params()
    result: dict[str, Any] = {"sql": sql % tuple(repr(p) for p in params)}
    with connection.cursor() as cursor:
        for setting in ("jit_above_cost", "jit_inline_above_cost", "jit_optimize_above_cost", "jit"):
            cursor.execute(f"SHOW {setting}")
            result[setting] = cursor.fetchone()[0]
        for label, statement in (("configured", "RESET jit"), ("jit_off", "SET jit = off")):
            cursor.execute(statement)
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            result[label] = summarise_plan(plan)
        cursor.execute("RESET jit")
    return result


def summarise_plan(plan: str) -> dict[str, Any]:
    def number(pattern: str) -> float | None:
        match = re.search(pattern, plan)
        return float(match[1]) if match else None

    return {
        "seq_scan_on_cases_case": bool(re.search(r"Seq Scan on cases_case\b", plan)),
        "estimated_cost": number(r"cost=[\d.]+\.\.([\d.]+)"),
        "planning_ms": number(r"Planning Time: ([\d.]+) ms"),
        "execution_ms": number(r"Execution Time: ([\d.]+) ms"),
        "jit_ms": number(r"Timing: Generation .*Total ([\d.]+) ms"),
        "plan": plan,
    }


# --- report -------------------------------------------------------------------------------------------------


def print_report(figures: dict[str, Any]) -> None:
    small, large = figures["sizes"]["small"], figures["sizes"]["large"]
    print_setting(figures["machine"], small, large)
    print_table(small, large, figures["verdict"]["pages"])
    print_verdict(figures["machine"], large, figures["verdict"]["pages"])
    if "pages_jit_off" in large:
        print_jit_off(large)
    print_slowest_queries(large)
    for column in (small, large):
        print_plan_summary(column)
    print(f"\nPlan at {large['data']['cases']:,} cases, jit as configured:")
    for line in large["explain"]["configured"]["plan"].splitlines():
        print("  " + line)


def print_setting(machine: dict[str, Any], small: dict[str, Any], large: dict[str, Any]) -> None:
    print(
        f"\nMachine: {machine['platform']}, {machine['cpus']} CPUs, Python {machine['python']}, "
        f"{machine['database']} (shared_buffers {machine['shared_buffers']}, work_mem {machine['work_mem']}, "
        f"jit {machine['jit']})"
    )
    print(f"Load average (1 min) at start / end: {machine['load_start']} / {machine['load_end']}")
    print(
        "Production-like: DEBUG off, PostgreSQL, database sessions saved on every request, the views and "
        "templates as they are. Different: requests run in-process through the test Client (no gunicorn, "
        "HTTP or TLS), static files from the app folders, one process, the database on the same machine."
    )
    for column, how in ((small, "from empty"), (large, "on top")):
        data, build, case = column["data"], column["build"], column["reference_case"]
        print(
            f"\nAt {data['cases']:,} cases: {data['people']:,} people, {data['households']:,} households, "
            f"{data['referrals']:,} referrals ({data['referrals_sent']:,} sent), {data['sharing_bases']:,} "
            f"sharing bases, {data['consents']:,} consents, {data['notes']:,} notes, {data['tasks']:,} tasks; "
            f"database {data['database_mb']:,} MB"
        )
        print(
            f"  built {how} in {build['seconds']:.0f} s (bulk_create {build['insert_seconds']:.0f} s, of which "
            f"encrypting {build['encrypted_values']:,} values {build['encrypt_seconds']:.0f} s), "
            f"VACUUM ANALYZE {build['vacuum_analyze_seconds']:.0f} s"
        )
        print(
            f"  the 社協 sees {data['staff_visible_cases']:,} cases and leads {data['staff_led_cases']:,}; "
            f"the reference case #{case['pk']} has {case['notes']} notes and {case['referrals']} referrals"
        )
    print(
        "\nBulk-inserted with bulk_create (not the services, which log each action to the activity log "
        "under a lock and notify people): people (with blind indexes), households, cases and their kinds "
        "of trouble, consents, sharing bases, referrals, notes, tasks; every encrypted field encrypted. "
        "No activity-log rows for them. Organisations and members through the services."
    )


def print_table(small: dict[str, Any], large: dict[str, Any], verdicts: dict[str, bool]) -> None:
    header = f"{'rows':>7} {'p50':>7} {'p95':>7} {'qs':>4} {'KB':>6} {'n':>3} "
    titles = [f"{column['data']['cases']:,} cases" for column in (small, large)]
    print(f"\n{'':<28}|{titles[0]:^38}|{titles[1]:^38}|")
    print(f"{'page (ms)':<28}| {header}| {header}| goal")
    for key, label in page_rows():
        cells = []
        for column in (small, large):
            page = column["pages"][key]
            rows = column["data"].get("rows:" + key.split("?")[0])
            if page["status"] != 200:
                cells.append(f"{'answered ' + str(page['status']):>37} ")
                continue
            cells.append(
                f"{'' if rows is None else f'{rows:,}':>7} {page['p50_ms']:>7.1f} {page['p95_ms']:>7.1f} "
                f"{page['queries']:>4} {page['kb']:>6,} {page['calls']:>3} "
            )
        goal = {True: "met", False: "NOT met", None: ""}[verdicts.get(key)]
        print(f"{label:<28}| {cells[0]}| {cells[1]}| {goal}")
    print(
        "  rows: what the list holds for its member; qs: queries per request; KB: the HTML; n: timed requests"
    )


def print_verdict(machine: dict[str, Any], large: dict[str, Any], verdicts: dict[str, bool]) -> None:
    failed = [key for key, met in verdicts.items() if not met]
    outcome = f"NOT met ({len(failed)} of {len(verdicts)}: {', '.join(failed)})" if failed else "met"
    print(
        f"\nGoal: every list p95 <= {GOAL_P95_MS:.0f} ms at {large['data']['cases']:,} cases: {outcome} "
        f"— on {machine['cpus']} CPUs, with the database on the same machine"
    )


def print_jit_off(large: dict[str, Any]) -> None:
    """The same pages at the large size with JIT as configured and with jit = off for the database."""
    print(f"\nAt {large['data']['cases']:,} cases, JIT as configured beside jit = off (ms)")
    print(f"{'page':<28}| {'p50':>7} {'p95':>7} {'sql':>7} | {'p50':>7} {'p95':>7} {'sql':>7} | off: goal")
    for key, label in page_rows():
        on, off = large["pages"][key], large["pages_jit_off"][key]
        if on["status"] != 200 or off["status"] != 200:
            continue
        goal = "" if key == REFERENCE[0] else ("met" if off["p95_ms"] <= GOAL_P95_MS else "NOT met")
        print(
            f"{label:<28}| {on['p50_ms']:>7.1f} {on['p95_ms']:>7.1f} {on['sql_ms']:>7.1f} "
            f"| {off['p50_ms']:>7.1f} {off['p95_ms']:>7.1f} {off['sql_ms']:>7.1f} | {goal}"
        )
    print("  sql: the time of all the request's queries, in the request counted apart")


def print_slowest_queries(large: dict[str, Any]) -> None:
    print(
        f"\nSlowest query of each page at {large['data']['cases']:,} cases "
        "(its time / all the request's queries' time, ms)"
    )
    for key, label in page_rows():
        page = large["pages"][key]
        if page["status"] == 200:
            print(
                f"  {label:<28} {page['slowest_ms']:>8.1f} / {page['sql_ms']:>8.1f}  {describe(page['slowest_sql'])}"
            )


def print_plan_summary(column: dict[str, Any]) -> None:
    plan = column["explain"]
    print(
        f"\nEXPLAIN ANALYZE at {column['data']['cases']:,} cases: cases_visible_to(the 社協's member) ordered by "
        f"status, -opened_at, LIMIT 50 (jit_above_cost {plan['jit_above_cost']}, inline/optimize above "
        f"{plan['jit_inline_above_cost']}/{plan['jit_optimize_above_cost']})"
    )
    for name, title in (("configured", f"jit {plan['jit']} (as configured)"), ("jit_off", "SET jit = off")):
        run = plan[name]
        jit = f"{run['jit_ms']:.1f} ms" if run["jit_ms"] is not None else "none"
        print(
            f"  {title:<24} Seq Scan on cases_case: {'yes' if run['seq_scan_on_cases_case'] else 'no'}; "
            f"estimated cost {run['estimated_cost']:,.0f}; planning {run['planning_ms']:.1f} ms, "
            f"execution {run['execution_ms']:.1f} ms, of which JIT {jit}"
        )


def page_rows() -> list[tuple[str, str]]:
    """(key of the figures, label) of each row of the table: each list, its page 2, the case page."""
    rows = []
    for name, _ in LISTS:
        rows += [(name, name), (name + "?page=2", "  ?page=2")]
    rows.append((REFERENCE[0], REFERENCE[0] + " (ref.)"))
    return rows


def machine_facts() -> dict[str, Any]:
    from django.db import connection

    facts = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "database": f"{connection.display_name} {'.'.join(map(str, connection.get_database_version()))}",
    }
    with connection.cursor() as cursor:
        for setting in ("shared_buffers", "work_mem", "jit"):
            cursor.execute(f"SHOW {setting}")
            facts[setting] = cursor.fetchone()[0]
    return facts


def size_step(
    world: World, rng: random.Random, target: int, args: argparse.Namespace, *, jit_off: bool = False
) -> dict[str, Any]:
    """Grow to ``target`` cases, then measure every page and the case list's plan (and, with ``jit_off``,
    every page again with JIT off)."""
    progress(f"Building up to {target:,} cases …")
    build = grow(world, rng, target)
    check_consistency(target)
    progress(f"Built in {build['seconds']:.0f} s; VACUUM ANALYZE {build['vacuum_analyze_seconds']:.0f} s")
    case_pk, case_facts = busiest_case(world)
    progress(f"Measuring at {target:,} cases …")
    column = {
        "build": build,
        "data": sizes(world),
        "reference_case": {"pk": case_pk, **case_facts},
        "pages": measure(world, case_pk, args.rounds, args.budget),
        "explain": explain_case_list(world),
    }
    if jit_off:
        progress(f"Measuring at {target:,} cases with jit = off …")
        with database_setting("jit", "off"):
            column["pages_jit_off"] = measure(world, case_pk, args.rounds, args.budget)
    return column


@contextmanager
def database_setting(name: str, value: str) -> Iterator[None]:
    """A server setting for this database's new connections (ALTER DATABASE … SET), as a deployment would
    set it; the connection is closed so that the next request opens one that has it."""
    from django.db import connection

    database = connection.ops.quote_name(connection.settings_dict["NAME"])
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER DATABASE {database} SET {name} = {value}")
    connection.close()
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER DATABASE {database} RESET {name}")
        connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--small", type=int, default=1_000, help="cases for the first column")
    parser.add_argument("--large", type=int, default=100_000, help="cases for the second column")
    parser.add_argument("--rounds", type=int, default=20, help="timed requests per page (at most)")
    parser.add_argument(
        "--budget", type=float, default=30.0, help="seconds of timed requests per page before stopping early"
    )
    parser.add_argument("--seed", type=int, default=2024, help="seed of the random cases")
    parser.add_argument(
        "--jit-off",
        action="store_true",
        help="at --large, time every page again with jit = off for the database (ALTER DATABASE … SET)",
    )
    parser.add_argument(
        "--postgres", default=DEFAULT_SERVER, metavar="SERVER", help="PostgreSQL server (trust auth)"
    )
    parser.add_argument(
        "--keep-database", action="store_true", help="do not drop the database at the end; print its URL"
    )
    parser.add_argument("--json", dest="json_path", help='write the figures as JSON here ("-": stdout)')
    args = parser.parse_args()
    if not 1 <= args.small < args.large or args.rounds < 1:
        parser.error("--small must be at least 1 and below --large; --rounds at least 1")
    load_start = round(os.getloadavg()[0], 2)  # other work on the machine shows in p95

    database = create_postgres(args.postgres)
    try:
        with tempfile.TemporaryDirectory(prefix="tsunagari-bench-", ignore_cleanup_errors=True) as tmp:
            setup_seconds = set_up(Path(tmp) / "data", database)
            progress("Creating the organisations and members …")
            world = create_world()
            rng = random.Random(args.seed)
            columns = {
                "small": size_step(world, rng, args.small, args),
                "large": size_step(world, rng, args.large, args, jit_off=args.jit_off),
            }
            facts = machine_facts()
            from django.db import connections

            connections.close_all()
    finally:
        if args.keep_database:  # its encrypted values open only with this run's data key
            progress(f"Database kept. To open it: export DATABASE_URL={database}")
            for name in ("TSUNAGARI_SECRET_KEY", "TSUNAGARI_DATA_KEYS", "TSUNAGARI_AUDIT_KEY"):
                progress(f"  export {name}={os.environ.get(name, '')}")
        else:
            drop_postgres(database)

    pages = columns["large"]["pages"]
    figures = {
        "machine": {**facts, "load_start": load_start, "load_end": round(os.getloadavg()[0], 2)},
        "seed": args.seed,
        "rounds": args.rounds,
        "budget_seconds": args.budget,
        "setup_seconds": round(setup_seconds, 1),
        "sizes": columns,
        "verdict": {
            "goal_p95_ms": GOAL_P95_MS,
            "pages": {
                key: pages[key]["p95_ms"] <= GOAL_P95_MS
                for key, _ in page_rows()
                if pages[key]["status"] == 200 and key != REFERENCE[0]
            },
        },
    }
    print_report(figures)
    if args.json_path == "-":
        print(json.dumps(figures, ensure_ascii=False, indent=2, default=str))
    elif args.json_path:
        Path(args.json_path).write_text(
            json.dumps(figures, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
        )
        print(f"\nFigures written to {args.json_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
