from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tsunagari.needs.services import rebuild_tallies


class Command(BaseCommand):
    help = (
        "Recount the monthly tallies of shared needs from the reports (after a bulk load, or to check them)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(self.style.SUCCESS(f"{rebuild_tallies()} tallies rebuilt."))
