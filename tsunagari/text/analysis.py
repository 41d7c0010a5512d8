"""Japanese text analysis, used by indexing and querying alike so that both sides always agree.

    normalize("ﾋｷｺﾓﾘ")    → "ひきこもり"-ready text (NFKC, lower case)
    analyze("引きこもりの息子") → ["引き籠もり", "息子", "§hikikomori", …]

Steps: NFKC; Sudachi (SudachiPy + sudachidict-core) in mode C with each compound also split into its
mode-A parts; each word's normalised form (引きこもり → 引き籠もり); katakana folded to hiragana; function
words dropped; and a token "§<group>" for every phrase of the curated synonym table
(data/synonyms.csv), so that ひきこもり / 閉じこもり / ヒキコモリ, 認知症 / 物忘れ or DV / 暴力 meet.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sudachipy import Dictionary, SplitMode

SYNONYMS_CSV = Path(__file__).parent / "data" / "synonyms.csv"
GROUP_PREFIX = "§"

# Parts of speech that carry meaning for search; particles, auxiliaries and symbols do not.
CONTENT_POS = {"名詞", "動詞", "形容詞", "形状詞", "副詞", "接頭辞", "接尾辞"}
# Words too common to help (normalised forms): "do", "be", "become", "thing" …
STOP_WORDS = {
    "為る", "居る", "有る", "成る", "言う", "事", "こと", "物", "もの", "方", "人", "時", "所", "中",
    "的", "等", "様", "さん", "ため", "為", "よう", "様子", "出来る", "できる", "行く", "来る", "思う",
    "今", "最近", "色々", "いろいろ", "ちょっと", "とても", "すごい", "凄い", "もう", "まだ", "又", "また",
    "者",
}  # fmt: skip
# Katakana ァ..ヶ to the hiragana 0x60 code points below; a translation table, not a regex with a callback per
# character (the search index folds every word it stores, and ふりがな every reading).
_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}


def fold_kana(text: str) -> str:
    """Katakana to hiragana (ヒキコモリ → ひきこもり); long-vowel marks and other characters unchanged."""
    return text.translate(_KATAKANA_TO_HIRAGANA)


def normalize(text: str) -> str:
    """NFKC (full-width ASCII and half-width kana), lower case, collapsed white space."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


@cache
def _tokenizer():  # type: ignore[no-untyped-def]
    return Dictionary(dict="core").tokenizer(mode=SplitMode.C)


# Sudachi refuses input over 49,149 bytes; longer text is analysed in pieces under this size, cut after a
# sentence end or a space where there is one, so that words are not split.
CHUNK_BYTES = 16_000
_PIECE_END = re.compile(r"[。．！？!?\s]")


def _chunks(text: str, limit: int = CHUNK_BYTES) -> list[str]:
    if len(text.encode()) <= limit:
        return [text]
    chunks = []
    max_chars = limit // 4  # a UTF-8 character takes at most 4 bytes
    while text:
        window = text[:max_chars]
        if len(window) < len(text):
            ends = [m.end() for m in _PIECE_END.finditer(window)]
            cut = ends[-1] if ends and ends[-1] > max_chars // 2 else max_chars
            window = text[:cut]
        chunks.append(window)
        text = text[len(window) :]
    return chunks


def reading(text: str) -> str:
    """The reading of ``text`` in hiragana (山手 → やまて), from Sudachi's dictionary."""
    return fold_kana("".join(m.reading_form() for m in _tokenizer().tokenize(normalize(text))))


def lemmas(text: str) -> list[str]:
    """Every morpheme's dictionary form, kana folded, endings and particles included (死ねたら → 死ぬ,
    たら): the crisis classifier reads intent in conjugated endings that character n-grams split
    differently in every inflection."""
    tokenizer = _tokenizer()
    forms = (fold_kana(m.normalized_form()) for chunk in _chunks(text) for m in tokenizer.tokenize(chunk))
    return [form for form in forms if form.strip()]


