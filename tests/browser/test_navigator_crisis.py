"""The crisis box as a person in danger sees it: on a 360 px phone, at 200 % zoom, in English, and for
violence at home (110 and the DV lines first); accessible, and nothing wider than the screen."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS, screenshot
from tests.browser.test_journeys import _axe_violations

pytestmark = pytest.mark.browser

# (CSS width, device pixels per CSS pixel): a 360 px phone; 200 % zoom on that phone's width (the
# page is laid out in 180 CSS px); 200 % zoom in a 1280 px desktop window.
SCREENS = {"360px": (360, 2), "200pct-phone": (180, 4), "200pct-desktop": (640, 2)}


def _ask(browser, demo_server, text: str, width: int, scale: int):
    context = browser.new_context(
        locale="ja-JP", viewport={"width": width, "height": 800}, device_scale_factor=scale
    )
    page = context.new_page()
    page.goto(demo_server.url + "/navi/")
    page.locator("#id_text").fill(text)
    page.locator("form.navi-form button[type=submit]").click()
    page.wait_for_selector("#navi-results .service-card")
    return context, page


def _fits(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth")


@pytest.mark.parametrize("screen", SCREENS)
def test_english_crisis_text_gets_kind_words_phones_and_chat_first(browser, demo_server, screen):
    width, scale = SCREENS[screen]
    context, page = _ask(
        browser, demo_server, "I just want to disappear. Nobody would even notice.", width, scale
    )
    box = page.locator(".crisis--urgent")
    assert box.get_attribute("data-danger") == "suicide"
    assert box.bounding_box()["y"] < page.locator("#navi-results .service-card").first.bounding_box()["y"]
    assert box.locator("h2").inner_text().startswith("ひとりで")
    assert box.locator("a[href^='tel:0120']").count() >= 2
    assert box.locator("a[href='https://talkme.jp/']").count() == 1
    assert box.locator(".hotline__source").count() == 0
    assert box.get_by_role("link", name="この窓口について").count() == 1
    assert _fits(page), screen
    screenshot(page, f"navigator-crisis-en-{screen}")
    box.screenshot(path=str(ARTIFACTS / f"crisis-box-en-{screen}.png"))
    context.close()


@pytest.mark.parametrize("screen", SCREENS)
def test_violence_at_home_gets_110_and_the_dv_lines_first(browser, demo_server, screen):
    width, scale = SCREENS[screen]
    context, page = _ask(
        browser, demo_server, "夫にたたかれて顔があざだらけ。子どもを連れて逃げたい", width, scale
    )
    box = page.locator(".crisis--urgent")
    assert box.get_attribute("data-danger") == "violence"
    numbers = box.locator("a.hotline__number").all_inner_texts()
    assert numbers[:2] == ["110", "0120-279-889"]
    assert "#8008" in numbers
    assert _fits(page), screen
    screenshot(page, f"navigator-violence-{screen}")
    box.screenshot(path=str(ARTIFACTS / f"crisis-box-violence-{screen}.png"))
    context.close()


def test_crisis_box_and_sources_page_have_no_serious_accessibility_violations(browser, demo_server):
    context = browser.new_context(locale="ja-JP", bypass_csp=True)  # only so that axe can be injected
    page = context.new_page()
    for n, text in enumerate(
        [
            "I want to end my life tonight",
            "元夫が家の前で待ち伏せしていて怖い",
            "薬を一箱ぜんぶ飲んでしまった",
        ]
    ):
        page.goto(demo_server.url + "/navi/")
        page.locator("#id_text").fill(text)
        page.locator("form.navi-form button[type=submit]").click()
        page.wait_for_selector("#navi-results .crisis--urgent")
        page.locator(".crisis--urgent").screenshot(path=str(ARTIFACTS / f"crisis-box-axe-{n}.png"))
        violations = _axe_violations(page)
        assert violations == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in violations]
    page.get_by_role("link", name="この窓口について").click()
    page.wait_for_url("**/navi/sources/")
    violations = _axe_violations(page)
    assert violations == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in violations]
    screenshot(page, "navigator-hotline-sources")
    context.close()
