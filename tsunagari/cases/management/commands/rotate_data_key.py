from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tsunagari.cases.services import rotate_data_key


class Command(BaseCommand):
    help = "Re-encrypt personal data and TOTP secrets with the newest data key and recompute blind indexes."

    def handle(self, *args: Any, **options: Any) -> None:
        count = rotate_data_key()
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {count} rows with the newest key."))
