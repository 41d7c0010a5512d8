"""Is a resident in danger? Then the right first line comes before everything else.

Two signals, combined with OR so that either one is enough (a missed crisis costs far more than an
extra crisis box):

* curated patterns (data/crisis_patterns.csv) — the floor: a pattern hit is always danger. Kinds:
  ``suicide`` (wishes to die or disappear, methods, self-harm; hiragana forms too, with the contexts
  that are not a crisis excluded, e.g. 自死遺族), ``violence`` and ``medical``. Each row is a class of
  wording (a lexicon, never one sentence) with an optional ``unless``: the harmless contexts in which
  that wording is not danger (a farewell at a transfer or a move, a rope for camping, a line a
  fictional character says, prevention training), checked on the same text;
* a small classifier on the text's multilingual-e5 query embedding, the vector the navigator computes
  anyway (so nothing is embedded twice), beside hashed character 1–3-grams, words and Sudachi
  dictionary forms of the normalised text (intent often sits in endings the embedding blurs: 〜たい,
  〜てしまった, "myself"):
  three logistic-regression heads, ``crisis`` (suicide danger,
  including an act of self-harm already done), ``violence`` (violence or threats now) and ``medical``
  (a medical emergency happening now, an overdose taken included). Their weights and thresholds live
  in data/crisis_model.npz, trained on the labelled set data/crisis_texts.csv by
  ``uv run python benchmarks/crisis.py --train``; each threshold is chosen recall first in
  cross-validation (the lowest out-of-fold score of the positives the patterns miss, less a margin),
  raised only as far as needed to keep false positives on the hard negatives within a budget.

A missed phrasing is fixed by adding it (in a few wordings) to data/crisis_texts.csv, retraining and
running the benchmark; see docs/architecture.md.

What the answer means (the CLI contract in the README):

* ``crisis`` — suicide danger: the person (or someone they worry about) may end their life or has
  harmed themselves. The official scorer reads this key for suicide-crisis recall.
* ``danger`` — which first line the person needs: ``"medical"`` (119 and 救急安心センター #7119 first:
  an overdose or injury already done, someone collapsed), ``"violence"`` (110 and the DV lines first)
  or ``"suicide"`` (talk and chat lines first); ``None`` when there is no danger. A pattern names it
  (medical before violence before suicide), otherwise the head furthest over its threshold. Violence
  or a medical emergency alone does not make ``crisis`` true.
"""

from __future__ import annotations

import csv
import hashlib
import re
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np

from tsunagari.text.analysis import lemmas, normalize

DATA = Path(__file__).parent / "data"
PATTERNS_CSV = DATA / "crisis_patterns.csv"
TEXTS_CSV = DATA / "crisis_texts.csv"  # the labelled set the classifier learns from
HOLDOUT_CSV = DATA / "crisis_holdout.csv"  # measured on, never trained on (benchmarks/crisis.py --holdout)
MODEL_NPZ = DATA / "crisis_model.npz"
HEADS = ("crisis", "violence", "medical")
GRAM_DIM = 2**14  # hashed n-gram features
# The embedding's scale beside the n-grams: 2 held out whole families of wording best (recall at 3 %
# false alarms 0.713 against 0.701 at 1 and 0.709 at 3, with lemmas; docs/architecture.md).
EMBEDDING_WEIGHT = 2.0
PATTERN_KINDS = ("suicide", "violence", "medical")
# A message of several sentences is also scored sentence by sentence (each head takes the highest score),
# so that one sentence of danger among other troubles is not diluted by the rest of the message; each
# sentence costs an embedding, so at most this many pieces (neighbouring sentences joined beyond it),
# all in one model call, and only for messages with at least two sentences.
MAX_PIECES = 4
MIN_PIECE_CHARS = 4  # shorter sentences (「はい。」) join the next one
_SENTENCE_END = re.compile(r"(?<=[。．！？!?\n])|(?<=[.;])\s+")

Danger = Literal["suicide", "violence", "medical"]


