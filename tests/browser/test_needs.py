"""Shared needs in a real browser: a partner company reporting on a phone, a member seeing only
suppressed aggregates (with the charts drawn under the strict CSP), the secretariat raising a gap issue."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_journeys import _axe_violations, _sign_in, _sign_in_with_totp

pytestmark = pytest.mark.browser


def test_partner_company_reports_a_need_on_a_phone(browser, demo_server):
    base = demo_server.url
    context = browser.new_context(
        locale="ja-JP", viewport={"width": 360, "height": 740}, device_scale_factor=2
    )
    page = context.new_page()
    _sign_in_with_totp(page, base, demo_server, "staff@shimbun.example.jp")
    page.wait_for_url(re.compile(r"/o/shimbun/$"))
    page.goto(base + "/o/shimbun/needs/report/")
    page.locator("#id_period").fill("2026-10")
    page.locator("#id_district").select_option(label="山手地区")
    page.get_by_label("孤独・さびしさ").check()
    page.locator("#id_age_band").select_option("80+")
    page.locator("#id_household_type").select_option("single_elderly")
    page.locator("#id_count").fill("2")
    page.get_by_label("制度はあるが届かない").check()
    page.locator("#id_description").fill("田中さんの新聞が3日分たまっていた")
    page.get_by_role("button", name="報告する").click()
    page.wait_for_selector(".field--error")
    assert "田中さん" in page.locator(".field__error").inner_text()
    assert page.locator("#id_count").input_value() == "2"  # nothing typed is lost
    assert page.get_by_label("孤独・さびしさ").is_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "needs-report-refused-360px")

    page.locator("#id_description").fill("新聞が3日分たまっていた高齢の方")
    page.get_by_role("button", name="報告する").click()
    page.wait_for_url(re.compile(r"/o/shimbun/needs/reports/$"))
    assert "新聞が3日分たまっていた高齢の方" in page.locator("table").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "needs-reported-360px")
    context.close()


def test_member_sees_only_suppressed_aggregates_with_charts(browser, demo_server):
    base = demo_server.url
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    _sign_in(page, demo_server, "viewer@coop.example.jp")
    page.wait_for_url(re.compile(r"/o/coop/$"))
    page.get_by_role("link", name="困りごと").first.click()
    page.wait_for_url(re.compile(r"/o/coop/needs/$"))
    table = page.locator("table.heat").inner_text()
    assert "10未満" in table
    shown = [int(n.replace(",", "")) for n in re.findall(r"(?<![\d,])\d[\d,]*(?!\d|未満)", table)]
    assert all(n == 0 or n >= 10 for n in shown), shown  # no figure from 1 to 9 anywhere
    html = page.content()
    assert "配食やサロンの利用者" not in html  # what a report says stays with the secretariat
    page.wait_for_selector("canvas[data-chart='suicide-trend-data'][data-drawn='true']")
    page.wait_for_selector("canvas[data-chart='needs-households-data'][data-drawn='true']")
    page.wait_for_selector("canvas[data-chart='needs-coverage-data'][data-drawn='true']")
    screenshot(page, "needs-dashboard-member")
    assert violations == []
    assert page.goto(base + "/o/coop/needs/reports/").status == 403  # viewers: aggregates only
    context.close()

    checked = browser.new_context(locale="ja-JP", bypass_csp=True)  # only so that axe can be injected
    page = checked.new_page()
    _sign_in(page, demo_server, "viewer@coop.example.jp")
    page.wait_for_url(re.compile(r"/o/coop/$"))
    for path in (
        "/o/coop/needs/",
        "/o/coop/needs/coverage/",
        "/o/coop/needs/issues/",
        "/o/coop/needs/summary/",
    ):
        page.goto(base + path)
        assert not _axe_violations(page), path
    page.emulate_media(media="print")
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1  # the summary for council meetings is one page
    checked.close()


def test_secretariat_raises_a_gap_issue_from_reports(browser, demo_server):
    base = demo_server.url
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    _sign_in_with_totp(page, base, demo_server, "jimukyoku@example.jp")
    page.wait_for_url(re.compile(r"/o/jimukyoku/$"))
    page.goto(base + "/o/jimukyoku/needs/reports/")
    rows = page.locator("tbody tr", has_text="8050")
    rows.nth(0).locator("input[name=reports]").check()
    rows.nth(1).locator("input[name=reports]").check()
    page.get_by_role("button", name="選んだ報告からはざまの課題を提起する").click()
    page.wait_for_url(re.compile(r"/needs/issues/new/\?"))
    assert page.locator("main li", has_text="8050").count() >= 0  # the chosen reports are listed
    page.locator("#id_title").fill("親の年金で暮らす中高年の子への相談窓口")
    page.locator("#id_summary").fill("8050世帯の子が相談先を知らない。地域包括と社協で窓口の案内を検討する。")
    page.get_by_label("社会福祉法人 架空市社会福祉協議会").check()
    page.get_by_role("button", name="提起する").click()
    page.wait_for_url(re.compile(r"/needs/issues/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "親の年金で暮らす中高年の子への相談窓口"
    facts = page.locator("dl.facts").inner_text()
    assert "社会福祉法人 架空市社会福祉協議会" in facts and "2" in facts
    screenshot(page, "needs-gap-issue")
    context.close()
