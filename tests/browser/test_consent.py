"""Consent in a real browser: the NPO that received 架空 花子's referral (consent for 氏名・連絡先, 住所 and
状況・困りごと only) opens her page on a phone and can call her; her assessments are not shown to it."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_journeys import _axe_violations, _sign_in_with_totp

pytestmark = pytest.mark.browser


def test_the_npo_sees_the_consented_phone_and_address_and_no_assessment_on_a_phone(browser, demo_server):
    base = demo_server.url
    context = browser.new_context(
        locale="ja-JP", viewport={"width": 360, "height": 740}, device_scale_factor=2, bypass_csp=True
    )  # bypass only so that axe can be injected
    page = context.new_page()
    _sign_in_with_totp(page, base, demo_server, "admin@yorisoi.example.jp")
    page.wait_for_url(re.compile(r"/o/yorisoi/"))

    page.goto(base + "/o/yorisoi/cases/")
    page.get_by_role("link", name=re.compile(r"^\d+$")).first.click()
    page.wait_for_url(re.compile(r"/o/yorisoi/cases/\d+/$"))
    case_page = page.content()
    assert "架空 花子" in case_page and "外出が減り" in case_page  # 氏名 and 状況・困りごと are covered
    shown = page.inner_text("main")
    assert "K6" not in shown and "UCLA" not in shown and "孤独感" not in shown  # 心身の状態 is not covered
    assert "/assessments/" not in case_page
    assert "共有されていません" in page.inner_text("main")
    screenshot(page, "consent-npo-case-360px")

    page.get_by_role("link", name="架空 花子").click()
    page.wait_for_url(re.compile(r"/o/yorisoi/people/\d+/$"))
    phone = page.locator('a[href^="tel:"]', has_text="0857-00-9999")
    assert phone.get_attribute("href") == "tel:0857009999"
    main = page.inner_text("main")
    assert "架空市本町1-2-3" in main
    assert "生年月日" in main  # 氏名・連絡先 covers the date of birth
    assert "ケースを開く" not in main  # the record is the council's, not the NPO's
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "consent-npo-person-360px")
    assert _axe_violations(page) == []
    context.close()
