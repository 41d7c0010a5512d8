"""Pages that belong to the platform as a whole: the public home, health check, and the way in."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.validators import slug_re
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from tsunagari.directory.hotlines import crisis_hotlines
from tsunagari.http import AuthenticatedRequest
from tsunagari.orgs.selectors import memberships_of, pick_membership
from tsunagari.outreach.selectors import published_news
from tsunagari.pagecache import public_page
from tsunagari.text.middleware import FURIGANA_COOKIE
from tsunagari.worker.selectors import health


@login_not_required
@require_GET
@public_page
def home(request: HttpRequest) -> HttpResponse:
    from tsunagari.events.selectors import upcoming_public_events

    news = published_news().only("pk", "title", "published_on")[:3]
    context = {"hotlines": crisis_hotlines(), "news": news, "next_events": upcoming_public_events()[:3]}
    return render(request, "home.html", context)


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """For the reverse proxy and monitoring: the app answers, reaches its database, and its background
    work is being done. 503 (with the reasons under "problems") when urgent work is not processed: no
    worker seen lately, due tasks waiting too long, or the last audit verification (or 見守り run) failed."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "failing", "database": "unreachable"}, status=503)
    state = health()
    failing = bool(state["problems"])
    response = JsonResponse(
        {"status": "failing" if failing else "ok", "database": "ok", **state}, status=503 if failing else 200
    )
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    """Send a signed-in person to the organisation they last worked in (or their first): its dashboard is
    the today view (tsunagari/today.py). Signing in lands here (LOGIN_REDIRECT_URL)."""
    chosen = pick_membership(list(memberships_of(request.user)), request.session.get("current_org"))
    if chosen is None:
        return render(request, "no_membership.html")
    return redirect("orgs:dashboard", org_slug=chosen.organization.slug)


@require_POST
def switch_organization(request: AuthenticatedRequest) -> HttpResponse:
    slug = request.POST.get("org", "")
    if not slug_re.fullmatch(slug):  # not a slug (e.g. a NUL byte, which PostgreSQL refuses in a query)
        return redirect("dashboard")
    if not memberships_of(request.user).filter(organization__slug=slug).exists():
        return redirect("dashboard")
    request.session["current_org"] = slug
    return redirect("orgs:dashboard", org_slug=slug)


@login_not_required
@require_POST
def set_furigana(request: HttpRequest) -> HttpResponse:
    """The ふりがな switch in the header: remember the choice in a cookie and go back to the same page
    (like Django's set_language, an unsafe ``next`` falls back to the home page)."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)  # not redirect(): a ``next`` of "abc" is a path, not a view name
    on = request.POST.get("furigana") == "1"
    response.set_cookie(
        FURIGANA_COOKIE,
        "1" if on else "0",
        max_age=365 * 24 * 60 * 60,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
    return response
