"""The navigator's answer in the JSON shape of the CLI contract (stable: scoring scripts read it)."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from tsunagari.text.analysis import phrases as written_phrases

from .navigator import Match, navigate
from .selectors import category_terms

# Words worth showing a person: two characters or more with kanji, katakana or letters, or a hiragana
# noun of three or more (ひきこもり, いじめ); not "1" or 御.
_SHOWABLE = re.compile(r"^(?:(?=.*[\u4e00-\u9fff\u30a0-\u30ffA-Za-z]).{2,}|[\u3040-\u309f]{3,})$")


def why(match: Match, labels: dict[str, str], written: dict[str, str] | None = None) -> str:
    """Why a service was suggested, in words a resident can read: the kinds of trouble, and the phrases
    of theirs that matched, quoted as they wrote them (``written``: token → their words, from
    tsunagari.text.analysis.phrases), never the index's folded tokens."""
    reasons = []
    for reason in match.for_person:
        if reason == "foreign":
            reasons.append(_("For people from abroad"))
        elif reason == "language":
            reasons.append(_("In your language"))
        elif reason == "family":
            reasons.append(_("Families can ask too"))
        elif reason.startswith("district:"):
            reasons.append(_("Serves %(district)s") % {"district": reason.removeprefix("district:")})
    if match.matched_categories:
        kinds = "、".join(f"「{labels.get(c, c)}」" for c in match.matched_categories)
        reasons.append(_("Helps with %(kinds)s") % {"kinds": kinds})
    quoted = dict.fromkeys((written or {}).get(w, "") for w in match.matched_words)
    words = [w for w in quoted if w and _SHOWABLE.match(w) and not w.isdigit()][:3]
    if words:
        reasons.append(_("Matches your words %(words)s") % {"words": "、".join(f"「{w}」" for w in words)})
    if match.close_in_meaning and not reasons:
        reasons.append(_("Close to what you wrote"))
    return " ／ ".join(reasons)


def answer_as_json(text: str, *, limit: int = 20) -> dict[str, Any]:
    answer = navigate(text, limit=limit)
    written = written_phrases(text)
    labels = dict(category_terms().values_list("code", "name"))
    return {
        "crisis": answer.crisis,
        "danger": answer.danger,
        "categories": [guess.code for guess in answer.categories],
        "about": answer.about.as_json(),
        "results": [
            {
                "name": match.entry.name,
                "source_id": str(match.entry.pk),
                "categories": list(match.entry.categories),
                "why": why(match, labels, written),
            }
            for match in answer.matches
        ],
    }
