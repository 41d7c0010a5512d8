"""National support schemes (「あなたはひとりじゃない」 portal data, shared/data/notalone).

The CSV has a three-row header (machine names, Japanese names, value types); data starts on row 4.
Each scheme becomes a public Service with source=national, its provider as a DirectoryOrganization,
its curated categories, and the attribution that must be shown wherever it appears.
"""

from __future__ import annotations

import csv
import re
import uuid
from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from tsunagari.orgs.models import District

from .hsds import HSDSImportError, ImportProblem
from .models import DirectoryOrganization, Service, TaxonomyTerm
from .taxonomy import CATEGORY_TAXONOMY_ID

ATTRIBUTION = (
    "出典：内閣官房孤独・孤立対策担当室『あなたはひとりじゃない』（Civichat による抽出データ, CC BY 4.0）"
)
SCHEME_NAMESPACE = uuid.UUID("6f1c3c52-8d0e-4c8e-9a57-5d6c2b1f7a10")
BODY_COLUMN_PREFIX = "from "  # the first column's machine name is the sheet's address; it holds 本文
HEADER_ROWS = 3


def scheme_id(name: str) -> uuid.UUID:
    return uuid.uuid5(SCHEME_NAMESPACE, "scheme:" + name)


def provider_id(name: str) -> uuid.UUID:
    return uuid.uuid5(SCHEME_NAMESPACE, "provider:" + name)


def _read_schemes(path: Path) -> tuple[list[dict[str, str]], list[ImportProblem]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    problems = []
    if len(rows) < HEADER_ROWS or "name" not in rows[0]:
        return [], [ImportProblem(path.name, 1, None, "expected the 3-row header with a 'name' column")]
    header = ["body" if h.startswith(BODY_COLUMN_PREFIX) else h for h in rows[0]]
    schemes, seen = [], set()
    for number, values in enumerate(rows[HEADER_ROWS:], start=HEADER_ROWS + 1):
        row = dict(zip(header, values, strict=False))
        name = (row.get("name") or "").strip()
        if not name:
            problems.append(ImportProblem(path.name, number, "name", "is empty"))
        elif name in seen:
            problems.append(ImportProblem(path.name, number, "name", f"{name!r} appears twice"))
        seen.add(name)
        row["_row"] = str(number)
        schemes.append(row)
    return schemes, problems


def _read_categories(path: Path, known: set[str]) -> tuple[dict[str, list[str]], list[ImportProblem]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    problems, mapping = [], {}
    for number, row in enumerate(rows, start=2):
        codes = (row.get("codes") or "").split()
        unknown = [c for c in codes if c not in known]
        if unknown:
            problems.append(
                ImportProblem(path.name, number, "codes", f"unknown category {', '.join(unknown)}")
            )
        mapping[(row.get("name") or "").strip()] = codes
    return mapping, problems


def _clean(text: str | None) -> str:
    """The portal's texts contain template placeholders such as 「{お住まいの市区町村}」: keep the words."""
    return re.sub(r"\{([^{}]*)\}", r"\1", (text or "").strip())


def _description(row: dict[str, str]) -> str:
    body = _clean(row.get("body"))
    if body:
        return body
    return "\n".join(_clean(row.get(part)) for part in ("abstract", "provisions") if row.get(part)).strip()


@transaction.atomic
def import_schemes(
    path: Path, *, categories_path: Path | None = None, progress: Callable[[str], None] = lambda _: None
) -> set[uuid.UUID]:
    """Import or update the schemes; everything is checked first and nothing is written on a problem."""
    schemes, problems = _read_schemes(path)
    terms = {t.code: t for t in TaxonomyTerm.objects.filter(taxonomy_ref_id=CATEGORY_TAXONOMY_ID)}
    categories: dict[str, list[str]] = {}
    if categories_path is not None:
        categories, more = _read_categories(categories_path, set(terms))
        problems += more
    if problems:
        raise HSDSImportError(problems)
    all_districts = list(District.objects.values_list("pk", flat=True))
    ids = set()
    for count, row in enumerate(schemes, start=1):
        provider_name = (row.get("provider") or "").strip() or "国"
        provider, _ = DirectoryOrganization.objects.update_or_create(
            pk=provider_id(provider_name),
            defaults={"name": provider_name, "description": f"{provider_name}（国の制度の所管）"},
        )
        service, _ = Service.objects.update_or_create(
            pk=scheme_id(row["name"].strip()),
            defaults={
                "organization": provider,
                "name": row["name"].strip(),
                "description": _description(row),
                "eligibility_description": _clean(row.get("target")),
                "application_process": _clean(row.get("how_to_apply")),
                "url": _first_url(row.get("detail_url")),
                "contact_text": _clean(row.get("contact")),
                "source": Service.Source.NATIONAL,
                "visibility": Service.Visibility.PUBLIC,
                "attribution": ATTRIBUTION,
                "status": Service.Status.ACTIVE,
            },
        )
        if categories_path is not None:
            service.categories.set([terms[c] for c in categories.get(service.name, []) if c in terms])
        service.districts.set(all_districts)
        ids.add(service.pk)
        if count % 25 == 0 or count == len(schemes):
            progress(f"{count}/{len(schemes)} schemes")
    return ids


def _first_url(text: str | None) -> str:
    """The scheme's page: the first valid http(s) address of the cell. Some cells list two pages on
    separate lines, which is not an address (HSDS's ``url`` is one URI); "" when none is valid."""
    validate = URLValidator(schemes=["http", "https"])
    for candidate in (text or "").split():
        try:
            validate(candidate)
        except ValidationError:
            continue
        if len(candidate) <= 500:
            return candidate
    return ""
