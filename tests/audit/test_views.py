import pytest
from django.urls import reverse
from django.utils import translation

from tests.conftest import client_for
from tsunagari.audit.actions import action_label
from tsunagari.audit.models import LegalBasis
from tsunagari.audit.services import log_action


def _label(code: str) -> str:
    with translation.override("ja"):
        return action_label(code)


def test_coordinator_browses_and_filters_the_log(world, org_a, org_b):
    log_action(org_a, actor=world["admin"], action="orgs.organization.updated")
    log_action(
        org_b,
        actor=world["other_admin"],
        action="accounts.invitation.revoked",
        legal_basis=LegalBasis.CONSENT,
    )
    coordinator = world["coordinator"]
    url = reverse("audit:activity_list", args=[coordinator.organization.slug])
    client = client_for(coordinator)
    updated, revoked = _label("orgs.organization.updated"), _label("accounts.invitation.revoked")
    assert updated != "orgs.organization.updated"  # people read names, not codes

    everything = client.get(url).content.decode()
    assert updated in everything and revoked in everything

    filtered = client.get(url, {"legal_basis": "consent"}).content.decode()
    assert revoked in filtered and f"<td>{updated}</td>" not in filtered

    by_org = client.get(
        url, {"organization": org_a.pk, "action": "orgs.organization.updated"}
    ).content.decode()
    assert f"<td>{updated}</td>" in by_org and f"<td>{revoked}</td>" not in by_org


def test_reversed_dates_are_explained(world):
    coordinator = world["coordinator"]
    url = reverse("audit:activity_list", args=[coordinator.organization.slug])
    body = client_for(coordinator).get(url, {"since": "2026-05-01", "until": "2026-04-01"}).content.decode()
    assert 'aria-invalid="true"' in body


def test_htmx_filter_returns_only_the_table(world):
    coordinator = world["coordinator"]
    url = reverse("audit:activity_list", args=[coordinator.organization.slug])
    response = client_for(coordinator).get(url, {"legal_basis": "consent"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="activity-table">')
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]


def test_bad_filter_input_is_not_a_500(world):
    coordinator = world["coordinator"]
    url = reverse("audit:activity_list", args=[coordinator.organization.slug])
    response = client_for(coordinator).get(url, {"since": "not-a-date", "organization": "abc", "action": "x"})
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 3])
def test_activity_list_query_count_does_not_grow(world, org_a, django_assert_num_queries, count):
    for _ in range(count):
        log_action(org_a, actor=world["admin"], action="orgs.organization.updated")
    coordinator = world["coordinator"]
    client = client_for(coordinator)
    url = reverse("audit:activity_list", args=[coordinator.organization.slug])
    client.get(url)
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200
