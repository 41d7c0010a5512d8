"""The public shell: strict CSP with no inline script or style, Japanese by default, English on request."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.conftest import client_for

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=\"", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+=\"", re.I)


def _assert_no_inline_code(html: str) -> None:
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html)
    assert not INLINE_STYLE.search(html), INLINE_STYLE.search(html)
    assert not INLINE_HANDLER.search(html), INLINE_HANDLER.search(html)


def test_csp_header_forbids_inline_code(client, db):
    csp = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp


@pytest.mark.parametrize(
    "name",
    ["home", "account_login", "account_reset_password", "about", "membership_apply", "contact", "news_list",
     "public_picture", "events:list", "reachout:check", "reachout:contact", "reachout:status"],
)  # fmt: skip
def test_public_pages_have_no_inline_code(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    _assert_no_inline_code(response.content.decode())


def test_member_pages_have_no_inline_code(world):
    coordinator = world["coordinator"]
    slug = coordinator.organization.slug
    client = client_for(coordinator)
    for url in [
        reverse("orgs:dashboard", args=[slug]),
        reverse("orgs:member_list", args=[slug]),
        reverse("orgs:profile_edit", args=[slug]),
        reverse("orgs:organization_create", args=[slug]),
        reverse("audit:activity_list", args=[slug]),
        reverse("mfa_index"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_no_inline_code(response.content.decode())


def test_home_is_japanese_by_default_with_landmarks(client, db):
    html = client.get("/").content.decode()
    assert '<html lang="ja">' in html
    assert "ひとりぼっち" in html or "孤独" in html
    assert 'href="#main"' in html and '<main id="main"' in html


def test_english_is_available(client, db):
    client.cookies["django_language"] = "en"
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Nobody left alone" in html


def test_home_shows_crisis_lines_with_sources(client, db):
    html = client.get("/").content.decode()
    assert 'href="tel:0120279338"' in html
    assert "2025" in html


def test_dashboard_sends_member_to_their_organisation(world):
    staff = world["staff"]
    response = client_for(staff).get(reverse("dashboard"))
    assert response["Location"] == reverse("orgs:dashboard", args=[staff.organization.slug])


def test_person_in_two_organisations_can_switch(world, org_b):
    from tsunagari.orgs.services import add_membership

    staff = world["staff"]
    add_membership(user=staff.user, organization=org_b, role="volunteer", by=None)
    client = client_for(staff)
    page = client.get(reverse("orgs:dashboard", args=[staff.organization.slug])).content.decode()
    assert 'id="org-switcher-select"' in page and org_b.name in page
    response = client.post(reverse("switch_organization"), {"org": org_b.slug})
    assert response["Location"] == reverse("orgs:dashboard", args=[org_b.slug])
    assert client.get(reverse("dashboard"))["Location"] == reverse("orgs:dashboard", args=[org_b.slug])


def test_switching_to_a_foreign_organisation_goes_nowhere(world, org_b):
    response = client_for(world["staff"]).post(reverse("switch_organization"), {"org": org_b.slug})
    assert response["Location"] == reverse("dashboard")


def test_healthz(client, db):
    from tsunagari.worker.runner import run_due_tasks

    run_due_tasks()  # a worker has been seen
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.json()["status"] == "ok"


def test_every_template_compiles():
    from tsunagari.templatecheck import compile_all_templates

    assert compile_all_templates() == []


@pytest.mark.parametrize(
    "path",
    ["/static/css/app.css", "/static/vendor/htmx/htmx.min.js", "/static/vendor/design-tokens/tokens.css"],
)
def test_vendored_assets_are_served_by_the_app(client, db, path):
    response = client.get(path)
    assert response.status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "a b", "[::1", "x" * 300, "localhost\x00"])
def test_a_bad_host_header_is_a_400_without_an_error_mail(client, db, settings, mailoutbox, host):
    """Scanners send any Host; that is the sender's mistake (400), not a server error to mail the admins."""
    settings.ADMINS = [("", "admin@example.jp")]
    response = client.get("/", HTTP_HOST=host)
    assert response.status_code == 400
    assert mailoutbox == []
