"""Public pages of the platform: 「プラットフォームについて」 (what it is, its members by kind, how to
join), a member organisation's public page (public fields only), and the membership application form."""

from __future__ import annotations

from itertools import groupby

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tsunagari.directory.load import over_rate_limit
from tsunagari.pagecache import public_page

from . import applications
from .forms import ApplicationForm
from .models import Organization

PUBLIC_FIELDS = ["slug", "name", "kana", "kind", "public_profile", "website", "phone"]


def public_organizations():
    """Active member organisations, only the fields they publish."""
    return Organization.objects.filter(is_active=True).only(*PUBLIC_FIELDS)


@login_not_required
@require_GET
@public_page
def about(request: HttpRequest) -> HttpResponse:
    orgs = sorted(
        public_organizations(), key=lambda o: (list(Organization.Kind.values).index(o.kind), o.kana)
    )
    by_kind = [
        (Organization.Kind(kind).label, list(members))
        for kind, members in groupby(orgs, key=lambda o: o.kind)
    ]
    return render(
        request, "orgs/about.html", {"by_kind": by_kind, "platform": settings.TSUNAGARI_PLATFORM_NAME}
    )


@login_not_required
@require_GET
@public_page
def organization_public(request: HttpRequest, slug: str) -> HttpResponse:
    org = get_object_or_404(public_organizations().prefetch_related("districts"), slug=slug)
    return render(request, "orgs/organization_public.html", {"organization": org})


@login_not_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    form = ApplicationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if over_rate_limit(request, scope="public-form", limit=settings.TSUNAGARI_PUBLIC_FORMS_PER_MINUTE):
            form.add_error(
                None, _("Too many submissions from your connection. Please wait a minute and try again.")
            )
            status = 429
        elif form.is_valid():
            if not form.is_spam:
                applications.submit_application(data=form.cleaned_data)
            messages.success(
                request, _("Thank you. We received your application and sent a confirmation e-mail.")
            )
            return redirect("about")
    return render(request, "orgs/application_form.html", {"form": form}, status=status)
