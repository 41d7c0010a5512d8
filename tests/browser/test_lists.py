"""The staff lists on a phone: the case list's filters, its count and its pages fit 360 px and 200 % zoom, the
chosen filter stays chosen, and axe finds no serious problem."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_journeys import _axe_violations, _sign_in_with_totp

pytestmark = pytest.mark.browser


def test_a_social_welfare_worker_filters_the_case_list_on_a_phone(browser, demo_server):
    base = demo_server.url
    phone = browser.new_context(
        locale="ja-JP", viewport={"width": 360, "height": 740}, device_scale_factor=2, bypass_csp=True
    )  # bypass only so that axe can be injected
    page = phone.new_page()
    _sign_in_with_totp(page, base, demo_server, "staff@shakyo.example.jp")
    page.goto(base + "/o/shakyo/cases/")

    total = int(re.search(r"\d+", page.get_by_role("status").inner_text()).group())
    rows = page.locator("table tbody tr")
    assert total >= 1 and rows.count() == min(total, 50)

    page.get_by_label("状態").select_option("open")
    page.get_by_role("button", name="表示").click()
    page.wait_for_url(re.compile(r"status=open"))
    assert page.get_by_label("状態").input_value() == "open"  # the choice stays in the form and the URL
    statuses = page.locator("table tbody tr td:nth-child(6)").all_inner_texts()
    filtered = int(re.search(r"\d+", page.get_by_role("status").inner_text()).group())
    assert 1 <= filtered <= total and set(statuses) == {"支援中"}

    for label, width, scale in [("360px", 360, 2), ("200pct-zoom", 180, 4)]:  # 200 % of a 360 px phone
        if scale != 2:
            zoomed = browser.new_context(
                locale="ja-JP", viewport={"width": width, "height": 740}, device_scale_factor=scale,
                bypass_csp=True, storage_state=phone.storage_state(),
            )  # fmt: skip
            page = zoomed.new_page()
            page.goto(base + "/o/shakyo/cases/?status=open")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, label
        screenshot(page, f"case-list-filtered-{label}")
        violations = _axe_violations(page)
        assert violations == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in violations]
