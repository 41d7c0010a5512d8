"""A partner under a watching-over agreement (a newspaper deliverer): reports SOS signs and follows
their own reports; every other page is closed to them, and no second factor stands in their way."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for
from tests.factories import make_member
from tsunagari.orgs.models import ROLES_REQUIRING_MFA, Role
from tsunagari.watch.models import SosReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def deliverer(org_b, secretariat):
    return make_member(org_b, Role.PARTNER)


def test_a_partner_needs_no_second_factor_and_lands_on_the_sos_form(deliverer):
    assert Role.PARTNER not in ROLES_REQUIRING_MFA
    client = client_for(deliverer)
    response = client.get(reverse("dashboard"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("watch:sos_new", args=[deliverer.organization.slug])
    assert response.status_code == 200


def test_a_partners_menu_offers_only_reporting_and_their_reports(deliverer):
    page = client_for(deliverer).get(reverse("watch:sos_new", args=[deliverer.organization.slug]))
    nav = page.content.decode().split('class="org-nav"')[1].split("</nav>")[0]
    assert f'href="{reverse("watch:sos_mine", args=[deliverer.organization.slug])}"' in nav
    for closed in ("cases:case_list", "people:person_list", "cases:inbox", "watch:home", "needs:dashboard"):
        assert f'href="{reverse(closed, args=[deliverer.organization.slug])}"' not in nav, closed


@pytest.mark.parametrize(
    "name",
    [
        "watch:home",
        "needs:dashboard",
        "directory_staff:service_list",
        "cases:case_list",
        "people:person_list",
    ],
)
def test_a_partner_is_refused_everything_else(deliverer, name):
    response = client_for(deliverer).get(reverse(name, args=[deliverer.organization.slug]))
    assert response.status_code == 403


def test_a_partner_reports_and_sees_only_the_status(deliverer, org_b):
    client = client_for(deliverer)
    slug = org_b.slug
    response = client.post(
        reverse("watch:sos_new", args=[slug]),
        {
            "sign": SosReport.Sign.MAIL_PILING,
            "place": "港町3丁目",
            "noticed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "details": "新聞が3日分たまっている",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    report = SosReport.objects.get(reported_by=deliverer.user)
    mine = client.get(reverse("watch:sos_mine", args=[slug])).content.decode()
    assert report.get_status_display() in mine
    assert "新聞が3日分たまっている" not in mine  # the status, not the details, comes back to the reporter


def test_an_admin_may_give_the_partner_role(org_b):
    from tsunagari.orgs.services import assignable_roles

    admin = make_member(org_b, Role.ADMIN)
    assert Role.PARTNER in assignable_roles(admin)
