"""The platform's picture of the city, from the monthly tallies (never from identities).

Members see one table only: everything reported, district × kind of trouble, with its totals, the
months and the household types, each suppressed below k (suppression.py). They get no filters on
purpose: two overlapping tables (this year and all years, or one household type and all) could be
subtracted from each other to recover what each one hides. The secretariat sees the reports themselves.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, Subquery, Sum
from django.utils.translation import gettext as _

from tsunagari.directory.models import Service, ServiceCategory, TaxonomyTerm
from tsunagari.directory.selectors import category_terms
from tsunagari.orgs.models import District

from .models import DirectoryVersion, HouseholdType, NeedReport, NeedTally, SystemFit, TallyVersion
from .suppression import GRAND, SuppressedTable, col_key, suppress

TOTAL = "total"
CACHE_SECONDS = 24 * 3600  # recomputed at least daily, whether or not anything changed
T = TypeVar("T")


def k_threshold() -> int:
    return settings.TSUNAGARI_NEEDS_MIN_CELL


@dataclass(frozen=True)
class Figure:
    """One figure as members see it: the number, 「10未満」 (hidden, under k) or 「秘匿」 (hidden to protect
    another figure)."""

    value: int | None
    below_k: bool
    k: int
    heat: str = ""  # CSS class of the heat map step

    def __str__(self) -> str:
        if self.value is not None:
            return f"{self.value:,}"
        return _("under %(k)s") % {"k": self.k} if self.below_k else _("withheld")

    @classmethod
    def of(cls, table: SuppressedTable, key: tuple, heat: str = "") -> Figure:
        return cls(table.shown(key), table.below_k(key), table.k, heat)


@dataclass(frozen=True)
class CityTable:
    """District × kind-of-trouble table as members see it (``table`` knows what is hidden)."""

    districts: list[District]
    categories: list[TaxonomyTerm]
    table: SuppressedTable

    def rows(self) -> list[tuple[District, list[Figure], Figure]]:
        """Each district's figures, with a heat-map step (five steps of the largest shown figure)."""
        top = max(
            (v for key, v in self.table.values.items() if key[0] == "cell" and key not in self.table.hidden),
            default=0,
        )
        rows = []
        for d in self.districts:
            figures = []
            for c in self.categories:
                key = ("cell", d.pk, c.pk)
                value = self.table.shown(key)
                step = (
                    "hidden"
                    if value is None
                    else "0"
                    if not value or not top
                    else str(min(5, 1 + (value * 5 - 1) // top))
                )
                figures.append(Figure.of(self.table, key, f"heat--{step}"))
            rows.append((d, figures, Figure.of(self.table, ("row", d.pk))))
        return rows

    def largest(self, n: int = 10) -> list[tuple[District, TaxonomyTerm, Figure]]:
        """The biggest figures members may see (hidden ones never take part in a ranking)."""
        shown = [
            (d, c, Figure.of(self.table, ("cell", d.pk, c.pk)))
            for d in self.districts
            for c in self.categories
            if self.table.cell(d.pk, c.pk)
        ]
        return sorted(shown, key=lambda item: -(item[2].value or 0))[:n]

    def column_totals(self) -> list[Figure]:
        return [Figure.of(self.table, ("col", c.pk)) for c in self.categories]

    def grand_total(self) -> Figure:
        return Figure.of(self.table, ("grand",))


@dataclass(frozen=True)
class Series:
    """A one-column table (months, household types) whose entries add up to the grand total."""

    labels: list[str]
    table: SuppressedTable
    keys: Sequence[object]

    def values(self) -> list[int | None]:
        return [self.table.cell(key, TOTAL) for key in self.keys]

    def items(self) -> list[tuple[str, Figure]]:
        return [
            (label, Figure.of(self.table, ("cell", key, TOTAL)))
            for label, key in zip(self.labels, self.keys, strict=True)
        ]


def city_table(k: int | None = None) -> CityTable:
    """Reported people (延べ数) per district and kind of trouble, suppressed for members."""
    k = k or k_threshold()
    districts = list(District.objects.all())
    categories = list(category_terms())
    rows, cols = [d.pk for d in districts], [c.pk for c in categories]

    def compute() -> SuppressedTable:
        cells = {
            (row["district_id"], row["category_id"]): row["total"]
            for row in NeedTally.objects.values("district_id", "category_id").annotate(total=Sum("people"))
        }
        return suppress(cells, rows, cols, k)

    return CityTable(districts, categories, _cached(TallyVersion, ("city", k, rows, cols), compute))


def versions() -> tuple[str, str] | None:
    """The tallies' and the directory's tokens (one query): together they change whenever anything the
    city's picture is computed from does. None when a row is missing (a test flushed it)."""
    tally = TallyVersion.objects.filter(pk=1).values("token")
    row = DirectoryVersion.objects.filter(pk=1).values_list(Subquery(tally), "token").first()
    if row is None or row[0] is None:
        return None
    return str(row[0]), str(row[1])


def _cached(version: type[TallyVersion | DirectoryVersion], key: tuple, compute: Callable[[], T]) -> T:
    """What ``compute`` returns, from the cache under the current token of ``version`` (the tallies', or
    the directory's) and everything else it is computed from (``key``); computed and stored when the
    token has changed since.

    The token is read before the data: a change committed in between is then in what is stored under
    the older token, never missing from what is stored under the newer one (the token changes in the
    same transaction as the data)."""
    token = version.objects.filter(pk=1).values_list("token", flat=True).first()
    if token is None:  # no version row (a test flushed it): nothing to key the cache by
        return compute()
    name = "needs:" + hashlib.sha256(repr((version.__name__, token, key)).encode()).hexdigest()
    value = cache.get(name)
    if value is None:
        value = compute()
        cache.set(name, value, timeout=CACHE_SECONDS)
    return value


def naive_city_cells() -> dict[tuple[int, object], int]:
    """The same cells straight from the reports (the benchmark's baseline, and a consistency check)."""
    through = NeedReport.categories.through
    rows = through.objects.values("needreport__district_id", "taxonomyterm_id").annotate(
        people=Sum("needreport__count")
    )
    return {(r["needreport__district_id"], r["taxonomyterm_id"]): r["people"] for r in rows}


def _shared_total(city: CityTable) -> dict[str, tuple]:
    """The city table's grand total, as the month and household tables must treat it (they add up to it)."""
    shared = (GRAND, col_key(TOTAL))
    return {"withheld": shared} if GRAND in city.table.hidden else {"published": shared}


def monthly(city: CityTable) -> Series:
    """Reported people per month, oldest first, suppressed as one line adding up to the grand total."""
    shared = _shared_total(city)

    def compute() -> SuppressedTable:
        per_month = dict(NeedTally.objects.values_list("month").annotate(total=Sum("people")).order_by())
        months = sorted(per_month)
        if months:
            months = _every_month(months[0], months[-1])
        cells = {(m, TOTAL): per_month.get(m, 0) for m in months}
        return suppress(cells, months, [TOTAL], city.table.k, **shared)

    table = _cached(TallyVersion, ("months", city.table.k, list(shared)), compute)
    months = [m for m in table.rows if isinstance(m, date)]  # every row is a month's first day
    return Series([m.strftime("%Y-%m") for m in months], table, months)


def household_types(city: CityTable) -> Series:
    keys = list(HouseholdType.values)
    shared = _shared_total(city)

    def compute() -> SuppressedTable:
        per_type = dict(
            NeedTally.objects.values_list("household_type").annotate(total=Sum("people")).order_by()
        )
        cells = {(key, TOTAL): per_type.get(key, 0) for key in keys}
        return suppress(cells, keys, [TOTAL], city.table.k, **shared)

    table = _cached(TallyVersion, ("households", city.table.k, keys, list(shared)), compute)
    return Series([str(HouseholdType(key).label) for key in keys], table, keys)


def _every_month(first: date, last: date) -> list[date]:
    months, current = [], first
    while current <= last:
        months.append(current)
        current = date(current.year + (current.month == 12), current.month % 12 + 1, 1)
    return months


@dataclass(frozen=True)
class CoverageCell:
    district: District
    category: TaxonomyTerm
    need: Figure
    accepting: int
    waitlist: int
    closed: int
    unreached_share: float | None  # share of the need where no system fits or it does not reach (secretariat)

    @property
    def uncovered(self) -> bool:
        return self.accepting == 0


def coverage(*, city: CityTable | None = None, exact: bool = False) -> list[CoverageCell]:
    """For each district × kind of trouble with reported need: the directory's services that cover it,
    by availability. Services with no districts serve the whole city. ``exact`` (secretariat only)
    shows the figures unsuppressed."""
    city = city or city_table()
    citywide, local = _cached(
        DirectoryVersion,
        ("coverage", [c.pk for c in city.categories]),
        lambda: _covering_services(city.categories),
    )
    shares = _cached(TallyVersion, ("unreached shares",), _unreached_shares) if exact else {}
    cells = []
    for district in city.districts:
        for category in city.categories:
            key = ("cell", district.pk, category.pk)
            true_need = city.table.values[key]
            need = Figure(true_need, False, city.table.k) if exact else Figure.of(city.table, key)
            if need.value == 0:  # a hidden figure is listed even when it is 0: skipping it would tell
                continue
            found = citywide.get(category.pk, Counter()) + local.get((district.pk, category.pk), Counter())
            cells.append(
                CoverageCell(
                    district=district, category=category,
                    need=need,
                    accepting=found[Service.Availability.ACCEPTING], waitlist=found[Service.Availability.WAITLIST],
                    closed=found[Service.Availability.CLOSED], unreached_share=shares.get((district.pk, category.pk)),
                )
            )  # fmt: skip
    return cells


def _covering_services(
    categories: Sequence[TaxonomyTerm],
) -> tuple[defaultdict[object, Counter[str]], defaultdict[tuple[int, object], Counter[str]]]:
    """Active services per kind of trouble and availability, counted by the database in one GROUP BY
    (the directory may hold tens of thousands of services): those serving the whole city (no districts)
    per category, and the others per district × category.

    Each row of the join is one (service, category, district) — both links are unique — so a plain
    COUNT counts each service once per cell."""
    rows = (
        ServiceCategory.objects.filter(service__status=Service.Status.ACTIVE, term__in=categories)
        .values_list("term_id", "service__availability", "service__districts")
        .annotate(services=Count("service_id"))
        .order_by()
    )
    citywide: defaultdict[object, Counter[str]] = defaultdict(Counter)
    local: defaultdict[tuple[int, object], Counter[str]] = defaultdict(Counter)
    for term_id, availability, district_id, services in rows:
        if district_id is None:
            citywide[term_id][availability] += services
        else:
            local[(district_id, term_id)][availability] += services
    return citywide, local


def _unreached_shares() -> dict[tuple[int, object], float]:
    rows = NeedTally.objects.values("district_id", "category_id").annotate(
        total=Sum("people"),
        unreached=Sum("people", filter=Q(system_fit__in=[SystemFit.UNREACHED, SystemFit.NONE])),
    )
    return {
        (r["district_id"], r["category_id"]): (r["unreached"] or 0) / r["total"] for r in rows if r["total"]
    }


def coverage_by_category(
    cells: Sequence[CoverageCell], categories: Sequence[TaxonomyTerm]
) -> list[tuple[TaxonomyTerm, int, int]]:
    """Per kind of trouble: in how many districts with reported need a covering service is accepting
    people, and in how many none is (the coverage chart). Counts districts, never people."""
    yes: Counter[object] = Counter()
    no: Counter[object] = Counter()
    for cell in cells:
        (yes if not cell.uncovered else no)[cell.category.pk] += 1
    return [(c, yes[c.pk], no[c.pk]) for c in categories if yes[c.pk] or no[c.pk]]


def unreached_needs(cells: Sequence[CoverageCell], *, limit: int = 20) -> list[CoverageCell]:
    """「支援の届いていない困りごと」: needs in districts where no service covering them is accepting,
    biggest first. Members see only needs large enough to be shown (a rank must not reveal a hidden figure)."""
    cells = [c for c in cells if c.uncovered and c.need.value is not None]
    return sorted(cells, key=lambda c: (-(c.need.value or 0), c.district.sort_order, c.category.sort_order))[
        :limit
    ]
