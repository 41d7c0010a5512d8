"""Loneliness and distress instruments (data/instruments.json, with their sources), scored exactly as
specified there: the direct question is reported as its category (not summed), UCLA-3 is the sum of
three 1–4 answers (3–12, higher is lonelier), K6 is the sum of six 0–4 answers (0–24) with bands."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

INSTRUMENTS_JSON = Path(__file__).parent / "data" / "instruments.json"
K6_CRISIS = 13  # "show crisis and consultation lines first; offer contact"


@dataclass(frozen=True)
class Result:
    score: int
    label: str  # the chosen category (direct question) or the band (K6); empty for UCLA-3
    crisis: bool


@cache
def instruments() -> dict[str, dict[str, Any]]:
    data = json.loads(INSTRUMENTS_JSON.read_text(encoding="utf-8"))
    return {item["code"]: item for item in data["instruments"]}


def score(code: str, answers: dict[str, int]) -> Result:
    """Check every item has one of its allowed values, then score. Raises ValueError otherwise."""
    instrument = instruments()[code]
    allowed = {option["value"] for option in instrument["options"]}
    values = []
    for item in instrument["items"]:
        value = answers.get(item["code"])
        if value is None or value not in allowed:
            raise ValueError(f"{item['code']}: answer one of {sorted(allowed)}")
        values.append(int(value))
    if code == "direct_loneliness":
        label = next(o["label_ja"] for o in instrument["options"] if o["value"] == values[0])
        return Result(values[0], label, False)
    total = sum(values)
    band = next((b for b in instrument.get("bands", []) if b["min"] <= total <= b["max"]), None)
    return Result(total, band["label_ja"] if band else "", code == "k6_ja" and total >= K6_CRISIS)


def score_range(code: str) -> tuple[int, int]:
    """Lowest and highest possible score: one answer's range for the direct question, else the sums."""
    instrument = instruments()[code]
    values = [option["value"] for option in instrument["options"]]
    items = 1 if code == "direct_loneliness" else len(instrument["items"])
    return items * min(values), items * max(values)
