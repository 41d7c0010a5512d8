from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tsunagari.audit.services import HEAD_FORMAT, RecordedHead, verify_chain


class Command(BaseCommand):
    help = (
        "Verify the activity log's keyed hash chains (one per lane). Exits 0 when intact, 1 naming the first "
        "bad row. Prints every lane's head and one string standing for all of them to record with each "
        "backup; --expect-head checks a recorded one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--expect-head",
            metavar=HEAD_FORMAT,
            help="the head printed by an earlier run (e.g. recorded with a backup): every lane must still reach it"
            " (SEQ:HASH printed before there were lanes is accepted too)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        expected: RecordedHead | None = None
        if options.get("expect_head"):
            try:
                expected = RecordedHead.parse(options["expect_head"])
            except ValueError as error:
                raise CommandError(f"--expect-head: {error}", returncode=2) from None
        result = verify_chain(expected_head=expected)
        if not result.ok or result.head is None:
            raise CommandError(f"Activity log broken at {result.where}: {result.problem}", returncode=1)
        for lane in result.lanes:
            self.stdout.write(f"lane {lane.pk}: head #{lane.seq} {lane.hash}")
        self.stdout.write(f"Activity log intact: {result.rows_checked} rows in {len(result.lanes)} lanes")
        self.stdout.write(f"Record with this backup: --expect-head {result.head}")
