"""An older resident on a phone asks the navigator: fitting services only, five first, 「もっと見る」 works,
nothing overflows at 360 px or at 200 % zoom, and axe finds no serious problem."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_journeys import _axe_violations

pytestmark = pytest.mark.browser
AUDIENCES = Path(__file__).resolve().parents[1] / "directory" / "data" / "service_audiences.csv"
ELDERLY_TEXT = "78歳で一人暮らしです。足が悪くて買い物にも行けず、誰とも話さない日が続いています"


def _not_for_an_older_resident() -> set[str]:
    with AUDIENCES.open(encoding="utf-8", newline="") as fh:
        return {row["name"] for row in csv.DictReader(fh) if row["audience"] in {"infant", "child", "youth"}}


def _ask(page, url: str, text: str) -> None:
    page.goto(url + "/navi/")
    page.locator("#id_text").fill(text)
    page.locator("form.navi-form button[type=submit]").click()
    page.wait_for_selector("#navi-results .service-card")


@pytest.mark.parametrize(
    ("label", "width", "scale"),
    [("360px", 360, 2), ("200pct-zoom", 180, 4)],  # 200 % zoom on a 360 px phone: 180 CSS pixels
)
def test_an_older_resident_on_a_phone_gets_fitting_services(browser, demo_server, label, width, scale):
    context = browser.new_context(
        locale="ja-JP", viewport={"width": width, "height": 740}, device_scale_factor=scale, bypass_csp=True
    )  # bypass only so that axe can be injected
    page = context.new_page()
    _ask(page, demo_server.url, ELDERLY_TEXT)

    first = page.locator("#navi-results .navi-answers > .service-card")
    assert first.count() == 5
    names = [n.strip() for n in page.locator("#navi-results .service-card__name").all_inner_texts()]
    assert not set(names) & _not_for_an_older_resident(), names
    assert any(re.search("話し相手|傾聴|見守り|配食|サロン|高齢者", n) for n in names[:5]), names
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screens = page.evaluate("document.documentElement.scrollHeight") / 740
    screenshot(page, f"navigator-elderly-{label}")

    more = page.locator("details.navi-more")
    assert not more.locator(".service-card").first.is_visible()
    more.locator("summary").click()
    assert more.locator(".service-card").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"navigator-elderly-{label}-more")

    violations = _axe_violations(page)
    assert violations == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in violations]
    if width == 360:
        assert screens < 6, f"the answers run to {screens:.1f} phone screens"
    context.close()
