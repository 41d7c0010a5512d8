"""ふりがな (issue 14): readings over kanji, aligned to okurigana, only where a person reads text; the switch
holds across pages, defaults to on for やさしい日本語, and leaves pages unchanged otherwise."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tsunagari.text.furigana import add_ruby, ruby_text
from tsunagari.text.middleware import FURIGANA_COOKIE

_ANNOTATION = re.compile(r"<rt>[^<]*</rt>|</?ruby>")


def _bases(marked_up: str) -> str:
    """The text a page shows without its readings."""
    return html.unescape(_ANNOTATION.sub("", marked_up))


def _readings(marked_up: str) -> list[tuple[str, str]]:
    return re.findall(r"<ruby>([^<]*)<rt>([^<]*)</rt></ruby>", marked_up)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("相談します", [("相談", "そうだん")]),  # a compound noun: one reading
        ("話を聞きます", [("話", "はなし"), ("聞", "き")]),  # okurigana stay outside the ruby
        ("お問い合わせ", [("問", "と"), ("合", "あ")]),  # kana between kanji runs
        # a long compound: each part's reading over its own kanji
        ("社会福祉協議会", [("社会", "しゃかい"), ("福祉", "ふくし"), ("協議", "きょうぎ"), ("会", "かい")]),
        ("一人暮らし", [("一人", "ひとり"), ("暮", "ぐ")]),  # with the sound the compound gives it
    ],
)
def test_readings_sit_over_the_kanji_and_leave_the_kana_alone(text, expected):
    marked = ruby_text(text)
    assert _readings(marked) == expected
    assert _bases(marked) == text


def test_text_without_kanji_is_left_as_it_is_but_escaped():
    assert ruby_text("つながり <b> & ABC") == "つながり &lt;b&gt; &amp; ABC"


def test_counters_whose_sound_changes_with_the_number_get_no_guess():
    # 3日 is みっか, 10分 じゅっぷん: a reading of the counter alone would be wrong, so none is given
    for text in ("12月3日", "10分", "2本"):
        assert not any(base in "日分本" for base, _ in _readings(ruby_text(text))), text
    assert ("月", "がつ") in _readings(
        ruby_text("12月3日")
    )  # a counter that keeps its sound keeps its reading


def test_a_weekday_in_brackets_or_in_a_list_of_days_reads_as_a_weekday():
    assert _readings(ruby_text("3日（木）")) == [("木", "もく")]
    assert _readings(ruby_text("月・木・金は休み"))[:3] == [("月", "げつ"), ("木", "もく"), ("金", "きん")]
    assert ("水", "みず") in _readings(ruby_text("食料・水"))  # water in a list of things stays water
    assert ("月", "つき") in _readings(ruby_text("月は明るい"))


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="日本語の相談窓口へ行きます。子ども食堂と一人暮らし高齢者<>&\"' abc12", max_size=40))
def test_readings_never_change_the_text_itself(text):
    marked = ruby_text(text)
    assert _bases(marked) == text
    assert "<" not in _ANNOTATION.sub("", marked)  # nothing of the text became markup


class _Balance(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in {"meta", "link", "br", "input", "img", "hr"}:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)


PAGE = """<!DOCTYPE html>
<html lang="ja"><head><title>相談窓口</title><script src="/static/x.js"></script></head>
<body class="x"><p data-note="相談 &amp; 支援">相談 &amp; 支援<br>窓口</p>
<textarea name="t">入力した文 &lt;b&gt;</textarea>
<select><option value="1">山手地区</option></select>
<button lang="en">English 英語</button><span translate="no">鳥取市</span>
<ruby>既<rt>すで</rt></ruby><p>次の行</p></body></html>"""


def test_a_page_gets_readings_only_in_the_text_a_person_reads():
    out = add_ruby(PAGE)
    assert "<title>相談窓口</title>" in out  # the head holds no markup
    assert '<textarea name="t">入力した文 &lt;b&gt;</textarea>' in out  # what a person typed is kept as typed
    assert '<option value="1">山手地区</option>' in out
    assert '<button lang="en">English 英語</button>' in out
    assert '<span translate="no">鳥取市</span>' in out
    assert "<ruby>既<rt>すで</rt></ruby>" in out and out.count("<ruby>既") == 1  # not annotated twice
    assert 'data-note="相談 &amp; 支援"' in out  # attributes as they were
    assert "<span><ruby>相談<rt>そうだん</rt></ruby> &amp; <ruby>支援<rt>しえん</rt></ruby></span><br>" in out
    assert "<ruby>次<rt>つぎ</rt></ruby>" in out  # text after a skipped element is annotated again
    checker = _Balance()
    checker.feed(out)
    assert (checker.errors, checker.stack) == ([], [])


# --- The switch ---------------------------------------------------------------------------------------


def _has_ruby(response) -> bool:
    return b"<ruby>" in response.content


@pytest.mark.django_db
def test_readings_are_off_by_default_and_on_when_asked(client):
    assert not _has_ruby(client.get("/"))
    response = client.post("/furigana/", {"furigana": "1", "next": "/events/"})
    assert response.status_code == 302 and response["Location"] == "/events/"
    assert response.cookies[FURIGANA_COOKIE].value == "1"
    page = client.get("/")
    assert _has_ruby(page) and b'class="furigana"' in page.content
    assert int(page["Content-Length"]) == len(page.content)
    assert "Cookie" in page["Vary"]
    assert _has_ruby(client.get("/check/"))  # kept across pages
    client.post("/furigana/", {"furigana": "0", "next": "/"})
    assert not _has_ruby(client.get("/"))


@pytest.mark.django_db
def test_easy_japanese_has_readings_unless_the_person_turned_them_off(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja-easy"
    page = client.get("/")
    assert _has_ruby(page) and b'<html lang="ja" class="furigana">' in page.content
    client.cookies[FURIGANA_COOKIE] = "0"
    assert not _has_ruby(client.get("/"))


@pytest.mark.django_db
def test_english_pages_and_non_html_answers_are_never_changed(client, settings):
    client.cookies[FURIGANA_COOKIE] = "1"
    assert _has_ruby(client.get("/"))
    api = client.get("/api/hsds/services")
    assert api["Content-Type"].startswith("application/json") and b"<ruby>" not in api.content
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert not _has_ruby(client.get("/"))


@pytest.mark.django_db
def test_the_switch_goes_back_only_to_this_site(client):
    response = client.post("/furigana/", {"furigana": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert client.get("/furigana/").status_code == 405
