"""A member organisation proposes one of its cases for a 支援会議: only the organisation that owns an open
case may; the reason names no one; the coordinators are told; adding the case to an agenda or declining
closes the proposal and tells the organisation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.meetings.conftest import convene
from tsunagari.audit.models import ActivityLog
from tsunagari.meetings import services
from tsunagari.meetings.models import CaseProposal
from tsunagari.notifications.models import Notification

REASON = "80代の母と50代の息子。介護と借金が重なり、当団体だけでは支えきれない。"


def _propose_url(member, case):
    return reverse("meetings:case_propose", args=[member.organization.slug, case.pk])


def test_the_owner_proposes_through_the_case_page_and_the_coordinators_are_told(people, case):
    client = client_for(people["a"])
    page = client.get(reverse("cases:case_detail", args=["org-a", case.pk])).content.decode()
    assert _propose_url(people["a"], case) in page
    response = client.post(_propose_url(people["a"], case), {"reason": REASON})
    assert response.status_code == 302
    proposal = CaseProposal.objects.get()
    assert proposal.status == CaseProposal.Status.WAITING and proposal.organization_id == case.lead_id
    told = Notification.objects.get(recipient=people["coordinator"].user)
    assert f"#{case.pk}" in told.subject and "花子" not in told.subject + told.body
    assert ActivityLog.objects.filter(action="meetings.case.proposed", object_id=str(case.pk)).exists()
    listed = client_for(people["coordinator"]).get(reverse("meetings:meeting_list", args=["jimukyoku"]))
    assert "当団体だけでは支えきれない" in listed.content.decode()


def test_a_reason_with_a_name_is_refused_and_the_text_is_kept(people, case):
    response = client_for(people["a"]).post(
        _propose_url(people["a"], case), {"reason": "架空 花子さん 090-1234-5678"}
    )
    assert response.status_code == 200 and "090-1234-5678" in response.content.decode()
    assert not CaseProposal.objects.exists()


@pytest.mark.parametrize("who", ["b", "d", "coordinator"])
def test_only_the_owner_may_propose(people, case, who):
    member = people[who]
    assert client_for(member).get(_propose_url(member, case)).status_code in (403, 404)
    assert client_for(member).post(_propose_url(member, case), {"reason": REASON}).status_code in (403, 404)
    assert not CaseProposal.objects.exists()


def test_a_case_is_proposed_once_at_a_time(people, case):
    services.propose_case(by=people["a"], case=case, reason=REASON)
    response = client_for(people["a"]).post(_propose_url(people["a"], case), {"reason": REASON})
    assert response.status_code == 200 and CaseProposal.objects.count() == 1


def test_putting_it_on_an_agenda_closes_the_proposal_and_tells_the_organisation(people, case, org_a):
    proposal = services.propose_case(by=people["a"], case=case, reason=REASON)
    meeting = convene(people)
    services.invite(by=people["coordinator"], meeting=meeting, organizations=[org_a], members=[people["a"]])
    services.add_case_item(
        by=people["coordinator"], meeting=meeting, case=case, source="proposed", kinds=["situation"]
    )
    proposal.refresh_from_db()
    assert proposal.status == CaseProposal.Status.ADDED and proposal.meeting == meeting
    assert Notification.objects.filter(
        recipient=people["a_colleague"].user, subject__contains="議題"
    ).exists() or (
        Notification.objects.filter(recipient=people["a_colleague"].user, subject__contains="agenda").exists()
    )


def test_declining_tells_the_organisation(people, case):
    proposal = services.propose_case(by=people["a"], case=case, reason=REASON)
    url = reverse("meetings:proposal_decline", args=["jimukyoku", proposal.pk])
    assert client_for(people["b"]).post(url).status_code == 404  # not the secretariat
    assert client_for(people["coordinator"]).post(url).status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == CaseProposal.Status.DECLINED
    assert Notification.objects.filter(recipient=people["a"].user).exists()
    assert client_for(people["coordinator"]).post(url).status_code == 404  # handled: no longer waiting
