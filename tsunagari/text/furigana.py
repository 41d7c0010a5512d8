"""ふりがな: readings over the kanji of a rendered page, as HTML ``<ruby>`` (server-side, no script).

    ruby_text("話を聞きます") → "<ruby>話<rt>はなし</rt></ruby>を<ruby>聞<rt>き</rt></ruby>きます"
    add_ruby(html)           → the same page with every eligible text node given readings

Readings come from Sudachi's dictionary (the same tokenizer as search, mode C, then a compound's parts
where its reading is theirs put together). Each word's reading is aligned to its kanji runs so that okurigana stay outside the
ruby (聞きます → 聞 over き, then きます); a word whose reading cannot be aligned gets one reading over
the whole word, and a word Sudachi does not know (no reading of its own) gets none rather than a guess.

Only text a person reads gets readings: not the head (a <title> cannot hold markup), not scripts,
styles, form controls' text (<textarea>, <option>), existing <ruby>, code, nor any element that says it
is in another language (lang="en") or that it must not be changed (translate="no").
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from functools import lru_cache
from html.parser import HTMLParser

from sudachipy import Morpheme, SplitMode

from tsunagari.text.analysis import _chunks, _tokenizer, fold_kana

# Kanji (CJK unified ideographs and extension A, the compatibility block) and the iteration marks that
# stand for one: 々 (人々), 〆, ヶ (一ヶ月).
_KANJI = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヵヶ"
_HAS_KANJI = re.compile(f"[{_KANJI}]")
_KANJI_RUNS = re.compile(f"([{_KANJI}]+)")
_KANJI_ONLY = re.compile(f"^[{_KANJI}]+$")
_KANA_ONLY = re.compile(r"^[\u3041-\u3096\u30fcー]+$")
_DIGITS = re.compile(r"[0-9０-９]$")
# Counters whose own sound changes with the number before them (1日 ついたち, 3日 みっか, 1人 ひとり,
# 3分 さんぷん, 1本 いっぽん …): Sudachi reads the counter alone, so after digits they get no reading rather
# than a wrong one. Counters that keep their sound (月, 年, 時, 歳, 円, 回 …) keep their reading.
_NUMBER_SHAPED_COUNTERS = frozenset("日人分本杯匹階軒泊発百千")
# A day of the week written as its one kanji, in brackets after a date （木） or in a list of days
# 月・木・金は…: Sudachi reads the lone kanji as a noun (木 き, 金 きん is luck, 月 がつ).
_WEEKDAYS = {"月": "げつ", "火": "か", "水": "すい", "木": "もく", "金": "きん", "土": "ど", "日": "にち"}
_BEFORE_A_DAY = ("(", "（", "・", "、", "〜", "～", "/", "／")
_AFTER_A_DAY = (")", "）", "・", "、", "〜", "～", "/", "／", "は", "曜")


def _is_weekday(before: str, word: str, after: str, after_next: str) -> bool:
    """``word`` is a day of the week abbreviated: between a bracket or list mark and a closing one, or
    the first of a list of days (月・木). 「月は明るい」 or 「食料・水」 are not."""
    if word not in _WEEKDAYS:
        return False
    listed = before.endswith(_BEFORE_A_DAY) and after.startswith(_AFTER_A_DAY)
    heads_a_list = after in ("・", "、", "〜", "～") and after_next in _WEEKDAYS
    return listed or heads_a_list


# Elements whose text never gets readings; void elements never hold text and are not tracked.
SKIPPED_ELEMENTS = frozenset(
    {
        "head",
        "title",
        "script",
        "style",
        "textarea",
        "option",
        "select",
        "ruby",
        "rt",
        "rp",
        "code",
        "pre",
        "svg",
    }
)
VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)


def _ruby(base: str, reading: str) -> str:
    return f"<ruby>{html.escape(base, quote=False)}<rt>{reading}</rt></ruby>"


def _aligned(surface: str, reading: str) -> str:
    """``surface`` with each kanji run given its part of ``reading`` (katakana already folded)."""
    runs = _KANJI_RUNS.split(surface)  # [kana, kanji, kana, kanji, …]: odd indexes are kanji runs
    pattern = "".join(
        "(.+?)" if i % 2 else re.escape(fold_kana(run)) for i, run in enumerate(runs) if run or i % 2
    )
    match = re.fullmatch(pattern, reading)
    if match is None:  # e.g. a number written in kanji beside digits: one reading for the whole word
        return _ruby(surface, reading)
    groups = iter(match.groups())
    return "".join(
        _ruby(run, next(groups)) if i % 2 else html.escape(run, quote=False) for i, run in enumerate(runs)
    )


def _words(morpheme: Morpheme) -> Iterable[Morpheme]:
    """A long compound as its parts (特定非営利活動法人 → 特定・非営利・活動・法人), so that each reading sits
    over its own kanji; kept whole when its sound changes in the compound (一人暮らし reads ひとりぐらし,
    not ひとり + くらし)."""
    parts = morpheme.split(SplitMode.A)
    if len(parts) > 1 and "".join(p.reading_form() for p in parts) == morpheme.reading_form():
        return parts
    return (morpheme,)


def _read(word: Morpheme) -> str:
    """One word as HTML: with its reading when Sudachi knows the word and the reading is kana."""
    surface = word.surface()
    reading = fold_kana(word.reading_form())
    if not _HAS_KANJI.search(surface) or word.is_oov() or not _KANA_ONLY.match(reading):
        return html.escape(surface, quote=False)
    if _KANJI_ONLY.match(surface):
        return _ruby(surface, reading)
    return _aligned(surface, reading)


@lru_cache(maxsize=8192)
def ruby_text(text: str) -> str:
    """Plain ``text`` as HTML, with readings over its kanji words (the result is escaped)."""
    if not _HAS_KANJI.search(text):
        return html.escape(text, quote=False)
    out = []
    tokenizer = _tokenizer()
    previous = ""
    for chunk in _chunks(text):
        morphemes = list(tokenizer.tokenize(chunk))
        surfaces = [m.surface() for m in morphemes] + ["", ""]
        for i, morpheme in enumerate(morphemes):
            surface = surfaces[i]
            if not _HAS_KANJI.search(surface):  # most words: nothing to read, no dictionary lookups
                out.append(html.escape(surface, quote=False))
            elif _is_weekday(previous, surface, surfaces[i + 1], surfaces[i + 2]):
                out.append(_ruby(surface, _WEEKDAYS[surface]))
            elif surface in _NUMBER_SHAPED_COUNTERS and _DIGITS.search(previous):
                out.append(html.escape(surface, quote=False))
            else:
                out.extend(_read(word) for word in _words(morpheme))
            previous = surface
    return "".join(out)


class _RubyWriter(HTMLParser):
    """Re-emits a page as it came, with ``ruby_text`` applied to the text nodes a person reads."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skipping: str | None = None  # the element whose text is left alone
        self._depth = 0  # nesting of that element's tag inside itself

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")
        if tag in VOID_ELEMENTS:
            return
        if self._skipping is None:
            attributes = dict(attrs)
            lang = (attributes.get("lang") or "ja").lower()
            if tag in SKIPPED_ELEMENTS or not lang.startswith("ja") or attributes.get("translate") == "no":
                self._skipping, self._depth = tag, 1
        elif tag == self._skipping:
            self._depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{tag}>")
        if tag == self._skipping:
            self._depth -= 1
            if self._depth == 0:
                self._skipping = None

    def handle_data(self, data: str) -> None:
        if self._skipping in ("script", "style"):
            self.out.append(data)  # raw text: the parser did not unescape it
        elif self._skipping is not None:
            self.out.append(html.escape(data, quote=False))
        else:
            marked = ruby_text(data)
            # One span per annotated text node: in a flex container (a checkbox's label) each <ruby> would
            # otherwise become a flex item of its own, and the text could no longer wrap.
            self.out.append(f"<span>{marked}</span>" if "<ruby>" in marked else marked)

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.out.append(f"<![{data}]>")


def add_ruby(page: str) -> str:
    """``page`` (a whole HTML document or an htmx fragment) with readings over the kanji it shows."""
    if not _HAS_KANJI.search(page):
        return page
    writer = _RubyWriter()
    writer.feed(page)
    writer.close()
    return "".join(writer.out)
