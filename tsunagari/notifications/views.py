from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from .models import EmailPreference, Notification
from .selectors import notifications_of, troubled_deliveries_visible_to


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = EmailPreference
        fields = ["mode"]
        widgets = {"mode": forms.RadioSelect}
        labels = {"mode": gettext_lazy("When to e-mail you")}


@require_http_methods(["GET", "POST"])
def notification_list(request: HttpRequest) -> HttpResponse:
    preference, _created = EmailPreference.objects.get_or_create(user=request.user)  # type: ignore[misc]
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect("notifications:list")
    items = notifications_of(request.user)[:100]  # type: ignore[arg-type]
    troubled = troubled_deliveries_visible_to(request.user)[:100]  # type: ignore[arg-type]
    return render(request, "notifications/list.html", {"items": items, "form": form, "troubled": troubled})


@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
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
def mark_all_read(request: HttpRequest) -> HttpResponse:
    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())  # type: ignore[misc]
    return redirect("notifications:list")
