"""A resident reads the site in やさしい日本語 with ふりがな (issue 14) on a 360 px phone: chooses the language in
the header, does the self-check, asks to be contacted, sees the status; the crisis box at 200 % zoom; the
readings stay on across pages until switched off. axe on every page; nothing wider than the screen."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_journeys import _axe_violations

pytestmark = pytest.mark.browser

# The text a person reads, without the readings (what a screen reader announces as the name).
_READ_TEXT = """(selector) => {
  const copy = document.querySelector(selector).cloneNode(true);
  copy.querySelectorAll('rt').forEach((rt) => rt.remove());
  return copy.textContent.replace(/\\s+/g, ' ');
}"""


def _text(page, selector: str = "main") -> str:
    return page.evaluate(_READ_TEXT, selector)


def _readings(page) -> int:
    return page.locator("main ruby rt").count()


def _clean(page, where: str, width: int = 360) -> None:
    fits = page.evaluate("document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth")
    assert fits, where
    violations = _axe_violations(page)
    assert violations == [], (
        where,
        [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in violations],
    )


def test_a_resident_uses_the_site_in_easy_japanese_with_furigana(browser, demo_server):
    base = demo_server.url
    context = browser.new_context(
        locale="ja-JP", viewport={"width": 360, "height": 740}, device_scale_factor=2, bypass_csp=True
    )  # bypass only so that axe can be injected
    page = context.new_page()
    page.goto(base + "/")
    assert _readings(page) == 0  # ordinary Japanese, no readings by default
    page.get_by_role("button", name="やさしい日本語").click()
    page.wait_for_selector("html.furigana")
    assert "今、つらい気持ちのあなたへ" in _text(page)  # やさしい日本語 wording
    assert _readings(page) > 20
    _clean(page, "home")
    screenshot(page, "easy-japanese-home-360px")

    # With readings on, Playwright's own name matching reads the <rt> text too (Chromium's accessibility
    # tree does not: the names are checked in test_the_readings_leave_accessible_names_as_they_were), so
    # the controls are found by their values here.
    page.locator("main a[href='/check/']").first.click()
    page.wait_for_url(re.compile(r"/check/$"))
    assert _readings(page) > 5  # kept across pages
    _clean(page, "self-check form")
    groups = page.locator("fieldset.choice-field")
    for i, value in enumerate(["4", "4", "2", "4"]):
        groups.nth(i).locator(f"input[value='{value}']").check()
    page.locator("#id_district").select_option(label="山手地区")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#result-title")
    assert "あなただけではありません" in _text(page)
    _clean(page, "self-check result")
    screenshot(page, "easy-japanese-check-result-360px")

    page.locator("main a[href^='/soudan/?from=check']").first.click()
    page.wait_for_url(re.compile(r"/soudan/\?from=check"))
    assert "どうやって連絡したらいいですか" in _text(page)
    page.locator("input[name=means][value=phone]").check()
    page.locator("#id_phone").fill("0857-00-8124")
    page.locator("input[name=when][value=weekday_daytime]").check()
    page.locator("#id_name").fill("みなみ")
    page.locator("input[name=categories][value=loneliness]").check()
    page.locator("#id_consent").check()
    _clean(page, "contact form")
    screenshot(page, "easy-japanese-contact-form-360px")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("[data-reference]")
    reference = page.locator("[data-reference]").inner_text().strip()
    pin = page.locator("[data-pin]").inner_text().strip()
    assert re.fullmatch(r"R-[A-Z0-9]{4}-[A-Z0-9]{4}", reference) and re.fullmatch(r"\d{6}", pin)
    assert "申し込みを受け付けました" in _text(page)
    _clean(page, "received")

    page.goto(base + "/soudan/status/")
    page.locator("#id_reference").fill(reference)
    page.locator("#id_pin").fill(pin)
    page.locator("main form button[type=submit]").click()
    page.locator(".status-box").wait_for()
    assert _text(page, ".status-box").strip() == "受け付けました"
    _clean(page, "status")

    page.goto(base + "/events/")
    _clean(page, "events")

    page.locator(".furigana-form button").click()
    page.wait_for_selector("html:not(.furigana)")
    assert _readings(page) == 0
    page.goto(base + "/")
    assert _readings(page) == 0 and "今、つらい気持ちのあなたへ" in _text(page)  # still やさしい日本語
    context.close()


@pytest.mark.parametrize("screen", {"360px": (360, 2), "200pct-phone": (180, 4)})
def test_the_crisis_box_in_easy_japanese_with_furigana_fits_and_reads_well(browser, demo_server, screen):
    width, scale = {"360px": (360, 2), "200pct-phone": (180, 4)}[screen]
    context = browser.new_context(
        locale="ja-JP", viewport={"width": width, "height": 800}, device_scale_factor=scale, bypass_csp=True
    )
    context.add_cookies([{"name": "django_language", "value": "ja-easy", "url": demo_server.url}])
    page = context.new_page()
    page.goto(demo_server.url + "/navi/")
    page.locator("#id_text").fill("もう いきて いたくない。きえたい")
    page.locator("form.navi-form button[type=submit]").click()
    page.wait_for_selector("#navi-results .service-card")
    box = page.locator(".crisis--urgent")
    assert box.get_attribute("data-danger") == "suicide"
    assert box.locator("ruby rt").count() > 3 and box.locator("a[href^='tel:']").count() >= 2
    _clean(page, f"navigator crisis {screen}", width)
    screenshot(page, f"easy-japanese-crisis-{screen}")
    context.close()


def test_the_readings_leave_accessible_names_as_they_were(browser, demo_server):
    """A screen reader announces 「気持ちのチェック」, not 「気持きもちのチェック」: Chromium keeps <rt> out of names."""
    context = browser.new_context(locale="ja-JP")
    context.add_cookies([{"name": "django_language", "value": "ja-easy", "url": demo_server.url}])
    page = context.new_page()
    page.goto(demo_server.url + "/soudan/")
    assert page.locator("main ruby").count() > 10
    tree = context.new_cdp_session(page).send("Accessibility.getFullAXTree")
    names = {
        n.get("name", {}).get("value")
        for n in tree["nodes"]
        if n.get("role", {}).get("value") in ("radio", "checkbox", "button", "link")
    }
    assert {"電話", "孤独・さびしさ", "送る"} <= names
    assert not any(reading in name for name in names if name for reading in ("でんわ", "こどく", "おく"))
    context.close()
