from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_http_methods

from tsunagari.http import AuthenticatedRequest

from . import services
from .client import line_enabled
from .forms import ModeForm
from .selectors import active_code_of, link_of


@csrf_exempt  # LINE signs its requests (X-Line-Signature) instead
@login_not_required
@sensitive_variables("body")
def webhook(request: HttpRequest) -> HttpResponse:
    """LINE's webhook. 404 while LINE is off; 400 for a request that is not a LINE webhook, 403 for a bad
    signature; otherwise 200 at once: replies go out through the worker, so LINE never waits on the navigator
    twice nor sees a failure of its own API as ours."""
    if not line_enabled():
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        body = request.body.decode("utf-8")
    except UnicodeDecodeError:
        return HttpResponse(status=400)
    try:
        services.handle_webhook(body=body, signature=request.headers.get("X-Line-Signature", ""))
    except services.WebhookRefused as refused:
        return HttpResponse(status=refused.status)
    return HttpResponse(status=200)


@require_http_methods(["GET", "POST"])
def line_settings(request: AuthenticatedRequest) -> HttpResponse:
    """A member's LINE page: get a one-time code to link a LINE account, choose what is sent, unlink."""
    enabled = line_enabled()
    link = link_of(request.user) if enabled else None
    form = ModeForm(instance=link) if link else None
    if request.method == "POST" and enabled:
        action = request.POST.get("action")
        if action == "code" and link is None:
            services.new_link_code(user=request.user)
            return redirect("line:settings")
        if action == "unlink" and link is not None:
            services.unlink(user=request.user)
            messages.success(request, _("Your LINE account is no longer linked."))
            return redirect("line:settings")
        if action == "mode" and link is not None:
            form = ModeForm(request.POST, instance=link)
            if form.is_valid():
                form.save()
                messages.success(request, _("Saved."))
                return redirect("line:settings")
    context = {
        "enabled": enabled,
        "link": link,
        "form": form,
        "code": active_code_of(request.user) if enabled and link is None else None,
        "add_friend_url": settings.TSUNAGARI_LINE_ADD_FRIEND_URL,
        "code_minutes": settings.TSUNAGARI_LINE_CODE_MINUTES,
    }
    return render(request, "line/settings.html", context)
