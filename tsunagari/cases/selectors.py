"""Reads of the cases app, and above all who may see what: people, households, cases (with the legal
basis a case is seen on), notes, tasks and referrals. Each function states its rule in its docstring."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, overload

from django.db import connections
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from tsunagari.audit.models import LegalBasis
from tsunagari.orgs.models import Membership, Role

from .models import Case, CaseNote, Consent, Household, Person, Referral, SharingBasis, Task


def persons_visible_to(membership: Membership) -> QuerySet[Person]:
    """People registered by the member's own organisation, for its staff and admins.

    Another organisation never sees the person's record here: what it may see of a person comes through a
    case shared with it on a legal basis (``cases_visible_to``).
    """
    if not membership.has_role(Role.STAFF):
        return Person.objects.none()
    return Person.objects.filter(organization=membership.organization)


def households_visible_to(membership: Membership) -> QuerySet[Household]:
    """Households registered by the member's own organisation, for its staff and admins."""
    if not membership.has_role(Role.STAFF):
        return Household.objects.none()
    return Household.objects.filter(organization=membership.organization)


def live_bases(membership: Membership) -> QuerySet[SharingBasis]:
    """Sharing bases that let this member's organisation see a case today: not revoked and not past their
    end. A consent basis carries its consent's end (``share_case`` caps ``ends_on`` at the consent's
    ``valid_until``; ``withdraw_consent`` revokes its bases at once), so no consent is read here and the
    bases are found from ``live_sharing_idx`` alone."""
    today = timezone.localdate()
    return SharingBasis.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today),
        organization=membership.organization,
        revoked_at__isnull=True,
    )


def cases_visible_to(membership: Membership) -> QuerySet[Case]:
    """Cases this member's organisation leads, opened and has not yet handed to a lead, or takes part in
    under a live sharing basis (consent, 支援会議, 地域協議会, protection of life). Staff and up only;
    other organisations cannot learn that a case exists."""
    if not membership.has_role(Role.STAFF):
        return Case.objects.none()
    return Case.objects.filter(pk__in=visible_case_ids(membership))


def visible_case_ids(membership: Membership) -> QuerySet[Any]:
    """The ids of ``cases_visible_to``: the UNION of the organisation's own cases and the cases of its live
    bases, each found through an index. Not ``own OR EXISTS(basis)``: an OR across a correlated EXISTS can
    only be answered by reading every case (PostgreSQL planned it expensively enough to spend half a
    second compiling it with JIT at 100,000 cases). ``tests/cases/test_visibility_plan.py`` holds the
    plan to index lookups. Callers check the role (``cases_visible_to`` does)."""
    led, opened = _own_branches(membership)
    return led.values("pk").union(opened.values("pk"), live_bases(membership).values("case_id"))


def case_list_ids(membership: Membership, **filters: Any) -> CaseList:
    """(id, status, opened_at) of the cases ``cases_visible_to`` lists that match ``filters`` (fields of
    the case), open first and newest first: the case list's order, as a ``CaseList`` to page through."""
    return CaseList(membership, filters)


CaseListRow = tuple[int, str, datetime]


