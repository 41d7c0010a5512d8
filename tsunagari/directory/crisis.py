"""Does a resident's text signal danger to life? Then crisis lines come first.

Two signals: curated patterns (data/crisis_patterns.csv: direct and indirect wording, hiragana
forms, with the contexts that are not a crisis excluded, e.g. 自死遺族) and closeness of meaning to
the 死にたいほどつらい category's phrases. A missed crisis costs far more than an extra crisis
banner, so the meaning threshold leans towards yes.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

from tsunagari.text.analysis import normalize

PATTERNS_CSV = Path(__file__).parent / "data" / "crisis_patterns.csv"


@cache
def crisis_patterns() -> tuple[re.Pattern[str], ...]:
    with PATTERNS_CSV.open(encoding="utf-8", newline="") as fh:
        return tuple(re.compile(row["pattern"]) for row in csv.DictReader(fh) if row["kind"] == "danger")


# Everyday intensifiers that use the word 死ぬ ("死ぬほど暇", "死ぬ気で頑張る"): on their own they are not a
# sign of danger, so they do not count towards a crisis by meaning alone.
IDIOMS = re.compile(r"死ぬほど|しぬほど|死ぬ気で|死ぬかと思")


def has_death_idiom(text: str) -> bool:
    return bool(IDIOMS.search(normalize(text)))


def matches_crisis_pattern(text: str) -> bool:
    plain = normalize(text).replace(" ", "")
    return any(pattern.search(plain) for pattern in crisis_patterns())
