"""Resident and member pages of the directory, on the benchmark directory loaded by conftest."""

from __future__ import annotations

import io
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.conftest import client_for
from tests.factories import make_member
from tsunagari.directory.jobs import remind_stale_services
from tsunagari.directory.models import DirectoryOrganization, Service
from tsunagari.orgs.models import Role
from tsunagari.worker.runner import run_due_tasks

SECRET_WORDS = "ぬばたまの夜に誰とも話していない"


def _own_service(org) -> Service:
    provider = DirectoryOrganization.objects.create(name=f"{org.name} 相談部", description="-", member=org)
    return Service.objects.create(
        organization=provider, name="あおぞら傾聴サロン", assured_date=timezone.localdate()
    )


def test_navigator_page_answers_without_storing_what_was_typed(client, db):
    page = client.get(reverse("directory:navigator"))
    assert page.status_code == 200
    response = client.post(reverse("directory:navigator"), {"text": SECRET_WORDS})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "navi-results" in html and 'class="service-card' in html
    # Nothing the resident wrote is anywhere in the database.
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table.startswith("directory_service_fts"):
                continue
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            for column in columns:
                cursor.execute(
                    f'SELECT COUNT(*) FROM "{table}" WHERE CAST("{column}" AS TEXT) LIKE %s', ["%ぬばたま%"]
                )  # noqa: S608
                assert cursor.fetchone()[0] == 0, (table, column)


def test_crisis_text_puts_crisis_lines_first(client, db):
    html = client.post(reverse("directory:navigator"), {"text": "もう消えてしまいたい"}).content.decode()
    assert html.index("crisis--urgent") < html.index("answers-title")
    assert 'href="tel:0120279338"' in html


def test_empty_question_is_explained(client, db):
    response = client.post(reverse("directory:navigator"), {"text": "  "})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()


