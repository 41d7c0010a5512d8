"""Households seen whole: their members, their cases and the members' own cases."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tsunagari.orgs.access import OrgRequest, org_view
from tsunagari.orgs.models import Role
from tsunagari.pagination import paginate

from .. import disclosure, services
from ..forms import HouseholdForm, HouseholdMemberForm
from ..models import Case, Household, HouseholdMember
from ..selectors import cases_visible_to, households_visible_to, persons_visible_to


@org_view(Role.STAFF)
def household_list(request: OrgRequest) -> HttpResponse:
    households = (
        households_visible_to(request.membership)
        .annotate(
            member_count=_count(HouseholdMember.objects.filter(household=OuterRef("pk"))),
            case_count=_count(Case.objects.filter(household=OuterRef("pk"))),
        )
        .order_by("-created_at", "-pk")
    )
    listing = paginate(request, households)
    context = {"households": listing.page, "page": listing.page, "query": listing.query}
    return render(request, "cases/household_list.html", context)


def _count(rows: QuerySet[Any]) -> Coalesce:
    """A correlated COUNT of a household's rows, computed for the fifty households of a page only (a JOIN
    and GROUP BY would count every household of the organisation before the page is cut)."""
    per_household = rows.order_by().values("household").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(per_household), 0)


@org_view(Role.STAFF)
@require_http_methods(["GET", "POST"])
def household_create(request: OrgRequest) -> HttpResponse:
    membership = request.membership
    people = persons_visible_to(membership).order_by("-created_at")
    form = HouseholdForm(request.POST or None, people=people, initial=_initial_person(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        household = services.create_household(
            by=membership, label=data["label"], members=[(data["person"], data["relation"])]
        )
        messages.success(request, _("Household registered. Add the other members below."))
        return redirect("people:household_detail", org_slug=request.org.slug, household_pk=household.pk)
    return render(request, "cases/household_form.html", {"form": form})


def _initial_person(request: HttpRequest) -> dict[str, str]:
    """ "Register a household" from a person's page starts with that person chosen as head of household."""
    person = request.GET.get("person", "")
    return {"person": person, "relation": HouseholdMember.Relation.SELF} if person.isdigit() else {}


@org_view(Role.STAFF)
def household_detail(request: OrgRequest, household_pk: int) -> HttpResponse:
    household = get_object_or_404(disclosure.households_readable_by(request.membership), pk=household_pk)
    return _household_page(request, household)


def _household_page(
    request: OrgRequest, household: Household, member_form: HouseholdMemberForm | None = None
) -> HttpResponse:
    """The household seen whole: its members, the household's cases and the members' own open cases. An
    organisation that sees it through a household case sees each member's fields under that member's own
    consent, and the household's under what covers every member (``cases.disclosure``)."""
    membership = request.membership
    seen = disclosure.household_disclosure(membership, household)
    services.record_household_view(household=household, by=membership, legal_basis=seen.legal_basis)
    own = household.organization_id == membership.organization_id
    members = list(household.members.select_related("person", "person__district").order_by("pk"))
    for member in members:
        member.shows = disclosure.shown(seen.for_person(member.person_id))  # type: ignore[attr-defined]
    member_cases = list(
        cases_visible_to(membership)
        .filter(person__in=[m.person_id for m in members], status=Case.Status.OPEN)
        .select_related("lead", "person")
        .order_by("opened_at")
    )
    household_cases = list(
        cases_visible_to(membership)
        .filter(household=household)
        .select_related("lead")
        .order_by("status", "-opened_at")
    )
    shown_of = disclosure.disclosures(membership, member_cases + household_cases)
    for case in member_cases + household_cases:
        case.shows = shown_of[case.pk].shows  # type: ignore[attr-defined]
    context = {
        "household": household,
        "shows": seen.shows,
        "own": own,
        "members": members,
        "member_cases": member_cases,
        "household_cases": household_cases,
        "member_form": None
        if not own
        else member_form
        or HouseholdMemberForm(
            people=persons_visible_to(membership).exclude(households__household=household)
        ),
    }
    return render(request, "cases/household_detail.html", context)


@org_view(Role.STAFF)
@require_POST
def household_member_add(request: OrgRequest, household_pk: int) -> HttpResponse:
    membership = request.membership
    household = get_object_or_404(households_visible_to(membership), pk=household_pk)
    form = HouseholdMemberForm(request.POST, people=persons_visible_to(membership))
    if form.is_valid():
        try:
            services.add_household_member(
                by=membership, household=household, person=form.cleaned_data["person"],
                relation=form.cleaned_data["relation"],
            )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Member added."))
            return redirect("people:household_detail", org_slug=request.org.slug, household_pk=household.pk)
    return _household_page(request, household, member_form=form)


@org_view(Role.STAFF)
@require_POST
def household_member_remove(request: OrgRequest, household_pk: int, member_pk: int) -> HttpResponse:
    membership = request.membership
    household = get_object_or_404(households_visible_to(membership), pk=household_pk)
    member = get_object_or_404(household.members, pk=member_pk)
    services.remove_household_member(by=membership, member=member)
    messages.success(request, _("Member removed from the household. Their own record is kept."))
    return redirect("people:household_detail", org_slug=request.org.slug, household_pk=household.pk)
