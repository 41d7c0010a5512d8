"""Session and second-factor rules that apply to every request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from .services import user_lacks_required_mfa

SESSION_STARTED_KEY = "tsunagari_auth_started"
SESSION_RENEWED_KEY = "tsunagari_renewed"
# The idle limit is renewed at most this often: renewing writes the session row (and its cookie), and a
# member at work makes a request every few seconds.
SESSION_RENEW_SECONDS = 60


class AbsoluteSessionTimeoutMiddleware:
    """Sign out after SESSION_ABSOLUTE_AGE (12 h) even if the session was kept alive by activity.

    The idle limit (30 min) is SESSION_COOKIE_AGE, renewed by IdleSessionRenewalMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            now = timezone.now()
            if started is None:
                request.session[SESSION_STARTED_KEY] = now.isoformat()
            elif now - datetime.fromisoformat(started) > settings.SESSION_ABSOLUTE_AGE:
                logout(request)
                messages.info(
                    request, _("For your safety you were signed out after 12 hours. Please sign in again.")
                )
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)


class IdleSessionRenewalMiddleware:
    """The idle limit (SESSION_COOKIE_AGE, 30 min) counts from the last request, to within a minute: a
    signed-in session is saved again (new expiry in the database and on the cookie) when its last renewal
    is SESSION_RENEW_SECONDS old, instead of on every request (SESSION_SAVE_EVERY_REQUEST, one write each)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # No session cookie: nothing to renew, and no query to find that out.
        if session is None or session.session_key is None or not request.user.is_authenticated:
            return response
        now = timezone.now().timestamp()
        renewed = session.get(SESSION_RENEWED_KEY)
        if not isinstance(renewed, (int, float)) or now - renewed >= SESSION_RENEW_SECONDS:
            session[SESSION_RENEWED_KEY] = now  # marks it modified: SessionMiddleware saves it
        return response


class RequireMFAMiddleware:
    """Members whose role can see personal data must set up a second factor before anything else."""

    EXEMPT_PREFIXES = ("/accounts/", "/static/", "/i18n/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if not request.user.is_authenticated or not getattr(view_func, "login_required", True):
            return None
        if request.path_info.startswith(self.EXEMPT_PREFIXES):
            return None
        if user_lacks_required_mfa(request.user):  # type: ignore[arg-type]
            messages.warning(
                request,
                _(
                    "Your role can see personal information, so a second sign-in step is required. Please set it up now."
                ),
            )
            return redirect("mfa_index")
        return None