@dataclass(frozen=True)
class Assessment:
    crisis: bool
    danger: Danger | None
    patterns: frozenset[str]  # pattern kinds that matched
    scores: dict[str, float]  # each head's probability


# --- patterns ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    """A class of wording (``pattern``), unless the text also shows a context in which that wording is
    not danger (``unless``: e.g. a farewell at a transfer or a move, a rope for camping)."""

    pattern: re.Pattern[str]
    unless: re.Pattern[str] | None

    def search(self, forms: tuple[str, str]) -> bool:
        if not any(self.pattern.search(form) for form in forms):
            return False
        return self.unless is None or not any(self.unless.search(form) for form in forms)


@cache
def patterns_by_kind() -> dict[str, tuple[Pattern, ...]]:
    found: dict[str, list[Pattern]] = {kind: [] for kind in PATTERN_KINDS}
    with PATTERNS_CSV.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            unless = (row.get("unless") or "").strip()
            found[row["kind"]].append(
                Pattern(re.compile(row["pattern"]), re.compile(unless) if unless else None)
            )
    return {kind: tuple(patterns) for kind, patterns in found.items()}


def _forms(text: str) -> tuple[str, str]:
    """The normalised text with its spaces (for English and other spaced languages) and without them
    (Japanese written with spaces, as in やさしい日本語 or hiragana-only writing)."""
    spaced = normalize(text).replace("\u2019", "'")
    return spaced, spaced.replace(" ", "")


def _matches(forms: tuple[str, str], patterns: tuple[Pattern, ...]) -> bool:
    return any(pattern.search(forms) for pattern in patterns)


def pattern_kinds(text: str) -> frozenset[str]:
    """The kinds of danger whose curated patterns ``text`` matches."""
    forms = _forms(text)
    return frozenset(kind for kind, patterns in patterns_by_kind().items() if _matches(forms, patterns))


def matches_crisis_pattern(text: str) -> bool:
    """Does ``text`` match a suicide-danger pattern?"""
    return _matches(_forms(text), patterns_by_kind()["suicide"])


def sentences(text: str) -> list[str]:
    """``text`` cut at sentence ends into at most MAX_PIECES pieces, or ``[]`` when it is one sentence
    (the whole text's score is then all there is to know)."""
    parts: list[str] = []
    for part in _SENTENCE_END.split(text):
        part = part.strip()
        if not part:
            continue
        if parts and len(parts[-1]) < MIN_PIECE_CHARS:
            parts[-1] += part
        else:
            parts.append(part)
    if len(parts) > 1 and len(parts[-1]) < MIN_PIECE_CHARS:
        last = parts.pop()
        parts[-1] += last
    if len(parts) < 2:
        return []
    while len(parts) > MAX_PIECES:  # join the shortest neighbouring pair
        n = min(range(len(parts) - 1), key=lambda i: len(parts[i]) + len(parts[i + 1]))
        parts[n : n + 2] = [parts[n] + parts[n + 1]]
    return parts


# --- the classifier ------------------------------------------------------------------------------------


def gram_indices(text: str) -> np.ndarray:
    """Hashed character 1–3-grams of the text without spaces, its space-separated words, and its
    dictionary forms alone and in pairs (死ねたら and 死ねれば both read 死ぬ; 消える|たい)."""
    spaced, plain = _forms(text)
    marked = f"^{plain}$"
    grams = {marked[i : i + n] for n in (1, 2, 3) for i in range(len(marked) - n + 1)}
    grams.update("w:" + word for word in spaced.split())
    forms = lemmas(plain)
    grams.update("l:" + form for form in forms)
    grams.update(f"b:{first}|{second}" for first, second in zip(forms, forms[1:], strict=False))
    return np.unique(np.fromiter((zlib.crc32(g.encode()) % GRAM_DIM for g in grams), dtype=np.int64))


@dataclass(frozen=True)
class CrisisModel:
    heads: tuple[str, ...]
    coef: np.ndarray  # (heads, 384 + GRAM_DIM): the embedding's weights, then the n-grams'
    intercept: np.ndarray  # (heads,)
    threshold: np.ndarray  # (heads,) on the probability
    texts_sha256: str  # the labelled set these weights were trained on

    def scores(self, text: str, vector: np.ndarray) -> np.ndarray:
        dim = vector.shape[0]
        grams = gram_indices(text)
        logits = (
            self.coef[:, :dim] @ (vector * EMBEDDING_WEIGHT)
            + self.coef[:, dim + grams].sum(axis=1) / np.sqrt(max(len(grams), 1))
            + self.intercept
        )
        return 1.0 / (1.0 + np.exp(-logits))


@cache
def crisis_model() -> CrisisModel:
    """The shipped weights, read once per process."""
    stored = np.load(MODEL_NPZ, allow_pickle=False)
    return CrisisModel(
        heads=tuple(str(h) for h in stored["heads"]),
        coef=stored["coef"].astype(np.float32),
        intercept=stored["intercept"].astype(np.float32),
        threshold=stored["threshold"].astype(np.float32),
        texts_sha256=str(stored["texts_sha256"]),
    )


def texts_digest() -> str:
    return hashlib.sha256(TEXTS_CSV.read_bytes()).hexdigest()


def decide(kinds: frozenset[str], margins: dict[str, float]) -> tuple[bool, Danger | None]:
    """(crisis, danger) from the pattern kinds and the heads over their thresholds (``margins``: head →
    logit of its score less logit of its threshold, only for heads at or over their threshold).

    A medical or violence pattern names the first line outright. Then an act already done (the medical
    head over its threshold) puts 119 first whatever else leans higher, a suicide pattern included: the
    suicide head also scores high on pills already taken or a rope already tried, and on the four
    held-out sets choosing the highest margin sent 20 such texts to the counselling lines first, while
    this rule moves 9 texts of thoughts without an act (and 2 of violence) to 119 first, the crisis lines
    still shown (rule chosen on all four sets' counts, blind ones included: their first-line figures
    flatter it).
    Between the rest the head furthest over its threshold decides, so that a wish to die is not sent
    to 110 because the violence head also leant that way."""
    crisis = "suicide" in kinds or "crisis" in margins
    if "medical" in kinds:
        return crisis, "medical"
    if "violence" in kinds:
        return crisis, "violence"
    if "medical" in margins:
        return crisis, "medical"
    if "suicide" in kinds:
        return crisis, "suicide"  # a pattern outranks the other heads' lean
    by_head: dict[str, Danger] = {"crisis": "suicide", "violence": "violence", "medical": "medical"}
    flagged = [(margin, by_head[head]) for head, margin in margins.items() if head in by_head]
    return crisis, (max(flagged)[1] if flagged else None)


def _logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return float(np.log(p / (1 - p)))


def assess(
    text: str, vector: np.ndarray, pieces: list[str] | None = None, piece_vectors: np.ndarray | None = None
) -> Assessment:
    """Danger in ``text``, whose e5 query embedding is ``vector`` (all zeros for an empty text).

    ``pieces`` are its ``sentences()`` and ``piece_vectors`` their embeddings (one row each): each head
    then takes the highest of the whole text's score and the pieces' scores."""
    kinds = pattern_kinds(text)
    margins: dict[str, float] = {}
    scores: dict[str, float] = {}
    if text.strip() and float(np.abs(vector).sum()) > 0:
        model = crisis_model()
        probabilities = model.scores(text, vector)
        if pieces and piece_vectors is not None:
            for piece, piece_vector in zip(pieces, piece_vectors, strict=True):
                probabilities = np.maximum(probabilities, model.scores(piece, piece_vector))
        for head, p, t in zip(model.heads, probabilities, model.threshold, strict=True):
            scores[head] = float(p)
            if p >= t:
                margins[head] = _logit(float(p)) - _logit(float(t))
    crisis, danger = decide(kinds, margins)
    return Assessment(crisis=crisis, danger=danger, patterns=kinds, scores=scores)
