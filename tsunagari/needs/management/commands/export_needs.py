from __future__ import annotations

import io
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from tsunagari import spreadsheets
from tsunagari.needs.aggregates import city_table
from tsunagari.needs.spreadsheet import aggregate_rows


class Command(BaseCommand):
    help = (
        "Print the district × kind-of-trouble table of shared needs exactly as member organisations see it "
        "(figures under k suppressed, with complementary suppression)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--aggregate", action="store_true", help="The suppressed aggregate table (required)."
        )
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument(
            "--k", type=int, default=None, help="Smallest figure shown (default: TSUNAGARI_NEEDS_MIN_CELL)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["aggregate"]:
            raise CommandError(
                "Only --aggregate is available: individual reports stay on the secretariat's pages."
            )
        if options["k"] is not None and options["k"] < 2:
            raise CommandError("--k must be 2 or more.")
        with translation.override("ja"):
            city = city_table(options["k"])
            if options["format"] == "json":
                self.stdout.write(json.dumps(as_json(city), ensure_ascii=False, indent=2))
            else:
                buffer = io.StringIO()
                spreadsheets.write_csv(buffer, *aggregate_rows(city))
                self.stdout.write(buffer.getvalue(), ending="")


def as_json(city) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    table = city.table

    def entry(key: tuple) -> dict[str, Any]:
        return {"count": table.shown(key), "suppressed": key in table.hidden}

    return {
        "k": table.k,
        "cells": [
            {"district": d.name, "category": c.label, **entry(("cell", d.pk, c.pk))}
            for d in city.districts
            for c in city.categories
        ],
        "district_totals": [{"district": d.name, **entry(("row", d.pk))} for d in city.districts],
        "category_totals": [{"category": c.label, **entry(("col", c.pk))} for c in city.categories],
    }
