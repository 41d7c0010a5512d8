"""Public: the contact form and the news. Secretariat: inquiries (mark answered) and writing news."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tsunagari.directory.load import over_rate_limit
from tsunagari.orgs.access import OrgRequest, conflict_page, org_view
from tsunagari.orgs.models import Role
from tsunagari.pagecache import public_page
from tsunagari.pagination import paginate

from . import services
from .forms import AnswerForm, InquiryForm, NewsItemForm
from .selectors import inquiries_visible_to, news_editable_by, published_news


@login_not_required
@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    form = InquiryForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if over_rate_limit(request, scope="public-form", limit=settings.TSUNAGARI_PUBLIC_FORMS_PER_MINUTE):
            form.add_error(
                None, _("Too many submissions from your connection. Please wait a minute and try again.")
            )
            status = 429
        elif form.is_valid():
            if not form.is_spam:
                data = form.cleaned_data
                services.receive_inquiry(
                    name=data["name"], email=data["email"], phone=data["phone"], message=data["message"]
                )
            messages.success(request, _("Thank you. The secretariat received your message and will answer."))
            return redirect("contact")
    return render(request, "outreach/contact.html", {"form": form}, status=status)


@login_not_required
@require_GET
@public_page
def news_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, published_news().only("pk", "title", "published_on"), per_page=20)
    return render(request, "outreach/news_list.html", {"page": page})


@login_not_required
@require_GET
@public_page
def news_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "outreach/news_detail.html", {"item": get_object_or_404(published_news(), pk=pk)})


@org_view(Role.COORDINATOR, secretariat_only=True)
def inquiry_list(request: OrgRequest) -> HttpResponse:
    """Inquiries, unanswered first; the list decrypts no message (it shows dates and states only)."""
    rows = (
        inquiries_visible_to(request.membership)
        .only("pk", "created_at", "answered_at")
        .order_by("-answered_at", "-created_at")
    )
    return render(request, "outreach/inquiry_list.html", {"page": paginate(request, rows)})


@org_view(Role.COORDINATOR, secretariat_only=True)
@require_http_methods(["GET", "POST"])
def inquiry_detail(request: OrgRequest, inquiry_pk: int) -> HttpResponse:
    inquiry = get_object_or_404(inquiries_visible_to(request.membership), pk=inquiry_pk)
    form = AnswerForm(request.POST or None)
    back = reverse("outreach:inquiry_detail", args=[request.org.slug, inquiry.pk])
    if request.method == "POST" and form.is_valid():
        try:
            services.mark_answered(inquiry=inquiry, by=request.membership, note=form.cleaned_data["note"])
        except services.AlreadyAnswered:
            return conflict_page(request, now=_("Answered"), back=back)
        messages.success(request, _("Marked as answered."))
        return redirect(back)
    return render(request, "outreach/inquiry_detail.html", {"inquiry": inquiry, "form": form})


@org_view(Role.COORDINATOR, secretariat_only=True)
def news_admin(request: OrgRequest) -> HttpResponse:
    rows = news_editable_by(request.membership).only("pk", "title", "published_on", "is_published")
    return render(request, "outreach/news_admin.html", {"page": paginate(request, rows)})


@org_view(Role.COORDINATOR, secretariat_only=True)
@require_http_methods(["GET", "POST"])
def news_edit(request: OrgRequest, news_pk: int | None = None) -> HttpResponse:
    item = get_object_or_404(news_editable_by(request.membership), pk=news_pk) if news_pk else None
    form = NewsItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        services.save_news(by=request.membership, item=item, data=form.cleaned_data)
        messages.success(request, _("News item saved."))
        return redirect("outreach:news_admin", org_slug=request.org.slug)
    return render(request, "outreach/news_form.html", {"form": form, "item": item})
