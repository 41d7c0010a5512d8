"""A 支援会議 from convening to follow-through, in a real browser (issue 12).

社協 opens a case for 架空家 (a household case nobody else sees) and tells the secretariat its number. The
coordinator convenes a 支援会議 with 社協, the NPO and the hospital (not the co-op), puts the case on the agenda
for 氏名・連絡先 and 状況, and releases the material. 社協's worker, on a 360 px phone, confirms the duty of
confidentiality and reads the item. The coordinator writes the minutes and gives the NPO an action; the NPO's
member sees the task in its list and, once confirmed, the material. The hospital sees the case while the
sharing period runs; when it has passed (the test moves the end of the hospital's basis to yesterday, as 30
days would) the hospital gets 404 for the case and the material, while the NPO, which has an action, keeps it.
The meeting pages pass axe, and fit 360 px and 200 % zoom."""

from __future__ import annotations

import re
import sqlite3
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.conftest import screenshot
from tests.browser.test_journeys import _axe_violations, _sign_in_with_totp

pytestmark = pytest.mark.browser


def _context(browser, *, width=1280, scale=1):
    # bypass_csp only so that axe can be injected
    return browser.new_context(
        locale="ja-JP", viewport={"width": width, "height": 900}, device_scale_factor=scale, bypass_csp=True
    )


