"""The navigator's answer in the JSON shape of the CLI contract (stable: scoring scripts read it)."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from .models import TaxonomyTerm
from .navigator import Match, navigate
from .taxonomy import CATEGORY_TAXONOMY_ID

# Words worth showing a person: two characters or more, with kanji or katakana (not "1", 御, 仕舞う…).
_SHOWABLE = re.compile(r"^(?=.*[\u4e00-\u9fff\u30a0-\u30ffA-Za-z]).{2,}$")


def why(match: Match, labels: dict[str, str]) -> str:
    """Why a service was suggested, in words a resident can read."""
    reasons = []
    if match.matched_categories:
        kinds = "、".join(f"「{labels.get(c, c)}」" for c in match.matched_categories)
        reasons.append(_("Helps with %(kinds)s") % {"kinds": kinds})
    words = [w for w in match.matched_words if _SHOWABLE.match(w) and not w.isdigit()][:4]
    if words:
        reasons.append(_("Mentions %(words)s") % {"words": "、".join(words)})
    if match.close_in_meaning:
        reasons.append(_("Close to what you wrote"))
    return " ／ ".join(reasons)


def answer_as_json(text: str, *, limit: int = 20) -> dict[str, Any]:
    answer = navigate(text, limit=limit)
    labels = dict(
        TaxonomyTerm.objects.filter(taxonomy_ref_id=CATEGORY_TAXONOMY_ID).values_list("code", "name")
    )
    return {
        "crisis": answer.crisis,
        "danger": answer.danger,
        "categories": [guess.code for guess in answer.categories],
        "results": [
            {
                "name": match.entry.name,
                "source_id": str(match.entry.pk),
                "categories": list(match.entry.categories),
                "why": why(match, labels),
            }
            for match in answer.matches
        ],
    }
