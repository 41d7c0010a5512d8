from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for
from tests.factories import TEST_PASSWORD, make_member
from tsunagari.accounts.middleware import SESSION_RENEW_SECONDS, SESSION_RENEWED_KEY, SESSION_STARTED_KEY
from tsunagari.orgs.models import Role


def _expiry(client) -> datetime:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value).expire_date


def _session_writes(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]]


def test_idle_timeout_is_thirty_minutes_from_the_last_request_renewed_once_a_minute(org_a):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client = client_for(make_member(org_a, Role.STAFF))
    dashboard = reverse("orgs:dashboard", args=[org_a.slug])
    client.get(dashboard)
    assert abs(_expiry(client) - (timezone.now() + timedelta(minutes=30))) < timedelta(seconds=30)
    # Within the minute: no write at all (a member at work makes a request every few seconds).
    assert _session_writes(client, dashboard) == []
    # A minute after the last renewal, the next request renews the limit.
    session = client.session
    session[SESSION_RENEWED_KEY] = (timezone.now() - timedelta(seconds=SESSION_RENEW_SECONDS + 1)).timestamp()
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + timedelta(minutes=20)
    )
    assert len(_session_writes(client, dashboard)) == 1
    assert _expiry(client) > timezone.now() + timedelta(minutes=29)
    response = client.get(dashboard)
    assert settings.SESSION_COOKIE_NAME not in response.cookies  # the cookie is sent again only on renewal


def test_a_visitor_without_a_session_gets_none(db, client):
    response = client.get("/")
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert not Session.objects.exists()


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
