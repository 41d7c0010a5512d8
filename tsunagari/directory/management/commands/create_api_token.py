from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tsunagari.directory.services import issue_api_token
from tsunagari.orgs.models import Organization


class Command(BaseCommand):
    help = (
        "Create an HSDS API token for a member organisation (it also shows members-only services). "
        "The token is printed once; only its hash is stored."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, metavar="SLUG", help="the organisation's short name")
        parser.add_argument("--name", required=True, help="what the token is for, e.g. the consuming system")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            raise CommandError(f"No organisation with the short name {options['org']!r}.")
        try:
            api_token, token = issue_api_token(organization=organization, name=options["name"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stderr.write(
            f"Token {api_token.name!r} for {organization.name} (shown once; keep it secret, "
            "send it as 'Authorization: Bearer <token>'):"
        )
        self.stdout.write(token)
