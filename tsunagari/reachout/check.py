"""The self-check (セルフチェック): the national survey's direct loneliness question and UCLA-3 in its
wording (``cases/data/instruments.json``, read through ``cases.instruments``, with the source shown on
the page), answered in warm words and with the kinds of places that fit, from the directory.

Nothing here is stored: the answers live in one request (the page is posted and sent back with
Cache-Control: no-store), and no row and no log line holds them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tsunagari.cases.instruments import instruments, score
from tsunagari.directory.models import Phone, Schedule, Service, ServiceAtLocation
from tsunagari.directory.selectors import public_services
from tsunagari.orgs.models import District

DIRECT = "direct_loneliness"
UCLA3 = "ucla3_ja_national_survey"
# The directory's kinds of trouble whose services are places to meet people or someone to talk to
# (taxonomy.csv: 孤独・さびしさ, 居場所・つながりづくり).
FIT_CATEGORIES = ("loneliness", "belonging")
PER_KIND = 3  # places shown for each kind; the directory page has the rest


@dataclass(frozen=True)
class PlaceKind:
    code: str
    label: Promise
    words: tuple[str, ...]  # a service is of this kind when its name (else its description) says one


# In the order a service is tried: a 傾聴 visit whose description mentions a サロン is a 傾聴 service.
PLACE_KINDS = (
    PlaceKind("listening", _("Someone who comes to listen (傾聴)"), ("傾聴",)),
    PlaceKind(
        "phone",
        _("Someone to talk to on the phone (電話でお話し相手)"),
        ("電話でお話し相手", "お話し相手", "おしゃべり"),
    ),
    PlaceKind("salon", _("Salons and gatherings (サロン)"), ("サロン", "通いの場", "交流会", "つどい")),
    PlaceKind("ibasho", _("Places to drop in (居場所)"), ("居場所", "フリースペース", "カフェ")),
)


@dataclass
class KindOfPlace:
    kind: PlaceKind
    services: list[Service] = field(default_factory=list)


@dataclass(frozen=True)
class Outcome:
    level: str  # "rarely", "sometimes", "often"
    direct_label: str  # the answer the person chose to the direct question, in the survey's words
    share_of_people: float  # in the national survey, the share who chose the same answer


def questions() -> list[dict[str, Any]]:
    """The questions in the order they are asked, each with its options, wording and source."""
    found = []
    for code in (DIRECT, UCLA3):
        instrument = instruments()[code]
        for item in instrument["items"]:
            found.append(
                {
                    "name": f"{code}__{item['code']}",
                    "instrument": code,
                    "item": item["code"],
                    "text": item["text_ja"],
                    "options": [(o["value"], o["label_ja"]) for o in instrument["options"]],
                }
            )
    return found


def sources() -> list[str]:
    return [instruments()[code]["source"] for code in (DIRECT, UCLA3)]


def outcome(answers: dict[str, int]) -> Outcome:
    """The level from both instruments, scored as specified (``cases.instruments.score``): the direct
    question's category and UCLA-3's sum (3–12). The page says it in words, never as a number alone."""
    direct = score(DIRECT, {"q1": answers[f"{DIRECT}__q1"]})
    ucla = score(UCLA3, {f"q{i}": answers[f"{UCLA3}__q{i}"] for i in (1, 2, 3)})
    if direct.score >= 5 or ucla.score >= 9:
        level = "often"
    elif direct.score >= 3 or ucla.score >= 6:
        level = "sometimes"
    else:
        level = "rarely"
    percent = instruments()[DIRECT]["reference_distribution"]["percent"]
    return Outcome(level=level, direct_label=direct.label, share_of_people=percent.get(direct.label, 0.0))


def _fitting_services() -> QuerySet[Service]:
    return (
        public_services()
        .filter(source=Service.Source.LOCAL, categories__code__in=FIT_CATEGORIES)
        .distinct()
        .select_related("organization")
        .prefetch_related(
            "districts",
            Prefetch("phones", queryset=Phone.objects.order_by("type", "number")),
            Prefetch("schedules", queryset=Schedule.objects.order_by("pk")),
            Prefetch(
                "service_at_locations",
                queryset=ServiceAtLocation.objects.select_related("location__district"),
            ),
        )
        .order_by("name")
    )


def _distance(service: Service, district: District | None) -> int:
    """0 in the person's district, 1 for the whole city (no district listed), 2 elsewhere."""
    if district is None:
        return 0
    covered = {d.pk for d in service.districts.all()}
    located = {
        sal.location.district_id for sal in service.service_at_locations.all() if sal.location.district_id
    }
    if district.pk in covered or district.pk in located:
        return 0
    return 1 if not covered else 2


def places(district: District | None) -> list[KindOfPlace]:
    """Services of the directory's loneliness and belonging kinds, sorted into the kinds of place
    (name first, then description), the person's district first, at most PER_KIND each."""
    services = list(_fitting_services())
    groups = {kind.code: KindOfPlace(kind) for kind in PLACE_KINDS}
    placed: dict[str, list[Service]] = {kind.code: [] for kind in PLACE_KINDS}
    rest = []
    for service in services:
        kind = next((k for k in PLACE_KINDS if any(w in service.name for w in k.words)), None)
        if kind is None:
            rest.append(service)
        else:
            placed[kind.code].append(service)
    for service in rest:
        kind = next((k for k in PLACE_KINDS if any(w in service.description for w in k.words)), None)
        if kind is not None:
            placed[kind.code].append(service)
    for code, found in placed.items():
        found.sort(key=lambda s: (_distance(s, district), s.name))
        groups[code].services = found[:PER_KIND]
    return [group for group in groups.values() if group.services]
