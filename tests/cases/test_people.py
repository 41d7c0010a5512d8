"""People: encrypted at rest, found again only through blind indexes, visible to the registering
organisation only, every view logged."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import make_member
from tsunagari.audit.models import ActivityLog
from tsunagari.cases import services
from tsunagari.cases.models import Household, HouseholdMember, Person
from tsunagari.orgs.models import Role

HANAKO = {"name": "架空 花子", "kana": "カクウ ハナコ", "birth_date": date(1948, 3, 3), "phone": "0857-00-9999",
          "address": "架空市ぬばたま町9-9-9"}  # fmt: skip


@pytest.fixture
def hanako(org_a):
    staff = make_member(org_a, Role.STAFF)
    person = services.register_person(by=staff, data=dict(HANAKO))
    return staff, person


def _all_text_in_the_database() -> str:
    """Everything a dump of the database would show, table by table."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')
            chunks.extend(str(value) for row in cursor.fetchall() for value in row)
    return "\n".join(chunks)


def test_a_database_dump_does_not_reveal_the_person(hanako):
    _staff, person = hanako
    services.create_household(by=_staff, label="架空家", members=[(person, HouseholdMember.Relation.SELF)])
    services.open_case(by=_staff, person=person, summary="夫を亡くしてから外出が減った")
    services.record_consent(
        by=_staff, person=person, recipients=[_staff.organization], info_kinds=["contact"], method="verbal",
        witness="立会 ぬばたま子",
    )  # fmt: skip
    dump = _all_text_in_the_database()
    secrets = ["架空 花子", "花子", "カクウ", "ハナコ", "0857-00-9999", "0857009999", "1948-03-03", "ぬばたま町", "架空家",
               "夫を亡くして", "ぬばたま子"]  # fmt: skip
    for secret in secrets:
        assert secret not in dump, secret
    person.refresh_from_db()
    assert (person.name, person.birth_date, person.phone) == ("架空 花子", date(1948, 3, 3), "0857-00-9999")
    assert Household.objects.get().label == "架空家"


def test_duplicate_check_finds_own_and_hides_other_organisations_records(hanako, org_b):
    staff_a, person = hanako
    same_kana = services.find_duplicates(by=staff_a, kana="ｶｸｳ ﾊﾅｺ", birth_date=date(1948, 3, 3), phone="")
    assert same_kana.own == [person] and same_kana.elsewhere is False
    staff_b = make_member(org_b, Role.STAFF)
    same_phone = services.find_duplicates(
        by=staff_b, kana="", birth_date=None, phone="０８５７-００-９９９９"
    )
    assert same_phone.own == [] and same_phone.elsewhere is True
    nobody = services.find_duplicates(
        by=staff_b, kana="ベツジン", birth_date=date(1990, 1, 1), phone="0857-00-1111"
    )
    assert (nobody.own, nobody.elsewhere) == ([], False)


def test_registering_warns_once_then_registers_and_keeps_what_was_typed(hanako, org_b):
    staff_b = make_member(org_b, Role.STAFF)
    url = reverse("cases:person_register", args=[org_b.slug])
    form = {"name": "架空 花子", "kana": "かくう はなこ", "birth_date": "1948-03-03", "phone": "", "address": "",
            "district": "", "contact_preference": "phone"}  # fmt: skip
    first = client_for(staff_b).post(url, form)
    html = first.content.decode()
    assert first.status_code == 200 and "notice--warning" in html
    assert "ぬばたま" not in html  # nothing of the other organisation's record is shown
    assert 'value="架空 花子"' in html
    second = client_for(staff_b).post(url, {**form, "register_anyway": "on"})
    assert second.status_code == 302
    assert Person.objects.filter(organization=org_b).count() == 1


def test_other_organisations_cannot_see_the_person(hanako, org_b):
    _staff, person = hanako
    outsider = make_member(org_b, Role.ADMIN)
    assert (
        client_for(outsider).get(reverse("cases:person_detail", args=[org_b.slug, person.pk])).status_code
        == 404
    )
    viewer = make_member(person.organization, Role.VIEWER, mfa=False)
    assert (
        client_for(viewer)
        .get(reverse("cases:person_detail", args=[person.organization.slug, person.pk]))
        .status_code
        == 403
    )


def test_every_view_is_logged_with_its_basis(hanako):
    staff, person = hanako
    before = ActivityLog.objects.filter(action="cases.person.viewed").count()
    response = client_for(staff).get(
        reverse("cases:person_detail", args=[staff.organization.slug, person.pk])
    )
    assert response.status_code == 200 and "架空 花子" in response.content.decode()
    entry = ActivityLog.objects.filter(action="cases.person.viewed").order_by("-seq").first()
    assert ActivityLog.objects.filter(action="cases.person.viewed").count() == before + 1
    assert (entry.actor_id, entry.object_id, entry.legal_basis) == (staff.user_id, str(person.pk), "own_org")


def test_key_rotation_re_encrypts_and_keeps_duplicate_checks_working(hanako, settings):
    from tsunagari.crypto import generate_key

    staff, person = hanako
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM cases_person WHERE id = %s", [person.pk])
        old_token = cursor.fetchone()[0]
    settings.DATA_ENCRYPTION_KEYS = [generate_key(), *settings.DATA_ENCRYPTION_KEYS]
    assert services.rotate_data_key() >= 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM cases_person WHERE id = %s", [person.pk])
        new_token = cursor.fetchone()[0]
    assert new_token != old_token
    settings.DATA_ENCRYPTION_KEYS = settings.DATA_ENCRYPTION_KEYS[:1]  # the old key can now be dropped
    person.refresh_from_db()
    assert person.name == "架空 花子"
    assert services.find_duplicates(
        by=staff, kana="カクウ ハナコ", birth_date=date(1948, 3, 3), phone=""
    ).own == [person]


@pytest.mark.parametrize("count", [1, 3])
def test_person_list_query_count_does_not_grow(org_a, django_assert_num_queries, count):
    staff = make_member(org_a, Role.STAFF)
    for i in range(count):
        services.register_person(by=staff, data={"name": f"架空 太郎{i}", "kana": "カクウ タロウ"})
    client = client_for(staff)
    url = reverse("cases:person_list", args=[org_a.slug])
    client.get(url)
    with django_assert_num_queries(10):
        assert client.get(url).status_code == 200
