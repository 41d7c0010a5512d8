from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tsunagari.http import AuthenticatedRequest

from .models import EmailPreference, Notification
from .selectors import notifications_of, troubled_deliveries_visible_to


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = EmailPreference
        fields = ["mode"]
        widgets = {"mode": forms.RadioSelect}
        labels = {"mode": gettext_lazy("When to e-mail you")}


@require_http_methods(["GET", "POST"])
def notification_list(request: AuthenticatedRequest) -> HttpResponse:
    preference, _created = EmailPreference.objects.get_or_create(user=request.user)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect("notifications:list")
    items = notifications_of(request.user)[:100]
    troubled = troubled_deliveries_visible_to(request.user)[:100]
    from tsunagari.line.selectors import troubled_line_deliveries_visible_to

    line_troubled = troubled_line_deliveries_visible_to(request.user)[:100]
    return render(
        request,
        "notifications/list.html",
        {"items": items, "form": form, "troubled": troubled, "line_troubled": line_troubled},
    )


@require_POST
def notification_open(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Mark as read and go where the notification points (only within this site)."""
    notification = get_object_or_404(Notification, recipient=request.user, pk=pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:list")


@require_POST
def mark_all_read(request: AuthenticatedRequest) -> HttpResponse:
    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notifications:list")
