"""Result cards a person can act on: every schedule, today's hours, their own words, five first."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from tsunagari.directory.cards import one_line
from tsunagari.directory.models import Schedule, Service
from tsunagari.directory.opening import TOKYO, next_opening

WEEKDAYS = Schedule(
    freq="WEEKLY", byday="MO,TU,WE,TH,FR", opens_at="08:30:00+09:00", closes_at="17:15:00+09:00"
)
EVENINGS = Schedule(freq="WEEKLY", byday="TU,TH", opens_at="17:15:00+09:00", closes_at="19:00:00+09:00")
SECOND_TUESDAY = Schedule(
    freq="MONTHLY", byday="2TU,4TU", opens_at="13:30:00+09:00", closes_at="16:00:00+09:00"
)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=TOKYO)  # 2026-12-01 is a Tuesday


@pytest.mark.parametrize(
    ("schedules", "now", "expected"),
    [
        ([WEEKDAYS], at(1, 10), "Open now (today 8:30〜17:15)"),
        ([WEEKDAYS], at(1, 7), "Today 8:30〜17:15"),
        ([WEEKDAYS, EVENINGS], at(1, 18), "Open now (today 17:15〜19:00)"),  # the second schedule counts
        ([WEEKDAYS], at(4, 18), "Not today; next 12/7 (Mon) 8:30〜17:15"),  # Friday evening → Monday
        ([SECOND_TUESDAY], at(1, 10), "Not today; next 12/8 (Tue) 13:30〜16:00"),  # the 2nd Tuesday
        ([Schedule(description="予約制")], at(1, 10), None),
    ],
)
def test_next_opening_reads_every_schedule(schedules, now, expected, settings):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"):
        opening = next_opening(schedules, now)
        assert (str(opening) if opening else None) == expected


def test_a_scheme_is_summed_up_in_one_plain_line():
    assert (
        one_line("生活に困っている方の相談を受けます。就労の支援もします。")
        == "生活に困っている方の相談を受けます"
    )
    assert len(one_line("あ" * 200)) == 45
    assert one_line(
        "月々の介護サービスに係る自己負担額の限度額設定や、市町村民税世帯非課税者の介護保険施設に係る食費の一部補助"
    ) == ("月々の介護サービスに係る自己負担額の限度額設定や…")
    assert (
        one_line("「生活困窮者自立支援制度」\n【相談先】\n困窮する方の支援プランを作ります。")
        == "困窮する方の支援プランを作ります"
    )


def _answer(client, text):
    return client.post(reverse("directory:navigator"), {"text": text}).content.decode()


def test_every_hours_line_of_a_service_is_shown(client, db):
    html = _answer(client, "生活費が足りなくて、生活に困っている。どこに相談すれば")
    service = Service.objects.get(name__startswith="くらしサポートかくう")
    assert service.name in html
    for schedule in service.schedules.all():
        assert schedule.description in html
    assert "今日の受付" in html


def test_why_quotes_the_persons_own_words_not_index_tokens(client, db):
    html = _answer(client, "クレジットカードの支払いができなくて困っている")
    why = " ".join(re.findall(r'class="service-card__why">(.*?)</p>', html, re.S))
    assert "「支払い」" in why or "「クレジットカード」" in why
    assert "かーど" not in html and "良い" not in why


def test_five_answers_first_and_the_rest_behind_show_more(client, db):
    html = _answer(client, "仕事をなくしてお金がない")
    first, _, more = html.partition('<details class="navi-more">')
    assert first.count('<article class="service-card') == 5
    assert 0 < more.count('<article class="service-card') <= 10
    assert "もっと見る" in html or "more" in html
