from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tsunagari.orgs.districts import load_districts


class Command(BaseCommand):
    help = "Create or update the city's districts from a CSV file (columns: code, name, description)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            count = load_districts(options["csv"])
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{count} districts loaded.")
