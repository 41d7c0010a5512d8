"""Member pages of the directory: their own services, availability, freshness, exports, the staff navigator,
and (secretariat) every entry, the staleness list and the category labels."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from tsunagari.orgs.access import OrgRequest, org_view
from tsunagari.orgs.models import Role

from .. import services as directory_services
from ..exports import to_csv, to_xlsx
from ..forms import CategoryForm, DirectorySearchForm, ServiceForm
from ..models import Service
from ..selectors import category_terms, services_editable_by, services_visible_to, stale_services
from .public import navigator_page, ranked_page, search_services, with_display_details


@org_view(Role.VIEWER)
def service_list(request: OrgRequest) -> HttpResponse:
    """The directory for members: search everything (members-only included); own entries marked editable."""
    membership = request.membership
    form = DirectorySearchForm(request.GET or None)
    mine = request.GET.get("mine") == "1"
    base = services_editable_by(membership) if mine else services_visible_to(membership)
    page = ranked_page(request, form, search_services(form, base), 25, details=with_display_details)
    editable = set(
        services_editable_by(membership).filter(pk__in=[s.pk for s in page]).values_list("pk", flat=True)
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "editable": editable, "mine": mine, "query": query.urlencode(),
               "availability_choices": Service.Availability.choices}  # fmt: skip
    template = "directory/staff_service_list.html"
    response = render(request, f"{template}#service-table" if request.htmx else template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@org_view(Role.STAFF)
@require_http_methods(["GET", "POST"])
def service_edit(request: OrgRequest, service_id: str) -> HttpResponse:
    membership = request.membership
    service = get_object_or_404(services_editable_by(membership), pk=service_id)
    form = ServiceForm(request.POST or None, instance=Service.objects.get(pk=service.pk))
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            directory_services.update_service(service=service, by=membership, changes=changes)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved: %(name)s") % {"name": service.name})
            return redirect("directory_staff:service_list", org_slug=request.org.slug)
    return render(request, "directory/service_form.html", {"form": form, "service": service})


@org_view(Role.STAFF)
@require_http_methods(["GET", "POST"])
def service_new(request: OrgRequest) -> HttpResponse:
    membership = request.membership
    form = ServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        service = directory_services.create_service(by=membership, data=data)
        messages.success(request, _("Added: %(name)s") % {"name": service.name})
        return redirect("directory_staff:service_list", org_slug=request.org.slug)
    return render(request, "directory/service_form.html", {"form": form, "creating": True})


@org_view(Role.STAFF)
@require_POST
def service_availability(request: OrgRequest, service_id: str) -> HttpResponse:
    membership = request.membership
    service = get_object_or_404(services_editable_by(membership), pk=service_id)
    value = request.POST.get("availability", "")
    if value in Service.Availability.values:
        directory_services.set_availability(service=service, by=membership, availability=value)
        message = _("Availability of %(name)s: %(value)s") % {
            "name": service.name,
            "value": service.get_availability_display(),
        }
    else:
        message = _("Choose one of the listed availabilities.")
    if request.htmx:
        service = with_display_details(Service.objects.filter(pk=service.pk)).get()
        context = {"service": service, "editable": {service.pk}, "availability_choices": Service.Availability.choices,
                   "status_message": message}  # fmt: skip
        return render(request, "directory/staff_service_list.html#service-row", context)
    messages.success(request, message)
    back = request.POST.get("next", "")
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = f"/o/{request.org.slug}/directory/"
    return HttpResponseRedirect(back)  # a URL, never a view name to reverse


@org_view(Role.STAFF)
@require_POST
def service_confirm(request: OrgRequest, service_id: str) -> HttpResponse:
    membership = request.membership
    service = get_object_or_404(services_editable_by(membership), pk=service_id)
    directory_services.confirm_service(service=service, by=membership)
    messages.success(request, _("Confirmed as still correct: %(name)s") % {"name": service.name})
    target = (
        "directory_staff:stale_list"
        if request.POST.get("from") == "stale"
        else "directory_staff:service_list"
    )
    return redirect(target, org_slug=request.org.slug)


@org_view(Role.COORDINATOR, secretariat_only=True)
def stale_list(request: OrgRequest) -> HttpResponse:
    services = stale_services().select_related("organization__member").order_by("assured_date", "name")
    return render(request, "directory/stale_list.html", {"services": services, "today": timezone.localdate()})


@org_view(Role.STAFF)
def export(request: OrgRequest, fmt: str) -> HttpResponse:
    if fmt not in {"xlsx", "csv"}:
        raise Http404
    membership = request.membership
    form = DirectorySearchForm(request.GET or None)
    base = (
        services_editable_by(membership)
        if request.GET.get("mine") == "1"
        else services_visible_to(membership)
    )
    services = with_display_details(search_services(form, base)).prefetch_related("districts")
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        response = HttpResponse(
            to_xlsx(services),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(to_csv(services), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tsunagari-directory-{stamp}.{fmt}"'
    return response


@org_view(Role.VIEWER)
@sensitive_post_parameters("text")
@require_http_methods(["GET", "POST"])
def staff_navigator(request: OrgRequest) -> HttpResponse:
    """The navigator for staff beside a resident: members-only services included."""
    return navigator_page(request, staff=True)


@org_view(Role.COORDINATOR, secretariat_only=True)
def category_list(request: OrgRequest) -> HttpResponse:
    return render(request, "directory/category_list.html", {"terms": category_terms()})


@org_view(Role.COORDINATOR, secretariat_only=True)
@require_http_methods(["GET", "POST"])
def category_edit(request: OrgRequest, code: str) -> HttpResponse:
    term = get_object_or_404(category_terms(), code=code)
    form = CategoryForm(request.POST or None, instance=category_terms().get(pk=term.pk))
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        directory_services.update_category(term=term, by=request.membership, changes=changes)
        messages.success(request, _("Saved."))
        return redirect("directory_staff:category_list", org_slug=request.org.slug)
    return render(request, "directory/category_form.html", {"form": form, "term": term})
