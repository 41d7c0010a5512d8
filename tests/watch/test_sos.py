"""SOS reports (気づき): anyone sends one; the reporter sees only its status; the secretariat triages it,
linking a case or opening one; the district picture counts everything without names."""

from __future__ import annotations

from django.urls import reverse

from tests.conftest import client_for
from tests.factories import make_member
from tsunagari.cases import services as cases
from tsunagari.cases.models import Case
from tsunagari.orgs.models import District, Role
from tsunagari.watch import services
from tsunagari.watch.models import Alert, SosReport


def _sos(member, **fields):
    data = {"sign": "mail", "place": "港町3丁目のアパート2階", "district": District.objects.get(code="minatomachi"),
            "details": "新聞が3日分たまっている", "reporter_contact": "0857-00-1004"} | fields  # fmt: skip
    return services.report_sos(by=member, data=data)


def test_a_partner_sends_an_sos_and_sees_only_its_status(world, org_b):
    company = make_member(org_b, Role.VIEWER)
    url = reverse("watch:sos_new", args=["org-b"])
    response = client_for(company).post(
        url, {"sign": "mail", "place": "港町3丁目のアパート2階", "district": District.objects.get(code="minatomachi").pk,
              "noticed_at": "2026-11-27T08:00", "details": "ポストがあふれている", "reporter_contact": ""},
    )  # fmt: skip
    assert response.status_code == 302
    report = SosReport.objects.get()
    assert Alert.objects.get(sos=report).kind == "sos"
    mine = client_for(company).get(reverse("watch:sos_mine", args=["org-b"])).content.decode()
    assert "受け付けました" in mine and "港町3丁目" not in mine and "ポストがあふれている" not in mine
    coordinator = world["coordinator"]
    services.triage_sos(by=coordinator, report=report, status=SosReport.Status.IN_PROGRESS)
    assert "対応中" in client_for(company).get(reverse("watch:sos_mine", args=["org-b"])).content.decode()
    assert client_for(company).get(reverse("watch:sos_detail", args=["org-b", report.pk])).status_code == 404


def test_a_missing_place_keeps_what_was_typed(world):
    member = world["viewer"]
    response = client_for(member).post(
        reverse("watch:sos_new", args=["org-a"]), {"sign": "no_answer", "details": "呼び鈴に応答なし"}
    )
    assert response.status_code == 200 and "呼び鈴に応答なし" in response.content.decode()
    assert not SosReport.objects.exists()


def test_triage_links_a_visible_case_or_opens_a_new_one(world):
    coordinator, staff = world["coordinator"], world["staff"]
    report = _sos(world["other_staff"])
    slug = coordinator.organization.slug
    url = reverse("watch:sos_detail", args=[slug, report.pk])
    page = client_for(coordinator).get(url).content.decode()
    assert "港町3丁目のアパート2階" in page  # the secretariat sees what it must act on
    hidden = cases.open_case(by=staff, person=cases.register_person(by=staff, data={"name": "他団体 太郎"}))
    mine = cases.open_case(
        by=coordinator, person=cases.register_person(by=coordinator, data={"name": "架空 次郎"})
    )
    search = client_for(coordinator).get(url, {"case_q": "架空"}).content.decode()
    assert f"#{mine.pk} 架空 次郎" in search and "他団体" not in search  # only cases the secretariat may see
    assert "他団体" not in client_for(coordinator).get(url, {"case_q": str(hidden.pk)}).content.decode()
    refused = client_for(coordinator).post(url, {"link_case": "1", "pk": hidden.pk}, follow=True)
    assert "ケースは結びつけられません" in refused.content.decode()
    report.refresh_from_db()
    assert report.case is None  # a case the secretariat may not see is never linked
    opened = client_for(coordinator).post(url, {"open_case": "1", "name": ""})
    case = Case.objects.exclude(pk__in=[hidden.pk, mine.pk]).get()
    assert opened.status_code == 302 and case.lead is None and case.person.address == "港町3丁目のアパート2階"
    report.refresh_from_db()
    assert report.case == case and report.status == "in_progress"
    assert not Alert.objects.filter(sos=report, acknowledged_at__isnull=True).exists()


def test_district_overview_counts_without_names(watch_world):
    coordinator = watch_world["coordinator"]
    _sos(watch_world["staff"])
    page = (
        client_for(coordinator)
        .get(reverse("watch:overview", args=[coordinator.organization.slug]))
        .content.decode()
    )
    assert "架空 花子さん" not in page and 'data-chart="watch-districts-data"' in page
    assert '<th scope="row">中央地区</th><td>1</td>' in page
