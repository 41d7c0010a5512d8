"""The attendee's pages (through signed links, no account): the printable 受講証, joining the register and
their entry in it (with withdrawal); and the register for the secretariat and member organisations."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tsunagari.orgs.access import OrgRequest, org_view
from tsunagari.orgs.models import Role
from tsunagari.pagination import paginate

from . import services
from .forms import InviteForm, RegisterFilterForm, SupporterForm
from .models import Supporter
from .selectors import sees_register, supporters_by_district, supporters_visible_to


def _private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "same-origin"  # the signed link must not leak to other sites
    return response


@login_not_required
@require_GET
def certificate(request: HttpRequest, token: str) -> HttpResponse:
    """The 受講証, one A4 page to print (static/css/certificate.css)."""
    cert = services.certificate_for_token(token)
    if cert is None:
        raise Http404
    curriculum = list(cert.event.curriculum.all())
    context = {
        "certificate": cert,
        "event": cert.event,
        "curriculum": curriculum,
        "minutes": sum(item.minutes for item in curriculum),
        "join_url": services.join_url(cert) if cert.event.kind == "supporter_course" else "",
        "token": token,
    }
    return _private(render(request, "training/certificate.html", context))


@login_not_required
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    """Asks the holder of a supporter course's 受講証 whether they want to be listed as a つながりサポーター."""
    cert = services.certificate_for_token(token)
    if cert is None or cert.event.kind != "supporter_course":
        raise Http404
    # The 受講証's link is the one a person shows or forwards to prove they attended, so what it opens
    # shows nothing the certificate does not: no contact details carried over from the registration, and
    # for someone already listed only that they are (their own entry, with its withdrawal, is reached
    # through the link in the e-mail that confirmed the listing).
    if Supporter.objects.filter(certificate=cert, withdrawn_at__isnull=True).exists():
        context = {"certificate": cert, "already_listed": True, "token": token}
        return _private(render(request, "training/join.html", context))
    form = SupporterForm(request.POST or None, initial={"name": cert.name})
    if request.method == "POST" and form.is_valid():
        try:
            supporter = services.join_register(certificate=cert, data=form.supporter_data())
        except services.AlreadyListed:
            return redirect("training:join", token=token)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("training:supporter", token=services.supporter_token(supporter))
    context = {"certificate": cert, "form": form, "consent": services.consent_wording(), "token": token}
    return _private(render(request, "training/join.html", context))


@login_not_required
@require_http_methods(["GET", "POST"])
def supporter(request: HttpRequest, token: str) -> HttpResponse:
    """The supporter's own entry (from the link in their e-mail or their registration page): what the register
    holds about them, and withdrawal at any time."""
    entry = services.supporter_for_token(token)
    if entry is None:
        raise Http404
    if request.method == "POST" and request.POST.get("action") == "withdraw":
        services.withdraw(supporter=entry)
        return redirect("training:supporter", token=token)
    return _private(
        render(
            request,
            "training/supporter.html",
            {"supporter": entry, "certificate_url": services.certificate_url(entry.certificate)},
        )
    )


# --- the register (organisation pages) ------------------------------------------------------------------


@org_view(Role.STAFF)
def register(request: OrgRequest) -> HttpResponse:
    """The register of つながりサポーター, with the counts by district beside the needs picture."""
    if not sees_register(request.membership):
        raise PermissionDenied  # a directory-only member
    supporters = supporters_visible_to(request.membership)
    filters = RegisterFilterForm(request.GET or None)
    if filters.is_valid():
        if filters.cleaned_data.get("district"):
            supporters = supporters.filter(district=filters.cleaned_data["district"])
        if way := filters.cleaned_data.get("way"):
            # Ways are a short list of codes (not encrypted); JSON containment is not portable to SQLite.
            matching = [pk for pk, ways in supporters.values_list("pk", "ways") if way in ways]
            supporters = supporters.filter(pk__in=matching)
    listing = paginate(request, supporters.order_by("district__sort_order", "pk"))
    shown = list(listing.page)
    services.log_register_viewed(by=request.membership, shown=shown)
    context = {
        "supporters": shown,
        "page": listing.page,
        "query": listing.query,
        "filters": filters,
        "districts": supporters_by_district(request.membership),
        "total": listing.page.paginator.count,
    }
    return render(request, "training/staff/register.html", context)


@org_view(Role.STAFF)
def supporter_detail(request: OrgRequest, supporter_pk: int) -> HttpResponse:
    entry = get_object_or_404(supporters_visible_to(request.membership), pk=supporter_pk)
    services.log_supporter_viewed(by=request.membership, supporter=entry)
    context = {
        "supporter": entry,
        "certificates": list(entry.certificates.all()),
        "invite_form": InviteForm() if request.membership.is_coordinator else None,
    }
    return render(request, "training/staff/supporter_detail.html", context)


@org_view(Role.COORDINATOR, secretariat_only=True)
@require_POST
def supporter_invite(request: OrgRequest, supporter_pk: int) -> HttpResponse:
    entry = get_object_or_404(supporters_visible_to(request.membership), pk=supporter_pk)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            services.invite_as_volunteer(
                supporter=entry,
                organization=form.cleaned_data["organization"],
                by=request.membership,
                site_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The invitation was sent. Once accepted, %(org)s can assign them in its watch list.")
                % {"org": form.cleaned_data["organization"].name},
            )
            return redirect("supporters:detail", org_slug=request.org.slug, supporter_pk=entry.pk)
    context = {"supporter": entry, "certificates": list(entry.certificates.all()), "invite_form": form}
    return render(request, "training/staff/supporter_detail.html", context)