def phrases(text: str) -> dict[str, str]:
    """Each noun's search token in ``text`` (compound parts too) → the words as the person wrote them
    (after NFKC), so that an answer can quote 「カード」 and not the folded token 「かーど」."""
    found: dict[str, str] = {}
    for morpheme in _tokenizer().tokenize(normalize(text)):
        if morpheme.part_of_speech()[0] != "名詞":
            continue  # nouns only: 「いい」 or 「できる」 are no reason a person recognises
        surface = morpheme.surface()
        found.setdefault(fold_kana(morpheme.normalized_form()), surface)
        for part in morpheme.split(SplitMode.A):
            found.setdefault(fold_kana(part.normalized_form()), surface)
    return found


def _word_tokens(text: str, parts: list[str] | None = None) -> list[str]:
    """Content words; compound parts are appended to ``tokens`` and also collected in ``parts``."""
    tokenizer = _tokenizer()
    tokens: list[str] = []
    for morpheme in (m for chunk in _chunks(text) for m in tokenizer.tokenize(chunk)):
        if morpheme.part_of_speech()[0] not in CONTENT_POS:
            continue
        form = morpheme.normalized_form()
        if form in STOP_WORDS or not form.strip():
            continue
        tokens.append(fold_kana(form))
        pieces = morpheme.split(SplitMode.A)
        if len(pieces) > 1:  # compound: also index its parts (介護保険 → 介護, 保険)
            for part in pieces:
                part_form = part.normalized_form()
                if part.part_of_speech()[0] in CONTENT_POS and part_form not in STOP_WORDS:
                    tokens.append(fold_kana(part_form))
                    if parts is not None:
                        parts.append(fold_kana(part_form))
    return tokens


@dataclass(frozen=True)
class SynonymGroup:
    name: str
    phrases: tuple[tuple[str, ...], ...]  # each phrase as its word tokens
    categories: tuple[str, ...] = ()  # 困りごと categories the words point to (a hint for the navigator)


@cache
def synonym_groups() -> tuple[SynonymGroup, ...]:
    """The curated synonym table, each phrase analysed exactly like any other text."""
    with SYNONYMS_CSV.open(encoding="utf-8", newline="") as fh:
        rows = [row for row in csv.DictReader(fh) if row["group"] and not row["group"].startswith("#")]
    groups = []
    for row in rows:
        phrases = {tuple(_word_tokens(normalize(term))) for term in row["terms"].split("|") if term.strip()}
        groups.append(
            SynonymGroup(
                row["group"], tuple(sorted(p for p in phrases if p)), tuple(row.get("categories", "").split())
            )
        )
    return tuple(groups)


@cache
def _phrases_by_first_word() -> dict[str, tuple[tuple[tuple[str, ...], str], ...]]:
    """Every synonym phrase with its group's name, under the phrase's first word: a text is matched by
    looking up each of its words, not by trying every phrase of the table (about 50 times fewer checks)."""
    by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for group in synonym_groups():
        for phrase in group.phrases:
            by_first.setdefault(phrase[0], []).append((phrase, group.name))
    return {word: tuple(found) for word, found in by_first.items()}


def synonym_tokens(tokens: Sequence[str]) -> list[str]:
    """The groups whose phrases occur in ``tokens`` (as consecutive words), in the table's order."""
    found = set()
    by_first = _phrases_by_first_word()
    for i, token in enumerate(tokens):
        for phrase, name in by_first.get(token, ()):
            if tuple(tokens[i : i + len(phrase)]) == phrase:
                found.add(name)
    return [GROUP_PREFIX + group.name for group in synonym_groups() if group.name in found]


def analyze(text: str) -> list[str]:
    """Search tokens of ``text``: content words (normalised, compounds split) plus synonym groups."""
    tokens = _word_tokens(normalize(text))
    return tokens + synonym_tokens(tokens)


def analyze_query(text: str, *, part_weight: float = 0.3) -> dict[str, float]:
    """Query tokens with weights: a compound's parts count less than whole words, so that 一人暮らし
    does not read as 一人 (as in ひとり親) as much as it reads as 一人暮らし."""
    parts: list[str] = []
    tokens = _word_tokens(normalize(text), parts)
    weights = {token: 1.0 for token in tokens if token not in parts}
    for part in parts:
        weights.setdefault(part, part_weight)
    for group in synonym_tokens(tokens):
        weights[group] = 1.0
    return weights
