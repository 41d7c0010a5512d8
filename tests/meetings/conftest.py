"""A 支援会議 world: the secretariat convenes; org A leads a case; org B is invited; org C is invited too and
gets no action; org D is not invited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import OrganizationFactory, make_member
from tsunagari.cases.models import Case, Person
from tsunagari.meetings import services
from tsunagari.meetings.models import Meeting, MeetingKind
from tsunagari.orgs.models import Role


@pytest.fixture
def org_c(db):
    return OrganizationFactory(slug="org-c", name="架空市民病院", kind="medical")


@pytest.fixture
def org_d(db):
    return OrganizationFactory(slug="org-d", name="コープかくう", kind="coop")


@pytest.fixture
def people(secretariat, org_a, org_b, org_c, org_d):
    return {
        "coordinator": make_member(secretariat, Role.COORDINATOR),
        "recorder": make_member(secretariat, Role.STAFF),
        "a": make_member(org_a, Role.STAFF),
        "a_colleague": make_member(org_a, Role.STAFF),
        "b": make_member(org_b, Role.STAFF),
        "b_colleague": make_member(org_b, Role.STAFF),
        "c": make_member(org_c, Role.STAFF),
        "d": make_member(org_d, Role.ADMIN),
    }


@pytest.fixture
def case(people, org_a):
    person = Person.objects.create(
        organization=org_a, name="架空 花子", kana="カクウ ハナコ", phone="0857-00-9999"
    )
    return Case.objects.create(
        person=person, opened_by=org_a, lead=org_a, summary="外出が減り、話す相手がいない。"
    )


def convene(people, kind="support_meeting", days=7) -> Meeting:
    start = timezone.now().replace(microsecond=0) + timedelta(days=days)
    return services.create_meeting(
        by=people["coordinator"], kind=MeetingKind.objects.get(code=kind), title="第1回 支援会議",
        starts_at=start, ends_at=start + timedelta(hours=1), place="市役所 3階 会議室",
        chair=people["coordinator"].user, recorder=people["recorder"].user,
    )  # fmt: skip


@pytest.fixture
def meeting(people, case, org_a, org_b, org_c):
    meeting = convene(people)
    services.invite(
        by=people["coordinator"], meeting=meeting, organizations=[org_a, org_b, org_c],
        members=[people["a"], people["b"], people["c"]],
    )  # fmt: skip
    services.add_case_item(
        by=people["coordinator"],
        meeting=meeting,
        case=case,
        source="proposed",
        kinds=["contact", "situation"],
    )
    return meeting