class CaseList:
    """The case list's rows, for ``Paginator``: a page and a count, each cut from the UNION of the cases an
    organisation leads, the ones it opened that nobody leads yet, and those of its live bases.

    Each branch carries the columns the list sorts and filters on: the cases the organisation leads come
    from the covering index ``case_lead_list_idx`` (in the list's order), and each live basis looks its
    case's columns up by primary key (a subplan per basis; as a join, PostgreSQL read all 100,000 cases
    for an organisation's 2,800 bases). At 100,000 cases (benchmarks/cases.py, docs/operations.md) the
    page and the count were the case list's cost: each de-duplicated all 15,000 rows of the union, every
    basis looking up its case's two sort columns, and the page then sorted them all. Now:

    * a page sorts and cuts each branch to the page's end before the union (PostgreSQL reads the first
      rows of the led cases from the index, already in order, and keeps the top of the bases' cases), so
      the union holds at most three pages' rows; SQLite allows no ORDER BY or LIMIT inside a UNION and
      sorts the whole union, as before;
    * the count unites ids alone (the sort columns are not needed to count): the bases' cases are only
      looked up when a filter asks for one of their columns.

    For the 社協's 15,255 cases that took the count from 11.7 to 4.0 ms and the page from 12.1 to 7.5 ms, the
    case list's p95 from 70 to 58 ms in the same benchmark run (docs/operations.md). What is left is mostly
    the bases' look-ups, which any page sorted across all branches needs.
    """

    ORDER = ("-status", "-opened_at", "-pk")  # "open" after "closed" in the alphabet: open first
    SHARED = ("case_id", "case_status", "case_opened_at")  # a basis's row: its case's id and columns
    SHARED_ORDER = ("-case_status", "-case_opened_at", "-case_id")  # ORDER, in those names

    def __init__(self, membership: Membership, filters: dict[str, Any]) -> None:
        self.membership = membership
        self.filters = filters
        self.staff = membership.has_role(Role.STAFF)

    def count(self) -> int:
        if not self.staff:
            return 0
        led, opened = _own_branches(self.membership)
        own = [branch.filter(**self.filters).values_list("pk") for branch in (led, opened)]
        return own[0].union(own[1], self._shared().values_list("case_id")).count()

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[CaseListRow]:
        return iter(self[:])

    @overload
    def __getitem__(self, index: int) -> CaseListRow: ...
    @overload
    def __getitem__(self, index: slice) -> list[CaseListRow]: ...
    def __getitem__(self, index: int | slice) -> CaseListRow | list[CaseListRow]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        if not self.staff or (index.stop is not None and index.stop <= (index.start or 0)):
            # No rows asked for: the paginator asks for [0:0] when the list is empty, and a branch cut to no
            # rows is an empty query, which Django leaves out of a union (the rest could not be sorted).
            return []
        led, opened = _own_branches(self.membership)
        branches = [
            *(
                branch.filter(**self.filters).values_list("pk", "status", "opened_at").order_by(*self.ORDER)
                for branch in (led, opened)
            ),
            self._shared("status", "opened_at")
            .values_list(*self.SHARED)  # annotations, named like columns
            .order_by(*self.SHARED_ORDER),
        ]
        if index.stop is not None and connections[led.db].features.supports_slicing_ordering_in_compound:
            branches = [branch[: index.stop] for branch in branches]  # no page reaches past its end
        else:
            branches = [branch.order_by() for branch in branches]
        first, *rest = branches
        return list(first.union(*rest).order_by(*self.ORDER)[index])

    def _shared(self, *columns: str) -> QuerySet[SharingBasis]:
        """The live bases matching the filters, with these columns of their case (and the filtered ones)
        as ``case_<column>``."""
        looked_up = {f"case_{name}": _case_column(name) for name in {*columns, *self.filters}}
        return (
            live_bases(self.membership)
            .annotate(**looked_up)
            .filter(**{f"case_{name}": value for name, value in self.filters.items()})
        )


def _case_column(name: str) -> Subquery:
    """One column of a basis's case, read by its primary key (a subplan per basis, by design)."""
    return Subquery(Case.objects.filter(pk=OuterRef("case_id")).values(name)[:1])


def visible_here(membership: Membership, *, case_field: str = "pk") -> Q:
    """``cases_visible_to`` as a condition on each row of a small set whose ``case_field`` holds a case id
    (``"case_id"`` for tasks): the id is among the organisation's own cases or its live bases' cases. Each
    branch is an ``IN`` under an ``OR``, which PostgreSQL answers as a hashed subplan read once from its
    index (the cases it leads from ``case_lead_list_idx`` alone); joining each task to its case and
    testing the rule there made PostgreSQL hash all 100,000 cases (55 ms for an organisation's 2,500 open
    tasks). A test holds this equal to ``visible_case_ids``."""
    led, opened = _own_branches(membership)
    return (
        Q(**{f"{case_field}__in": led.values("pk")})
        | Q(**{f"{case_field}__in": opened.values("pk")})
        | Q(**{f"{case_field}__in": live_bases(membership).values("case_id")})
    )


