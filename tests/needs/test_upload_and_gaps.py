"""Bulk entry from a spreadsheet (all rows or none, errors by row) and gap issues (raised by the
secretariat from reports, seen and joined by members, who never see the reports themselves)."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import client_for
from tsunagari import spreadsheets
from tsunagari.audit.models import ActivityLog
from tsunagari.needs import services
from tsunagari.needs.models import GapIssue, GapIssueEntry, NeedReport, NeedTally

HEADER = ["月", "地区", "困りごと", "年代", "世帯の類型", "人数・世帯数", "制度", "概要"]


def _upload(member, rows, name="needs.csv"):
    content = (
        spreadsheets.to_csv(HEADER, rows)
        if name.endswith(".csv")
        else spreadsheets.to_xlsx("x", HEADER, rows)
    )
    url = reverse("needs:upload", args=[member.organization.slug])
    return client_for(member).post(url, {"file": SimpleUploadedFile(name, content)})


def test_a_clean_spreadsheet_is_saved_whole(world):
    rows = [
        [
            "2026-04",
            "中央地区",
            "孤独・さびしさ、食べもの",
            "70代",
            "単身高齢",
            "3",
            "制度はあるが届かない",
            "配食で気づいた",
        ],
        ["2026年5月", "kitahama", "food", "80歳以上", "8050", "2", "制度なし", ""],
    ]
    response = _upload(world["staff"], rows, name="needs.xlsx")
    assert response.status_code == 302
    assert NeedReport.objects.count() == 2 and NeedTally.objects.exists()
    first = NeedReport.objects.order_by("pk").first()
    assert (first.household_type, first.system_fit, first.age_band) == ("single_elderly", "unreached", "70s")
    assert sorted(first.categories.values_list("code", flat=True)) == ["food", "loneliness"]
    assert ActivityLog.objects.filter(action="needs.report.imported").get().data == {"rows": 2}


def test_row_errors_are_listed_by_row_and_nothing_is_saved(world):
    rows = [
        ["2026-04", "中央地区", "孤独・さびしさ", "70代", "単身高齢", "3", "制度なし", ""],
        ["2026-04", "どこでもない地区", "孤独・さびしさ", "70代", "単身高齢", "3", "制度なし", ""],
        [
            "2026-04",
            "中央地区",
            "孤独・さびしさ、宇宙",
            "70代",
            "単身高齢",
            "0",
            "制度なし",
            "鈴木さんのこと",
        ],
    ]
    response = _upload(world["staff"], rows)
    html = response.content.decode()
    assert response.status_code == 200
    assert "3行のうち2行に修正が必要です" in html
    assert '<th scope="row">3</th>' in html and '<th scope="row">4</th>' in html  # spreadsheet rows 3 and 4
    assert "鈴木さん" in html  # named, so the writer can find and remove it
    assert "「宇宙」" in html  # an unknown kind of trouble is named too
    assert not NeedReport.objects.exists()


def test_a_file_that_is_not_the_template_gets_a_clear_message(world):
    url = reverse("needs:upload", args=["org-a"])
    wrong = SimpleUploadedFile("notes.csv", "名前,メモ\n架空,こんにちは\n".encode())
    html = client_for(world["staff"]).post(url, {"file": wrong}).content.decode()
    assert "列が足りません" in html
    garbage = SimpleUploadedFile("data.xlsx", b"not a workbook")
    assert client_for(world["staff"]).post(url, {"file": garbage}).status_code == 200


def test_the_template_downloads_and_reads_back(world):
    response = client_for(world["staff"]).get(reverse("needs:upload_template", args=["org-a", "xlsx"]))
    book = load_workbook(io.BytesIO(response.content))
    rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert rows == [HEADER]  # no example row to be uploaded by mistake …
    example = [list(r) for r in book.worksheets[1].iter_rows(values_only=True)]
    assert example[0] == HEADER  # … it is in the second sheet, and it is valid:
    assert _upload(world["staff"], [[str(v) for v in example[1]]]).status_code == 302


def test_secretariat_raises_a_gap_issue_and_members_join_without_seeing_reports(world, report):
    staff, coordinator, other = world["staff"], world["coordinator"], world["other_staff"]
    first = report(staff, 3, household_type="young_carer", description="退院後に介護を担う10代")
    second = report(other, 2, household_type="young_carer")
    slug = coordinator.organization.slug
    form = (
        client_for(coordinator)
        .get(reverse("needs:gap_new", args=[slug]), {"reports": [first.pk, second.pk]})
        .content.decode()
    )
    assert "退院後に介護を担う10代" in form
    created = client_for(coordinator).post(
        reverse("needs:gap_new", args=[slug]),
        {"title": "ヤングケアラーへの支援", "summary": "制度のはざま", "reports": [first.pk, second.pk],
         "responsible": [staff.organization.pk]},
    )  # fmt: skip
    issue = GapIssue.objects.get()
    assert created.status_code == 302 and set(issue.reports.all()) == {first, second}

    page = client_for(other).get(reverse("needs:gap_detail", args=["org-b", issue.pk])).content.decode()
    assert "ヤングケアラーへの支援" in page and "退院後に介護を担う10代" not in page  # members: no reports
    joined = client_for(other).post(reverse("needs:gap_join", args=["org-b", issue.pk]))
    assert joined.status_code == 302 and issue.participants.filter(pk=other.organization_id).exists()
    note = client_for(other).post(
        reverse("needs:gap_entry", args=["org-b", issue.pk]), {"kind": "decision", "text": "学校と話します"}
    )
    assert note.status_code == 200 and "field--error" in note.content.decode()  # only the secretariat decides
    assert "学校と話します" in note.content.decode()
    client_for(other).post(
        reverse("needs:gap_entry", args=["org-b", issue.pk]), {"kind": "note", "text": "学校と話します"}
    )
    assert GapIssueEntry.objects.get().organization == other.organization

    client_for(coordinator).post(
        reverse("needs:gap_status", args=[slug, issue.pk]),
        {"status": "discussing", "responsible": [staff.organization.pk]},
    )
    issue.refresh_from_db()
    assert issue.status == "discussing"
    assert (
        ActivityLog.objects.filter(action__startswith="needs.gap.").count() == 4
    )  # raised, joined, note, updated


def test_members_cannot_raise_or_change_gap_issues(world):
    issue = services.raise_gap_issue(by=world["coordinator"], title="課題", summary="-", reports=[])
    admin = client_for(world["admin"])
    assert admin.get(reverse("needs:gap_new", args=["org-a"])).status_code == 403
    assert (
        admin.post(reverse("needs:gap_status", args=["org-a", issue.pk]), {"status": "solved"}).status_code
        == 403
    )
    issue.refresh_from_db()
    assert issue.status == "raised"
