"""「まちの姿」: the public picture (the national suicide trend beside the needs snapshots the secretariat
released, with CSV downloads under the snapshot's licence), and the secretariat's snapshot page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tsunagari import spreadsheets
from tsunagari.orgs.access import OrgRequest, org_view
from tsunagari.orgs.models import Role
from tsunagari.pagecache import public_page

from . import snapshots, suicide_stats
from .models import PublicSnapshot


class SnapshotForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    licence = forms.ChoiceField(label=gettext_lazy("Licence"), choices=PublicSnapshot.Licence.choices)


@login_not_required
@require_GET
@public_page
def picture(request: HttpRequest) -> HttpResponse:
    context = {
        "suicide_chart": suicide_stats.trend_chart(),
        "suicide_years": suicide_stats.years(),
        "snapshot": snapshots.public_snapshots().first(),
    }
    return render(request, "needs/picture.html", context)


@login_not_required
@require_GET
def snapshot_csv(request: HttpRequest, pk: int) -> HttpResponse:
    snapshot = get_object_or_404(snapshots.public_snapshots(), pk=pk)
    response = HttpResponse(spreadsheets.to_csv(snapshot.header, snapshot.rows), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="needs-snapshot-{snapshot.pk}.csv"'
    response["Link"] = f'<{_licence_url(snapshot.licence)}>; rel="license"'
    return response


@login_not_required
@require_GET
def suicide_csv(request: HttpRequest) -> HttpResponse:
    header = ["year", "era", "total", "male", "female", "status", "source"]
    rows = [[y.year, y.era, y.total, y.male, y.female, y.status, y.source] for y in suicide_stats.years()]
    response = HttpResponse(spreadsheets.to_csv(header, rows), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="suicide-statistics.csv"'
    return response


LICENCE_URLS = {
    PublicSnapshot.Licence.CC_BY_4: "https://creativecommons.org/licenses/by/4.0/",
    PublicSnapshot.Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
    PublicSnapshot.Licence.PDL_1: "https://www.digital.go.jp/resources/open_data/public_data_license_v1.0",
}


def _licence_url(code: str) -> str:
    return LICENCE_URLS.get(PublicSnapshot.Licence(code), "")


@org_view(Role.COORDINATOR, secretariat_only=True)
@require_http_methods(["GET", "POST"])
def snapshot_admin(request: OrgRequest) -> HttpResponse:
    form = SnapshotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        snapshots.take_snapshot(by=request.membership, **form.cleaned_data)
        messages.success(request, _("Snapshot taken. Publish it to show it on 「まちの姿」."))
        return redirect("needs:snapshot_admin", org_slug=request.org.slug)
    rows = snapshots.snapshots_visible_to(request.membership).defer("header", "rows")
    return render(request, "needs/snapshot_admin.html", {"form": form, "snapshots": rows})


@org_view(Role.COORDINATOR, secretariat_only=True)
@require_POST
def snapshot_state(request: OrgRequest, snapshot_pk: int) -> HttpResponse:
    snapshot = get_object_or_404(snapshots.snapshots_visible_to(request.membership), pk=snapshot_pk)
    if request.POST.get("action") == "publish":
        snapshots.publish_snapshot(snapshot=snapshot, by=request.membership)
        messages.success(request, _("Snapshot published."))
    elif request.POST.get("action") == "withdraw":
        snapshots.withdraw_snapshot(snapshot=snapshot, by=request.membership)
        messages.success(request, _("Snapshot withdrawn from the public site."))
    return redirect("needs:snapshot_admin", org_slug=request.org.slug)
