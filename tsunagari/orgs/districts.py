"""Loading the city's districts (地区) from a CSV file: code, name, description."""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from .models import District


@transaction.atomic
def load_districts(path: Path) -> int:
    """Create or update districts by code, in file order. Returns how many rows were read."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    missing = {"code", "name"} - set(rows[0].keys() if rows else [])
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    for order, row in enumerate(rows, start=1):
        District.objects.update_or_create(
            code=row["code"].strip(),
            defaults={
                "name": row["name"].strip(),
                "description": (row.get("description") or "").strip(),
                "sort_order": order,
            },
        )
    return len(rows)
