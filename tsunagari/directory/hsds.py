"""Open Referral HSDS 3.0 tabular packages: import (validated first, all or nothing) and export.

A package is a folder with `datapackage.json` and one CSV per resource. Column names equal our
model field names (foreign keys by their `…_id` column), so one table of resources drives both
directions. Categories and districts, which HSDS expresses as attributes, live in ServiceCategory
and Location.district here and are turned back into attribute rows on export, with their ids.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from tsunagari import spreadsheets
from tsunagari.orgs.models import District

from .models import (
    Address,
    Attribute,
    DirectoryOrganization,
    Language,
    Location,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceCategory,
    Taxonomy,
    TaxonomyTerm,
)
from .taxonomy import CATEGORY_TAXONOMY_ID, DISTRICT_CODE_PREFIX

DESCRIPTOR = Path(__file__).parent / "data" / "hsds_datapackage.json"
Progress = Callable[[str], None]

# Resources in the order they must be written (parents first).
MODELS: dict[str, type[models.Model]] = {
    "taxonomy": Taxonomy,
    "taxonomy_term": TaxonomyTerm,
    "organization": DirectoryOrganization,
    "service": Service,
    "location": Location,
    "address": Address,
    "service_at_location": ServiceAtLocation,
    "phone": Phone,
    "schedule": Schedule,
    "service_area": ServiceArea,
    "language": Language,
    "attribute": Attribute,
}
COLUMN_ALIASES = {("taxonomy_term", "taxonomy_id"): "taxonomy_ref_id"}


@dataclass(frozen=True)
class ImportProblem:
    file: str
    row: int | None
    field: str | None
    reason: str

    def __str__(self) -> str:
        where = (
            self.file
            + (f", row {self.row}" if self.row else "")
            + (f", field {self.field}" if self.field else "")
        )
        return f"{where}: {self.reason}"


class HSDSImportError(Exception):
    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class ImportResult:
    counts: dict[str, int] = field(default_factory=dict)
    service_ids: set[uuid.UUID] = field(default_factory=set)


def _descriptor() -> dict[str, Any]:
    """Always the HSDS descriptor shipped with the platform: a package's own datapackage.json could be
    looser (or point outside its folder), so it is not what the files are checked against."""
    return json.loads(DESCRIPTOR.read_text(encoding="utf-8"))


def _resources(descriptor: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {resource["name"]: resource for resource in descriptor["resources"]}


def validate_package(folder: Path) -> list[ImportProblem]:
    """Check every file against the HSDS descriptor (types, required, enums, keys) with frictionless."""
    from frictionless import Package, system

    problems: list[ImportProblem] = []
    descriptor = _descriptor()
    for resource in _resources(descriptor).values():
        if not (folder / resource["path"]).is_file():
            problems.append(ImportProblem(resource["path"], None, None, "file is missing"))
    if problems:
        return problems
    paths = [resource["path"] for resource in _resources(descriptor).values()]
    problems = [
        p
        for path in [*paths, EXTENSION_FILE]
        if (folder / path).is_file()
        for p in _check_text(folder / path)
    ]
    if problems:  # not UTF-8 or oversized: the rest of the checks would only repeat it
        return problems
    # The shipped descriptor names only plain file names, so reading stays inside ``folder``.
    with system.use_context(trusted=True):
        report = Package(descriptor, basepath=str(folder.resolve())).validate()
    problems += _check_extension(folder)
    for task in report.tasks:
        for error in task.errors:
            problems.append(
                ImportProblem(
                    file=Path(task.place).name if task.place else task.name,
                    row=getattr(error, "row_number", None),
                    field=getattr(error, "field_name", None),
                    reason=error.note or error.message,
                )
            )
    return problems


# No field of a directory entry needs more (a long service description is about 2,000 characters); a
# longer one is a mistake, and would cost every search that reads it.
MAX_FIELD_CHARS = 10_000


def _check_text(path: Path) -> list[ImportProblem]:
    """UTF-8 (what HSDS prescribes; Excel in Japan saves Shift_JIS unless told otherwise), and no field
    longer than MAX_FIELD_CHARS."""
    content = path.read_bytes()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        return [
            ImportProblem(
                path.name, line, None, "not UTF-8 text: save the file as CSV UTF-8 (HSDS files are UTF-8)"
            )
        ]
    problems = []
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] = []
    try:
        for number, row in enumerate(reader, start=1):
            header = header or row
            for index, value in enumerate(row):
                if len(value) > MAX_FIELD_CHARS:
                    column = header[index] if index < len(header) else None
                    reason = f"{len(value):,} characters; at most {MAX_FIELD_CHARS:,}"
                    problems.append(ImportProblem(path.name, number, column, reason))
    except csv.Error as error:
        problems.append(ImportProblem(path.name, reader.line_num, None, f"not a readable CSV file: {error}"))
    return problems


def _attname(resource: str, column: str, model: type[models.Model]) -> str | None:
    if (resource, column) in COLUMN_ALIASES:
        return COLUMN_ALIASES[(resource, column)]
    for model_field in model._meta.concrete_fields:
        if model_field.attname == column or model_field.name == column:
            return model_field.attname
    return None


def _to_python(model_field: models.Field, raw: str) -> Any:
    if raw == "":
        return (
            None
            if model_field.null
            else ("" if isinstance(model_field, models.CharField | models.TextField) else None)
        )
    if isinstance(model_field, models.DateTimeField):
        parsed = parse_datetime(raw)
        if parsed is None:
            day = parse_date(raw)
            parsed = datetime(day.year, day.month, day.day) if day else None  # noqa: DTZ001 - made aware below
        if parsed is not None and timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        return parsed
    if isinstance(model_field, models.DateField):
        return parse_date(raw[:10])
    if isinstance(model_field, models.DecimalField):
        return Decimal(raw)
    if isinstance(model_field, models.IntegerField):
        return int(float(raw))
    if isinstance(model_field, models.UUIDField | models.ForeignKey):
        return uuid.UUID(raw)
    return raw


def _read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _category_term_for(code: str) -> TaxonomyTerm | None:
    return TaxonomyTerm.objects.filter(taxonomy_ref_id=CATEGORY_TAXONOMY_ID, code=code).first()


@transaction.atomic
def import_and_index(folder: Path, *, progress: Progress = lambda _: None) -> ImportResult:
    """Import a package and index its services in one all-or-nothing step, so that the search index never
    disagrees with the directory (if indexing fails, the import is rolled back too)."""
    from .search import index_services

    result = import_package(folder, progress=progress)
    index_services(result.service_ids, progress=progress)
    return result


@transaction.atomic
def import_package(folder: Path, *, progress: Progress = lambda _: None) -> ImportResult:
    """Import an HSDS tabular package. Validates everything first; on any problem nothing is written.

    Rows are matched by id, so importing again updates instead of duplicating. Terms of another
    package's category taxonomy whose code is one of ours map onto our terms.
    """
    problems = validate_package(folder)
    if problems:
        raise HSDSImportError(problems)
    resources = _resources(_descriptor())
    result = ImportResult()
    term_alias: dict[str, uuid.UUID] = {}
    for name, model in MODELS.items():
        rows = _read_rows(folder / resources[name]["path"])
        progress(f"{resources[name]['path']}: {len(rows)} rows")
        if name == "attribute":
            _import_attributes(rows, term_alias, result.service_ids)
        elif name == "taxonomy_term":
            _import_terms(rows, term_alias)
        else:
            ids = _upsert_rows(name, model, rows)
            if name == "service":
                result.service_ids |= ids
        result.counts[name] = len(rows)
    _import_extension(folder)
    _derive_service_districts(result.service_ids)
    return result


def _row_values(name: str, model: type[models.Model], row: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    fields_by_attname = {f.attname: f for f in model._meta.concrete_fields}
    for column, raw in row.items():
        attname = _attname(name, column, model)
        if attname is None or attname == "id":
            continue
        values[attname] = _to_python(fields_by_attname[attname], (raw or "").strip())
    return values


def _upsert_rows(name: str, model: type[models.Model], rows: list[dict[str, str]]) -> set[uuid.UUID]:
    ids = set()
    self_refs = [f.attname for f in model._meta.concrete_fields if f.is_relation and f.related_model is model]
    deferred: list[tuple[uuid.UUID, dict[str, Any]]] = []
    for row in rows:
        pk = uuid.UUID(row["id"])
        values = _row_values(name, model, row)
        later = {k: values.pop(k) for k in self_refs if k in values}
        model.objects.update_or_create(pk=pk, defaults=values)  # type: ignore[attr-defined]
        if later:
            deferred.append((pk, later))
        ids.add(pk)
    for pk, later in deferred:  # parents may come after their children in the file
        model.objects.filter(pk=pk).update(**later)  # type: ignore[attr-defined]
    return ids


def _import_terms(rows: list[dict[str, str]], term_alias: dict[str, uuid.UUID]) -> None:
    ours = []
    for row in rows:
        existing = _category_term_for(row["code"]) if row.get("code") else None
        if existing is not None and str(existing.pk) != row["id"]:
            term_alias[row["id"]] = existing.pk  # another package's copy of one of our categories
            continue
        if row.get("code", "").startswith(DISTRICT_CODE_PREFIX):
            code = row["code"].removeprefix(DISTRICT_CODE_PREFIX)
            District.objects.get_or_create(
                code=code, defaults={"name": row["name"], "description": row["description"]}
            )
        ours.append(row)
    _upsert_rows("taxonomy_term", TaxonomyTerm, ours)


def _import_attributes(
    rows: list[dict[str, str]], term_alias: dict[str, uuid.UUID], service_ids: set[uuid.UUID]
) -> None:
    # The package says all of its services' categories: links it no longer has are removed.
    kept = {
        uuid.UUID(r["id"]) for r in rows if r["link_entity"] == "service" and r["link_type"] == "category"
    }
    ServiceCategory.objects.filter(service_id__in=service_ids).exclude(pk__in=kept).delete()
    for row in rows:
        pk = uuid.UUID(row["id"])
        term_id = term_alias.get(row["taxonomy_term_id"], uuid.UUID(row["taxonomy_term_id"]))
        link_id = uuid.UUID(row["link_id"])
        if row["link_entity"] == "service" and row["link_type"] == "category":
            ServiceCategory.objects.filter(service_id=link_id, term_id=term_id).exclude(pk=pk).delete()
            ServiceCategory.objects.update_or_create(
                pk=pk, defaults={"service_id": link_id, "term_id": term_id}
            )
        elif row["link_entity"] == "location" and row["link_type"] == "district":
            term = TaxonomyTerm.objects.get(pk=term_id)
            district = District.objects.filter(code=term.code.removeprefix(DISTRICT_CODE_PREFIX)).first()
            Location.objects.filter(pk=link_id).update(district=district, district_attribute_id=pk)
        else:
            Attribute.objects.update_or_create(
                pk=pk,
                defaults={
                    "link_id": link_id,
                    "taxonomy_term_id": term_id,
                    "link_type": row["link_type"],
                    "link_entity": row["link_entity"],
                    "value": row["value"],
                },
            )


def _extension_rows(folder: Path) -> list[dict[str, str]]:
    path = folder / EXTENSION_FILE
    return _read_rows(path) if path.is_file() else []


def _check_extension(folder: Path) -> list[ImportProblem]:
    choices = {
        "visibility": Service.Visibility.values,
        "source": Service.Source.values,
        "availability": Service.Availability.values,
    }
    problems = []
    for number, row in enumerate(_extension_rows(folder), start=2):
        for column, allowed in choices.items():
            if row.get(column) not in allowed:
                problems.append(
                    ImportProblem(EXTENSION_FILE, number, column, f"must be one of {', '.join(allowed)}")
                )
        if row.get("availability_set_on") and parse_date(row["availability_set_on"]) is None:
            problems.append(
                ImportProblem(EXTENSION_FILE, number, "availability_set_on", "is not a date (YYYY-MM-DD)")
            )
    return problems


def _import_extension(folder: Path) -> None:
    for row in _extension_rows(folder):
        values: dict[str, Any] = {
            c: row[c] for c in ("visibility", "source", "availability", "attribution", "contact_text")
        }
        if row.get("availability_set_on"):
            values["availability_set_on"] = parse_date(row["availability_set_on"])
        Service.objects.filter(pk=uuid.UUID(row["id"])).update(**values)


WHOLE_AREA_WORDS = ("全域", "全国", "全県", "市内全", "どこからでも")


def _derive_service_districts(service_ids: Iterable[uuid.UUID]) -> None:
    """The districts a service covers: named in its service areas ("北浜地区・湖東地区"), the whole
    city when an area says 全域/全国, else the districts of the places where it is offered."""
    districts = list(District.objects.all())
    for service in Service.objects.filter(pk__in=list(service_ids)).prefetch_related(
        "service_areas", "service_at_locations__location"
    ):
        areas = " ".join(f"{a.name} {a.description}" for a in service.service_areas.all())
        if any(word in areas for word in WHOLE_AREA_WORDS):
            covered = districts
        else:
            covered = [d for d in districts if d.name in areas or d.name.removesuffix("地区") in areas]
            covered += [
                sal.location.district for sal in service.service_at_locations.all() if sal.location.district
            ]
            if not covered and areas:
                covered = districts  # an area beyond the city (県内, 周辺市町) covers every district
        service.districts.set({d.pk for d in covered})


# --- export ------------------------------------------------------------------------------------------


def _to_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _attribute_rows() -> list[dict[str, Any]]:
    rows = [
        {"id": link.pk, "link_id": link.service_id, "taxonomy_term_id": link.term_id, "link_type": "category",
         "link_entity": "service", "value": ""}
        for link in ServiceCategory.objects.order_by("service_id", "term__sort_order")
    ]  # fmt: skip
    district_terms = {
        t.code.removeprefix(DISTRICT_CODE_PREFIX): t
        for t in TaxonomyTerm.objects.filter(code__startswith=DISTRICT_CODE_PREFIX)
    }
    for location in Location.objects.filter(district__isnull=False).select_related("district"):
        term = district_terms.get(location.district.code)  # type: ignore[union-attr]
        if term is None:
            continue
        rows.append(
            {"id": location.district_attribute_id or uuid.uuid5(location.pk, "district"), "link_id": location.pk,
             "taxonomy_term_id": term.pk, "link_type": "district", "link_entity": "location",
             "value": location.district.name}  # type: ignore[union-attr]
        )  # fmt: skip
    rows += [
        {"id": a.pk, "link_id": a.link_id, "taxonomy_term_id": a.taxonomy_term_id, "link_type": a.link_type,
         "link_entity": a.link_entity, "value": a.value}
        for a in Attribute.objects.order_by("pk")
    ]  # fmt: skip
    return rows


def _public_querysets() -> dict[str, models.QuerySet]:
    """What a public export may contain: the HSDS API's rules for a caller without a token (no ended or
    members-only service, nor any place, phone, schedule or language that belongs only to one)."""
    from .api.access import Access

    access = Access(token=None)
    organizations = access.organizations
    services = access.services
    locations = access.locations.filter(
        models.Q(organization__isnull=True) | models.Q(organization__in=organizations)
    )
    places = ServiceAtLocation.objects.filter(service__in=services, location__in=locations)
    only_shown = (
        models.Q(location__isnull=True) | models.Q(location__in=locations),
        models.Q(service_at_location__isnull=True) | models.Q(service_at_location__in=places),
    )
    phones = access.shown(Phone).filter(
        models.Q(organization__isnull=True) | models.Q(organization__in=organizations), *only_shown
    )
    return {
        "organization": organizations,
        "service": services,
        "location": locations,
        "address": Address.objects.filter(models.Q(location__isnull=True) | models.Q(location__in=locations)),
        "service_at_location": places,
        "phone": phones,
        "schedule": access.shown(Schedule).filter(*only_shown),
        "service_area": ServiceArea.objects.filter(
            models.Q(service__isnull=True) | models.Q(service__in=services)
        ),
        "language": Language.objects.filter(
            models.Q(service__isnull=True) | models.Q(service__in=services),
            models.Q(location__isnull=True) | models.Q(location__in=locations),
            models.Q(phone__isnull=True) | models.Q(phone__in=phones),
        ),
    }


def _queryset(
    name: str, model: type[models.Model], public: dict[str, models.QuerySet] | None
) -> models.QuerySet:
    qs = public[name] if public is not None and name in public else model.objects.all()  # type: ignore[attr-defined]
    if name == "taxonomy_term":
        qs = qs.filter(
            models.Q(taxonomy_ref__isnull=True) | models.Q(taxonomy_ref__in=Taxonomy.objects.all())
        )
    return qs.order_by("pk")


# Platform fields HSDS has no column for, written beside the package so that nothing is lost on a
# round trip (a members-only service must not come back public). HSDS readers ignore the file.
EXTENSION_FILE = "tsunagari_services.csv"
EXTENSION_COLUMNS = [
    "id",
    "visibility",
    "source",
    "availability",
    "availability_set_on",
    "attribution",
    "contact_text",
]


def export_package(
    folder: Path, *, public_only: bool = False, progress: Progress = lambda _: None
) -> dict[str, int]:
    """Write every resource as HSDS CSV (UTF-8, CRLF, columns in descriptor order), the descriptor, and
    the platform's own service fields (EXTENSION_FILE)."""
    folder.mkdir(parents=True, exist_ok=True)
    descriptor = json.loads(DESCRIPTOR.read_text(encoding="utf-8"))
    public = _public_querysets() if public_only else None
    counts = {}
    exported: dict[str, set] = {}
    for resource in sorted(descriptor["resources"], key=lambda r: r["name"] == "attribute"):
        name = resource["name"]
        columns = [f["name"] for f in resource["schema"]["fields"]]
        model = MODELS[name]
        if name == "attribute":
            linked = {
                entity: exported.get(entity, set()) for entity in ("service", "location", "organization")
            }
            rows = [
                r for r in _attribute_rows()
                if public is None or r["link_entity"] not in linked or r["link_id"] in linked[r["link_entity"]]
            ]  # fmt: skip
        else:
            attnames = {c: _attname(name, c, model) for c in columns}
            if public is not None:  # a staff member's e-mail is not published
                attnames = {
                    c: (None if (name, c) == ("service", "assurer_email") else a) for c, a in attnames.items()
                }
            rows = [
                {c: (getattr(obj, a) if a else None) for c, a in attnames.items()} | {"id": obj.pk}
                for obj in _queryset(name, model, public)
            ]
            exported[name] = {row["id"] for row in rows}
        with (folder / resource["path"]).open("w", encoding="utf-8", newline="") as fh:
            # The package is open data read by programs: values must round-trip exactly.
            spreadsheets.write_csv(
                fh, columns, ([_to_text(row.get(c)) for c in columns] for row in rows), keep_formulas=True
            )
        counts[name] = len(rows)
        progress(f"{resource['path']}: {len(rows)} rows")
    with (folder / EXTENSION_FILE).open("w", encoding="utf-8", newline="") as fh:
        extension = Service.objects.filter(pk__in=exported["service"]).order_by("pk")
        spreadsheets.write_csv(
            fh, EXTENSION_COLUMNS, ([_to_text(v) for v in values] for values in
                                    extension.values_list(*EXTENSION_COLUMNS)), keep_formulas=True,
        )  # fmt: skip
    shutil.copyfile(DESCRIPTOR, folder / "datapackage.json")
    return counts
