"""A resident registers for the demo's サロン on a 360 px phone (the last seat), a second resident then joins
the waiting list; the first cancels through the manage link, and the second is promoted and told by
e-mail (the demo server prints e-mails to its log). axe finds no serious problem on the public pages."""

from __future__ import annotations

import time

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_journeys import _axe_violations

pytestmark = pytest.mark.browser
WIDTH = 360


def _phone(browser):
    context = browser.new_context(
        locale="ja-JP", viewport={"width": WIDTH, "height": 740}, device_scale_factor=2, bypass_csp=True
    )  # bypass only so that axe can be injected
    return context, context.new_page()


def _assert_axe_clean(page) -> None:
    violations = _axe_violations(page)
    assert violations == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in violations]


def _register(page, base: str, *, name: str, kana: str, email: str) -> None:
    page.goto(base + "/events/")
    page.get_by_role("link", name="ふれあいサロン みなとまち").click()
    page.get_by_role("link", name="申し込む").click()
    page.locator("#id_name").fill(name)
    page.locator("#id_kana").fill(kana)
    page.locator("#id_email").fill(email)
    page.locator("#id_consent").check()
    page.get_by_role("button", name="申し込む").click()
    page.wait_for_selector("#registration-status")


def _mail_to(demo_server, address: str, text: str, timeout: float = 30) -> None:
    """Wait for an e-mail to ``address`` containing ``text`` in the demo server's log (console backend)."""
    log = demo_server.data_dir / "server.log"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in log.read_text(errors="replace").split("\n-------"):
            if f"To: {address}" in message and text in message:
                return
        time.sleep(0.5)
    raise AssertionError(f"no e-mail to {address} with {text!r}")


def test_a_resident_cancels_and_the_first_waiting_person_is_promoted(browser, demo_server):
    base = demo_server.url
    first_context, first = _phone(browser)
    first.goto(base + "/events/")
    assert first.evaluate("document.documentElement.scrollWidth") <= WIDTH
    _assert_axe_clean(first)
    first.get_by_role("link", name="ふれあいサロン みなとまち").click()
    _assert_axe_clean(first)
    first.get_by_role("link", name="申し込む").click()
    # A mistake first: the form says what is wrong and keeps what was typed.
    first.locator("#id_name").fill("架空 花子")
    first.locator("#id_kana").fill("Hanako")
    first.get_by_role("button", name="申し込む").click()
    assert first.locator(".field--error").count() >= 2
    assert first.locator("#id_name").input_value() == "架空 花子"
    assert first.evaluate("document.documentElement.scrollWidth") <= WIDTH
    _assert_axe_clean(first)
    screenshot(first, "events-register-errors-360px")

    _register(first, base, name="架空 花子", kana="かくう はなこ", email="hanako.browser@example.jp")
    assert "お申込みは確定しています" in first.locator("#registration-status").inner_text()
    _assert_axe_clean(first)
    screenshot(first, "events-registered-360px")
    _mail_to(demo_server, "hanako.browser@example.jp", "参加が確定しました")

    second_context, second = _phone(browser)
    _register(second, base, name="仮野 太郎", kana="かりの たろう", email="taro.browser@example.jp")
    assert "キャンセル待ち" in second.locator("#registration-status").inner_text()
    waiting_url = second.url

    first.once("dialog", lambda dialog: dialog.accept())  # 「このお申込みを取り消しますか？」
    first.get_by_role("button", name="お申込みを取り消す").click()
    first.wait_for_selector("#registration-status:has-text('取り消されています')")

    second.goto(waiting_url)
    assert "お申込みは確定しています" in second.locator("#registration-status").inner_text()
    _mail_to(demo_server, "taro.browser@example.jp", "お席をご用意できました")
    screenshot(second, "events-promoted-360px")
    first_context.close()
    second_context.close()


def test_staff_check_people_in_on_a_tablet(browser, demo_server):
    import re

    from tests.browser.test_journeys import _sign_in

    context = browser.new_context(
        locale="ja-JP", viewport={"width": 768, "height": 1024}, bypass_csp=True
    )  # a tablet; bypass only so that axe can be injected
    page = context.new_page()
    _sign_in(page, demo_server, "jimukyoku@example.jp")
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.get_by_label(re.compile("コード|Code")).fill(demo_server.totp_code("jimukyoku@example.jp"))
    page.get_by_role("button", name=re.compile("ログイン|サインイン|Sign In")).click()
    page.wait_for_url(re.compile(r"/o/jimukyoku/$"))
    page.goto(demo_server.url + "/o/jimukyoku/events/")
    page.get_by_role("link", name="受付").first.click()
    page.wait_for_selector("#door-list")
    page.locator("#door-q").fill("みほん はなこ")
    page.wait_for_function(
        "[...document.querySelectorAll('#door-list li.door-row')].every(li => li.innerText.includes('みほん はなこ'))"
        " && document.querySelectorAll('#door-list li.door-row').length < 10"
    )
    row = page.locator("#door-list li.door-row").first
    assert "見本 花子" in row.inner_text()
    row.get_by_role("button", name="受付する").click()
    page.wait_for_selector("#door-list li.door-row--in")
    assert "受付済み" in page.locator("#door-list li.door-row--in").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    _assert_axe_clean(page)
    screenshot(page, "events-door-tablet")
    context.close()
