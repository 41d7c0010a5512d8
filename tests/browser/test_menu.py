"""The header on a phone: the menus fold behind one button so the page starts on the first screen
(a volunteer in their seventies should not scroll past two menus to reach the people they call)."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_journeys import _sign_in_with_totp

pytestmark = pytest.mark.browser


def test_on_a_phone_the_menus_fold_behind_one_button(browser, demo_server):
    context = browser.new_context(
        locale="ja-JP", viewport={"width": 360, "height": 740}, device_scale_factor=2
    )
    page = context.new_page()
    _sign_in_with_totp(page, demo_server.url, demo_server, "supporter@example.jp")
    page.wait_for_url(re.compile(r"/o/shakyo/watch/$"))
    toggle = page.get_by_role("button", name=re.compile("メニュー"))
    assert toggle.is_visible()
    assert not page.locator("#site-nav").is_visible() and not page.locator("#org-menu").is_visible()
    screenshot(page, "menu-folded-360px")
    # The page, not the menus, fills the first screen: the first person's 見守りを記録する button is on it
    # without scrolling (below the header, the organisation's name and the sign-in message).
    record = page.locator(".watch-card").first.get_by_role("link", name="見守りを記録する").bounding_box()
    assert record is not None and record["y"] + record["height"] <= 740
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.get_by_role("link", name="お知らせ").is_visible()
    assert page.locator("#org-menu").get_by_role("link", name="見守り").is_visible()
    screenshot(page, "menu-open-360px")
    context.close()


def test_on_a_wide_screen_the_menus_stay_open(browser, demo_server):
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(demo_server.url + "/")
    assert not page.locator(".menu-toggle").is_visible()
    assert page.locator("#site-nav").is_visible()
    context.close()
