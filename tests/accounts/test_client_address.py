"""Behind the reverse proxy every request comes from 127.0.0.1: rate limits must count the real client
(from X-Forwarded-For, believed only from trusted proxies), so that nobody can lock everyone out."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import TEST_PASSWORD, make_member
from tsunagari.orgs.models import Role

PROXY = "127.0.0.1"
ATTACKER = "203.0.113.66"


@pytest.fixture(autouse=True)
def _behind_the_proxy(db, settings):
    settings.TSUNAGARI_TRUSTED_PROXIES = frozenset({PROXY})
    cache.clear()
    yield
    cache.clear()


def _login(client, email, password, *, remote=PROXY, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(reverse("account_login"), {"login": email, "password": password}, **headers)


def _blocked(response) -> bool:
    if response.status_code == 429:  # allauth's per-client cap on login requests
        return True
    if response.status_code != 200:
        return False
    form = response.context["form"]
    return "too_many_login_attempts" in [e.code for e in form.non_field_errors().as_data()]


def _signed_in(response) -> bool:
    return response.status_code == 302 and "login" not in response["Location"]


def test_wrong_passwords_from_one_client_do_not_lock_out_others_behind_the_proxy(secretariat, client):
    viewer = make_member(secretariat, Role.VIEWER)
    for i in range(21):  # guessing many accounts from one address
        _login(client, f"guess{i}@example.jp", "wrong", forwarded=ATTACKER)
    assert _blocked(_login(client, "guess99@example.jp", "wrong", forwarded=ATTACKER))
    # The secretariat, behind the same proxy but from its own address, signs in.
    assert _signed_in(_login(client, viewer.user.email, TEST_PASSWORD, forwarded="198.51.100.7"))


def test_a_forged_forwarded_header_from_an_untrusted_address_is_ignored(org_a, client):
    viewer = make_member(org_a, Role.VIEWER)
    for i in range(21):  # a new "address" in the header each time: still one client
        _login(client, f"guess{i}@example.jp", "wrong", remote=ATTACKER, forwarded=f"198.51.100.{i}")
    assert _blocked(
        _login(client, viewer.user.email, TEST_PASSWORD, remote=ATTACKER, forwarded="198.51.100.200")
    )
    assert _signed_in(_login(client, viewer.user.email, TEST_PASSWORD, forwarded="198.51.100.200"))


def test_failed_logins_on_one_account_from_many_addresses_do_not_lock_out_other_accounts(org_a, client):
    target, other = make_member(org_a, Role.VIEWER), make_member(org_a, Role.VIEWER)
    for i in range(6):
        _login(client, target.user.email, "wrong", forwarded=f"198.51.100.{i}")
    # The attacked account is protected by its own limit, wherever the guesses come from …
    assert _blocked(_login(client, target.user.email, TEST_PASSWORD, forwarded="198.51.100.50"))
    # … and nobody else is affected, even from the addresses the guesses came from.
    assert _signed_in(_login(client, other.user.email, TEST_PASSWORD, forwarded="198.51.100.1"))


def test_the_activity_log_and_allauth_agree_on_the_client(rf, settings):
    from allauth.account.adapter import get_adapter

    from tsunagari.audit.services import client_ip

    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.9, 198.51.100.10")
    assert get_adapter(request).get_client_ip(request) == client_ip(request) == "198.51.100.10"
