"""People: the list, registering with the duplicate check, a person's record."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from tsunagari.orgs.access import OrgRequest, org_view
from tsunagari.orgs.models import Role
from tsunagari.pagination import paginate

from .. import disclosure, services
from ..forms import PersonForm
from ..selectors import persons_visible_to


@org_view(Role.STAFF)
def person_list(request: OrgRequest) -> HttpResponse:
    """The organisation's people, newest first, fifty a page; only the name and kana are decrypted."""
    people = (
        persons_visible_to(request.membership)
        .select_related("district")
        .defer("birth_date", "phone", "address")
        .order_by("-created_at", "-pk")
    )
    listing = paginate(request, people)
    return render(
        request,
        "cases/person_list.html",
        {"people": listing.page, "page": listing.page, "query": listing.query},
    )


@org_view(Role.STAFF)
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def person_register(request: OrgRequest) -> HttpResponse:
    membership = request.membership
    if not membership.can_register_people:
        raise PermissionDenied
    form = PersonForm(request.POST or None)
    duplicates = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        register_anyway = data.pop("register_anyway")
        try:
            duplicates = services.find_duplicates(
                by=membership,
                kana=data["kana"],
                birth_date=data["birth_date"],
                phone=data["phone"],
            )
        except ValidationError as error:  # too many checks: keep what was typed, say why
            form.add_error(None, error)
            return render(request, "cases/person_form.html", {"form": form, "duplicates": None})
        if register_anyway or not duplicates.own:
            person = services.register_person(by=membership, data=data)
            messages.success(request, _("Registered."))
            return redirect("people:person_detail", org_slug=request.org.slug, person_pk=person.pk)
        again = request.POST.copy()
        again["register_anyway"] = "on"  # a second press registers after the warning was seen
        form = PersonForm(again)
    return render(request, "cases/person_form.html", {"form": form, "duplicates": duplicates})


@org_view(Role.STAFF)
def person_detail(request: OrgRequest, person_pk: int) -> HttpResponse:
    """A person's record: all of it for the organisation that registered them; for an organisation that
    sees one of their cases, only the fields its basis covers (``cases.disclosure``), logged on that basis."""
    membership = request.membership
    person = get_object_or_404(
        disclosure.persons_readable_by(membership).select_related("district"), pk=person_pk
    )
    seen = disclosure.person_disclosure(membership, person)
    services.record_view(person=person, by=membership, legal_basis=seen.legal_basis)
    households = (
        person.households.select_related("household").order_by("household__created_at")
        if seen.shows["person_households"]
        else []
    )
    context = {
        "person": person,
        "households": households,
        "shows": seen.shows,
        "own": person.organization_id == membership.organization_id,
    }
    return render(request, "cases/person_detail.html", context)
