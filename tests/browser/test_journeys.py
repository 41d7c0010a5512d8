"""Main journeys of the foundation, as a person would do them in a real browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser
AXE = Path(__file__).with_name("axe.min.js")


def _axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in {"serious", "critical"}]


def _sign_in(page, demo_server, email: str) -> None:
    page.goto(demo_server.url + "/")
    page.get_by_role("link", name="ログイン").first.click()
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(demo_server.password)
    page.get_by_role("button", name="ログイン", exact=True).click()


def test_coordinator_signs_in_with_totp_and_reaches_dashboard(page, demo_server):
    _sign_in(page, demo_server, "jimukyoku@example.jp")
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.get_by_label(re.compile("コード|Code")).fill(demo_server.totp_code("jimukyoku@example.jp"))
    page.get_by_role("button", name=re.compile("ログイン|サインイン|Sign In")).click()
    page.wait_for_url(re.compile(r"/o/jimukyoku/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "ダッシュボード"
    assert "架空市 福祉部" in page.locator(".org-nav").inner_text()
    page.get_by_role("link", name="操作記録").first.click()
    page.wait_for_url(re.compile(r"/audit/"))
    assert page.locator("#activity-table tbody tr").count() > 0
    screenshot(page, "coordinator-audit-log")
    assert page.csp_violations == []


def test_wrong_password_keeps_the_email_and_explains(page, demo_server):
    page.goto(demo_server.url + "/accounts/login/")
    page.get_by_label("メールアドレス").fill("viewer@coop.example.jp")
    page.get_by_label("パスワード").fill("not-the-password")
    page.get_by_role("button", name="ログイン", exact=True).click()
    assert page.get_by_label("メールアドレス").input_value() == "viewer@coop.example.jp"
    assert page.locator(".errorlist, .notice--error, [role=alert]").count() > 0


def test_home_page_has_no_serious_accessibility_violations(browser, demo_server):
    context = browser.new_context(locale="ja-JP", bypass_csp=True)  # only so that axe can be injected
    page = context.new_page()
    for path in ["/", "/accounts/login/"]:
        page.goto(demo_server.url + path)
        violations = _axe_violations(page)
        assert violations == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in violations]
    context.close()


def test_home_page_fits_a_360px_phone(browser, demo_server):
    context = browser.new_context(
        locale="ja-JP", viewport={"width": 360, "height": 740}, device_scale_factor=2
    )
    page = context.new_page()
    page.goto(demo_server.url + "/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.get_by_role("link", name="0120-279-338").is_visible()
    screenshot(page, "home-360px")
    context.close()


def _complete_totp(page, demo_server, email: str) -> None:
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.get_by_label(re.compile("コード|Code")).fill(demo_server.totp_code(email))
    page.get_by_role("button", name=re.compile("ログイン|サインイン|Sign In")).click()


def _sign_in_with_totp(page, base: str, demo_server, email: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(demo_server.password)
    page.get_by_role("button", name="ログイン", exact=True).click()
    _complete_totp(page, demo_server, email)


def test_member_adds_a_passkey_and_signs_in_with_it(browser, demo_server):
    # WebAuthn needs a domain name as relying party, so this journey uses localhost, not 127.0.0.1.
    base = demo_server.url.replace("127.0.0.1", "localhost")
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator_id = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )["authenticatorId"]
    email = "staff@shakyo.example.jp"
    _sign_in_with_totp(page, base, demo_server, email)
    page.wait_for_url(re.compile(r"/o/shakyo/$"))

    page.goto(base + "/accounts/2fa/webauthn/add/")
    if "/reauthenticate/" in page.url:  # allauth asks for the password again before adding a key
        page.get_by_label("パスワード").fill(demo_server.password)
        page.get_by_role("button", name="確認する").click()
    page.locator("#id_name").fill("業務用PC")
    page.locator("#id_passwordless").check()
    page.locator("#mfa_webauthn_add").click()
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]
    assert [c["isResidentCredential"] for c in credentials] == [True]

    page.locator(".site-nav form[action='/accounts/logout/'] button").click()
    page.goto(base + "/accounts/login/")
    page.locator("#passkey_login").click()
    page.wait_for_url(re.compile(r"/o/shakyo/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "ダッシュボード"
    context.close()


def test_resident_finds_help_on_a_phone_including_a_crisis_text(browser, demo_server):
    context = browser.new_context(
        locale="ja-JP", viewport={"width": 360, "height": 740}, device_scale_factor=2
    )
    page = context.new_page()
    page.goto(demo_server.url + "/")
    page.locator(".navi-cta").get_by_role("link", name="相談先を探す").click()
    page.wait_for_url(re.compile(r"/navi/$"))
    page.locator("#id_text").fill("誰とも話していない。毎日さびしい")
    page.locator("form.navi-form button[type=submit]").click()
    page.wait_for_selector("#navi-results .service-card")
    assert page.locator(".crisis--urgent").count() == 0
    assert page.locator("#navi-results .chip").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "navigator-360px")

    page.locator("#id_text").fill("もう消えてしまいたい")
    page.locator("form.navi-form button[type=submit]").click()
    page.wait_for_selector("#navi-results .crisis--urgent")
    first_card = page.locator("#navi-results .service-card").first.bounding_box()
    crisis_box = page.locator(".crisis--urgent").bounding_box()
    assert crisis_box["y"] < first_card["y"]  # crisis lines come before any service
    assert page.locator(".crisis--urgent a[href^='tel:']").count() >= 3
    screenshot(page, "navigator-crisis-360px")
    context.close()


def test_member_updates_availability_of_their_service(page, demo_server):
    email = "admin@shakyo.example.jp"
    _sign_in_with_totp(page, demo_server.url, demo_server, email)
    page.wait_for_url(re.compile(r"/o/shakyo/$"))
    page.goto(demo_server.url + "/o/shakyo/directory/?mine=1")
    row = page.locator("#service-table tbody tr").first
    select = row.locator("select[name=availability]")
    select.select_option("waitlist")
    row.locator("button[type=submit]").click()
    page.wait_for_selector("#service-table [role=status]:has-text('待ち')")
    page.reload()
    assert (
        page.locator("#service-table tbody tr").first.locator("select[name=availability]").input_value()
        == "waitlist"
    )
    screenshot(page, "member-availability")
    assert page.csp_violations == []


def test_public_directory_pages_have_no_serious_accessibility_violations(browser, demo_server):
    context = browser.new_context(locale="ja-JP", bypass_csp=True)
    page = context.new_page()
    page.goto(demo_server.url + "/navi/")
    page.locator("#id_text").fill("家賃が払えない")
    page.locator("form.navi-form button[type=submit]").click()
    page.wait_for_selector("#navi-results .service-card")
    violations = _axe_violations(page)
    assert violations == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in violations]
    for path in [
        "/directory/?q=介護",
        page.locator("#navi-results .service-card a").first.get_attribute("href"),
    ]:
        page.goto(demo_server.url + path)
        violations = _axe_violations(page)
        assert violations == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in violations]
    context.close()


def test_secretariat_sees_and_clears_stale_entries(page, demo_server):
    email = "jimukyoku@example.jp"
    _sign_in_with_totp(page, demo_server.url, demo_server, email)
    page.wait_for_url(re.compile(r"/o/jimukyoku/$"))
    page.goto(demo_server.url + "/o/jimukyoku/directory/stale/")
    rows = page.locator("tbody tr")
    before = rows.count()
    assert before >= 3
    screenshot(page, "secretariat-stale")
    rows.first.locator("form button").click()
    page.wait_for_url(re.compile(r"/directory/stale/$"))
    assert page.locator("tbody tr").count() == before - 1


def test_person_with_verbal_consent_is_referred_accepted_and_completed(browser, demo_server):
    base = demo_server.url
    sender = browser.new_context(locale="ja-JP")
    page = sender.new_page()
    _sign_in_with_totp(page, base, demo_server, "staff@shakyo.example.jp")
    page.wait_for_url(re.compile(r"/o/shakyo/$"))
    page.goto(base + "/o/shakyo/people/new/")
    page.locator("#id_name").fill("架空 ぬばたま")
    page.locator("#id_kana").fill("カクウ ヌバタマ")
    page.locator("#id_birth_date").fill("1950-04-01")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/o/shakyo/people/\d+/$"))
    page.get_by_role("link", name="ケースを開始する").click()
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/o/shakyo/cases/\d+/$"))
    case_path = page.url.split("/o/shakyo", 1)[1]

    consent_form = page.locator("form[action$='/consent/']")
    page.get_by_text("同意を記録する", exact=True).first.click()
    consent_form.get_by_label("NPO法人 よりそいネット架空").check()
    consent_form.get_by_label("氏名・連絡先").check()
    consent_form.locator("textarea[name='consent-purpose']").fill("見守りの電話と訪問のため")
    consent_form.locator("select[name='consent-method']").select_option("verbal")
    consent_form.locator("input[name='consent-witness']").fill("架空 次郎")
    consent_form.locator("button[type=submit]").click()
    page.wait_for_selector(".notice--success")

    page.get_by_text("ほかの団体に紹介する（つなぎ）").click()
    refer = page.locator("form[action$='/refer/']")
    refer.locator("select[name='refer-to_org']").select_option(label="NPO法人 よりそいネット架空")
    refer.locator("textarea[name='refer-message']").fill("週に一度、電話で様子を聞いてほしいとのことです。")
    refer.locator("select[name='refer-consent']").select_option(index=1)
    refer.locator("button[type=submit]").click()
    page.wait_for_selector(".notice--success")
    screenshot(page, "case-referred")

    recipient = browser.new_context(locale="ja-JP")
    inbox = recipient.new_page()
    _sign_in_with_totp(inbox, base, demo_server, "admin@yorisoi.example.jp")
    inbox.wait_for_url(re.compile(r"/o/yorisoi/$"))
    inbox.goto(base + "/o/yorisoi/cases/inbox/")
    card = inbox.locator("article.referral").first
    card.get_by_role("button", name="受理する").click()
    inbox.wait_for_selector(".notice--success")
    card = inbox.locator("article.referral").first
    card.locator("select[name=outcome]").select_option("support_started")
    card.get_by_role("button", name="完了する").click()
    inbox.wait_for_selector(".notice--success")
    assert "完了" in inbox.locator("article.referral").first.inner_text()
    assert inbox.goto(base + "/o/yorisoi" + case_path).status == 200

    outsider = browser.new_context(locale="ja-JP")
    other = outsider.new_page()
    _sign_in_with_totp(other, base, demo_server, "staff@coop.example.jp")
    other.wait_for_url(re.compile(r"/o/coop/$"))
    assert other.goto(base + "/o/coop" + case_path).status == 404

    page.goto(base + "/o/shakyo" + case_path)
    page.get_by_role("button", name="撤回を記録する").click()
    page.wait_for_selector(".notice--success")
    assert inbox.goto(base + "/o/yorisoi" + case_path).status == 404  # withdrawal hides the case at once
    for context in (sender, recipient, outsider):
        context.close()


def test_household_is_seen_whole_with_the_trend_chart_and_member_pages_pass_axe(browser, demo_server):
    base = demo_server.url
    context = browser.new_context(locale="ja-JP", bypass_csp=True)  # bypass only so that axe can be injected
    page = context.new_page()
    _sign_in_with_totp(page, base, demo_server, "staff@shakyo.example.jp")
    page.wait_for_url(re.compile(r"/o/shakyo/$"))

    page.goto(base + "/o/shakyo/people/")
    page.get_by_role("link", name="世帯", exact=True).first.click()
    page.get_by_role("link", name="架空家").click()
    page.wait_for_url(re.compile(r"/o/shakyo/people/households/\d+/$"))
    members = page.locator("table").first.inner_text()
    assert "架空 花子" in members and "架空 一郎" in members
    assert not _axe_violations(page), "household page"
    screenshot(page, "household")

    remove = page.get_by_role("button", name=re.compile("架空 一郎さんを世帯から外す"))
    page.once("dialog", lambda dialog: dialog.dismiss())  # asked first: cancelling changes nothing
    remove.click()
    assert "架空 一郎" in page.locator("table").first.inner_text()
    page.once("dialog", lambda dialog: dialog.accept())
    remove.click()
    page.wait_for_selector(".messages")
    assert "架空 一郎" not in page.locator("table").first.inner_text()

    page.locator("main a", has_text=re.compile(r"#\d+")).first.click()
    page.wait_for_url(re.compile(r"/o/shakyo/cases/\d+/$"))
    chart = page.locator("canvas[data-chart='trend-ucla3_ja_national_survey-data']")
    chart.scroll_into_view_if_needed()
    page.wait_for_selector("canvas[data-drawn='true']")
    assert chart.bounding_box()["height"] > 100
    screenshot(page, "case-trend-chart")
    assert not _axe_violations(page), "case page"

    for path in ("/o/shakyo/people/", "/o/shakyo/cases/", "/o/shakyo/cases/inbox/", "/o/shakyo/cases/tasks/"):
        page.goto(base + path)
        assert not _axe_violations(page), path
    context.close()