def test_support_meeting_from_convening_to_the_end_of_sharing(browser, demo_server):
    base = demo_server.url

    # 社協 opens a case for 架空家.
    shakyo_context = _context(browser, width=360, scale=2)
    shakyo = shakyo_context.new_page()
    _sign_in_with_totp(shakyo, base, demo_server, "staff@shakyo.example.jp")
    shakyo.wait_for_url(re.compile(r"/o/shakyo/"))
    shakyo.goto(base + "/o/shakyo/people/households/")
    shakyo.get_by_role("link", name="架空家").first.click()
    shakyo.get_by_role("link", name="世帯のケースを開始する").click()
    shakyo.locator("form.form button[type=submit]").click()
    shakyo.wait_for_url(re.compile(r"/o/shakyo/cases/\d+/$"))
    case_number = shakyo.url.rstrip("/").rsplit("/", 1)[1]

    # The coordinator convenes the 支援会議.
    coordinator_context = _context(browser)
    page = coordinator_context.new_page()
    _sign_in_with_totp(page, base, demo_server, "jimukyoku@example.jp")
    page.wait_for_url(re.compile(r"/o/jimukyoku/"))
    page.goto(base + "/o/jimukyoku/meetings/")
    page.get_by_role("link", name="会議を招集する").click()
    start = timezone.localtime() + timedelta(days=2)
    page.get_by_label("会議の種類").select_option("support_meeting")
    page.get_by_label("題名").fill("第2回 支援会議（中央地区）")
    page.get_by_label("開始日時").fill(f"{start:%Y-%m-%dT14:00}")
    page.get_by_label("終了日時").fill(f"{start:%Y-%m-%dT15:00}")
    page.get_by_label("場所", exact=True).fill("架空市役所 第2会議室")
    page.get_by_label("議長").select_option(index=1)
    page.get_by_label("記録者").select_option(index=1)
    assert not _axe_violations(page), "meeting form"
    page.get_by_role("button", name="会議を作成する").click()
    page.wait_for_url(re.compile(r"/o/jimukyoku/meetings/\d+/$"))
    meeting_url = page.url
    meeting_id = meeting_url.rstrip("/").rsplit("/", 1)[1]

    invite = page.locator("form[action$='/invite/']")
    for name in (
        "社会福祉法人 架空市社会福祉協議会",
        "NPO法人 よりそいネット架空",
        "地方独立行政法人 架空市民病院",
    ):
        invite.get_by_label(name).check()
    invite.get_by_role("button", name="招集する").click()
    page.wait_for_selector(".notice--success")
    invite = page.locator("form[action$='/invite/']")
    for name in ("高橋 美咲", "田中 誠", "加藤 由美"):
        invite.get_by_label(re.compile(name)).check()
    invite.get_by_role("button", name="招集する").click()
    page.wait_for_selector(".notice--success")
    invited = page.locator("dl.facts").inner_text()
    assert "よりそいネット" in invited and "コープかくう" not in invited

    add = page.locator("form[action$='/items/case/']")
    add.get_by_label("ケースの出どころ").select_option("proposed")
    add.get_by_label("ケース番号").fill(case_number)
    add.get_by_label("氏名・連絡先").check()
    add.get_by_label("状況・困りごと").check()
    add.get_by_role("button", name="ケースを加える").click()
    page.wait_for_selector(".notice--success")
    page.get_by_role("button", name="資料を公開する").click()
    page.wait_for_selector(".notice--success")
    assert not _axe_violations(page), "meeting page (secretariat)"

    # 社協's worker, on a phone: the material is 404 until the duty is confirmed.
    shakyo.goto(f"{base}/o/shakyo/meetings/{meeting_id}/")
    assert "守秘義務" in shakyo.locator("main").inner_text()
    assert shakyo.get_by_role("link", name=re.compile("資料と議事録")).count() == 0
    assert not _axe_violations(shakyo), "meeting page (before confirming)"
    shakyo.get_by_role("button", name="守秘義務を確認しました").click()
    shakyo.wait_for_selector(".notice--success")
    shakyo.get_by_role("link", name=re.compile("資料と議事録")).click()
    shakyo.wait_for_url(re.compile(r"/items/\d+/$"))
    item_path = shakyo.url.split(f"/o/shakyo/meetings/{meeting_id}/", 1)[1]
    main = shakyo.locator("main").inner_text()
    assert "架空 花子" in main and "回収" in main
    assert shakyo.evaluate("document.documentElement.scrollWidth") <= 360
    watermark = shakyo.locator(".print-watermark")
    assert not watermark.is_visible()  # on screen: no watermark
    shakyo.emulate_media(media="print")
    assert watermark.is_visible() and "高橋 美咲" in watermark.inner_text()
    assert shakyo.locator(".material-notice").is_visible()
    shakyo.emulate_media(media="screen")
    assert not _axe_violations(shakyo), "item page"
    screenshot(shakyo, "meeting-item-360px")

    # The minutes give the NPO an action.
    page.goto(meeting_url)
    page.get_by_role("button", name="守秘義務を確認しました").click()
    page.goto(f"{meeting_url}{item_path}")
    minutes = page.locator("form[action$='/minutes/']")
    minutes.get_by_label("協議の要旨").fill("世帯の状況を共有した。")
    minutes.get_by_label("決定した支援方針").fill("NPOが訪問し、社協が主担当を続ける。")
    minutes.get_by_label("主担当の団体").select_option(label="社会福祉法人 架空市社会福祉協議会")
    minutes.get_by_role("button", name="議事録を保存する").click()
    page.wait_for_selector(".notice--success")
    action = page.locator("form[action$='/actions/']")
    action.locator("select[name='action-organization']").select_option(label="NPO法人 よりそいネット架空")
    action.locator("input[name='action-what']").fill("月1回の訪問")
    action.locator("input[name='action-due_on']").fill(
        f"{timezone.localdate() + timedelta(days=30):%Y-%m-%d}"
    )
    action.get_by_role("button", name="役割分担を追加する").click()
    page.wait_for_selector(".notice--success")
    assert "月1回の訪問" in page.locator("main").inner_text()

    # The NPO sees the task and, once confirmed, the material.
    npo_context = _context(browser)
    npo = npo_context.new_page()
    _sign_in_with_totp(npo, base, demo_server, "admin@yorisoi.example.jp")
    npo.wait_for_url(re.compile(r"/o/yorisoi/"))
    npo.goto(base + "/o/yorisoi/cases/tasks/")
    assert "月1回の訪問" in npo.locator("main").inner_text()
    npo.goto(f"{base}/o/yorisoi/meetings/{meeting_id}/")
    npo.get_by_role("button", name="守秘義務を確認しました").click()
    npo.wait_for_selector(".notice--success")
    npo.goto(f"{base}/o/yorisoi/meetings/{meeting_id}/{item_path}")
    assert "架空 花子" in npo.locator("main").inner_text()

    # The hospital sees the case during the sharing period, not after it; the co-op never.
    hospital_context = _context(browser)
    hospital = hospital_context.new_page()
    _sign_in_with_totp(hospital, base, demo_server, "msw@chuo-hospital.example.jp")
    hospital.wait_for_url(re.compile(r"/o/chuo-hospital/"))
    response = hospital.goto(f"{base}/o/chuo-hospital/cases/{case_number}/")
    assert response is not None and response.status == 200
    with sqlite3.connect(demo_server.data_dir / "tsunagari.sqlite3") as db:
        hospital_id = db.execute("SELECT id FROM orgs_organization WHERE slug = 'chuo-hospital'").fetchone()[
            0
        ]
        db.execute(
            "UPDATE cases_sharingbasis SET ends_on = date('now', '-1 day') WHERE case_id = ? AND organization_id = ?",
            [int(case_number), hospital_id],
        )
    response = hospital.goto(f"{base}/o/chuo-hospital/cases/{case_number}/")
    assert response is not None and response.status == 404
    hospital.goto(f"{base}/o/chuo-hospital/meetings/{meeting_id}/")
    hospital.get_by_role("button", name="守秘義務を確認しました").click()
    response = hospital.goto(f"{base}/o/chuo-hospital/meetings/{meeting_id}/{item_path}")
    assert response is not None and response.status == 404
    response = npo.goto(f"{base}/o/yorisoi/cases/{case_number}/")
    assert response is not None and response.status == 200

    coop_context = _context(browser)
    coop = coop_context.new_page()
    _sign_in_with_totp(coop, base, demo_server, "staff@coop.example.jp")
    coop.wait_for_url(re.compile(r"/o/coop/"))
    response = coop.goto(f"{base}/o/coop/meetings/{meeting_id}/")
    assert response is not None and response.status == 404

    # The meeting page at 200 % zoom on a phone.
    zoomed = browser.new_context(
        locale="ja-JP", viewport={"width": 180, "height": 400}, device_scale_factor=4
    )
    zoom = zoomed.new_page()
    _sign_in_with_totp(zoom, base, demo_server, "staff@shakyo.example.jp")
    zoom.goto(f"{base}/o/shakyo/meetings/{meeting_id}/")
    assert zoom.evaluate("document.documentElement.scrollWidth") <= 180
    screenshot(zoom, "meeting-200pct-zoom")
    for context in (shakyo_context, coordinator_context, npo_context, hospital_context, coop_context, zoomed):
        context.close()
