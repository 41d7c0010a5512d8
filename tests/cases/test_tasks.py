from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for
from tsunagari.cases import selectors, services, tasks


@pytest.fixture
def case(world):
    staff = world["staff"]
    person = services.register_person(by=staff, data={"name": "架空 花子"})
    return services.open_case(by=staff, person=person)


def test_overdue_tasks_come_first_and_can_be_ticked_off(world, case):
    staff = world["staff"]
    today = timezone.localdate()
    later = tasks.add_task(
        by=staff, case=case, title="家庭訪問", due_on=today + timedelta(days=7), assignee=staff.user
    )
    late = tasks.add_task(by=staff, case=case, title="電話で様子を確認", due_on=today - timedelta(days=1))
    assert list(selectors.open_tasks_for(staff)) == [late, later]
    url = reverse("cases:task_list", args=[staff.organization.slug])
    page = client_for(staff).get(url).content.decode()
    assert "badge--warning" in page and "電話で様子を確認" in page
    client_for(staff).post(url, {"task": late.pk})
    assert list(selectors.open_tasks_for(staff)) == [later]


def test_tasks_need_a_visible_case_and_an_assignee_from_the_organisation(world, case):
    with pytest.raises(PermissionDenied):
        tasks.add_task(by=world["other_staff"], case=case, title="x", due_on=timezone.localdate())
    with pytest.raises(ValidationError):
        tasks.add_task(
            by=world["staff"],
            case=case,
            title="x",
            due_on=timezone.localdate(),
            assignee=world["other_staff"].user,
        )


@pytest.mark.parametrize("count", [1, 3])
def test_task_list_query_count_does_not_grow(world, case, django_assert_num_queries, count):
    staff = world["staff"]
    for i in range(count):
        tasks.add_task(
            by=staff, case=case, title=f"task {i}", due_on=timezone.localdate(), assignee=staff.user
        )
    client = client_for(staff)
    url = reverse("cases:task_list", args=[staff.organization.slug])
    client.get(url)
    with django_assert_num_queries(6):
        assert client.get(url).status_code == 200
