"""National crisis and consultation lines shown to residents (data/hotlines.csv, with sources)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

HOTLINES_CSV = Path(__file__).parent / "data" / "hotlines.csv"


@dataclass(frozen=True)
class Hotline:
    name: str
    number: str
    hours: str
    audience: str
    note: str
    as_of: str
    source: str

    @property
    def tel_uri(self) -> str:
        return "tel:" + "".join(ch for ch in self.number if ch.isdigit())


@cache
def crisis_hotlines() -> tuple[Hotline, ...]:
    with HOTLINES_CSV.open(encoding="utf-8", newline="") as fh:
        return tuple(Hotline(**row) for row in csv.DictReader(fh))
