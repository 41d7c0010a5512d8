from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tsunagari.directory.hsds import export_package, validate_package


class Command(BaseCommand):
    help = "Write the directory as an HSDS 3.0 tabular data package and validate it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument("--public-only", action="store_true", help="leave out members-only services")

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["folder"]
        export_package(folder, public_only=options["public_only"], progress=self.stdout.write)
        problems = validate_package(folder)
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
            raise CommandError("The written package does not validate against HSDS 3.0.")
        self.stdout.write(self.style.SUCCESS(f"Wrote {folder} (valid HSDS 3.0 package)"))
