"""Finding personal data in free text that must stay de-identified (need reports, SOS notes …).

Looks for four things and says what it found, so the writer can remove it:
- names: a person's name (Sudachi tags 人名) followed by an honorific (さん, 様, 氏, くん, ちゃん, 殿 …),
  or a family name followed by a given name (山田太郎). Relation words with honorifics (息子さん, 民生委員さん)
  are not names and pass;
- phone numbers: 0 followed by 9–10 digits, with or without hyphens or brackets;
- addresses: a postcode (〒680-0000), 丁目 / 番地 / 号 with a number, or a street number like 1-2-3;
- birth dates: 生年月日, or a full date (1948年3月3日, 昭和23年3月3日, 1948/3/3, S23.3.3) — a month alone is fine;
- e-mail addresses.
It errs on the side of asking: the writer can always rephrase (「70代の女性」).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sudachipy import SplitMode

from .analysis import _tokenizer

HONORIFICS = {"さん", "様", "さま", "氏", "くん", "君", "ちゃん", "殿", "どの", "先生"}

_DASH = r"[-‐‑–—―ー－]"
_PHONE = re.compile(rf"(?<!\d)0\d{{1,4}}(?:{_DASH}|\(|\)|\s)?\d{{1,4}}(?:{_DASH}|\(|\)|\s)?\d{{3,4}}(?!\d)")
_POSTCODE = re.compile(rf"〒\s?\d{{3}}{_DASH}?\d{{4}}|(?<!\d)\d{{3}}{_DASH}\d{{4}}(?!\d)")
_ADDRESS = re.compile(
    rf"\d+\s?丁目|\d+\s?番地|\d+\s?番\s?\d+\s?号|(?<![\d/.年月])\d{{1,4}}{_DASH}\d{{1,4}}{_DASH}\d{{1,4}}(?![\d/.])"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_BIRTH = re.compile(
    r"生年月日|誕生日"
    r"|(?<![\w.])[MTSHR]\s?\d{1,2}[./]\d{1,2}[./]\d{1,2}(?![\d.])"
    r"|(?:明治|大正|昭和|平成|令和|[MTSHR])\s?\d{1,2}\s?年\s?\d{1,2}\s?月\s?\d{1,2}\s?日"
    r"|(?:19|20)\d{2}\s?年\s?\d{1,2}\s?月\s?\d{1,2}\s?日"
    r"|(?<!\d)(?:19|20)\d{2}[/.]\d{1,2}[/.]\d{1,2}(?!\d)"
)


@dataclass(frozen=True)
class Finding:
    kind: str  # "name", "phone", "address" or "birth_date"
    text: str


def find_personal_data(text: str) -> list[Finding]:
    """Everything in ``text`` that looks like personal data, in order of appearance, without repeats."""
    text = unicodedata.normalize("NFKC", text or "")
    spans: list[tuple[int, int, Finding]] = []
    # In order of priority: a phone number is not also reported as a street number.
    for kind, pattern in (
        ("email", _EMAIL),
        ("phone", _PHONE),
        ("birth_date", _BIRTH),
        ("address", _POSTCODE),
        ("address", _ADDRESS),
    ):
        for match in pattern.finditer(text):
            if not any(start < match.end() and match.start() < end for start, end, _f in spans):
                spans.append((match.start(), match.end(), Finding(kind, match.group().strip())))
    spans.extend(_names(text))
    ordered: list[Finding] = []
    for _start, _end, finding in sorted(spans, key=lambda span: span[0]):
        if finding not in ordered:
            ordered.append(finding)
    return ordered


def _names(text: str) -> list[tuple[int, int, Finding]]:
    tokens = [t for t in _tokenizer().tokenize(text, SplitMode.C) if t.part_of_speech()[0] != "空白"]
    found = []
    for i, token in enumerate(tokens):
        pos = token.part_of_speech()
        if pos[2] != "人名":
            continue
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if following is None:
            continue
        honorific = following.surface() in HONORIFICS
        full_name = pos[3] == "姓" and following.part_of_speech()[2:4] == ("人名", "名")
        if honorific or full_name:
            found.append(
                (token.begin(), following.end(), Finding("name", token.surface() + following.surface()))
            )
    return found
