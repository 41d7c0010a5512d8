"""A resident reaches out on a 360 px phone (issue 14): the self-check from the home page, 「相談したい」, the
reference code and PIN; the secretariat assigns the request from its today view; the resident's status page
then says 担当が決まりました and nothing else. axe on every page the resident sees."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import screenshot
from tests.browser.test_journeys import _axe_violations, _sign_in_with_totp

pytestmark = pytest.mark.browser


def _phone(browser):
    return browser.new_context(
        locale="ja-JP", viewport={"width": 360, "height": 740}, device_scale_factor=2, bypass_csp=True
    )  # bypass only so that axe can be injected


def _clean(page, where: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, where
    violations = _axe_violations(page)
    assert violations == [], (
        where,
        [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in violations],
    )


def test_a_resident_checks_asks_to_be_contacted_and_sees_the_assignment(browser, demo_server):
    base = demo_server.url
    resident = _phone(browser)
    page = resident.new_page()
    page.goto(base + "/")
    page.get_by_role("link", name="セルフチェック").first.click()
    page.wait_for_url(re.compile(r"/check/$"))
    _clean(page, "self-check form")
    groups = page.locator("fieldset.choice-field")
    assert groups.count() == 4
    for i, answer in enumerate(["時々ある", "時々ある", "ほとんどない", "時々ある"]):
        groups.nth(i).get_by_label(answer, exact=True).check()
    page.get_by_label("お住まいの地区（任意）").select_option(label="山手地区")
    page.get_by_role("button", name="結果を見る").click()
    page.wait_for_selector("#result-title")
    assert "あなただけではありません" in page.content()
    assert page.locator(".check-places .service-card").count() >= 4
    _clean(page, "self-check result")
    screenshot(page, "reachout-check-result-360px")

    page.get_by_role("link", name="相談したい").first.click()
    page.wait_for_url(re.compile(r"/soudan/\?from=check"))
    assert page.get_by_label("お住まいの地区（任意）").input_value() != ""  # carried from the self-check
    page.get_by_label("電話", exact=True).check()
    page.get_by_label("電話番号").fill("0857-00-8123")
    page.get_by_label("平日の昼間").check()
    page.get_by_label("お名前またはニックネーム").fill("はるか")
    page.get_by_label("孤独・さびしさ").check()
    page.get_by_label(re.compile("暗号化して保管することに同意します")).check()
    _clean(page, "contact form")
    page.get_by_role("button", name="送信する").click()
    page.wait_for_selector("[data-reference]")
    reference = page.locator("[data-reference]").inner_text().strip()
    pin = page.locator("[data-pin]").inner_text().strip()
    assert re.fullmatch(r"R-[A-Z0-9]{4}-[A-Z0-9]{4}", reference) and re.fullmatch(r"\d{6}", pin)
    _clean(page, "received")
    screenshot(page, "reachout-received-360px")

    secretariat = browser.new_context(locale="ja-JP")
    staff = secretariat.new_page()
    _sign_in_with_totp(staff, base, demo_server, "jimukyoku@example.jp")
    for _ in range(2):  # on a loaded machine the code can roll over between reading and sending it
        try:
            staff.wait_for_url(re.compile(r"/o/jimukyoku/$"), timeout=15000)
            break
        except PlaywrightTimeout:
            staff.get_by_label(re.compile("コード|Code")).fill(demo_server.totp_code("jimukyoku@example.jp"))
            staff.get_by_role("button", name=re.compile("ログイン|サインイン|Sign In")).click()
    staff.wait_for_url(re.compile(r"/o/jimukyoku/$"))
    staff.get_by_role("link", name=re.compile("連絡を待っている住民の方")).click()
    staff.get_by_role("link", name=reference).click()
    assert "はるか" in staff.content() and "0857-00-8123" in staff.content()
    staff.get_by_label("本人に連絡する会員団体").select_option(label="NPO法人 よりそいネット架空")
    staff.get_by_role("button", name="割り当てる").click()
    staff.wait_for_selector("text=割り当てました")
    secretariat.close()

    page.goto(base + "/soudan/status/")
    page.get_by_label("受付番号").fill(reference)
    page.get_by_label("暗証番号（6けた）").fill(pin)
    page.get_by_role("button", name="状況を見る").click()
    status = page.locator(".status-box")
    status.wait_for()
    assert status.inner_text().strip() == "担当が決まりました"
    main = page.locator("main").inner_text()
    assert "はるか" not in main and "0857-00-8123" not in main and "よりそい" not in main
    _clean(page, "status")
    screenshot(page, "reachout-status-360px")
    resident.close()
