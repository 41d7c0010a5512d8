"""The navigator's answer in the JSON shape of the CLI contract (stable: scoring scripts read it)."""

from __future__ import annotations

from typing import Any

from .models import TaxonomyTerm
from .navigator import Match, navigate
from .taxonomy import CATEGORY_TAXONOMY_ID


def why(match: Match, labels: dict[str, str]) -> str:
    reasons = []
    if match.matched_categories:
        reasons.append("困りごと: " + "・".join(labels.get(c, c) for c in match.matched_categories))
    if match.matched_words:
        reasons.append("言葉: " + "・".join(match.matched_words[:5]))
    if match.close_in_meaning:
        reasons.append("内容が近い")
    return " / ".join(reasons)


def answer_as_json(text: str, *, limit: int = 20) -> dict[str, Any]:
    answer = navigate(text, limit=limit)
    labels = dict(
        TaxonomyTerm.objects.filter(taxonomy_ref_id=CATEGORY_TAXONOMY_ID).values_list("code", "name")
    )
    return {
        "crisis": answer.crisis,
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