def _own_branches(membership: Membership) -> tuple[QuerySet[Case], QuerySet[Case]]:
    """``_own_organisation`` as two queries, each answered by one index (an OR of the two would need a
    bitmap of both and a visit to every row)."""
    org = membership.organization_id
    return Case.objects.filter(lead_id=org), Case.objects.filter(lead__isnull=True, opened_by_id=org)


def _own_organisation(membership: Membership) -> Q:
    """The cases a member sees as their own organisation's: it leads them, or opened them and nobody leads
    them yet. ``owns_case`` is the same rule for one case in hand, ``_own_branches`` the same rule for
    the union (tests hold them equal)."""
    org = membership.organization_id
    return Q(lead_id=org) | Q(lead__isnull=True, opened_by_id=org)


def owns_case(membership: Membership, case: Case) -> bool:
    """``_own_organisation`` for a case already read (a test holds the two equal): the organisation sees the
    case as its own, with every field (``cases.disclosure``), and records views on its own work's basis."""
    org = membership.organization_id
    return case.lead_id == org or (case.lead_id is None and case.opened_by_id == org)


def leads(membership: Membership, case: Case) -> bool:
    """This member's organisation leads the case (主担当): it edits the case and writes its plan."""
    return case.lead_id == membership.organization_id


def may_share(membership: Membership, case: Case) -> bool:
    """The lead organisation, or the secretariat's coordinators, may share a case or refer it on."""
    return leads(membership, case) or membership.is_coordinator


def cases_led_by(membership: Membership) -> QuerySet[Case]:
    """Cases this member sees and its organisation leads (the ones it may edit)."""
    return cases_visible_to(membership).filter(lead_id=membership.organization_id)


def unassigned_queue_for(membership: Membership) -> QuerySet[Case]:
    """Open cases nobody leads (制度のはざま), for the secretariat's coordinators to find a lead. The queue
    shows no personal details; opening a case still needs a basis."""
    if not membership.is_coordinator:
        return Case.objects.none()
    return Case.objects.filter(lead__isnull=True, status=Case.Status.OPEN).order_by("unassigned_since")


def basis_for(membership: Membership, case: Case) -> str:
    """The legal basis on which this member sees this case (for the activity log): its own organisation's
    case (the rule of ``cases_visible_to``), else the earliest live sharing basis."""
    if owns_case(membership, case):
        return LegalBasis.OWN_ORGANIZATION
    basis = live_bases(membership).filter(case=case).order_by("granted_at").first()
    return basis.legal_basis if basis else LegalBasis.NONE


def notes_visible_to(membership: Membership, case: Case) -> QuerySet[CaseNote]:
    """Notes of a case the member may see: care-team notes, and own-organisation notes of its own
    organisation (the caller has already checked that the member sees the case)."""
    return case.notes.filter(Q(visibility=CaseNote.Visibility.TEAM) | Q(organization=membership.organization))


def open_tasks_for(membership: Membership) -> QuerySet[Task]:
    """The member's organisation's unfinished tasks on cases it can still see, earliest due first."""
    if not membership.has_role(Role.STAFF):
        return Task.objects.none()
    return Task.objects.filter(
        visible_here(membership, case_field="case_id"), owner=membership.organization, done_at__isnull=True
    ).order_by("due_on")


def inbox_for(membership: Membership) -> QuerySet[Referral]:
    """Referrals addressed to the member's organisation (its inbox), for staff and up."""
    if not membership.has_role(Role.STAFF):
        return Referral.objects.none()
    return Referral.objects.filter(to_org=membership.organization)


def overdue_referrals() -> QuerySet[Referral]:
    """Sent referrals whose response day has passed without an answer."""
    return Referral.objects.filter(status=Referral.Status.SENT, due_on__lt=timezone.localdate())


def consents_visible_to(membership: Membership) -> QuerySet[Consent]:
    """Consents the member may read (and their scanned forms): those of people its organisation registered,
    for its staff and up. A recipient learns what a consent covers from what it is shown, not the form."""
    if not membership.has_role(Role.STAFF):
        return Consent.objects.none()
    return Consent.objects.filter(person__organization=membership.organization)
