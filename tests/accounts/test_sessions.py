from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for
from tests.factories import TEST_PASSWORD, make_member
from tsunagari.accounts.middleware import SESSION_STARTED_KEY
from tsunagari.orgs.models import Role


def test_idle_timeout_is_thirty_minutes_renewed_on_each_request():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_session_ends_after_twelve_hours_even_when_active(org_a):
    member = make_member(org_a, Role.STAFF)
    client = client_for(member)
    dashboard = reverse("orgs:dashboard", args=[org_a.slug])
    assert client.get(dashboard).status_code == 200
    session = client.session
    session[SESSION_STARTED_KEY] = (timezone.now() - timedelta(hours=12, minutes=1)).isoformat()
    session.save()
    response = client.get(dashboard)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert client.get(dashboard).status_code == 302  # really signed out


def test_session_within_twelve_hours_stays(org_a):
    member = make_member(org_a, Role.STAFF)
    client = client_for(member)
    dashboard = reverse("orgs:dashboard", args=[org_a.slug])
    client.get(dashboard)
    session = client.session
    session[SESSION_STARTED_KEY] = (timezone.now() - timedelta(hours=11)).isoformat()
    session.save()
    assert client.get(dashboard).status_code == 200


def test_repeated_failed_logins_block_even_the_right_password(org_a, client):
    cache.clear()
    member = make_member(org_a, Role.STAFF)
    for attempt in range(5):
        client.post(reverse("account_login"), {"login": member.user.email, "password": f"wrong-{attempt}"})
    response = client.post(reverse("account_login"), {"login": member.user.email, "password": TEST_PASSWORD})
    assert response.status_code == 200
    codes = [error.code for error in response.context["form"].non_field_errors().as_data()]
    assert codes == ["too_many_login_attempts"]
    assert reverse("mfa_authenticate") not in response.get("Location", "")
    cache.clear()


def test_login_requests_from_one_address_are_capped_with_429(db, client):
    cache.clear()
    statuses = {
        client.post(reverse("account_login"), {"login": f"p{i}@example.jp", "password": "x"}).status_code
        for i in range(31)
    }
    assert 429 in statuses
    cache.clear()
