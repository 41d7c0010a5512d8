"""Organisation pages: dashboard, members and invitations, profile, and (secretariat) the member list."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, When
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tsunagari.accounts import services as account_services
from tsunagari.pagination import paginate
from tsunagari.today import keep_badge, today_for

from . import applications, services
from .access import OrgRequest, conflict_page, org_view
from .forms import (
    ApproveApplicationForm,
    DeclineApplicationForm,
    InviteForm,
    OrganizationCreateForm,
    OrganizationProfileForm,
    RoleForm,
)
from .models import MembershipApplication, Organization, Role
from .selectors import members_visible_to, organizations_visible_to, pending_invitations_for


@org_view(Role.PARTNER)
def org_dashboard(request: OrgRequest) -> HttpResponse:
    """The today view: what waits for this member in this organisation, urgent things first."""
    membership = request.membership
    if membership.role == Role.PARTNER:  # their one task on the platform: tell us what they noticed
        return redirect("watch:sos_new", org_slug=request.org.slug)
    if membership.role == Role.VOLUNTEER:  # a supporter's day is the people they watch over
        return redirect("watch:home", org_slug=request.org.slug)
    today = today_for(membership)
    keep_badge(request, today)
    return render(request, "orgs/organization_dashboard.html", {"membership": membership, "today": today})


@org_view(Role.ADMIN)
def member_list(request: OrgRequest) -> HttpResponse:
    membership = request.membership
    context = {
        "members": members_visible_to(membership),
        "invitations": pending_invitations_for(membership),
        "form": InviteForm(by=membership),
    }
    return render(request, "orgs/membership_list.html", context)


@org_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def member_invite(request: OrgRequest) -> HttpResponse:
    membership = request.membership
    form = InviteForm(request.POST or None, by=membership)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        replaced = pending_invitations_for(membership).filter(email__iexact=email).exists()
        try:
            account_services.invite_member(
                by=membership,
                email=email,
                role=form.cleaned_data["role"],
                site_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            if replaced:
                messages.info(
                    request, _("The earlier invitation to %(email)s was withdrawn.") % {"email": email}
                )
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": email})
            return redirect("orgs:member_list", org_slug=request.org.slug)
    return render(request, "orgs/membership_invite.html", {"form": form})


@org_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def member_edit(request: OrgRequest, membership_pk: int) -> HttpResponse:
    by = request.membership
    member = get_object_or_404(members_visible_to(by), pk=membership_pk)
    form = RoleForm(request.POST or None, by=by, initial={"role": member.role})
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "deactivate":
                if request.POST.get("confirm") != "yes":
                    messages.error(request, _("Tick the box to confirm that this membership should end."))
                    return redirect("orgs:member_edit", org_slug=request.org.slug, membership_pk=member.pk)
                services.deactivate_membership(membership=member, by=by)
                messages.success(request, _("Membership ended. You can restore it from this person's page."))
                return redirect("orgs:member_list", org_slug=request.org.slug)
            if action == "reactivate":
                services.reactivate_membership(membership=member, by=by)
                messages.success(request, _("Membership restored."))
                return redirect("orgs:member_list", org_slug=request.org.slug)
            if form.is_valid():
                services.change_role(membership=member, role=form.cleaned_data["role"], by=by)
                messages.success(request, _("Role changed."))
                return redirect("orgs:member_list", org_slug=request.org.slug)
        except ValidationError as error:
            form.add_error(None, error)
    return render(request, "orgs/membership_edit.html", {"member": member, "form": form})


@org_view(Role.ADMIN)
@require_POST
def invitation_revoke(request: OrgRequest, invitation_pk: int) -> HttpResponse:
    membership = request.membership
    invitation = get_object_or_404(pending_invitations_for(membership), pk=invitation_pk)
    account_services.revoke_invitation(invitation=invitation, by=membership)
    messages.success(request, _("Invitation withdrawn."))
    return redirect("orgs:member_list", org_slug=request.org.slug)


@org_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def profile_edit(request: OrgRequest) -> HttpResponse:
    membership = request.membership
    org = request.org
    # The form validates a copy, so the page header keeps the saved name if validation fails.
    form = OrganizationProfileForm(request.POST or None, instance=Organization.objects.get(pk=org.pk))
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        services.update_organization(org=org, by=membership, changes=changes)
        messages.success(request, _("Profile saved."))
        return redirect("orgs:profile_edit", org_slug=org.slug)
    return render(request, "orgs/organization_form.html", {"form": form})


@org_view(Role.COORDINATOR, secretariat_only=True)
def organization_list(request: OrgRequest) -> HttpResponse:
    membership = request.membership
    return render(
        request, "orgs/organization_list.html", {"organizations": organizations_visible_to(membership)}
    )


@org_view(Role.COORDINATOR, secretariat_only=True)
@require_http_methods(["GET", "POST"])
def organization_create(request: OrgRequest) -> HttpResponse:
    membership = request.membership
    form = OrganizationCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        districts = data.pop("districts")
        admin_email = data.pop("admin_email")
        with transaction.atomic():
            org = services.create_organization(by=membership, districts=districts, **data)
            account_services.invite_member(
                by=membership,
                organization=org,
                email=admin_email,
                role=Role.ADMIN,
                site_url=request.build_absolute_uri("/"),
            )
        messages.success(
            request,
            _("%(name)s was registered and %(email)s was invited as its admin.")
            % {"name": org.name, "email": admin_email},
        )
        return redirect("orgs:organization_list", org_slug=request.org.slug)
    return render(request, "orgs/organization_form.html", {"form": form, "creating": True})


@org_view(Role.COORDINATOR, secretariat_only=True)
def application_list(request: OrgRequest) -> HttpResponse:
    """Membership applications, waiting ones first (only the columns the list shows are decrypted)."""
    rows = (
        applications.applications_visible_to(request.membership)
        .only("pk", "organization_name", "kind", "status", "created_at")
        .order_by(Case(When(status=MembershipApplication.Status.WAITING, then=0), default=1), "-created_at")
    )
    page = paginate(request, rows)
    return render(request, "orgs/application_list.html", {"page": page})


@org_view(Role.COORDINATOR, secretariat_only=True)
@require_http_methods(["GET", "POST"])
def application_detail(request: OrgRequest, application_pk: int) -> HttpResponse:
    application = get_object_or_404(
        applications.applications_visible_to(request.membership), pk=application_pk
    )
    approve = ApproveApplicationForm(request.POST if request.POST.get("action") == "approve" else None)
    decline = DeclineApplicationForm(request.POST if request.POST.get("action") == "decline" else None)
    back = reverse("orgs:application_detail", args=[request.org.slug, application.pk])
    if request.method == "POST":
        try:
            if request.POST.get("action") == "approve" and approve.is_valid():
                org = applications.approve_application(
                    application=application, by=request.membership, site_url=request.build_absolute_uri("/"),
                    **approve.cleaned_data,
                )  # fmt: skip
                messages.success(
                    request,
                    _("%(name)s was registered and its contact was invited as its admin.")
                    % {"name": org.name},
                )
                return redirect(back)
            if request.POST.get("action") == "decline" and decline.is_valid():
                applications.decline_application(
                    application=application, by=request.membership, note=decline.cleaned_data["note"]
                )
                messages.success(request, _("The application was declined and the applicant told."))
                return redirect(back)
        except applications.ApplicationAlreadyDecided:
            return conflict_page(request, now=application.get_status_display(), back=back)
        except ValidationError as error:
            approve.add_error(None, error)
    context = {"application": application, "approve": approve, "decline": decline}
    return render(request, "orgs/application_detail.html", context)
