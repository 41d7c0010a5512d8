from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tsunagari.directory.hsds import HSDSImportError
from tsunagari.directory.schemes import import_schemes
from tsunagari.directory.search import index_services


class Command(BaseCommand):
    help = "Import the national support schemes CSV (3-row header) with their curated categories."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv", type=Path)
        parser.add_argument("--categories", type=Path, help="name,codes CSV of curated categories")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            ids = import_schemes(
                options["csv"], categories_path=options["categories"], progress=self.stdout.write
            )
        except HSDSImportError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(error.problems)} problem(s): nothing was imported.") from error
        except OSError as error:
            raise CommandError(str(error)) from error
        index_services(ids, progress=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Imported {len(ids)} national schemes."))
