"""A member's LINE page on a 360 px phone, with axe: in the demo LINE is off, and the page says
so (the notifications page links to it)."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_journeys import _axe_violations, _sign_in_with_totp

pytestmark = pytest.mark.browser


def test_the_line_page_says_line_is_off_in_the_demo(browser, demo_server):
    context = browser.new_context(
        locale="ja-JP", viewport={"width": 360, "height": 740}, device_scale_factor=2, bypass_csp=True
    )  # bypass only so that axe can be injected
    page = context.new_page()
    _sign_in_with_totp(page, demo_server.url, demo_server, "staff@shakyo.example.jp")
    page.wait_for_url(re.compile(r"/o/shakyo/"))
    page.goto(demo_server.url + "/notifications/")
    page.get_by_role("link", name="LINEアカウントの連携と、LINEに届くお知らせの設定").click()
    page.wait_for_url(re.compile(r"/line/settings/$"))
    assert page.get_by_role("heading", name="LINE通知").is_visible()
    assert "LINEが設定されていない" in page.locator("main").inner_text()
    assert page.locator("button", has_text="コードを取得").count() == 0  # nothing to link while LINE is off
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    violations = _axe_violations(page)
    assert violations == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in violations]
    screenshot(page, "line-settings-off-360px")
    context.close()
