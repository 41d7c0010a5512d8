"""Counting tries atomically: the status page's PIN tries and every other rate limit go through one counter
(ratelimit.services.hit), never the cache's read-then-write ``incr``; and reachout reads what people type
with the platform's shared normalisation."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.cache.backends.base import BaseCache
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from tests.reachout.test_reachout import _send
from tsunagari.cases import services as cases
from tsunagari.directory.load import over_rate_limit
from tsunagari.events.views.public import over_registration_limit
from tsunagari.orgs.models import Role
from tsunagari.ratelimit import services as ratelimit
from tsunagari.ratelimit.models import Counter
from tsunagari.reachout import services
from tsunagari.reachout.forms import ContactRequestForm, StatusForm


def _wrong(pin: str) -> str:
    return "000000" if pin != "000000" else "111111"


def test_tries_sent_at_once_are_counted_before_any_pin_is_compared(world, client, settings):
    """N + k wrong PINs that all arrive before the first is answered: each is simulated by starting the
    next try from inside the previous one's PIN comparison, so every try passes the gate before any
    try's outcome is known (what concurrent requests do). At most N PINs are ever compared."""
    _response, reference, pin = _send(client)
    settings.TSUNAGARI_CONTACT_STATUS_ATTEMPTS = limit = 5
    extra = 4
    real_check = services.check_password
    compared: list[str] = []
    refused: list[int] = []
    remaining = limit + extra

    def start_the_rest() -> None:
        nonlocal remaining
        while remaining:
            remaining -= 1
            try:
                services.check_status(reference=reference, pin=_wrong(pin))
            except services.TooManyAttempts:
                refused.append(remaining)
            else:
                return  # that try started the rest from inside its own comparison

    def racing_check(raw: str, encoded: str) -> bool:
        start_the_rest()
        compared.append(raw)
        return real_check(raw, encoded)

    with mock.patch.object(services, "check_password", racing_check):
        start_the_rest()
    assert len(compared) <= limit
    assert len(compared) + len(refused) == limit + extra
    # locked for the hour: the right PIN is refused too
    with pytest.raises(services.TooManyAttempts):
        services.check_status(reference=reference, pin=pin)


def test_the_right_pin_does_not_use_up_tries(world, client, settings):
    _response, reference, pin = _send(client)
    settings.TSUNAGARI_CONTACT_STATUS_ATTEMPTS = 3
    for _ in range(10):
        assert services.check_status(reference=reference, pin=pin) is not None
    for _ in range(3):
        assert services.check_status(reference=reference, pin=_wrong(pin)) is None
    with pytest.raises(services.TooManyAttempts):
        services.check_status(reference=reference, pin=pin)


def test_the_counter_gives_each_caller_its_own_number(db):
    assert [ratelimit.hit("k:1", seconds=60) for _ in range(4)] == [1, 2, 3, 4]
    assert ratelimit.hit("k:2", seconds=60) == 1
    ratelimit.give_back("k:1")
    assert ratelimit.hit("k:1", seconds=60) == 4
    assert [ratelimit.over("k:3", limit=2, seconds=60) for _ in range(4)] == [False, False, True, True]
    assert not any(ratelimit.over("k:4", limit=0, seconds=60) for _ in range(5))  # 0: no limit
    Counter.objects.filter(key="k:1").update(expires_at="2000-01-01T00:00:00Z")
    assert ratelimit.forget_expired() == 1 and not Counter.objects.filter(key="k:1").exists()


def test_no_rate_limit_counts_with_the_caches_read_then_write_incr(world, client, settings, org_a):
    """The database cache's incr reads, adds one and writes back: two requests at once count once. Every
    limit counts in the database instead (ratelimit.services.hit)."""
    _response, reference, pin = _send(client)
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9")
    settings.TSUNAGARI_EVENT_REGISTRATIONS_PER_HOUR = 2
    settings.TSUNAGARI_DUPLICATE_CHECKS_PER_HOUR = 1
    with mock.patch.object(BaseCache, "incr", side_effect=AssertionError("not atomic")):
        assert [over_rate_limit(request, scope="t", limit=1) for _ in range(2)] == [False, True]
        assert [over_registration_limit(request) for _ in range(3)] == [False, False, True]
        assert services.check_status(reference=reference, pin=_wrong(pin)) is None
        staff = world[Role.STAFF.value]
        cases.find_duplicates(by=staff, kana="かくう", birth_date=None, phone="")
        with pytest.raises(ValidationError):
            cases.find_duplicates(by=staff, kana="かくう", birth_date=None, phone="")


@pytest.mark.parametrize(
    "typed", ["r-acde-3479", "ＲＡＣＤＥ３４７９", "R ACDE 3479", "RーACDEー3479", "acde-3479", "R‐ACDE―3479"]
)
def test_a_reference_is_read_in_any_typing(typed):
    assert services.normalise_reference(typed) == "R-ACDE-3479"


@pytest.mark.parametrize(
    "typed,ok", [("１２３４５６", True), ("123456", True), ("12345a", False), ("１２３４５", False)]
)
def test_the_pin_is_read_in_any_width(typed, ok):
    form = StatusForm({"reference": "R-ACDE-3479", "pin": typed})
    assert form.is_valid() is ok
    if ok:
        assert form.cleaned_data["pin"] == "123456"


def test_a_phone_is_read_like_every_other_public_form(db):
    form = ContactRequestForm(
        {
            "means": "phone",
            "phone": "０８５７－１２－３４５６",
            "name": "架空",
            "when": "anytime",
            "consent": "on",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["phone"] == "0857-12-3456"
