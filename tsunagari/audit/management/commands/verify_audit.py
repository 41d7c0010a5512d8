from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tsunagari.audit.services import verify_chain

HEAD = re.compile(r"^(\d+):([0-9a-f]{64})$")


class Command(BaseCommand):
    help = (
        "Verify the activity log's keyed hash chain. Exits 0 when intact, 1 naming the first bad row. "
        "Prints the head (seq:hash) to record with each backup; --expect-head checks a recorded one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--expect-head",
            metavar="SEQ:HASH",
            help="a head printed by an earlier run (e.g. recorded with a backup): it must still be in the chain",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        expected_seq: int | None = None
        expected_hash: str | None = None
        if options.get("expect_head"):
            match = HEAD.match(options["expect_head"].strip().lower())
            if match is None:
                raise CommandError("--expect-head must be SEQ:HASH as printed by verify-audit", returncode=2)
            expected_seq, expected_hash = int(match[1]), match[2]
        result = verify_chain(expected_seq=expected_seq, expected_hash=expected_hash)
        if not result.ok:
            raise CommandError(
                f"Activity log broken at row #{result.first_bad_seq}: {result.problem}", returncode=1
            )
        self.stdout.write(
            f"Activity log intact: {result.rows_checked} rows, head #{result.head_seq} {result.head_hash}"
        )
        self.stdout.write(f"Record with this backup: --expect-head {result.head_seq}:{result.head_hash}")
