"""The platform's public face on a 360 px phone (axe on every public page), and the joining journey: an
organisation applies, the secretariat's coordinator approves, the invitation e-mail goes out, and its
contact accepts it through the existing invitation flow."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_journeys import _axe_violations, _sign_in_with_totp

pytestmark = pytest.mark.browser
PUBLIC_PAGES = ["/about/", "/about/join/", "/about/members/yorisoi/", "/contact/", "/news/", "/picture/"]


def _phone(browser):
    return browser.new_context(
        locale="ja-JP", viewport={"width": 360, "height": 740}, device_scale_factor=2, bypass_csp=True
    )  # bypass only so that axe can be injected


def test_public_pages_fit_a_phone_and_pass_axe(browser, demo_server):
    context = _phone(browser)
    page = context.new_page()
    page.goto(demo_server.url + "/news/")
    page.locator(".news-list a").first.click()
    pages = [*PUBLIC_PAGES, page.url.removeprefix(demo_server.url)]
    for path in pages:
        response = page.goto(demo_server.url + path)
        assert response is not None and response.status == 200, path
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
        violations = _axe_violations(page)
        assert violations == [], (
            path,
            [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in violations],
        )
    page.goto(demo_server.url + "/picture/")
    assert page.locator("canvas#suicide-trend").count() == 1
    assert "秘匿" in page.content() or "未満" in page.content()  # the released snapshot, as members see it
    screenshot(page, "public-picture-360px")
    context.close()


def test_an_organisation_applies_is_approved_and_its_admin_accepts_the_invitation(browser, demo_server):
    base = demo_server.url
    applicant = _phone(browser)
    page = applicant.new_page()
    page.goto(base + "/about/")
    page.get_by_role("link", name="加入を申し込む").click()
    page.locator("#id_organization_name").fill("NPO法人 つむぎ")
    page.locator("#id_kind").select_option("npo")
    page.locator("#id_contact_name").fill("架空 紡")
    page.locator("#id_email").fill("tsumugi@example.jp")
    page.locator("#id_offer").fill("不登校の子と親の居場所を週2回開いています。")
    page.locator("#id_consent").check()
    violations = _axe_violations(page)
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
    page.get_by_role("button", name="申し込む").click()
    page.wait_for_url(re.compile(r"/about/$"))
    assert "お申込みを受け付け" in page.content()
    screenshot(page, "membership-applied-360px")
    applicant.close()

    secretariat = browser.new_context(locale="ja-JP")
    page = secretariat.new_page()
    _sign_in_with_totp(page, base, demo_server, "jimukyoku@example.jp")
    page.wait_for_url(re.compile(r"/o/jimukyoku/$"))
    page.get_by_role("link", name=re.compile("審査待ちの加入申込")).click()
    page.get_by_role("link", name="NPO法人 つむぎ").click()
    assert "架空 紡" in page.content()
    page.get_by_label("アドレス用の短い名前").fill("tsumugi")
    page.get_by_role("button", name="承認して招待").click()
    page.wait_for_selector("text=担当者を管理者として招待しました")
    secretariat.close()

    log = demo_server.data_dir / "server.log"
    link = None
    for _ in range(20):  # the console e-mail is written once the approval has committed
        found = re.findall(r"http://\S+/invitations/\S+/", log.read_text(errors="replace"))
        if found:
            link = found[-1]
            break
        page.wait_for_timeout(500)
    assert link is not None, "no invitation e-mail"

    invited = browser.new_context(locale="ja-JP")
    page = invited.new_page()
    page.goto(link.replace("http://testserver", base))
    assert "NPO法人 つむぎ" in page.content()
    page.locator("#id_display_name").fill("架空 紡")
    page.locator("#id_password1").fill("tsumugi-admin-2026!")
    page.locator("#id_password2").fill("tsumugi-admin-2026!")
    page.get_by_role("button", name=re.compile("アカウントを作成")).click()
    page.wait_for_url(re.compile(r"/(o/tsumugi|accounts/2fa)"))  # admins set up a second factor next
    invited.close()
