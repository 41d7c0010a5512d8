import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import make_member
from tsunagari.orgs.models import Membership, Role
from tsunagari.orgs.services import change_role, deactivate_membership


def test_secretariat_admin_cannot_demote_or_remove_a_coordinator(secretariat):
    coordinator = make_member(secretariat, Role.COORDINATOR)
    admin = make_member(secretariat, Role.ADMIN)
    with pytest.raises(PermissionDenied):
        change_role(membership=coordinator, role=Role.VIEWER, by=admin)
    with pytest.raises(PermissionDenied):
        deactivate_membership(membership=coordinator, by=admin)
    client = client_for(admin)
    url = reverse("orgs:member_edit", args=[secretariat.slug, coordinator.pk])
    client.post(url, {"action": "deactivate", "confirm": "yes"})
    client.post(url, {"role": Role.VIEWER})
    coordinator.refresh_from_db()
    assert (coordinator.role, coordinator.is_active) == (Role.COORDINATOR, True)


def test_admin_changes_a_staff_role_and_ends_a_membership(org_a):
    admin = make_member(org_a, Role.ADMIN)
    staff = make_member(org_a, Role.STAFF)
    client = client_for(admin)
    url = reverse("orgs:member_edit", args=[org_a.slug, staff.pk])
    assert client.post(url, {"role": Role.VOLUNTEER}).status_code == 302
    assert Membership.objects.get(pk=staff.pk).role == Role.VOLUNTEER
    client.post(url, {"action": "deactivate"})  # not confirmed: nothing happens
    assert Membership.objects.get(pk=staff.pk).is_active is True
    assert client.post(url, {"action": "deactivate", "confirm": "yes"}).status_code == 302
    assert Membership.objects.get(pk=staff.pk).is_active is False
    # The ended member no longer reaches the organisation.
    assert client_for(staff).get(reverse("orgs:dashboard", args=[org_a.slug])).status_code == 404
    # Undo.
    client.post(url, {"action": "reactivate"})
    back = client_for(staff).get(reverse("orgs:dashboard", args=[org_a.slug]))
    assert back.status_code == 302 and back["Location"] == reverse(
        "watch:home", args=[org_a.slug]
    )  # a volunteer now


def test_admin_cannot_change_their_own_role(org_a):
    admin = make_member(org_a, Role.ADMIN)
    response = client_for(admin).get(reverse("orgs:member_edit", args=[org_a.slug, admin.pk]))
    assert response.status_code == 200
    client_for(admin).post(reverse("orgs:member_edit", args=[org_a.slug, admin.pk]), {"role": Role.VIEWER})
    assert Membership.objects.get(pk=admin.pk).role == Role.ADMIN


def test_profile_edit_keeps_input_on_error_and_saves_when_valid(org_a):
    admin = make_member(org_a, Role.ADMIN)
    client = client_for(admin)
    url = reverse("orgs:profile_edit", args=[org_a.slug])
    bad = client.post(url, {"name": "新しい名前", "kind": "npo", "corporate_number": "123"})
    assert bad.status_code == 200
    html = bad.content.decode()
    assert 'value="新しい名前"' in html
    assert f'<span class="org-nav__name">{org_a.name}' in html  # the header still shows the saved name
    good = client.post(url, {"name": "新しい名前", "kind": "npo", "corporate_number": "7000012050002"})
    assert good.status_code == 302
    org_a.refresh_from_db()
    assert (org_a.name, org_a.corporate_number) == ("新しい名前", "7000012050002")
