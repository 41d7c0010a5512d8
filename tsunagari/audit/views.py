from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from tsunagari.orgs.access import OrgRequest, org_view
from tsunagari.orgs.models import Role

from .forms import ActivityFilterForm
from .selectors import activity_visible_to


@org_view(Role.COORDINATOR, secretariat_only=True)
def activity_list(request: OrgRequest) -> HttpResponse:
    """The secretariat browses and filters the activity log."""
    form = ActivityFilterForm(request.GET or None)
    entries = form.filter(activity_visible_to(request.membership))
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = "audit/activitylog_list.html"
    response = render(request, f"{template}#activity-table" if request.htmx else template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
