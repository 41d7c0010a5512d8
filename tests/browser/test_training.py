"""A resident applies for the demo's next つながりサポーター養成講座 on a 360 px phone; the secretariat's staff mark
them attended at the door (on a phone too); the attendee opens their 受講証 through the manage link and joins
the register of つながりサポーター; the secretariat then sees them in the register. axe finds no serious problem
on any of these pages."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_events import _assert_axe_clean, _mail_to, _phone

pytestmark = pytest.mark.browser
WIDTH = 360
NAME, KANA, EMAIL = "試川 はなみずき", "ためしかわ はなみずき", "hanamizuki.browser@example.jp"


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_a_course_attendee_receives_the_certificate_and_joins_the_register(browser, demo_server):
    base = demo_server.url
    context, resident = _phone(browser)
    resident.goto(base + "/events/")
    resident.get_by_role("link", name="つながりサポーター養成講座（第2回）").click()
    assert "個人ワーク" in resident.locator("main").inner_text()  # the curriculum, on the national text
    assert "内閣府「つながりサポーター養成講座」テキスト" in resident.locator("main").inner_text()
    event_pk = re.search(r"/events/(\d+)/", resident.url).group(1)
    _assert_axe_clean(resident)
    resident.get_by_role("link", name="申し込む").click()
    resident.locator("#id_name").fill(NAME)
    resident.locator("#id_kana").fill(KANA)
    resident.locator("#id_email").fill(EMAIL)
    resident.locator("#id_consent").check()
    resident.get_by_role("button", name="申し込む").click()
    resident.wait_for_selector("#registration-status")
    manage_url = resident.url
    assert resident.locator(".check-in-qr svg").count() == 1  # the QR code staff scan at the door
    _fits(resident)
    _assert_axe_clean(resident)
    _mail_to(demo_server, EMAIL, "check-in-")  # the QR code is attached to the confirmation

    staff_context, staff = _phone(browser)
    staff.goto(base + "/accounts/login/")
    staff.get_by_label("メールアドレス").fill("jimukyoku@example.jp")
    staff.get_by_label("パスワード").fill(demo_server.password)
    staff.get_by_role("button", name="ログイン", exact=True).click()
    staff.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    staff.get_by_label(re.compile("コード|Code")).fill(demo_server.totp_code("jimukyoku@example.jp"))
    staff.get_by_role("button", name=re.compile("ログイン|サインイン|Sign In")).click()
    staff.wait_for_url(re.compile(r"/o/jimukyoku/$"))
    # The door list searched by kana (as the search box does; the address carries the query, so no typing
    # races the tap).
    staff.goto(f"{base}/o/jimukyoku/events/{event_pk}/door/?q={KANA}")
    assert staff.locator("#door-list li.door-row").count() == 1
    assert KANA in staff.locator("#door-list li.door-row").inner_text()
    staff.locator("#door-list li.door-row").get_by_role("button", name="受付する").click()
    staff.wait_for_selector("#door-list li.door-row--in")

    resident.goto(manage_url)
    resident.get_by_role("link", name="受講証を開く").click()
    resident.wait_for_selector("#certificate-title")
    assert resident.locator("#certificate-name").inner_text() == NAME
    assert (
        resident.locator("#certificate-issuer").inner_text()
        == "架空市 福祉部 地域福祉課（孤独・孤立対策推進室）"
    )
    assert re.search(r"第TS-\d{4}-\d{4}-\d{5}号", resident.locator(".certificate__number").inner_text())
    _fits(resident)
    _assert_axe_clean(resident)
    screenshot(resident, "training-certificate-360px")
    resident.emulate_media(media="print")
    assert resident.locator(".site-header").is_hidden() and resident.locator("[data-print]").is_hidden()
    resident.emulate_media(media="screen")
    _mail_to(demo_server, EMAIL, "受講証")

    resident.get_by_role("link", name="協力できることを登録する").click()
    assert resident.locator("#id_name").input_value() == NAME  # carried over from the registration
    resident.locator("#id_district").select_option(label="山手地区")
    resident.get_by_label("傾聴", exact=True).check()
    resident.get_by_label("居場所の手伝い", exact=True).check()
    resident.get_by_role("button", name="名簿に登録する").click()  # consent not ticked yet
    assert resident.locator(".field--error").count() >= 2  # consent, and how to contact
    assert resident.get_by_label("傾聴", exact=True).is_checked()  # what was chosen is kept
    _fits(resident)
    _assert_axe_clean(resident)
    resident.locator("input[name=contact_by][value=email]").check()
    resident.locator("#id_kana").fill(KANA)  # the certificate's link carries no contact details over
    resident.locator("#id_email").fill(EMAIL)
    resident.locator("#id_consent").check()
    resident.get_by_role("button", name="名簿に登録する").click()
    resident.wait_for_selector("#supporter-status")
    assert "登録されています" in resident.locator("#supporter-status").inner_text()
    _fits(resident)
    _assert_axe_clean(resident)
    screenshot(resident, "training-supporter-360px")

    staff.goto(f"{base}/o/jimukyoku/supporters/?district=")
    row = staff.locator("#supporter-table tr", has_text=NAME)
    assert "傾聴" in row.inner_text() and "山手地区" in row.inner_text() and EMAIL in row.inner_text()
    assert staff.locator("#district-table").count() == 1
    _assert_axe_clean(staff)
    screenshot(staff, "training-register-360px")
    context.close()
    staff_context.close()
