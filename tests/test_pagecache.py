"""Public pages kept in memory (tsunagari/pagecache.py, issue 16): a crowd of residents costs one rendering
per process a minute, and nobody is ever shown a page that was not meant for everyone."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.middleware.csrf import _does_token_match
from django.test import Client

from tests.conftest import client_for
from tsunagari import pagecache
from tsunagari.directory.models import Service
from tsunagari.outreach.models import NewsItem
from tsunagari.text.middleware import FURIGANA_COOKIE

pytestmark = pytest.mark.django_db

FORM_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HEADER_TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')


def _news(title: str) -> NewsItem:
    return NewsItem.objects.create(title=title, body="本文", is_published=True)


def _public_service() -> Service:
    return Service.objects.filter(visibility="public").exclude(status__in=["defunct", "inactive"]).first()


def test_a_second_visitor_gets_the_kept_page_without_a_query(django_assert_num_queries):
    _news("第一のお知らせ")
    assert "第一のお知らせ" in Client().get("/").content.decode()
    _news("第二のお知らせ")  # not yet on the kept page: visitors see it within TSUNAGARI_PUBLIC_PAGE_SECONDS
    with django_assert_num_queries(0):
        page = Client().get("/").content.decode()
    assert "第一のお知らせ" in page
    assert "第二のお知らせ" not in page


def test_each_visitor_gets_their_own_csrf_token_and_can_post_with_it():
    Client().get("/navi/")  # keeps the form
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        page = visitor.get("/navi/")
        secret = page.cookies[settings.CSRF_COOKIE_NAME].value
        html = page.content.decode()
        tokens = FORM_TOKEN.findall(html) + HEADER_TOKEN.findall(html)
        assert tokens
        assert all(_does_token_match(token, secret) for token in tokens)
        assert pagecache.TOKEN_MARK.decode() not in html
        answer = visitor.post(
            "/navi/", {"text": "ひとり暮らしで、話し相手がいなくてさびしい", "csrfmiddlewaretoken": tokens[0]}
        )
        assert answer.status_code == 200
        assert "no-store" in answer["Cache-Control"]


def test_what_a_resident_posts_is_never_kept_nor_shown_to_the_next_visitor():
    resident = Client()
    resident.get("/navi/")
    answer = resident.post("/navi/", {"text": "借金の返済に困っている 内緒の話"})
    assert "内緒の話" in answer.content.decode()
    assert "内緒の話" not in Client().get("/navi/").content.decode()
    assert all("内緒" not in repr(key) for key in pagecache._pages)


def test_members_get_fresh_pages(world):
    Client().get("/")
    _news("会員向けに新しいお知らせ")
    member = client_for(world["staff"])
    assert "会員向けに新しいお知らせ" in member.get("/").content.decode()


@pytest.mark.parametrize(
    ("cookie", "header"),
    [
        (settings.SESSION_COOKIE_NAME, {}),  # a visitor with a session (a member, or a pending sign-in)
        ("messages", {}),  # a notice of their own waits to be shown
        (None, {"HTTP_AUTHORIZATION": "Bearer x"}),  # an API client with a token
    ],
)
def test_requests_with_something_of_their_own_are_not_served_kept_pages(cookie, header):
    Client().get("/")
    _news("新しいお知らせ")
    visitor = Client(**header)
    if cookie:
        visitor.cookies[cookie] = "x"
    assert "新しいお知らせ" in visitor.get("/").content.decode()


def test_the_page_is_kept_per_language_and_per_furigana_choice():
    japanese = Client().get("/").content.decode()
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/").content.decode()
    assert 'lang="en"' in english
    assert 'lang="ja"' in japanese
    with_readings = Client()
    with_readings.cookies[FURIGANA_COOKIE] = "1"
    first = with_readings.get("/").content.decode()
    again = with_readings.get("/").content.decode()  # kept with its readings, not given them twice
    assert "<ruby>" in first
    assert first.count("<ruby>") == again.count("<ruby>")
    assert "<ruby>" not in Client().get("/").content.decode()


def test_an_htmx_request_gets_its_own_part_of_the_page():
    whole = Client().get("/directory/?q=相談").content.decode()
    part = Client().get("/directory/?q=相談", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" in whole
    assert "<html" not in part


def test_kept_pages_expire(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: clock[0])
    Client().get("/")
    _news("一分後のお知らせ")
    assert "一分後のお知らせ" not in Client().get("/").content.decode()
    clock[0] += settings.TSUNAGARI_PUBLIC_PAGE_SECONDS + 1
    assert "一分後のお知らせ" in Client().get("/").content.decode()


def test_zero_seconds_keeps_nothing(settings):
    settings.TSUNAGARI_PUBLIC_PAGE_SECONDS = 0
    Client().get("/")
    _news("すぐ見えるお知らせ")
    assert "すぐ見えるお知らせ" in Client().get("/").content.decode()
    assert not pagecache._pages


def test_only_so_many_pages_are_kept(monkeypatch):
    monkeypatch.setattr(pagecache, "MAX_PAGES", 2)
    for words in ("相談", "食事", "仕事"):
        Client().get("/directory/", {"q": words})
    assert len(pagecache._pages) == 2
    assert not any("%E7%9B%B8" in repr(key) or "相談" in repr(key) for key in pagecache._pages)  # oldest gone


def test_only_so_many_bytes_are_kept(monkeypatch):
    monkeypatch.setattr(pagecache, "MAX_BYTES", 1)
    Client().get("/")
    assert not pagecache._pages  # a page over the budget pushes itself out
    monkeypatch.setattr(pagecache, "MAX_BYTES", 10**9)
    Client().get("/")
    Client().get("/about/")
    assert pagecache._bytes == sum(len(page.content) for page in pagecache._pages.values()) > 0
    pagecache.clear()
    assert pagecache._bytes == 0


def test_a_missing_page_is_not_kept_and_a_withdrawn_service_goes_with_the_page():
    assert Client().get("/directory/services/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert not pagecache._pages
    service = _public_service()
    path = f"/directory/services/{service.pk}/"
    assert Client().get(path).status_code == 200
    Service.objects.filter(pk=service.pk).update(visibility="members")
    pagecache.clear()  # as after TSUNAGARI_PUBLIC_PAGE_SECONDS
    assert Client().get(path).status_code == 404


def test_the_hsds_api_is_kept_for_anonymous_readers_only(org_a):
    from tsunagari.directory.services import issue_api_token

    url = "/api/hsds/services?per_page=5"
    anonymous = Client().get(url)
    assert anonymous.status_code == 200
    assert len(pagecache._pages) == 1
    _, token = issue_api_token(organization=org_a, name="住民向けアプリ")
    with_token = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get(url)
    assert with_token.status_code == 200
    assert len(pagecache._pages) == 1  # the token's answer (members-only services too) is not kept
    # nor is the kept answer given to a request with a token: a wrong one is still refused
    assert Client(HTTP_AUTHORIZATION="Bearer wrong").get(url).status_code == 401
