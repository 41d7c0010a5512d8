import pytest
from django.urls import reverse

from tests.conftest import client_for
from tsunagari.audit.models import LegalBasis
from tsunagari.audit.services import log_action


def test_coordinator_browses_and_filters_the_log(world, org_a, org_b):
    log_action(org_a, actor=world["admin"], action="orgs.organization.updated")
    log_action(
        org_b, actor=world["other_admin"], action="cases.person.viewed", legal_basis=LegalBasis.CONSENT
    )
    coordinator = world["coordinator"]
    url = reverse("audit:activity_list", args=[coordinator.organization.slug])
    client = client_for(coordinator)

    everything = client.get(url).content.decode()
    assert "orgs.organization.updated" in everything and "cases.person.viewed" in everything

    filtered = client.get(url, {"legal_basis": "consent"}).content.decode()
    assert "cases.person.viewed" in filtered and "orgs.organization.updated" not in filtered

    by_org = client.get(url, {"organization": org_a.pk, "action": "updated"}).content.decode()
    assert "orgs.organization.updated" in by_org and "cases.person.viewed" not in by_org


def test_htmx_filter_returns_only_the_table(world):
    coordinator = world["coordinator"]
    url = reverse("audit:activity_list", args=[coordinator.organization.slug])
    response = client_for(coordinator).get(url, {"action": "x"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="activity-table">')
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]


def test_bad_filter_input_is_not_a_500(world):
    coordinator = world["coordinator"]
    url = reverse("audit:activity_list", args=[coordinator.organization.slug])
    response = client_for(coordinator).get(url, {"since": "not-a-date", "organization": "abc"})
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 3])
def test_activity_list_query_count_does_not_grow(world, org_a, django_assert_num_queries, count):
    for i in range(count):
        log_action(org_a, actor=world["admin"], action=f"x.{i}")
    coordinator = world["coordinator"]
    client = client_for(coordinator)
    url = reverse("audit:activity_list", args=[coordinator.organization.slug])
    client.get(url)
    with django_assert_num_queries(12):
        assert client.get(url).status_code == 200
