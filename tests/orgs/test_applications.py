"""Membership applications: the public form, the secretariat's review, approval into an organisation and
an invitation, the applicant told either way; personal details never in a dump."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from tests.cases.test_people import _all_text_in_the_database
from tests.conftest import client_for
from tests.factories import make_member
from tsunagari.accounts.models import Invitation
from tsunagari.notifications.models import EmailDelivery, Notification
from tsunagari.orgs.models import MembershipApplication, Organization, Role
from tsunagari.today import today_for


def _figures(membership) -> dict[str, int]:
    with translation.override("en"):
        return {str(f.label): f.count for f in today_for(membership).figures}


FORM = {
    "organization_name": "NPO法人 ひだまり",
    "kind": "npo",
    "contact_name": "架空 申込太郎",
    "email": "hidamari@example.jp",
    "phone": "0857-99-1234",
    "offer": "高齢者のサロンを毎週開いています（代表 架空申込太郎）",
    "consent": "on",
}


def _apply(client=None, **changes):
    return (client or client_for(None)).post(reverse("membership_apply"), {**FORM, **changes})


def test_about_page_lists_members_by_kind_and_links_their_public_pages(world, org_a, client):
    response = client.get(reverse("about"))
    body = response.content.decode()
    assert response.status_code == 200
    assert reverse("organization_public", args=[org_a.slug]) in body
    assert str(Organization.Kind.COOPERATIVE.label) in body
    page = client.get(reverse("organization_public", args=[org_a.slug]))
    assert page.status_code == 200 and org_a.name in page.content.decode()


def test_public_org_page_of_an_inactive_organisation_is_404(org_a, client):
    org_a.is_active = False
    org_a.save()
    assert client.get(reverse("organization_public", args=[org_a.slug])).status_code == 404


def test_an_application_is_stored_encrypted_and_the_coordinators_told(world):
    response = _apply()
    assert response.status_code == 302
    application = MembershipApplication.objects.get()
    assert application.contact_name == "架空 申込太郎" and application.status == "waiting"
    assert EmailDelivery.objects.filter(to=["hidamari@example.jp"]).count() == 1
    assert Notification.objects.filter(recipient=world["coordinator"].user).count() == 1
    dump = _all_text_in_the_database()
    for secret in ("架空 申込太郎", "0857-99-1234", "架空申込太郎"):
        assert secret not in dump, secret


def test_the_honeypot_stores_nothing_but_looks_like_success(world):
    response = _apply(homepage="http://spam.example")
    assert response.status_code == 302
    assert MembershipApplication.objects.count() == 0


def test_bad_input_keeps_what_was_typed(world):
    response = _apply(email="not-an-address", consent="")
    assert response.status_code == 200
    body = response.content.decode()
    assert "notice--error" in body and "NPO法人 ひだまり" in body
    assert MembershipApplication.objects.count() == 0


def test_the_rate_limit_answers_429(world, settings):
    settings.TSUNAGARI_PUBLIC_FORMS_PER_MINUTE = 1
    client = client_for(None)
    assert _apply(client).status_code == 302
    assert _apply(client, organization_name="別の団体").status_code == 429
    assert MembershipApplication.objects.count() == 1


def test_approval_creates_the_organisation_and_invites_the_contact_as_admin(
    world, django_capture_on_commit_callbacks
):
    _apply()
    application = MembershipApplication.objects.get()
    coordinator = world["coordinator"]
    url = reverse("orgs:application_detail", args=[coordinator.organization.slug, application.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(coordinator).post(
            url, {"action": "approve", "slug": "hidamari", "tier": "full"}
        )
    assert response.status_code == 302
    org = Organization.objects.get(slug="hidamari")
    assert org.name == "NPO法人 ひだまり" and org.kind == "npo"
    invitation = Invitation.objects.get(organization=org)
    assert (invitation.email, invitation.role) == ("hidamari@example.jp", Role.ADMIN)
    assert mail.outbox[-1].to == ["hidamari@example.jp"]  # the invitation
    application.refresh_from_db()
    assert (application.status, application.organization) == ("approved", org)
    assert EmailDelivery.objects.filter(to=["hidamari@example.jp"]).count() == 2  # received, approved
    # Deciding twice is a conflict, not a second organisation.
    again = client_for(coordinator).post(url, {"action": "decline", "note": ""})
    assert again.status_code == 409


def test_a_used_short_name_is_refused_with_a_message(world):
    _apply()
    application = MembershipApplication.objects.get()
    coordinator = world["coordinator"]
    url = reverse("orgs:application_detail", args=[coordinator.organization.slug, application.pk])
    response = client_for(coordinator).post(url, {"action": "approve", "slug": "org-a", "tier": "full"})
    assert response.status_code == 200 and "notice--error" in response.content.decode()
    assert MembershipApplication.objects.get().status == "waiting"


def test_decline_tells_the_applicant_with_the_note(world):
    _apply()
    application = MembershipApplication.objects.get()
    coordinator = world["coordinator"]
    url = reverse("orgs:application_detail", args=[coordinator.organization.slug, application.pk])
    client_for(coordinator).post(url, {"action": "decline", "note": "市外の団体のため"})
    application.refresh_from_db()
    assert application.status == "declined"
    assert "市外の団体のため" in EmailDelivery.objects.order_by("-pk").first().body


def test_waiting_applications_count_on_the_coordinators_today_view(world):
    _apply()
    _apply(organization_name="別の団体")
    figures = _figures(world["coordinator"])
    assert figures["Membership applications waiting for review"] == 2
    admin_figures = set(_figures(world["admin"]))
    assert "Membership applications waiting for review" not in admin_figures


# Session, user, membership, the badge's counts, the page and its count… the same at 1 and 3 rows.
QUERIES = 6


@pytest.mark.parametrize("count", [1, 3])
def test_application_list_queries_do_not_grow(world, django_assert_num_queries, count):
    for i in range(count):
        MembershipApplication.objects.create(
            organization_name=f"団体{i}", kind="npo", contact_name="x", email="x@example.jp", offer="-"
        )
    coordinator = world["coordinator"]
    client = client_for(coordinator)
    url = reverse("orgs:application_list", args=[coordinator.organization.slug])
    client.get(url)
    with django_assert_num_queries(QUERIES):
        assert client.get(url).status_code == 200


def test_application_pages_are_404_outside_the_secretariat(world):
    admin = make_member(world["admin"].organization, Role.ADMIN)
    assert client_for(admin).get(reverse("orgs:application_list", args=["org-a"])).status_code == 404
