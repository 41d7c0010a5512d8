"""The today view as the secretariat sees it after signing in on a phone: the landing page, urgent things
first, the header's badge, nothing sideways at 360 px or at 200 % zoom, and axe finds no serious problem."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import ARTIFACTS, screenshot
from tests.browser.test_journeys import _axe_violations, _sign_in_with_totp

pytestmark = pytest.mark.browser


def test_the_secretariat_lands_on_its_today_view_on_a_phone(browser, demo_server):
    base = demo_server.url
    phone = browser.new_context(
        locale="ja-JP", viewport={"width": 360, "height": 740}, device_scale_factor=2, bypass_csp=True
    )  # bypass only so that axe can be injected
    page = phone.new_page()
    _sign_in_with_totp(page, base, demo_server, "jimukyoku@example.jp")
    page.wait_for_url(re.compile(r"/o/jimukyoku/$"))  # signing in lands on the today view

    today = page.locator("section.today")
    assert today.get_by_role("heading", name="今日のこと").is_visible()
    labels = today.locator(".today__label").all_inner_texts()
    # Urgent things first, then what waits; each figure is a link to its list.
    assert labels[:4] == [
        "リスク「高」「緊急」の未終結のケース",
        "段階の高い未対応のアラート",
        "危機を示す言葉のある相談の申込み（緊急）",
        "判断を待っているSOS",
    ]
    assert (
        "主担当のいないケース" in labels
        and "回答を待っている紹介" in labels
        and "今日が期限のタスク" in labels
    )
    sos = today.locator(".today__item", has_text="判断を待っているSOS")
    assert sos.get_by_role("link").get_attribute("href") == "/o/jimukyoku/watch/sos/"
    assert int(sos.locator(".today__count").inner_text()) >= 1  # the demo's SOS report waits
    # On a phone the header's menus are folded: the menu button carries the count of what waits.
    toggle = page.locator(".menu-toggle")
    assert toggle.is_visible() and int(toggle.locator(".badge").inner_text()) >= 1
    toggle.click()
    assert page.locator(".site-header").get_by_role("link", name=re.compile("対応待ち")).is_visible()

    for label, width, scale in [("360px", 360, 2), ("200pct-zoom", 180, 4)]:  # 200 % of a 360 px phone
        page.set_viewport_size({"width": width, "height": 740})
        if scale != 2:
            zoomed = browser.new_context(
                locale="ja-JP", viewport={"width": width, "height": 740}, device_scale_factor=scale,
                bypass_csp=True, storage_state=phone.storage_state(),
            )  # fmt: skip
            page = zoomed.new_page()
            page.goto(base + "/o/jimukyoku/")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, label
        screenshot(page, f"today-secretariat-{label}")
        page.locator("section.today").screenshot(
            path=str(ARTIFACTS / f"today-secretariat-{label}-figures.png")
        )
        violations = _axe_violations(page)
        assert violations == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in violations]
