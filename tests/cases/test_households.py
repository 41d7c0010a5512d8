"""Household pages: a 世帯 is registered from the organisation's own people, seen whole with its
members' cases, and every view and change is logged; nothing of another organisation can be added."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import make_member
from tsunagari.audit.models import ActivityLog
from tsunagari.cases import services
from tsunagari.cases.models import Case, Household, HouseholdMember
from tsunagari.orgs.models import Role


@pytest.fixture
def family(org_a):
    staff = make_member(org_a, Role.STAFF)
    mother = services.register_person(by=staff, data={"name": "架空 花子", "kana": "カクウ ハナコ"})
    son = services.register_person(by=staff, data={"name": "架空 一郎", "kana": "カクウ イチロウ"})
    return staff, mother, son


def test_register_a_household_add_a_member_and_open_a_household_case(family):
    staff, mother, son = family
    client = client_for(staff)
    slug = staff.organization.slug
    created = client.post(
        reverse("people:household_create", args=[slug]),
        {"label": "架空家", "person": mother.pk, "relation": "self"},
    )
    household = Household.objects.get()
    assert created.status_code == 302 and created["Location"].endswith(f"/households/{household.pk}/")

    page = client.get(created["Location"])
    html = page.content.decode()
    assert "架空家" in html and "架空 花子" in html
    assert f'<option value="{son.pk}">' in html  # the son can be added ...
    assert f'<option value="{mother.pk}">' not in html  # ... the mother is already in

    added = client.post(
        reverse("people:household_member_add", args=[slug, household.pk]),
        {"person": son.pk, "relation": "child"},
    )
    assert added.status_code == 302
    assert {(m.person_id, m.relation) for m in household.members.all()} == {
        (mother.pk, "self"),
        (son.pk, "child"),
    }

    opened = client.post(
        reverse("cases:case_open_household", args=[slug, household.pk]),
        {"risk": "high", "summary": "8050: 母の介護と息子のひきこもり", "lead_self": "on"},
    )
    case = Case.objects.get()
    assert opened.status_code == 302 and case.household == household and case.person is None
    assert (
        "8050" in client.get(reverse("people:household_detail", args=[slug, household.pk])).content.decode()
    )

    actions = list(
        ActivityLog.objects.filter(object_type="cases.household")
        .values_list("action", flat=True)
        .order_by("id")
    )
    assert actions[:3] == [
        "cases.household.created",
        "cases.household.viewed",
        "cases.household.member_added",
    ]


def test_adding_the_same_person_twice_is_refused_and_the_choice_is_kept(family):
    staff, mother, _son = family
    household = services.create_household(
        by=staff, label="架空家", members=[(mother, HouseholdMember.Relation.SELF)]
    )
    response = client_for(staff).post(
        reverse("people:household_member_add", args=[staff.organization.slug, household.pk]),
        {"person": mother.pk, "relation": "parent"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "この方はすでに世帯員です。" in html
    assert '<option value="parent" selected>' in html
    assert household.members.count() == 1


def test_another_organisations_person_cannot_be_added(family, org_b):
    staff, mother, _son = family
    household = services.create_household(
        by=staff, label="架空家", members=[(mother, HouseholdMember.Relation.SELF)]
    )
    stranger = services.register_person(by=make_member(org_b, Role.STAFF), data={"name": "他機関 太郎"})
    response = client_for(staff).post(
        reverse("people:household_member_add", args=[staff.organization.slug, household.pk]),
        {"person": stranger.pk, "relation": "child"},
    )
    assert response.status_code == 200 and "他機関 太郎" not in response.content.decode()
    assert household.members.count() == 1


def test_removing_a_member_keeps_their_record(family):
    staff, mother, son = family
    household = services.create_household(
        by=staff, label="架空家", members=[(mother, "self"), (son, "child")]
    )
    member = household.members.get(person=son)
    response = client_for(staff).post(
        reverse("people:household_member_remove", args=[staff.organization.slug, household.pk, member.pk])
    )
    assert response.status_code == 302
    assert list(household.members.values_list("person_id", flat=True)) == [mother.pk]
    son.refresh_from_db()  # the person stays registered
    assert ActivityLog.objects.filter(action="cases.household.member_removed").count() == 1


def test_other_organisations_cannot_see_or_change_the_household(family, org_b):
    staff, mother, _son = family
    household = services.create_household(by=staff, label="架空家", members=[(mother, "self")])
    outsider = client_for(make_member(org_b, Role.ADMIN))
    for name in ("people:household_detail", "people:household_member_add", "cases:case_open_household"):
        assert outsider.get(reverse(name, args=[org_b.slug, household.pk])).status_code in {404, 405}
    listing = outsider.get(reverse("people:household_list", args=[org_b.slug])).content.decode()
    assert "架空家" not in listing


@pytest.mark.parametrize("count", [1, 4])
def test_household_list_and_page_query_counts_do_not_grow(family, django_assert_num_queries, count):
    staff, mother, _son = family
    household = services.create_household(by=staff, label="架空家", members=[(mother, "self")])
    for i in range(count):
        person = services.register_person(by=staff, data={"name": f"架空 {i}"})
        services.add_household_member(by=staff, household=household, person=person, relation="child")
        services.open_case(by=staff, person=person)
        services.create_household(by=staff, label=f"架空家{i}", members=[(person, "self")])
    client = client_for(staff)
    slug = staff.organization.slug
    list_url = reverse("people:household_list", args=[slug])
    page_url = reverse("people:household_detail", args=[slug, household.pk])
    client.get(list_url)
    client.get(page_url)
    with django_assert_num_queries(6):
        assert client.get(list_url).status_code == 200
    with django_assert_num_queries(15):
        assert client.get(page_url).status_code == 200
