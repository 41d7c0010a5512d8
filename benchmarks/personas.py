"""Does the navigator answer the person? Scores answers on the labelled persona set.

    uv run python benchmarks/navigator.py        # prints these figures beside the development set's

The set (tests/directory/data/navigator_personas.jsonl, written for this purpose) has residents who say who
they are: each with the expected ``about`` fields, the kinds of trouble a fitting service serves, the
audiences that must not appear in the top 5 (the hand-made labels of tests/directory/data/
service_audiences.csv: infant, child, youth, elderly, foreign) and, for foreign residents, the services of
which one must be in the top 5. Nothing here is used by the navigator itself.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "tests" / "directory" / "data"
PERSONAS = DATA / "navigator_personas.jsonl"
AUDIENCES = DATA / "service_audiences.csv"
TOP = 5
ABOUT_FIELDS = ("age", "life_stage", "district", "language")


def load_personas() -> list[dict[str, Any]]:
    with PERSONAS.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_audiences() -> dict[str, str]:
    with AUDIENCES.open(encoding="utf-8", newline="") as fh:
        return {row["name"]: row["audience"] for row in csv.DictReader(fh)}


def judge(persona: dict[str, Any], answer: dict[str, Any], audiences: dict[str, str]) -> dict[str, Any]:
    """One persona's verdict: about fields right, a fitting service in the top 5, none ruled out."""
    top = answer["results"][:TOP]
    ruled_out = [r["name"] for r in top if audiences.get(r["name"]) in persona["not"]]
    fitting = [
        r["name"]
        for r in top
        if set(r["categories"]) & set(persona["kinds"]) and audiences.get(r["name"]) not in persona["not"]
    ]
    must = persona.get("must_any")
    wrong_about = {
        key: (value, answer["about"].get(key))
        for key, value in persona["about"].items()
        if answer["about"].get(key) != value
    }
    return {
        "id": persona["id"],
        "fitting": bool(fitting),
        "ruled_out": ruled_out,
        "must": (not must) or any(r["name"] in must for r in top),
        "wrong_about": wrong_about,
    }


def score(answer: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    """Figures over the whole set (and the verdicts that failed, for reading)."""
    personas, audiences = load_personas(), load_audiences()
    verdicts = [judge(p, answer(p["text"]), audiences) for p in personas]
    n = len(verdicts)
    field_total = {f: sum(f in p["about"] for p in personas) for f in ABOUT_FIELDS}
    field_right = {
        f: sum(f in p["about"] and f not in v["wrong_about"] for p, v in zip(personas, verdicts, strict=True))
        for f in ABOUT_FIELDS
    }
    with_must = [v for p, v in zip(personas, verdicts, strict=True) if p.get("must_any")]
    return {
        "personas": n,
        "fitting_in_top5": round(sum(v["fitting"] for v in verdicts) / n, 3),
        "ruled_out_in_top5": round(sum(bool(v["ruled_out"]) for v in verdicts) / n, 3),
        "foreign_services_in_top5": round(sum(v["must"] for v in with_must) / len(with_must), 3)
        if with_must
        else None,
        "about_accuracy": {
            f: round(field_right[f] / field_total[f], 3) if field_total[f] else None for f in ABOUT_FIELDS
        },
        "failures": [
            v for v in verdicts if not v["fitting"] or v["ruled_out"] or not v["must"] or v["wrong_about"]
        ],
    }
