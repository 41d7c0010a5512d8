from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tsunagari.accounts.services import invite_member
from tsunagari.orgs.models import Organization, Role
from tsunagari.orgs.services import create_organization


class Command(BaseCommand):
    help = (
        "First set-up of a real deployment: create the secretariat (事務局) and invite its first coordinator."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="e.g. 鳥取市 福祉部 地域福祉課")
        parser.add_argument("--slug", default="jimukyoku")
        parser.add_argument(
            "--kind", default=Organization.Kind.CITY_DEPARTMENT, choices=Organization.Kind.values
        )
        parser.add_argument("--email", required=True, help="the first coordinator's e-mail")

    def handle(self, *args: Any, **options: Any) -> None:
        if Organization.objects.filter(is_secretariat=True).exists():
            raise CommandError("A secretariat already exists; its coordinators invite everyone else.")
        org = create_organization(
            by=None, slug=options["slug"], name=options["name"], kind=options["kind"], is_secretariat=True
        )
        _invitation, link = invite_member(
            by=None, organization=org, email=options["email"], role=Role.COORDINATOR, site_url=None
        )
        self.stdout.write(f"Secretariat {org.name} created. Invitation sent to {options['email']}:\n{link}")
