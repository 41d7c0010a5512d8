from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tsunagari.directory.answers import answer_as_json


class Command(BaseCommand):
    help = (
        'Answer residents\' questions as JSON: `navigate --json "TEXT"` prints one object; `navigate --batch` '
        'reads {"id", "text"} lines on stdin and writes one answer per line.'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", dest="text", help="one question")
        parser.add_argument("--batch", action="store_true", help="JSON lines on stdin")
        parser.add_argument("--limit", type=int, default=20)

    def handle(self, *args: Any, **options: Any) -> None:
        limit = options["limit"]
        if options["batch"]:
            for number, line in enumerate(sys.stdin, start=1):
                if not line.strip():
                    continue
                try:
                    question = json.loads(line)
                    text = str(question["text"])
                except (ValueError, KeyError, TypeError) as error:
                    raise CommandError(f'line {number}: expected {{"id", "text"}} JSON ({error})') from error
                answer = answer_as_json(text, limit=limit)
                self.stdout.write(json.dumps({"id": question.get("id"), **answer}, ensure_ascii=False))
            return
        if options["text"] is None:
            raise CommandError('Give --json "TEXT" or --batch.')
        self.stdout.write(json.dumps(answer_as_json(options["text"], limit=limit), ensure_ascii=False))
