"""One referral followed from end to end in a real browser, as the two people who hand a resident over.

社協 registers a person with a phone number and an address, records a K6 and a consent for 氏名・連絡先 and
住所 only, and refers her to the NPO. The NPO's member, on a phone, is told (the menu's badge, a
notification whose e-mail went out), opens the inbox from the notification, accepts, calls her from her
page (her K6 is not shown: consent does not cover 心身の状態), and completes the referral. 社協's member
is then told both answers, and the case page shows the referral completed."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_journeys import _sign_in_with_totp

pytestmark = pytest.mark.browser

PHONE = "0857-11-2468"
ADDRESS = "架空市川端4-5-6"


def _wait_for_sent_email(page, notification) -> None:
    """The embedded worker sends the e-mail a moment after the notification is written."""
    for _ in range(30):
        if "メール送信済み" in notification.inner_text():
            return
        page.wait_for_timeout(1000)
        page.reload()
    raise AssertionError(f"the e-mail was not sent: {notification.inner_text()}")


def test_a_referral_reaches_the_npo_which_calls_the_person_and_the_sender_is_told(browser, demo_server):
    base = demo_server.url
    sender = browser.new_context(locale="ja-JP")
    page = sender.new_page()
    _sign_in_with_totp(page, base, demo_server, "staff@shakyo.example.jp")
    page.wait_for_url(re.compile(r"/o/shakyo/"))

    page.goto(base + "/o/shakyo/people/new/")
    page.locator("#id_name").fill("架空 あさぎり")
    page.locator("#id_kana").fill("カクウ アサギリ")
    page.locator("#id_phone").fill(PHONE)
    page.locator("#id_address").fill(ADDRESS)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/o/shakyo/people/\d+/$"))
    page.get_by_role("link", name="ケースを開始する").click()
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/o/shakyo/cases/\d+/$"))
    case_number = page.url.rstrip("/").rsplit("/", 1)[1]

    k6 = page.locator("form[action$='/assessments/k6_ja/']")
    k6.locator("xpath=ancestor::details").locator("summary").click()
    names = k6.locator("input[type=radio]").evaluate_all("inputs => [...new Set(inputs.map(i => i.name))]")
    assert len(names) == 6
    for name in names:
        k6.locator(f"input[name='{name}']").nth(2).check()
    k6.locator("button[type=submit]").click()
    page.wait_for_selector(".notice--success")
    assert "K6" in page.inner_text("main")

    consent = page.locator("form[action$='/consent/']")
    page.get_by_text("同意を記録する", exact=True).first.click()
    consent.get_by_label("NPO法人 よりそいネット架空").check()
    consent.get_by_label("氏名・連絡先").check()
    consent.get_by_label("住所").check()
    consent.locator("textarea[name='consent-purpose']").fill("見守りの電話と訪問のため")
    consent.locator("select[name='consent-method']").select_option("verbal")
    consent.locator("input[name='consent-witness']").fill("架空 次郎")
    consent.locator("button[type=submit]").click()
    page.wait_for_selector(".notice--success")

    page.get_by_text("ほかの団体に紹介する（つなぎ）").click()
    refer = page.locator("form[action$='/refer/']")
    refer.locator("select[name='refer-to_org']").select_option(label="NPO法人 よりそいネット架空")
    refer.locator("textarea[name='refer-message']").fill("あさぎりさん：週に一度、電話で様子を聞いてほしい。")
    refer.locator("select[name='refer-consent']").select_option(index=1)
    refer.locator("button[type=submit]").click()
    page.wait_for_selector(".notice--success")

    # The NPO's member, on a phone: the menu button carries the count of what waits.
    recipient = browser.new_context(
        locale="ja-JP", viewport={"width": 360, "height": 740}, device_scale_factor=2
    )
    phone = recipient.new_page()
    _sign_in_with_totp(phone, base, demo_server, "admin@yorisoi.example.jp")
    phone.wait_for_url(re.compile(r"/o/yorisoi/"))
    menu = phone.locator("button.menu-toggle")
    assert int(menu.locator(".badge").inner_text()) >= 1
    phone.goto(base + "/notifications/")
    arrived = (
        phone.locator("li.notification", has_text="社会福祉協議会")
        .filter(has_text="紹介が1件届きました")
        .first
    )
    _wait_for_sent_email(phone, arrived)
    assert "メール送信済み" in arrived.inner_text()
    assert "あさぎり" not in arrived.inner_text()  # no personal details in what is sent
    screenshot(phone, "handoff-npo-notification-360px")
    arrived.get_by_role("button").click()
    phone.wait_for_url(re.compile(r"/o/yorisoi/cases/inbox/$"))

    card = phone.locator("article.referral", has_text="あさぎりさん")
    card.get_by_role("button", name="受理する").click()
    phone.wait_for_selector(".notice--success")

    phone.goto(f"{base}/o/yorisoi/cases/{case_number}/")
    shown = phone.inner_text("main")
    assert "K6" not in shown and "/assessments/" not in phone.content()
    phone.get_by_role("link", name="架空 あさぎり").click()
    phone.wait_for_url(re.compile(r"/o/yorisoi/people/\d+/$"))
    call = phone.locator('a[href^="tel:"]', has_text=PHONE)
    assert call.get_attribute("href") == "tel:" + PHONE.replace("-", "")
    assert ADDRESS in phone.inner_text("main")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "handoff-npo-person-360px")

    phone.goto(base + "/o/yorisoi/cases/inbox/")
    card = phone.locator("article.referral", has_text="あさぎりさん")
    card.locator("select[name=outcome]").select_option("support_started")
    card.get_by_role("button", name="完了する").click()
    phone.wait_for_selector(".notice--success")

    # 社協's member is told both answers, each with its e-mail, and the case shows the referral completed.
    page.goto(base + "/notifications/")
    accepted = (
        page.locator("li.notification", has_text="よりそいネット架空").filter(has_text="を受理しました").first
    )
    completed = (
        page.locator("li.notification", has_text="よりそいネット架空").filter(has_text="を完了しました").first
    )
    assert "支援" in completed.inner_text()  # the outcome is in the words
    _wait_for_sent_email(page, completed)
    assert "メール送信済み" in accepted.inner_text()
    page.goto(f"{base}/o/shakyo/cases/{case_number}/")
    assert "完了" in page.locator("main").inner_text()
    for context in (sender, recipient):
        context.close()
