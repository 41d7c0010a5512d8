"""Every organisation-scoped URL × {anonymous, other organisation, too-low role, right role, and a member
of another organisation asking at their own address for this organisation's object}.

URLs are found by walking the URL configuration, so a view added later is covered at once. A view
under /o/<org_slug>/ without the @org_view decorator fails this test. A URL that answers GET with 405
is POST-only: it is asked with POST (an empty form) instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import client_for
from tests.factories import make_member
from tsunagari.orgs.access import OrgAccess
from tsunagari.orgs.models import ROLE_RANK, Membership, Organization, Role

# How to make a sample object for each URL parameter other than org_slug, in the given membership's
# organisation. Later issues add their parameters here (e.g. "case_pk").
KWARG_PROVIDERS: dict[str, Callable[[Membership], Any]] = {
    "membership_pk": lambda m: make_member(m.organization, Role.STAFF).pk,
    "invitation_pk": lambda m: _invitation(m).pk,
    "service_id": lambda m: _service(m).pk,
    "fmt": lambda m: "xlsx",
    "code": lambda m: "loneliness",
    "person_pk": lambda m: _person(m).pk,
    "case_pk": lambda m: _case(m).pk,
    "consent_pk": lambda m: _consent(m).pk,
    "referral_pk": lambda m: _referral(m).pk,
    "note_pk": lambda m: _note(m).pk,
    "instrument": lambda m: "k6_ja",
    "household_pk": lambda m: _household(m).pk,
    "member_pk": lambda m: _household(m).members.get().pk,
    "report_pk": lambda m: _need_report(m).pk,
    "issue_pk": lambda m: _gap_issue(m).pk,
    "target_pk": lambda m: _watch_target(m).pk,
    "alert_pk": lambda m: _alert(m).pk,
    "sos_pk": lambda m: _sos(m).pk,
    "contact_pk": lambda m: _urgent_contact(m).pk,
    "shift_pk": lambda m: _shift(m).pk,
    "district_contact_pk": lambda m: _district_contact().pk,
    "meeting_pk": lambda m: _meeting(m).pk,
    "item_pk": lambda m: _agenda_item(m).pk,
    "action_pk": lambda m: _meeting_action(m).pk,
    "proposal_pk": lambda m: _proposal(m).pk,
    "application_pk": lambda m: _application().pk,
    "inquiry_pk": lambda m: _inquiry().pk,
    "news_pk": lambda m: _news().pk,
    "snapshot_pk": lambda m: _snapshot().pk,
    "event_pk": lambda m: _event(m).pk,
    "registration_pk": lambda m: _registration(m).pk,
    "request_pk": lambda m: _contact_request(m).pk,
    "supporter_pk": lambda m: _supporter(m).pk,
}
# Parameters that name a fixed value, not an object of the organisation (no cross-tenant question).
FIXED_PARAMS = {"fmt", "code", "instrument"}
# Objects every member organisation reaches by design: gap issues are the platform's shared agenda
# (needs/selectors.py, gap_issues_visible_to), and listed つながりサポーター are on the register every member's
# staff sees (training/selectors.py, supporters_visible_to). Any other object of A is 404 to B.
SHARED_PARAMS = {"issue_pk", "supporter_pk"}


def _meeting(m: Membership):
    """The organisation's one 支援会議 (the same for every provider): the member is invited, has confirmed the
    duty of confidentiality, chairs and records it, and the material is released."""
    from datetime import timedelta

    from django.utils import timezone

    from tsunagari.meetings.models import Attendee, Meeting

    meeting = Meeting.objects.filter(organizations=m.organization).order_by("pk").first()
    if meeting is None:
        now = timezone.now()
        meeting = Meeting.objects.create(
            kind_id="support_meeting", title="支援会議", starts_at=now, ends_at=now + timedelta(hours=1), place="-",
            chair=m.user, recorder=m.user, convened_by=m.organization, created_by=m.user, material_released_at=now,
        )  # fmt: skip
        meeting.organizations.add(m.organization)
        Attendee.objects.create(meeting=meeting, user=m.user, organization=m.organization, confirmed_at=now)
    return meeting


def _agenda_item(m: Membership):
    from tsunagari.meetings.models import AgendaItem

    meeting = _meeting(m)
    return meeting.items.first() or AgendaItem.objects.create(
        meeting=meeting, source="proposed", case=_case(m)
    )


def _meeting_action(m: Membership):
    from datetime import date

    from tsunagari.meetings.models import Action

    return Action.objects.create(
        item=_agenda_item(m), organization=m.organization, what="-", due_on=date(2030, 1, 1)
    )


def _proposal(m: Membership):
    from tsunagari.meetings.models import CaseProposal

    return CaseProposal.objects.create(
        case=_case(m), organization=m.organization, proposed_by=m.user, reason="-"
    )


def _application():
    from tsunagari.orgs.models import MembershipApplication

    return MembershipApplication.objects.create(
        organization_name="申込団体", kind="npo", contact_name="架空 太郎", email="a@example.jp", offer="-"
    )


def _inquiry():
    from tsunagari.outreach.models import Inquiry

    return Inquiry.objects.create(email="q@example.jp", message="-")


def _news():
    from tsunagari.outreach.models import NewsItem

    return NewsItem.objects.create(title="お知らせ", body="-")


def _snapshot():
    from tsunagari.needs.models import PublicSnapshot

    return PublicSnapshot.objects.create(title="まちの姿", k=10)


def _event(m: Membership):
    from tests.events.conftest import make_event
    from tsunagari.events.models import Event

    # One event an organisation, so that a registration's URL names its own event.
    return Event.objects.filter(organization=m.organization).first() or make_event(m.organization)


def _registration(m: Membership):
    from tsunagari.events.models import Registration

    return Registration.objects.create(event=_event(m), name="架空 花子", kana="かくう はなこ")


def _contact_request(m: Membership):
    """A 「相談したい」 request assigned to the member's organisation; for the secretariat (which sees every
    one) a request nobody has taken yet, so that assigning it or opening a case from it can happen."""
    from django.utils import timezone

    from tsunagari.reachout.models import ContactRequest

    return ContactRequest.objects.create(
        reference=f"R-TEST-{ContactRequest.objects.count():04d}", pin_hash="-", means="phone", name="架空 月子",
        phone="0857-00-0000", due_at=timezone.now(),
        **({"status": "received"} if m.is_coordinator else {"status": "assigned", "assigned_to": m.organization}),
    )  # fmt: skip


def _supporter(m: Membership):
    """A listed つながりサポーター (on the register every member organisation's staff sees)."""
    from tests.factories import DistrictFactory
    from tsunagari.orgs.models import District
    from tsunagari.training.models import Certificate, Supporter

    supporter = Supporter.objects.filter(withdrawn_at__isnull=True).first()
    if supporter is None:
        registration = _registration(m)
        certificate = Certificate.objects.create(
            number=f"TS-matrix-{registration.pk}", event=registration.event, registration=registration,
            issued_by=registration.event.organization, name="架空 花子", completed_on=registration.event.starts_at.date(),
        )  # fmt: skip
        supporter = Supporter.objects.create(
            certificate=certificate, name="架空 花子", district=District.objects.first() or DistrictFactory(), ways=["greeting"],
            email="hanako@example.org", contact_by="email", consent_text="-",
        )  # fmt: skip
    return supporter


def _watch_target(m: Membership):
    from tsunagari.orgs.models import District
    from tsunagari.watch.models import WatchTarget

    target = WatchTarget.objects.create(
        organization=m.organization, name="架空 花子さん", district=District.objects.first(), basis_note="-"
    )
    target.supporters.add(m)
    return target


def _alert(m: Membership):
    from tsunagari.watch.models import Alert

    return Alert.objects.create(kind="overdue", organization=m.organization, target=_watch_target(m))


def _sos(m: Membership):
    from django.utils import timezone

    from tsunagari.watch.models import SosReport

    return SosReport.objects.create(
        organization=m.organization,
        reported_by=m.user,
        sign="mail",
        place="-",
        due_at=timezone.now(),
        urgency="emergency",
    )


def _urgent_contact(m: Membership):
    from tsunagari.watch.models import ContactLog

    target = _watch_target(m)
    return ContactLog.objects.create(
        target=target, by=m, method="phone", result="urgent", urgency="emergency"
    )


def _shift(m: Membership):
    from datetime import timedelta

    from django.utils import timezone

    from tsunagari.watch.models import OnCallShift

    now = timezone.now()
    return OnCallShift.objects.create(
        member=m, phone="090-0000-0000", starts_at=now, ends_at=now + timedelta(hours=12)
    )


def _district_contact():
    from tsunagari.orgs.models import District
    from tsunagari.watch.models import DistrictContact

    return DistrictContact.objects.create(
        district=District.objects.first(), kind="minsei", name="架空 一郎", phone="0857-00-0001"
    )


def _need_report(m: Membership):
    from datetime import date

    from tsunagari.directory.forms import category_terms
    from tsunagari.needs.models import NeedReport
    from tsunagari.orgs.models import District

    report = NeedReport.objects.create(
        organization=m.organization, period=date(2026, 4, 1), district=District.objects.first(), age_band="70s",
        household_type="single_elderly", count=3, system_fit="none",
    )  # fmt: skip
    report.categories.set(category_terms()[:1])
    return report


def _gap_issue(m: Membership):
    from tsunagari.needs.models import GapIssue

    issue = GapIssue.objects.create(title="課題", summary="-", created_by=m.user)
    issue.participants.add(m.organization)
    return issue


def _household(m: Membership):
    """The organisation's one household (the same for every provider), with one member."""
    from tsunagari.cases.models import Household, HouseholdMember

    household = Household.objects.filter(organization=m.organization).order_by("pk").first()
    if household is None:
        household = Household.objects.create(organization=m.organization, label="架空家")
        HouseholdMember.objects.create(household=household, person=_person(m), relation="self")
    return household


def _note(m: Membership):
    from tsunagari.cases.models import CaseNote

    return CaseNote.objects.create(case=_case(m), organization=m.organization, author=m.user, text="-")


def _referral(m: Membership):
    """A referral this member's organisation sent and received (the views pick the side they need)."""
    from datetime import date

    from tsunagari.cases.models import Referral

    return Referral.objects.create(
        case=_case(m),
        from_org=m.organization,
        to_org=m.organization,
        message="-",
        legal_basis="consent",
        sent_by=m.user,
        due_on=date(2030, 1, 1),
    )


def _case(m: Membership):
    from tsunagari.cases.models import Case

    case = Case.objects.filter(opened_by=m.organization).first()
    return case or Case.objects.create(person=_person(m), opened_by=m.organization, lead=m.organization)


def _consent(m: Membership):
    from tsunagari.cases.consents import encode
    from tsunagari.cases.models import Consent, ConsentScan

    consent = Consent.objects.create(
        person=_case(m).person, method="written", purpose="-", recorded_by=m.user
    )
    consent.kinds.set(["contact"])
    ConsentScan.objects.create(
        consent=consent, content_type="application/pdf", size=9, data=encode(b"%PDF-1.4\n")
    )
    return consent


def _person(m: Membership):
    from tsunagari.cases.models import Person

    return Person.objects.create(organization=m.organization, name="架空 花子", kana="カクウ ハナコ")


def _service(m: Membership):
    from tsunagari.directory.models import DirectoryOrganization, Service

    provider = DirectoryOrganization.objects.create(
        name=f"{m.organization.name} 事業部", description="-", member=m.organization
    )
    return Service.objects.create(organization=provider, name="テスト相談窓口")


def _invitation(m: Membership):
    from datetime import timedelta

    from django.utils import timezone

    from tsunagari.accounts.models import Invitation

    return Invitation.objects.create(
        organization=m.organization,
        email="invitee@example.jp",
        role=Role.STAFF,
        token_hash=f"h{Invitation.objects.count()}",
        invited_by=m.user,
        expires_at=timezone.now() + timedelta(days=1),
    )


@dataclass(frozen=True)
class OrgUrl:
    name: str
    params: tuple[str, ...]
    access: OrgAccess | None


def _walk(patterns: list, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), namespace + (entry.name or ""), entry


def org_urls() -> list[OrgUrl]:
    found = []
    for route, name, pattern in _walk(get_resolver().url_patterns):
        if not route.startswith("o/<slug:org_slug>/"):
            continue
        params = tuple(sorted(set(pattern.pattern.converters) - {"org_slug"}))
        found.append(OrgUrl(name, params, getattr(pattern.callback, "org_access", None)))
    return sorted(found, key=lambda u: u.name)


ORG_URLS = org_urls()


def test_url_matrix_finds_the_organisation_pages():
    names = {u.name for u in ORG_URLS}
    assert {"orgs:dashboard", "orgs:member_list", "audit:activity_list"} <= names


@pytest.mark.parametrize("url", ORG_URLS, ids=lambda u: u.name)
def test_every_org_url_uses_the_access_decorator(url):
    assert url.access is not None, f"{url.name} is under /o/<org_slug>/ but not decorated with @org_view"
    missing = [p for p in url.params if p not in KWARG_PROVIDERS]
    assert not missing, f"add a KWARG_PROVIDERS entry for {missing} (used by {url.name})"


def _home_org(url: OrgUrl, secretariat: Organization, org_a: Organization) -> Organization:
    assert url.access is not None
    return secretariat if url.access.secretariat_only or url.access.min_role == Role.COORDINATOR else org_a


def _path(url: OrgUrl, owner: Membership, org: Organization) -> str:
    kwargs = {"org_slug": org.slug, **{p: KWARG_PROVIDERS[p](owner) for p in url.params}}
    return reverse(url.name, kwargs=kwargs)


def _ask(membership: Membership | None, path: str, method: str) -> Any:
    client = client_for(membership)
    return client.post(path, {}) if method == "post" else client.get(path)


@pytest.mark.parametrize("url", ORG_URLS, ids=lambda u: u.name)
def test_org_url_matrix(url, secretariat, org_a, org_b):
    assert url.access is not None
    org = _home_org(url, secretariat, org_a)
    right = make_member(org, url.access.min_role)
    path = _path(url, right, org)
    method = "post" if client_for(right).get(path).status_code == 405 else "get"

    anonymous = _ask(None, path, method)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"], url.name

    outsider = make_member(org_b, Role.ADMIN)
    assert _ask(outsider, path, method).status_code == 404, f"{url.name}: other organisation must get 404"

    lower_roles = [r for r in Role if ROLE_RANK[r] < ROLE_RANK[url.access.min_role]]
    if lower_roles:
        too_low = make_member(org, lower_roles[-1])
        assert _ask(too_low, path, method).status_code == 403, f"{url.name}: too-low role must get 403"

    response = _ask(right, path, method)
    assert response.status_code in {200, 302}, f"{url.name}: right role got {response.status_code} ({method})"


CROSS_TENANT_URLS = [
    u
    for u in ORG_URLS
    if set(u.params) - FIXED_PARAMS
    and u.access is not None
    and not (u.access.secretariat_only or u.access.min_role == Role.COORDINATOR)
]


@pytest.mark.parametrize("url", CROSS_TENANT_URLS, ids=lambda u: u.name)
def test_cross_tenant_object_ids_are_404(url, secretariat, org_a, org_b):
    """A member of B, at B's own address /o/<b>/…, with the role the page needs, asks for A's object."""
    assert url.access is not None
    owner = make_member(org_a, url.access.min_role)
    kwargs = {"org_slug": org_b.slug, **{p: KWARG_PROVIDERS[p](owner) for p in url.params}}
    path = reverse(url.name, kwargs=kwargs)
    member_of_b = make_member(org_b, url.access.min_role)
    method = "post" if client_for(member_of_b).get(path).status_code == 405 else "get"
    response = _ask(member_of_b, path, method)
    if set(url.params) - FIXED_PARAMS <= SHARED_PARAMS:
        assert response.status_code in {200, 302}, (
            f"{url.name}: shared object refused ({response.status_code})"
        )
    else:
        assert response.status_code == 404, (
            f"{url.name}: B's member reached A's object ({response.status_code})"
        )


def test_secretariat_only_pages_are_404_in_other_organisations(org_a):
    admin = make_member(org_a, Role.ADMIN)
    assert client_for(admin).get(reverse("audit:activity_list", args=[org_a.slug])).status_code == 404
    assert client_for(admin).get(reverse("orgs:organization_list", args=[org_a.slug])).status_code == 404


def test_inactive_membership_is_treated_as_non_member(org_a):
    member = make_member(org_a, Role.STAFF)
    member.is_active = False
    member.save()
    assert client_for(member).get(reverse("orgs:dashboard", args=[org_a.slug])).status_code == 404


def test_unknown_organisation_is_404_not_403(org_a):
    member = make_member(org_a, Role.ADMIN)
    assert client_for(member).get("/o/no-such-org/").status_code == 404
