"""State transitions lock their row: of two answers to the same thing, exactly one wins and the other
gets the conflict page (issue 15, finding 4). On SQLite (IMMEDIATE transactions) writers are serialised,
so the "second answer works on what it read before the first" path is tested sequentially; on PostgreSQL
two threads with their own connections really run at once."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections
from django.urls import reverse

from tests.conftest import client_for
from tsunagari.cases import services
from tsunagari.cases.models import Referral, SharingBasis, SupportPlan, Task
from tsunagari.cases.notes import EditConflict, save_plan
from tsunagari.cases.referrals import (
    TRANSITIONS,
    accept_referral,
    cancel_referral,
    decline_referral,
    send_referral,
    start_referral,
)
from tsunagari.cases.tasks import add_task, complete_task


def _referral(world, org_b) -> Referral:
    lead = world["staff"]
    person = services.register_person(by=lead, data={"name": "架空 花子"})
    case = services.open_case(by=lead, person=person)
    consent = services.record_consent(
        by=lead,
        person=person,
        recipients=[org_b],
        purpose="支援のため",
        info_kinds=["contact"],
        method="verbal",
        witness="架空 次郎",
    )
    return send_referral(by=lead, case=case, to_org=org_b, message="見守りをお願いしたい", consent=consent)


def _stale(referral: Referral) -> Referral:
    return Referral.objects.get(pk=referral.pk)


@pytest.mark.django_db
def test_decline_after_an_accept_it_did_not_see_is_a_conflict(world, org_b):
    referral = _referral(world, org_b)
    recipient = world["other_staff"]
    first, second = _stale(referral), _stale(referral)
    accept_referral(referral=first, by=recipient)
    with pytest.raises(EditConflict) as excinfo:
        decline_referral(referral=second, by=recipient, reason=Referral.DeclineReason.NO_CAPACITY)
    assert excinfo.value.current.status == Referral.Status.ACCEPTED
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED
    assert SharingBasis.objects.get(pk=referral.sharing_id).revoked_at is None


@pytest.mark.django_db
def test_cancel_after_an_accept_it_did_not_see_is_a_conflict(world, org_b):
    referral = _referral(world, org_b)
    stale = _stale(referral)
    accept_referral(referral=_stale(referral), by=world["other_staff"])
    with pytest.raises(EditConflict):
        cancel_referral(referral=stale, by=world["staff"])
    assert _stale(referral).status == Referral.Status.ACCEPTED


def test_allowed_transitions_are_one_table():
    assert TRANSITIONS[Referral.Status.ACCEPTED] == {Referral.Status.SENT}
    assert TRANSITIONS[Referral.Status.COMPLETED] == {Referral.Status.ACCEPTED, Referral.Status.IN_PROGRESS}
    assert set(TRANSITIONS) == set(Referral.Status) - {Referral.Status.SENT}


@pytest.mark.django_db
def test_the_loser_of_an_answer_gets_the_conflict_page(world, org_b):
    referral = _referral(world, org_b)
    recipient = client_for(world["other_staff"])
    url = reverse("cases:referral_answer", args=["org-b", referral.pk])
    # Both answers come from the inbox as it was shown (status "sent").
    assert recipient.post(url, {"action": "accept", "seen": "sent"}).status_code == 302
    page = recipient.post(url, {"action": "decline", "reason": "no_capacity", "seen": "sent"})
    assert page.status_code == 409
    assert "受理" in page.content.decode()  # what it is now
    assert _stale(referral).status == Referral.Status.ACCEPTED
    sender = client_for(world["staff"])
    cancel = sender.post(reverse("cases:referral_cancel", args=["org-a", referral.pk]), {"seen": "sent"})
    assert cancel.status_code == 409


@pytest.mark.django_db
def test_a_task_done_twice_is_a_conflict_the_second_time(world):
    staff = world["staff"]
    case = services.open_case(by=staff, person=services.register_person(by=staff, data={"name": "架空 一郎"}))
    from django.utils import timezone

    task = add_task(by=staff, case=case, title="電話する", due_on=timezone.localdate())
    stale = Task.objects.get(pk=task.pk)
    complete_task(by=staff, task=Task.objects.get(pk=task.pk))
    done_at = Task.objects.get(pk=task.pk).done_at
    with pytest.raises(EditConflict):
        complete_task(by=world["admin"], task=stale)
    assert Task.objects.get(pk=task.pk).done_at == done_at


@pytest.mark.django_db
def test_a_plan_saved_first_by_someone_else_is_a_conflict(world):
    staff = world["staff"]
    case = services.open_case(by=staff, person=services.register_person(by=staff, data={"name": "架空 一郎"}))
    save_plan(by=staff, case=case, goals="週1回の訪問", next_review=None, expected_version=0)
    with pytest.raises(EditConflict) as excinfo:  # the second person also opened an empty plan
        save_plan(by=world["admin"], case=case, goals="月2回の電話", next_review=None, expected_version=0)
    assert excinfo.value.current.goals == "週1回の訪問"
    assert SupportPlan.objects.get(case=case).goals == "週1回の訪問"


# --- real concurrency on PostgreSQL -------------------------------------------------------------------


def _race(*actions: Callable[[], object]) -> list[object]:
    """Run the actions at once, each in its own thread and database connection; each has already read
    what it works on, so without locking both would succeed. Returns each result or exception."""
    barrier = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def run(i: int, action: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = action()
        except Exception as error:  # noqa: BLE001 - the loser's exception is the result
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers (IMMEDIATE); the sequential tests above cover it")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("other", ["decline", "cancel"])
def test_concurrent_accept_and_other_answer_exactly_one_wins(world, org_b, other):
    _postgresql_only()
    referral = _referral(world, org_b)
    recipient, sender = world["other_staff"], world["staff"]
    a, b = _stale(referral), _stale(referral)
    if other == "decline":
        second = lambda: decline_referral(referral=b, by=recipient, reason="no_capacity")  # noqa: E731
    else:
        second = lambda: cancel_referral(referral=b, by=sender)  # noqa: E731
    results = _race(lambda: accept_referral(referral=a, by=recipient), second)
    winners = [r for r in results if isinstance(r, Referral)]
    losers = [r for r in results if isinstance(r, EditConflict)]
    assert (len(winners), len(losers)) == (1, 1), results
    final = _stale(referral)
    assert final.status == winners[0].status
    revoked = SharingBasis.objects.get(pk=referral.sharing_id).revoked_at is not None
    assert revoked == (final.status != Referral.Status.ACCEPTED)


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_plan_saves_exactly_one_wins(world):
    _postgresql_only()
    staff, admin = world["staff"], world["admin"]
    case = services.open_case(by=staff, person=services.register_person(by=staff, data={"name": "架空 一郎"}))
    results = _race(
        lambda: save_plan(by=staff, case=case, goals="週1回の訪問", next_review=None, expected_version=0),
        lambda: save_plan(by=admin, case=case, goals="月2回の電話", next_review=None, expected_version=0),
    )
    assert sorted(type(r).__name__ for r in results) == ["EditConflict", "SupportPlan"], results
    assert SupportPlan.objects.filter(case=case).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_start_and_start_exactly_one_wins(world, org_b):
    _postgresql_only()
    referral = _referral(world, org_b)
    recipient = world["other_staff"]
    accept_referral(referral=referral, by=recipient)
    a, b = _stale(referral), _stale(referral)
    results = _race(
        lambda: start_referral(referral=a, by=recipient), lambda: start_referral(referral=b, by=recipient)
    )
    assert sorted(type(r).__name__ for r in results) == ["EditConflict", "Referral"], results


@pytest.mark.django_db(transaction=True)
def test_concurrent_task_completions_exactly_one_wins(world):
    _postgresql_only()
    from django.utils import timezone

    staff, admin = world["staff"], world["admin"]
    case = services.open_case(by=staff, person=services.register_person(by=staff, data={"name": "架空 一郎"}))
    task = add_task(by=staff, case=case, title="電話する", due_on=timezone.localdate())
    a, b = Task.objects.get(pk=task.pk), Task.objects.get(pk=task.pk)
    results = _race(lambda: complete_task(by=staff, task=a), lambda: complete_task(by=admin, task=b))
    assert sorted(type(r).__name__ for r in results) == ["EditConflict", "Task"], results


@pytest.mark.django_db(transaction=True)
def test_concurrent_alert_acknowledgements_exactly_one_wins(world):
    _postgresql_only()
    from django.utils import timezone

    from tsunagari.orgs.models import District
    from tsunagari.watch import services as watch
    from tsunagari.watch.models import Alert

    report = watch.report_sos(
        by=world["staff"],
        data={"sign": "mail", "place": "港町", "district": District.objects.first(), "details": ""},
    )
    alert = Alert.objects.get(sos=report)
    a, b = Alert.objects.get(pk=alert.pk), Alert.objects.get(pk=alert.pk)
    coordinator = world["coordinator"]
    results = _race(
        lambda: watch.acknowledge_alert(
            by=coordinator, alert=a, note="訪問を依頼", follow_up_on=timezone.localdate()
        ),
        lambda: watch.acknowledge_alert(
            by=coordinator, alert=b, note="訪問を依頼", follow_up_on=timezone.localdate()
        ),
    )
    assert sorted(type(r).__name__ for r in results) == ["Alert", "EditConflict"], results
