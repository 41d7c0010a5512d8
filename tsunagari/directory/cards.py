"""Service cards in the navigator's answers: the fixed parts of each card rendered once and kept.

A card shows what is the same for every resident (the service's name, provider, description, phones and
hours) and two things of the moment: why it matched this question, and today's hours. Rendering the fixed
parts was the larger part of an answer's cost (fifteen cards, about half a millisecond each, and three
queries to read them), and they change only when the service does. So they are rendered by the card's own
parts (directory/_service_card.html) once per service, version of it and language, kept in this process
(tsunagari.fragments) and put together with the two parts of the moment on every answer.

Freshness: the key holds the service's ``last_modified``, which every change made in the platform sets
(services.py) and which the answer reads in the same query as its visibility check, so an edited service
shows at once. What the key does not hold (the provider renamed, a phone changed outside the platform)
shows within KEEP_SECONDS.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.template.loader import get_template
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from tsunagari.fragments import Keeper

from .models import Phone, Schedule, Service
from .opening import Opening, next_opening

CARD = "directory/_service_card.html"
SEARCH_ONLY_FIELDS = ("embedding", "search_tokens", "search_terms")
KEEP_SECONDS = 60

_TITLE_LINE = re.compile(
    r"^「[^」]*」$|^【"
)  # the portal's texts open with 「scheme name」 and 【見出し】 lines


def one_line(text: str, length: int = 45) -> str:
    """A scheme's description in one plain line: its first sentence that is not a title or a heading;
    a longer one is cut after a comma (or at ``length`` characters)."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    body = next((line for line in lines if not _TITLE_LINE.match(line)), "")
    first = body.split("。")[0].strip()
    if len(first) <= length:
        return first
    comma = first.rfind("、", 0, length)
    return (first[:comma] if comma >= length // 3 else first[: length - 1]) + "…"


@dataclass(frozen=True)
class CardParts:
    """A card's fixed parts, rendered; what today's hours are computed from; a national scheme's one line
    (its source is then given once under the answers, not on the card)."""

    head: SafeString
    body: SafeString
    foot: SafeString
    schedules: tuple[Schedule, ...]
    summary: str
    attribution: str

    def card(self, *, why: str, now: dt.datetime | None = None) -> SafeString:
        """The whole card: the fixed parts with why it matched and (local services) today's hours."""
        today = "" if self.summary else today_part(next_opening(self.schedules, now))
        return mark_safe(self.head + why_part(why) + self.body + today + self.foot)  # noqa: S308 - all escaped


# The two parts of the moment are written here rather than by the template: rendering a template twice per
# card cost more than the rest of the card put together. The whole card's template uses them too
# (templatetags/service_cards.py), so each is written in one place.
def why_part(why: str) -> SafeString:
    """Why the service matched the question (the navigator), or nothing."""
    if not why:
        return mark_safe("")
    label = _("Why it matched:")
    return format_html(
        '<p class="service-card__why"><span class="visually-hidden">{}</span>{}</p>\n', label, why
    )


def today_part(opening: Opening | None) -> SafeString:
    """Today's hours, or the next opening within a week (opening.py), or nothing when the hours do not say."""
    if not opening:  # None, or nothing given (a card rendered without it)
        return mark_safe("")
    return format_html(
        '<p class="service-card__today"><strong>{}</strong> {}</p>\n', _("Today's hours:"), opening
    )


def with_card_details(qs: QuerySet[Service]) -> QuerySet[Service]:
    """What a service card shows: provider, phones, hours (no N+1); not what only the search reads (its
    embedding and search terms, several kilobytes a service)."""
    return (
        qs.defer(*SEARCH_ONLY_FIELDS)
        .select_related("organization")
        .prefetch_related(
            Prefetch("phones", queryset=Phone.objects.order_by("type", "number")),
            Prefetch("schedules", queryset=Schedule.objects.order_by("pk")),
        )
    )


_cards: Keeper[CardParts] = Keeper(4096)  # a prefecture's directory in three languages, roughly


def _render(service: Service) -> CardParts:
    summary = one_line(service.description) if service.source == Service.Source.NATIONAL else ""
    context = {"service": service, "summary": summary}
    head, body, foot = (
        get_template(f"{CARD}#card-{part}").render(context) for part in ("head", "body", "foot")
    )
    return CardParts(
        head=mark_safe(head),  # noqa: S308 - rendered by the template, escaped there
        body=mark_safe(body),  # noqa: S308
        foot=mark_safe(foot),  # noqa: S308
        schedules=tuple(service.schedules.all()),
        summary=summary,
        attribution=service.attribution if summary else "",
    )


def card_parts(versions: dict[uuid.UUID, dt.datetime]) -> dict[uuid.UUID, CardParts]:
    """The fixed parts of each service's card, by id; ``versions`` maps each id to the service's
    ``last_modified``. Details are read (one query and two for phones and hours) only for those not kept."""
    language = translation.get_language()
    keys = {pk: (pk, modified, language) for pk, modified in versions.items()}
    found = {pk: _cards.find(key) for pk, key in keys.items()}
    parts = {pk: p for pk, p in found.items() if p is not None}
    missing = [pk for pk in versions if pk not in parts]
    if missing:
        for service in with_card_details(Service.objects.filter(pk__in=missing)):
            parts[service.pk] = _cards.keep(keys[service.pk], KEEP_SECONDS, _render(service))
    return parts
