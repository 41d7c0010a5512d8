"""HSDS import/export and the national schemes, on the benchmark city's directory (loaded by conftest)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tsunagari.demo import DEMO_DATA
from tsunagari.directory.hsds import HSDSImportError, export_package, import_package, validate_package
from tsunagari.directory.models import DirectoryOrganization, Location, Service, ServiceCategory
from tsunagari.directory.schemes import ATTRIBUTION, import_schemes
from tsunagari.orgs.models import District

BENCHMARK = DEMO_DATA / "hsds"


def _snapshot() -> dict:
    return {
        "services": Service.objects.count(),
        "organizations": DirectoryOrganization.objects.count(),
        "locations": Location.objects.count(),
        "links": ServiceCategory.objects.count(),
        "districts": sorted(Location.objects.exclude(district=None).values_list("pk", "district__code")),
        "sample": list(
            Service.objects.order_by("pk").values_list("pk", "name", "assured_date", "status")[:20]
        ),
    }


def test_benchmark_directory_is_imported(db):
    assert Service.objects.filter(source="local").count() == 95
    assert Service.objects.filter(source="national").count() == 122
    assert District.objects.count() == 12
    local = Service.objects.filter(source="local")
    assert all(1 <= s.categories.count() <= 3 for s in local)
    # A 地域包括支援センター covering three districts covers exactly those.
    kita = Service.objects.get(name="高齢者の総合相談（北部地域包括支援センター）")
    assert sorted(kita.districts.values_list("name", flat=True)) == ["北浜地区", "東雲地区", "湖東地区"]


def test_reimport_updates_instead_of_duplicating(db):
    before = _snapshot()
    import_package(BENCHMARK)
    assert _snapshot() == before


def test_export_validates_and_reimports_to_the_same_content(db, tmp_path):
    export_package(tmp_path)
    assert validate_package(tmp_path) == []
    before = _snapshot()
    import_package(tmp_path)
    assert _snapshot() == before
    with (tmp_path / "services.csv").open(encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == Service.objects.count()


def test_export_public_only_leaves_out_members_only_services(db, tmp_path):
    hidden = Service.objects.filter(source="local").first()
    hidden.visibility = Service.Visibility.MEMBERS
    hidden.save()
    export_package(tmp_path, public_only=True)
    text = (tmp_path / "services.csv").read_text(encoding="utf-8")
    assert str(hidden.pk) not in text
    assert str(hidden.pk) not in (tmp_path / "attributes.csv").read_text(encoding="utf-8")
    assert validate_package(tmp_path) == []


def _broken_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "broken"
    shutil.copytree(BENCHMARK, folder)
    with (folder / "services.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[3][rows[0].index("status")] = "open"
    rows[5][rows[0].index("name")] = ""
    rows[6][rows[0].index("name")] = "新しい名前（取り込まれてはいけない）"
    with (folder / "services.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(rows)
    return folder


def test_bad_package_is_reported_by_file_row_and_field_and_nothing_is_imported(db, tmp_path):
    folder = _broken_copy(tmp_path)
    with pytest.raises(HSDSImportError) as excinfo:
        import_package(folder)
    problems = {(p.file, p.row, p.field) for p in excinfo.value.problems}
    assert ("services.csv", 4, "status") in problems
    assert ("services.csv", 6, "name") in problems
    assert not Service.objects.filter(name__startswith="新しい名前").exists()


def test_import_command_reports_problems_clearly(db, tmp_path, capsys):
    folder = _broken_copy(tmp_path)
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_hsds", str(folder))
    assert "services.csv, row 4, field status" in capsys.readouterr().err


def test_schemes_carry_attribution_and_categories(db):
    scheme = Service.objects.get(name="生活困窮者自立支援制度")
    assert scheme.attribution == ATTRIBUTION
    assert set(scheme.categories.values_list("code", flat=True)) == {"livelihood", "housing", "employment"}
    assert scheme.districts.count() == 12


def test_schemes_reimport_updates(db):
    before = Service.objects.filter(source="national").count()
    import_schemes(
        DEMO_DATA / "notalone" / "data.csv", categories_path=DEMO_DATA / "notalone" / "categories.csv"
    )
    assert Service.objects.filter(source="national").count() == before


def test_bad_scheme_categories_import_nothing(db, tmp_path):
    bad = tmp_path / "categories.csv"
    bad.write_text("name,codes\n生活困窮者自立支援制度,livelihood no_such_code\n", encoding="utf-8")
    Service.objects.filter(name="生活困窮者自立支援制度").update(description="変更前")
    with pytest.raises(HSDSImportError) as excinfo:
        import_schemes(DEMO_DATA / "notalone" / "data.csv", categories_path=bad)
    assert [(p.file, p.row, p.field) for p in excinfo.value.problems] == [("categories.csv", 2, "codes")]
    assert Service.objects.get(name="生活困窮者自立支援制度").description == "変更前"


def test_public_export_leaves_out_ended_services_and_their_phones(db, tmp_path):
    ended = Service.objects.filter(source="local").exclude(phones=None).first()
    ended.status = Service.Status.DEFUNCT
    ended.save()
    numbers = list(ended.phones.values_list("pk", flat=True))
    export_package(tmp_path, public_only=True)
    assert str(ended.pk) not in (tmp_path / "services.csv").read_text(encoding="utf-8")
    phones = (tmp_path / "phones.csv").read_text(encoding="utf-8")
    assert not any(str(pk) in phones for pk in numbers)
    assert validate_package(tmp_path) == []


def test_platform_fields_survive_a_round_trip(db, tmp_path):
    service = Service.objects.filter(source="local").first()
    service.visibility = Service.Visibility.MEMBERS
    service.availability = Service.Availability.WAITLIST
    service.save()
    export_package(tmp_path)
    Service.objects.filter(pk=service.pk).update(visibility="public", availability="accepting")
    import_package(tmp_path)
    service.refresh_from_db()
    assert (service.visibility, service.availability) == ("members", "waitlist")
    assert Service.objects.get(name="生活困窮者自立支援制度").attribution == ATTRIBUTION


def test_a_packages_own_looser_descriptor_is_not_trusted(db, tmp_path):
    folder = _broken_copy(tmp_path)
    descriptor = (
        (folder / "datapackage.json").read_text(encoding="utf-8").replace('"temporarily closed"', '"open"')
    )
    (folder / "datapackage.json").write_text(descriptor, encoding="utf-8")
    with pytest.raises(HSDSImportError):
        import_package(folder)


def test_reimport_removes_a_category_the_package_dropped(db, tmp_path):
    export_package(tmp_path)
    service = next(s for s in Service.objects.filter(source="local") if s.categories.count() >= 2)
    dropped = ServiceCategory.objects.filter(service=service).first()
    path = tmp_path / "attributes.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if str(dropped.pk) not in line), encoding="utf-8")
    import_package(tmp_path)
    assert not ServiceCategory.objects.filter(pk=dropped.pk).exists()


def _edited_copy(tmp_path: Path, edit) -> Path:
    """The benchmark package with services.csv rewritten by edit(rows) (rows as dicts)."""
    folder = tmp_path / "package"
    shutil.copytree(BENCHMARK, folder)
    path = folder / "services.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        columns, rows = reader.fieldnames, list(reader)
    edit(rows)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    return folder


def test_a_shift_jis_package_gets_a_clear_message(db, tmp_path, capsys):
    folder = _edited_copy(tmp_path, lambda rows: None)
    path = folder / "services.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp932", errors="replace"))
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_hsds", str(folder))
    assert "services.csv" in capsys.readouterr().err and "UTF-8" in str(validate_package(folder)[0].reason)


def test_a_field_beyond_the_length_limit_is_refused_before_anything_is_written(db, tmp_path, capsys):
    def lengthen(rows):
        rows[0]["description"] = "長い説明。" * 40_000  # 200,000 characters
        rows[1]["name"] = "新しい名前"

    folder = _edited_copy(tmp_path, lengthen)
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_hsds", str(folder))
    assert "services.csv, row 2, field description" in capsys.readouterr().err
    assert not Service.objects.filter(name="新しい名前").exists()


def test_import_and_indexing_are_one_step(db, tmp_path, monkeypatch):
    """If indexing fails, the import is rolled back too: the index never disagrees with the services."""
    folder = _edited_copy(tmp_path, lambda rows: rows[0].update(name="索引の前に変えた名前"))

    def broken(*args, **kwargs):  # the outside world: the embedding model
        raise RuntimeError("the embedding model is missing")

    monkeypatch.setattr("tsunagari.directory.embeddings.passages", broken)
    with pytest.raises(RuntimeError):
        call_command("import_hsds", str(folder))
    assert not Service.objects.filter(name="索引の前に変えた名前").exists()


def test_every_scheme_url_is_one_valid_address(db):
    """Some cells of the source list two pages on separate lines: the first is kept (the HSDS API's schema
    test found one on a page it happened to draw)."""
    from django.core.validators import URLValidator

    validate = URLValidator(schemes=["http", "https"])
    urls = Service.objects.filter(source="national").exclude(url="").values_list("url", flat=True)
    assert len(urls) > 100
    for url in urls:
        validate(url)
    assert Service.objects.get(name="補装具費支給制度").url.endswith("/yogu/index.html")
