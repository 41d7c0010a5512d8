from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tsunagari.audit.services import verify_chain


class Command(BaseCommand):
    help = "Verify the activity log's hash chain. Exits 0 when intact, 1 naming the first bad row."

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_chain()
        if not result.ok:
            raise CommandError(
                f"Activity log broken at row #{result.first_bad_seq}: {result.problem}", returncode=1
            )
        self.stdout.write(f"Activity log intact: {result.rows_checked} rows, head {result.head_hash}")
