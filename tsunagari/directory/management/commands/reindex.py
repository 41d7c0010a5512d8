from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tsunagari.directory.search import index_services


class Command(BaseCommand):
    help = "Recompute the search index (tokens, full-text terms, embeddings) of every service."

    def handle(self, *args: Any, **options: Any) -> None:
        count = index_services(progress=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} services."))
