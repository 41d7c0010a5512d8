"""People: encrypted at rest, found again only through blind indexes, visible to the registering
organisation only, every view logged."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import OrganizationFactory, make_member
from tsunagari.audit.models import ActivityLog
from tsunagari.cases import services
from tsunagari.cases.models import Household, HouseholdMember, Person
from tsunagari.notifications.models import Notification
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
        by=_staff, person=person, recipients=[_staff.organization], purpose="支援のため", info_kinds=["contact"], method="verbal",
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
    assert same_kana.own == [person]
    staff_b = make_member(org_b, Role.STAFF)
    same_phone = services.find_duplicates(
        by=staff_b, kana="", birth_date=None, phone="０８５７-００-９９９９"
    )
    assert same_phone.own == []
    assert not hasattr(same_phone, "elsewhere")  # the person typing is not told about other organisations
    nobody = services.find_duplicates(
        by=staff_b, kana="ベツジン", birth_date=date(1990, 1, 1), phone="0857-00-1111"
    )
    assert nobody.own == []


def test_registering_warns_once_about_own_records_then_registers_and_keeps_what_was_typed(hanako):
    staff_a, _person = hanako
    url = reverse("people:person_register", args=[staff_a.organization.slug])
    form = {"name": "架空 花子", "kana": "かくう はなこ", "birth_date": "1948-03-03", "phone": "", "address": "",
            "district": "", "contact_preference": "phone"}  # fmt: skip
    first = client_for(staff_a).post(url, form)
    html = first.content.decode()
    assert first.status_code == 200 and "notice--warning" in html
    assert 'value="架空 花子"' in html
    second = client_for(staff_a).post(url, {**form, "register_anyway": "on"})
    assert second.status_code == 302
    assert Person.objects.filter(organization=staff_a.organization).count() == 2


def test_a_match_elsewhere_goes_to_the_secretariat_not_to_the_person_typing(hanako, org_b, secretariat):
    coordinator = make_member(secretariat, Role.COORDINATOR)
    staff_b = make_member(org_b, Role.STAFF)
    url = reverse("people:person_register", args=[org_b.slug])
    form = {"name": "架空 花子", "kana": "かくう はなこ", "birth_date": "1948-03-03", "phone": "", "address": "",
            "district": "", "contact_preference": "phone"}  # fmt: skip
    response = client_for(staff_b).post(url, form)
    # Registered without a hint: nothing tells the person typing that someone else supports this person.
    assert response.status_code == 302
    followed = client_for(staff_b).get(response["Location"]).content.decode()
    assert "ほかの会員団体" not in followed and "Another member organisation" not in followed
    _staff_a, person = hanako
    row = ActivityLog.objects.get(action="cases.person.duplicate_elsewhere")
    assert row.organization_id == org_b.pk and row.actor_id == staff_b.user_id
    assert row.data == {"organizations": [person.organization_id], "people": [person.pk]}
    notice = Notification.objects.get(recipient=coordinator.user)
    assert org_b.name in notice.body and person.organization.name in notice.body
    assert "花子" not in notice.subject + notice.body and "1948" not in notice.body
    assert not Notification.objects.filter(recipient=staff_b.user).exists()


def test_only_members_who_register_people_may_run_the_check(hanako, org_b):
    dealer_org = OrganizationFactory(
        slug="shimbun", name="架空新聞販売店会", kind="company", tier="directory"
    )
    dealer = make_member(dealer_org, Role.STAFF)
    url = reverse("people:person_register", args=["shimbun"])
    form = {"name": "x", "kana": "", "birth_date": "1950-01-01", "phone": "0857-00-9999", "address": "", "district": "",
            "contact_preference": "phone"}  # fmt: skip
    assert client_for(dealer).post(url, form).status_code == 403
    assert client_for(dealer).get(url).status_code == 403
    with pytest.raises(PermissionDenied):
        services.find_duplicates(by=dealer, kana="", birth_date=None, phone="0857-00-9999")
    viewer = make_member(org_b, Role.VIEWER)
    with pytest.raises(PermissionDenied):
        services.find_duplicates(by=viewer, kana="", birth_date=None, phone="0857-00-9999")
    assert not ActivityLog.objects.filter(action="cases.person.duplicate_elsewhere").exists()


def test_duplicate_checks_are_rate_limited_per_user(hanako, org_b, settings):
    settings.TSUNAGARI_DUPLICATE_CHECKS_PER_HOUR = 3
    staff_b = make_member(org_b, Role.STAFF)
    url = reverse("people:person_register", args=[org_b.slug])
    for i in range(3):
        services.find_duplicates(by=staff_b, kana="", birth_date=None, phone=f"0857-11-{i:04d}")
    with pytest.raises(ValidationError):
        services.find_duplicates(by=staff_b, kana="", birth_date=None, phone="0857-00-9999")
    form = {"name": "架空 次郎", "kana": "", "birth_date": "1950-01-01", "phone": "0857-22-0000", "address": "", "district": "",
            "contact_preference": "phone"}  # fmt: skip
    refused = client_for(staff_b).post(url, form)
    assert refused.status_code == 200 and 'value="架空 次郎"' in refused.content.decode()
    assert "1時間" in refused.content.decode() or "hour" in refused.content.decode()
    assert not Person.objects.filter(organization=org_b).exists()
    # Another user has their own allowance.
    services.find_duplicates(
        by=make_member(org_b, Role.STAFF), kana="", birth_date=None, phone="0857-33-0000"
    )


def test_other_organisations_cannot_see_the_person(hanako, org_b):
    _staff, person = hanako
    outsider = make_member(org_b, Role.ADMIN)
    assert (
        client_for(outsider).get(reverse("people:person_detail", args=[org_b.slug, person.pk])).status_code
        == 404
    )
    viewer = make_member(person.organization, Role.VIEWER, mfa=False)
    assert (
        client_for(viewer)
        .get(reverse("people:person_detail", args=[person.organization.slug, person.pk]))
        .status_code
        == 403
    )


def test_every_view_is_logged_with_its_basis(hanako):
    staff, person = hanako
    before = ActivityLog.objects.filter(action="cases.person.viewed").count()
    response = client_for(staff).get(
        reverse("people:person_detail", args=[staff.organization.slug, person.pk])
    )
    assert response.status_code == 200 and "架空 花子" in response.content.decode()
    entry = ActivityLog.objects.filter(action="cases.person.viewed").order_by("-id").first()
    assert ActivityLog.objects.filter(action="cases.person.viewed").count() == before + 1
    assert (entry.actor_id, entry.object_id, entry.legal_basis) == (staff.user_id, str(person.pk), "own_org")
    assert entry.ip_address == "127.0.0.1"  # the test client's address, set by ClientAddressMiddleware


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
    url = reverse("people:person_list", args=[org_a.slug])
    client.get(url)
    with django_assert_num_queries(6):
        assert client.get(url).status_code == 200
