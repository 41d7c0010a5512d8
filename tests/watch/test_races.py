"""Acknowledging an alert and triaging an SOS report lock their row: the second of two gets the
conflict page instead of silently overwriting the first (issue 15, finding 4)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.watch.conftest import TAKEN_ON
from tests.watch.test_sos import _sos
from tsunagari.audit.models import ActivityLog
from tsunagari.cases.notes import EditConflict
from tsunagari.watch import services
from tsunagari.watch.models import Alert, SosReport


def test_an_alert_acknowledged_twice_is_a_conflict_the_second_time(world):
    report = _sos(world["staff"])
    alert = Alert.objects.get(sos=report)
    stale = Alert.objects.get(pk=alert.pk)
    services.acknowledge_alert(by=world["coordinator"], alert=Alert.objects.get(pk=alert.pk), **TAKEN_ON)
    with pytest.raises(EditConflict):
        services.acknowledge_alert(by=world["coordinator"], alert=stale, **TAKEN_ON)
    assert ActivityLog.objects.filter(action="watch.alert.acknowledged", object_id=str(alert.pk)).count() == 1


def test_triage_on_a_report_changed_meanwhile_gets_the_conflict_page(world):
    coordinator = world["coordinator"]
    report = _sos(world["staff"])
    url = reverse("watch:sos_detail", args=[coordinator.organization.slug, report.pk])
    client = client_for(coordinator)
    done = client.post(url, {"triage": "1", "status": "done", "case": "", "seen": "received"})
    assert done.status_code == 302
    page = client.post(url, {"triage": "1", "status": "in_progress", "case": "", "seen": "received"})
    assert page.status_code == 409
    assert SosReport.objects.get(pk=report.pk).status == SosReport.Status.DONE


def test_triage_service_refuses_a_stale_status(world):
    report = _sos(world["staff"])
    services.triage_sos(by=world["coordinator"], report=SosReport.objects.get(pk=report.pk), status="done")
    with pytest.raises(EditConflict):
        services.triage_sos(
            by=world["coordinator"], report=report, status="in_progress", expected_status="received"
        )


def test_the_second_acknowledgement_gets_the_conflict_page(world):
    report = _sos(world["staff"])
    alert = Alert.objects.get(sos=report)
    coordinator = world["coordinator"]
    services.acknowledge_alert(by=coordinator, alert=alert, **TAKEN_ON)
    url = reverse("watch:alert_acknowledge", args=[coordinator.organization.slug, alert.pk])
    page = client_for(coordinator).post(url)
    assert page.status_code == 409
    assert (
        coordinator.user.get_short_name() in page.content.decode()
        or str(coordinator.user) in page.content.decode()
    )
