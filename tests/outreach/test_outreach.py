"""Inquiries to the secretariat (stored encrypted, answered from the today view) and the news."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from tests.cases.test_people import _all_text_in_the_database
from tests.conftest import client_for
from tsunagari.notifications.models import Notification
from tsunagari.outreach.models import Inquiry, NewsItem
from tsunagari.today import today_for


def _figures(membership) -> dict[str, int]:
    with translation.override("en"):
        return {str(f.label): f.count for f in today_for(membership).figures}


FORM = {"name": "架空 問合子", "email": "toiawase@example.jp", "phone": "", "message": "加入の相談をしたい（架空問合子）",
        "consent": "on"}  # fmt: skip


def test_an_inquiry_is_stored_encrypted_and_counted_for_coordinators(world, client):
    assert client.post(reverse("contact"), FORM).status_code == 302
    inquiry = Inquiry.objects.get()
    assert inquiry.message.startswith("加入の相談")
    dump = _all_text_in_the_database()
    for secret in ("架空 問合子", "toiawase@example.jp", "架空問合子"):
        assert secret not in dump, secret
    assert Notification.objects.filter(recipient=world["coordinator"].user).count() == 1
    figures = _figures(world["coordinator"])
    assert figures["Inquiries waiting for an answer"] == 1


def test_an_inquiry_needs_a_way_to_answer(world, client):
    response = client.post(reverse("contact"), {**FORM, "email": "", "phone": ""})
    assert response.status_code == 200 and "notice--error" in response.content.decode()
    assert "加入の相談をしたい" in response.content.decode()
    assert Inquiry.objects.count() == 0


def test_honeypot_and_rate_limit(world, settings):
    client = client_for(None)
    assert client.post(reverse("contact"), {**FORM, "homepage": "x"}).status_code == 302
    assert Inquiry.objects.count() == 0
    settings.TSUNAGARI_PUBLIC_FORMS_PER_MINUTE = 1
    assert client.post(reverse("contact"), FORM).status_code == 429


def test_a_coordinator_marks_an_inquiry_answered_once(world, client):
    client.post(reverse("contact"), FORM)
    inquiry = Inquiry.objects.get()
    coordinator = world["coordinator"]
    url = reverse("outreach:inquiry_detail", args=[coordinator.organization.slug, inquiry.pk])
    staff = client_for(coordinator)
    assert "加入の相談" in staff.get(url).content.decode()
    assert staff.post(url, {"note": "電話で回答済み"}).status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.answered_at is not None and inquiry.answer_note == "電話で回答済み"
    assert "電話で回答済み" not in _all_text_in_the_database()
    assert staff.post(url, {"note": "二度目"}).status_code == 409
    figures = _figures(coordinator)
    assert figures["Inquiries waiting for an answer"] == 0


def test_inquiries_are_404_outside_the_secretariat(world):
    assert client_for(world["admin"]).get(reverse("outreach:inquiry_list", args=["org-a"])).status_code == 404


def test_news_only_published_items_are_public_and_the_home_page_shows_the_latest(world, client):
    published = NewsItem.objects.create(title="シンポジウムのお知らせ", body="本文", is_published=True)
    draft = NewsItem.objects.create(title="下書き", body="本文")
    assert client.get(reverse("news_detail", args=[published.pk])).status_code == 200
    assert client.get(reverse("news_detail", args=[draft.pk])).status_code == 404
    listing = client.get(reverse("news_list")).content.decode()
    assert "シンポジウムのお知らせ" in listing and "下書き" not in listing
    home = client.get(reverse("home")).content.decode()
    assert "シンポジウムのお知らせ" in home and "下書き" not in home


def test_a_coordinator_writes_and_publishes_news(world):
    coordinator = world["coordinator"]
    staff = client_for(coordinator)
    url = reverse("outreach:news_create", args=[coordinator.organization.slug])
    data = {
        "title": "加入団体を募集しています",
        "published_on": "2026-12-01",
        "body": "詳しくは…",
        "is_published": "on",
    }
    assert staff.post(url, data).status_code == 302
    item = NewsItem.objects.get()
    assert (item.title, item.published_on, item.is_published) == (
        data["title"],
        datetime.date(2026, 12, 1),
        True,
    )


@pytest.mark.parametrize("count", [1, 3])
def test_public_news_list_queries_do_not_grow(db, client, django_assert_num_queries, count):
    for i in range(count):
        NewsItem.objects.create(title=f"お知らせ{i}", body="-", is_published=True)
    with django_assert_num_queries(2):  # the count and the page
        assert client.get(reverse("news_list")).status_code == 200
