from __future__ import annotations

import pytest
from django.utils import timezone

from tests.factories import make_member
from tsunagari.orgs.models import District, Role
from tsunagari.watch import services

# What taking an alert on needs: what will be done, and when it is checked again.
TAKEN_ON = {"note": "地区の民生委員に訪問を依頼した", "follow_up_on": timezone.localdate()}


@pytest.fixture
def watch_world(world, org_a):
    """A person under watch in org A with a volunteer supporter, and the people who get told."""
    staff = world["staff"]
    volunteer = make_member(org_a, Role.VOLUNTEER)
    target = services.create_target(
        by=staff, supporters=[volunteer],
        data={"name": "架空 花子さん", "contact": "0857-00-9999", "district": District.objects.get(code="chuo"),
              "legal_basis": "consent", "basis_note": "書面で同意", "every_days": 7, "plan": "週1回の電話"},
    )  # fmt: skip
    return {**world, "volunteer": volunteer, "target": target}