def test_person_changes_the_kinds_of_trouble(client, db):
    response = client.post(
        reverse("directory:navigator"),
        {"text": "困っている", "categories": ["food"], "refine": "1"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="navi-results"')
    assert "フードバンク" in html or "食料" in html


def test_directory_search_with_filters(client, db):
    url = reverse("directory:search")
    everything = client.get(url).context["page"].paginator.count
    assert everything == Service.objects.filter(visibility="public").exclude(status="defunct").count()
    care = client.get(url, {"q": "介護"}).context["page"].paginator.count
    assert 0 < care < everything
    elderly = client.get(url, {"category": "elderly_care", "district": "", "audience": "elderly"})
    assert all("elderly_care" in [c.code for c in s.categories.all()] for s in elderly.context["page"])
    assert client.get(url, {"category": "no_such", "availability": "x"}).status_code == 200


def test_members_only_service_is_hidden_from_the_public(client, org_a):
    service = _own_service(org_a)
    service.visibility = Service.Visibility.MEMBERS
    service.save()
    url = reverse("directory:service_detail", args=[service.pk])
    assert client.get(url).status_code == 404
    assert client_for(make_member(org_a, Role.VIEWER, mfa=False)).get(url).status_code == 200


def test_staff_sets_availability_of_own_service_with_htmx(org_a):
    staff = make_member(org_a, Role.STAFF)
    service = _own_service(org_a)
    response = client_for(staff).post(
        reverse("directory_staff:service_availability", args=[org_a.slug, service.pk]),
        {"availability": "waitlist"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith(f'<tr id="row-{service.pk}"')
    service.refresh_from_db()
    assert (service.availability, service.availability_set_on) == ("waitlist", timezone.localdate())


def test_staff_cannot_edit_another_organisations_service(org_a, org_b):
    staff = make_member(org_a, Role.STAFF)
    other = _own_service(org_b)
    client = client_for(staff)
    assert client.get(reverse("directory_staff:service_edit", args=[org_a.slug, other.pk])).status_code == 404
    client.post(
        reverse("directory_staff:service_availability", args=[org_a.slug, other.pk]),
        {"availability": "closed"},
    )
    other.refresh_from_db()
    assert other.availability == "accepting"


def test_edit_keeps_input_on_error_and_saves_when_valid(org_a):
    staff = make_member(org_a, Role.STAFF)
    service = _own_service(org_a)
    url = reverse("directory_staff:service_edit", args=[org_a.slug, service.pk])
    base = {
        "name": "あおぞら傾聴サロン（改）",
        "availability": "accepting",
        "visibility": "public",
        "status": "active",
    }
    bad = client_for(staff).post(url, base)  # no category chosen
    assert bad.status_code == 200 and 'value="あおぞら傾聴サロン（改）"' in bad.content.decode()
    good = client_for(staff).post(url, {**base, "categories": ["loneliness", "belonging"]})
    assert good.status_code == 302
    service.refresh_from_db()
    assert service.name == "あおぞら傾聴サロン（改）"
    assert sorted(service.categories.values_list("code", flat=True)) == ["belonging", "loneliness"]
    assert "ぬばたま" not in service.search_tokens


def test_staff_adds_a_service_that_the_navigator_then_finds(org_a):
    staff = make_member(org_a, Role.STAFF)
    response = client_for(staff).post(
        reverse("directory_staff:service_new", args=[org_a.slug]),
        {"name": "ぬばたま電話相談", "description": "夜に眠れない方の電話相談", "availability": "accepting",
         "visibility": "public", "status": "active", "categories": ["mental_health"]},
    )  # fmt: skip
    assert response.status_code == 302
    service = Service.objects.get(name="ぬばたま電話相談")
    assert service.organization.member == org_a
    from tsunagari.directory.navigator import navigate

    assert service.pk in [m.entry.pk for m in navigate("ぬばたま電話相談", limit=60).matches]


def test_confirming_resets_freshness_and_stale_list_shows_old_entries(world, org_a):
    coordinator = world["coordinator"]
    service = _own_service(org_a)
    Service.objects.filter(pk=service.pk).update(assured_date=timezone.localdate() - timedelta(days=200))
    stale_url = reverse("directory_staff:stale_list", args=[coordinator.organization.slug])
    assert service.name in client_for(coordinator).get(stale_url).content.decode()
    client_for(world["staff"]).post(reverse("directory_staff:service_confirm", args=[org_a.slug, service.pk]))
    service.refresh_from_db()
    assert service.assured_date == timezone.localdate()
    assert service.name not in client_for(coordinator).get(stale_url).content.decode()


def test_stale_reminder_reaches_the_organisation_once_a_week(org_a):
    admin = make_member(org_a, Role.ADMIN)
    service = _own_service(org_a)
    Service.objects.filter(pk=service.pk).update(assured_date=timezone.localdate() - timedelta(days=181))
    mail.outbox.clear()
    remind_stale_services()
    run_due_tasks()
    assert [m.to for m in mail.outbox] == [[admin.user.email]]
    assert service.name in mail.outbox[0].body
    remind_stale_services()
    run_due_tasks()
    assert len(mail.outbox) == 1


def test_export_excel_and_csv(org_a):
    staff = make_member(org_a, Role.STAFF)
    client = client_for(staff)
    xlsx = client.get(reverse("directory_staff:export", args=[org_a.slug, "xlsx"]), {"category": "food"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) - 1 == Service.objects.filter(categories__code="food").count()
    csv_response = client.get(reverse("directory_staff:export", args=[org_a.slug, "csv"]))
    assert csv_response.content.startswith("\ufeff".encode())
    assert client.get(reverse("directory_staff:export", args=[org_a.slug, "pdf"])).status_code == 404


def test_secretariat_renames_a_category(world):
    coordinator = world["coordinator"]
    url = reverse("directory_staff:category_edit", args=[coordinator.organization.slug, "food"])
    response = client_for(coordinator).post(
        url, {"name": "食べもの", "name_en": "Food", "description": "食料"}
    )
    assert response.status_code == 302
    from tsunagari.directory.models import TaxonomyTerm

    assert TaxonomyTerm.objects.get(code="food", taxonomy_ref__isnull=False).name == "食べもの"


@pytest.mark.parametrize("count", [1, 3])
def test_directory_search_query_count_is_constant(client, db, django_assert_num_queries, count):
    url = reverse("directory:search")
    client.get(url, {"q": "相談"})
    with django_assert_num_queries(7):  # a card's details: the page's services, their phones and hours
        client.get(url, {"q": "相談", "page": str(count)})


def test_word_search_ranks_by_relevance(client, db):
    page = client.get(reverse("directory:search"), {"q": "認知症"}).context["page"]
    assert "認知症" in page.object_list[0].name or "認知症" in page.object_list[0].description


def test_renamed_category_is_searchable_at_once(world):
    from tsunagari.directory.search import matching
    from tsunagari.text.analysis import analyze

    coordinator = world["coordinator"]
    url = reverse("directory_staff:category_edit", args=[coordinator.organization.slug, "food"])
    client_for(coordinator).post(url, {"name": "ぬばたま食堂", "name_en": "Food", "description": "食料"})
    found = matching(Service.objects.all(), analyze("ぬばたま"))
    assert found.exists() and all("food" in s.categories.values_list("code", flat=True) for s in found)


def test_inactive_services_are_not_offered_to_the_public(client, db):
    service = Service.objects.filter(source="local").first()
    service.status = Service.Status.INACTIVE
    service.save()
    assert client.get(reverse("directory:service_detail", args=[service.pk])).status_code == 404
    assert service not in client.get(reverse("directory:search")).context["page"].paginator.object_list


def test_staff_give_a_phone_number_and_hours_that_residents_see(org_a, client):
    staff = make_member(org_a, Role.STAFF)
    client_for(staff).post(
        reverse("directory_staff:service_new", args=[org_a.slug]),
        {"name": "夜の電話相談ぬばたま", "availability": "accepting", "visibility": "public", "status": "active",
         "categories": ["loneliness"], "phone": "０８５７-００-１２３４", "hours": "毎日 19時〜22時"},
    )  # fmt: skip
    service = Service.objects.get(name="夜の電話相談ぬばたま")
    page = client.get(reverse("directory:service_detail", args=[service.pk])).content.decode()
    assert 'href="tel:0857001234"' in page and "毎日 19時〜22時" in page
    bad = client_for(staff).post(
        reverse("directory_staff:service_edit", args=[org_a.slug, service.pk]),
        {"name": service.name, "availability": "accepting", "visibility": "public", "status": "active",
         "categories": ["loneliness"], "phone": "電話ください", "hours": "毎日"},
    )  # fmt: skip
    assert bad.status_code == 200 and 'value="電話ください"' in bad.content.decode()


def test_export_follows_the_filters_on_screen(org_a):
    staff = make_member(org_a, Role.STAFF)
    _own_service(org_a)
    response = client_for(staff).get(
        reverse("directory_staff:export", args=[org_a.slug, "csv"]), {"mine": "1"}
    )
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 2 and "あおぞら傾聴サロン" in lines[1]


def test_kinds_of_trouble_are_named_in_english_on_english_pages(client, db):
    client.cookies["django_language"] = "en"
    html = client.post(reverse("directory:navigator"), {"text": "借金が返せない"}).content.decode()
    assert '<span class="chip">Debt and legal' in html or '<span class="chip">Debt' in html


def test_navigator_analyses_the_text_once(client, db):
    from tsunagari.text import analysis

    calls = []
    real = analysis._word_tokens

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    with mock.patch.object(analysis, "_word_tokens", counted):
        response = client.post(reverse("directory:navigator"), {"text": SECRET_WORDS})
    assert response.status_code == 200 and "navi-results" in response.content.decode()
    assert len(calls) == 1  # the view's check and the answer use the same analysis
