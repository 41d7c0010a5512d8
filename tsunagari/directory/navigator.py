"""「誰に相談したらいい？」: from a resident's own words to the kinds of trouble and the services that help.

Residents rarely use the words services use ("誰とも話していない" shares no word with 「傾聴ボランティア」),
so three signals are combined:

* meaning — the text's embedding (multilingual-e5-small, `embeddings.py`) against each service's, and
  against plain-language phrases for each category (data/category_phrases.csv);
* words — BM25 over the analysed tokens (tsunagari/text), synonym groups included;
* categories — a service scores higher when it serves the kinds of trouble the text is about.

Nothing the resident types is stored. The index lives in memory and reloads when the directory is
re-indexed (SearchIndexState.version).
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import gc
import hashlib
import logging
import math
import threading
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
from django.conf import settings

from tsunagari.text.analysis import GROUP_PREFIX, analyze_query, synonym_groups

from .crisis import Assessment, Danger, assess, sentences
from .embeddings import DIM as EMBEDDING_DIM
from .embeddings import queries as embed_queries
from .embeddings import query as embed_query
from .models import Service, ServiceCategory, TaxonomyTerm
from .person import About, fit_adjustment, known_districts, newcomers_first, read_person, reasons_for
from .search import from_blob, index_version
from .selectors import NOT_OFFERED, category_terms

logger = logging.getLogger(__name__)

PHRASES_CSV = Path(__file__).parent / "data" / "category_phrases.csv"
VIOLENCE_CODE = "violence"

# --- tuning: every number the answer depends on, beside the Weights below --------------------------------
# Set by hand while watching benchmarks/navigator.py; change one only with its figures before and after.

# BM25's usual term-saturation and length-normalisation constants: service texts are short and even.
BM25_K1, BM25_B = 1.2, 0.75
# The kinds of trouble that decide which services fit: a text is rarely about more than three, and a
# fourth guess is mostly noise that would pull in services for an unrelated kind.
FIT_CATEGORIES = 3
# Where a crisis kind of trouble goes when the text is not a crisis but the guess put it first: below the
# kinds that decide which services fit (crisis.py decides; the category guess only follows).
CRISIS_DEMOTED_TO = FIT_CATEGORIES
# The services nearest in meaning whose categories vote for the kinds of trouble (the kNN signal):
# enough that one mislabelled service cannot decide, few enough to stay on the text's topic.
KNN_NEIGHBOURS = 10
# The softmax temperature of that vote over cosine similarities: e5's similarities sit in a narrow band,
# so a small temperature is what lets the nearest neighbours count clearly more than the tenth.
KNN_TEMPERATURE = 0.02
# A service among this many nearest in meaning is "close to what you wrote" (the reason shown when no
# category, word or personal reason applies).
CLOSE_IN_MEANING = 10
# How many services are ranked before the crisis, local-first and newcomer reordering, whatever the
# caller's limit: the reordering brings services forward from below the first page, so it needs a pool.
CANDIDATES = 60
# The answer's head: the best LOCAL_FIRST local services, then national schemes up to HEAD entries, then
# the rest by score; local help is closest to hand, and national schemes are what many troubles need.
LOCAL_FIRST = 2
HEAD = 10
# The guessed kinds of trouble the page names: up to SHOWN_GUESSES whose score is at least
# SHOWN_GUESS_RATIO of the best guess (close runners-up, not filler), and always the best one.
SHOWN_GUESSES = 3
SHOWN_GUESS_RATIO = 0.6


@dataclass(frozen=True)
class Entry:
    pk: uuid.UUID
    name: str
    source: str
    visibility: str
    categories: tuple[str, ...]
    districts: frozenset[int]


@dataclass
class DirectoryIndex:
    version: int
    entries: list[Entry]
    embeddings: np.ndarray  # (N, EMBEDDING_DIM)
    postings: dict[str, tuple[np.ndarray, np.ndarray]]  # token -> (entry indices, BM25 weights)
    category_codes: list[str]
    category_matrix: np.ndarray  # (N, C) 1.0 where a service serves a category
    crisis_codes: frozenset[str]
    position: dict[uuid.UUID, int] = field(default_factory=dict)
    # The kinds of trouble as of this version, in display order: the navigator's form offers these (a rename
    # re-indexes the category's services, so a new version comes with it: services.update_category).
    terms: tuple[TaxonomyTerm, ...] = ()


@dataclass(frozen=True)
class CategoryGuess:
    code: str
    score: float


@dataclass(frozen=True)
class Match:
    entry: Entry
    score: float
    matched_categories: tuple[str, ...]
    matched_words: tuple[str, ...]
    close_in_meaning: bool
    for_person: tuple[str, ...] = ()  # why it suits who is asking (person.reasons_for)


@dataclass(frozen=True)
class Weights:
    """How the signals combine: a handful of global weights, set by hand while watching the development
    questions' figures (benchmarks/navigator.py prints them); no rule targets a single question."""

    semantic: float = 1.0
    lexical: float = 1.0
    category: float = 1.0
    category_sharpness: float = (
        1.0  # category weight = (score / best score) ** sharpness, FIT_CATEGORIES only
    )
    proto: float = 1.0
    knn: float = 0.5
    lex_category: float = 0.6


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True)
class Answer:
    crisis: bool
    categories: list[CategoryGuess]
    matches: list[Match]
    about: About = field(default_factory=About)
    danger: Danger | None = None  # which first line: see crisis.py


# --- the in-memory index -------------------------------------------------------------------------------

_index_lock = threading.Lock()
_index: DirectoryIndex | None = None


def _build_index(version: int) -> DirectoryIndex:
    """The index of every offered service, read row by row (``iterator``): the embeddings go straight
    into one preallocated matrix and each text's tokens only into the postings, so the build never holds
    the rows, their blobs or their token lists all at once (benchmarks/navigator.py prints the RSS)."""
    terms = list(category_terms())
    codes = [t.code for t in terms]
    column = {code: i for i, code in enumerate(codes)}
    term_code = {t.pk: t.code for t in terms}
    cats: dict[uuid.UUID, list[str]] = defaultdict(list)
    for service_id, term_id in ServiceCategory.objects.values_list("service_id", "term_id").iterator(5000):
        if term_id in term_code:
            cats[service_id].append(term_code[term_id])
    districts: dict[uuid.UUID, set[int]] = defaultdict(set)
    links = Service.districts.through.objects.values_list("service_id", "district_id")
    for service_id, district_id in links.iterator(5000):
        districts[service_id].add(district_id)

    offered = Service.objects.exclude(status__in=NOT_OFFERED)
    capacity = offered.count()
    embeddings = np.zeros((capacity, EMBEDDING_DIM), dtype=np.float32)
    matrix = np.zeros((capacity, len(codes)), dtype=np.float32)
    entries: list[Entry] = []
    postings = _PostingsBuilder()
    rows = offered.values_list("pk", "name", "source", "visibility", "search_tokens", "embedding")
    for pk, name, source, visibility, tokens, blob in rows.iterator(1000):
        if len(entries) == capacity:
            break  # added since the count: it comes with the next index version
        i = len(entries)
        entries.append(Entry(pk, name, source, visibility, tuple(cats[pk]), frozenset(districts[pk])))
        embeddings[i] = from_blob(blob)
        for code in cats[pk]:
            matrix[i, column[code]] = 1.0
        postings.add(tokens.split())
    n = len(entries)
    return DirectoryIndex(
        version=version,
        entries=entries,
        embeddings=embeddings[:n],
        postings=postings.build(),
        category_codes=codes,
        category_matrix=matrix[:n],
        crisis_codes=frozenset(t.code for t in terms if t.is_crisis),
        position={entry.pk: i for i, entry in enumerate(entries)},
        terms=tuple(terms),
    )


class _PostingsBuilder:
    """BM25 postings (token → service rows, weights) built one text at a time: a text's token list is
    dropped once counted; the weights need the mean length, so they are computed in ``build``."""

    def __init__(self) -> None:
        self.lengths: list[int] = []
        self.rows: dict[str, list[int]] = defaultdict(list)
        self.counts: dict[str, list[int]] = defaultdict(list)

    def add(self, tokens: list[str]) -> None:
        row = len(self.lengths)
        self.lengths.append(len(tokens))
        for token, tf in Counter(tokens).items():
            self.rows[token].append(row)
            self.counts[token].append(tf)

    def build(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        n = len(self.lengths)
        lengths = np.asarray(self.lengths, dtype=np.float32)
        avg = float(lengths.mean()) if n else 0.0
        length_norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths / avg) if avg else np.full(n, BM25_K1)
        postings = {}
        for token, rows in self.rows.items():
            idx = np.asarray(rows, dtype=np.int32)
            tf = np.asarray(self.counts[token], dtype=np.float32)
            idf = math.log(1 + (n - len(idx) + 0.5) / (len(idx) + 0.5))
            postings[token] = (idx, (tf * (BM25_K1 + 1) / (tf + length_norm[idx]) * idf).astype(np.float32))
        return postings


def _release_build_memory() -> None:
    """Give the build's freed memory back to the system: glibc keeps freed small blocks in the process
    otherwise, and every worker would carry the peak of its last build for good."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc (macOS, musl): it stays for reuse
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def directory_index() -> DirectoryIndex:
    """The current index, rebuilt when another process has re-indexed the directory."""
    global _index
    version = index_version()
    if _index is None or _index.version != version:
        with _index_lock:
            if _index is None or _index.version != version:
                _index = _build_index(version)
                _release_build_memory()
    return _index


# --- category phrases ----------------------------------------------------------------------------------


@cache
def _curated_phrases() -> tuple[tuple[str, str], ...]:
    with PHRASES_CSV.open(encoding="utf-8", newline="") as fh:
        return tuple((row["code"], row["phrase"]) for row in csv.DictReader(fh))


@cache
def _phrases(version: int) -> tuple[tuple[str, str], ...]:
    """Curated phrases plus each category's label and description (as of this index version, since the
    secretariat can rename categories)."""
    rows = list(_curated_phrases())
    labels = [(t.code, f"{t.name}。{t.description}") for t in category_terms()]
    return tuple(rows + labels)


_phrase_cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}


@cache
def _phrases_digest(version: int) -> str:
    return hashlib.sha256(repr(_phrases(version)).encode()).hexdigest()[:16]


def phrase_embeddings(version: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(codes, vectors) of the category phrases as of index ``version`` (the current one if not given),
    computed once and kept under the data dir."""
    if version is None:
        version = index_version()
    phrases = _phrases(version)
    digest = _phrases_digest(version)
    if digest in _phrase_cache:
        return _phrase_cache[digest]
    path = Path(settings.CACHE_DIR) / f"category-phrases-{digest}.npz"
    if path.exists():
        stored = np.load(path)
        result = (stored["codes"], stored["vectors"])
    else:
        vectors = np.vstack([embed_query(text) for _, text in phrases])
        codes = np.asarray([code for code, _ in phrases])
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, codes=codes, vectors=vectors)
        result = (codes, vectors)
    _phrase_cache[digest] = result
    return result


# --- answering -----------------------------------------------------------------------------------------


def _minmax(values: np.ndarray) -> np.ndarray:
    span = float(values.max() - values.min()) if values.size else 0.0
    return (values - values.min()) / span if span > 1e-9 else np.zeros_like(values)


def _lexical_categories(tokens: dict[str, float], codes: list[str]) -> np.ndarray:
    hits = np.zeros(len(codes), dtype=np.float32)
    groups = {g.name: g for g in synonym_groups()}
    for token in tokens:
        if token.startswith(GROUP_PREFIX) and token[1:] in groups:
            for code in groups[token[1:]].categories:
                if code in codes:
                    hits[codes.index(code)] += 1.0
    return np.minimum(hits, 2.0) / 2.0


def _category_scores(
    index: DirectoryIndex,
    query_vector: np.ndarray,
    tokens: dict[str, float],
    semantic: np.ndarray,
    w: Weights,
) -> np.ndarray:
    codes = index.category_codes
    phrase_codes, phrase_vectors = phrase_embeddings(index.version)  # the index's version: no second read
    sims = phrase_vectors @ query_vector
    proto = np.array(
        [
            np.sort(sims[phrase_codes == code])[-2:].mean() if (phrase_codes == code).any() else 0
            for code in codes
        ]
    )
    knn = np.zeros(len(codes), dtype=np.float32)
    if len(index.entries):
        top = np.argsort(-semantic)[:KNN_NEIGHBOURS]
        weights = np.exp((semantic[top] - semantic[top].max()) / KNN_TEMPERATURE)
        knn = (weights[:, None] * index.category_matrix[top]).sum(axis=0)
    return (
        w.proto * _minmax(proto) + w.knn * _minmax(knn) + w.lex_category * _lexical_categories(tokens, codes)
    )


def _bm25(index: DirectoryIndex, tokens: dict[str, float]) -> np.ndarray:
    scores = np.zeros(len(index.entries), dtype=np.float32)
    for token, query_weight in tokens.items():
        if token in index.postings:
            idx, weights = index.postings[token]
            scores[idx] += weights * query_weight
    return scores


def word_scores(text: str) -> dict[uuid.UUID, float]:
    """BM25 of every service for ``text`` (for ranking a word search in the directory)."""
    index = directory_index()
    scores = _bm25(index, analyze_query(text))
    return {index.entries[i].pk: float(scores[i]) for i in np.flatnonzero(scores)}


def assess_danger(text: str, query_vector: np.ndarray | None = None) -> Assessment:
    """The crisis detector on ``text`` as the navigator runs it: the patterns, and the classifier on the
    text's e5 query embedding and on each of its sentences. Pages other than the navigator (an SOS
    report, a contact note) call this too, so that every door hears the same words the same way.
    ``query_vector`` is the text's embedding when the caller has it already."""
    if query_vector is None:
        query_vector = embed_query(text) if text.strip() else np.zeros(EMBEDDING_DIM, dtype=np.float32)
    pieces = sentences(text)
    return assess(text, query_vector, pieces, embed_queries(pieces) if pieces else None)


def navigate(
    text: str,
    *,
    district_id: int | None = None,
    categories: list[str] | None = None,
    include_members_only: bool = False,
    limit: int = 20,
    weights: Weights = DEFAULT_WEIGHTS,
    tokens: dict[str, float] | None = None,
) -> Answer:
    """Answer a resident's text. ``categories`` replaces the guessed ones when the person changed them.
    ``tokens`` is ``analyze_query(text)`` when the caller has already analysed the text (the text is
    analysed once per question); it is computed here otherwise."""
    index = directory_index()
    if tokens is None:
        tokens = analyze_query(text)
    query_vector = embed_query(text) if text.strip() else np.zeros(EMBEDDING_DIM, dtype=np.float32)
    semantic = index.embeddings @ query_vector if len(index.entries) else np.zeros(0)
    w = weights
    category_scores = _category_scores(index, query_vector, tokens, semantic, w)
    order = np.argsort(-category_scores)
    guesses = [CategoryGuess(index.category_codes[i], float(category_scores[i])) for i in order]
    # Danger decides, the category guess follows: a crisis text has the crisis kinds first, a text
    # without crisis never has them first, and violence now has DV・虐待・性暴力 first.
    danger = assess_danger(text, query_vector)
    crisis = danger.crisis
    if crisis:  # danger to life comes before every other kind of trouble, in guesses and in services
        top = max(g.score for g in guesses) if guesses else 1.0
        guesses = [CategoryGuess(c, top + 1.0) for c in sorted(index.crisis_codes)] + [
            g for g in guesses if g.code not in index.crisis_codes
        ]
    elif guesses and guesses[0].code in index.crisis_codes:
        rest = [g for g in guesses if g.code not in index.crisis_codes]
        demoted = [g for g in guesses if g.code in index.crisis_codes]
        guesses = rest[:CRISIS_DEMOTED_TO] + demoted + rest[CRISIS_DEMOTED_TO:]
    if danger.danger == "violence" and VIOLENCE_CODE in index.category_codes:
        position = 1 if crisis else 0
        if VIOLENCE_CODE not in [g.code for g in guesses[: position + 1]]:
            top = guesses[position].score if len(guesses) > position else 1.0
            moved = [g for g in guesses if g.code == VIOLENCE_CODE]
            others = [g for g in guesses if g.code != VIOLENCE_CODE]
            guesses = (
                others[:position]
                + [CategoryGuess(VIOLENCE_CODE, max(moved[0].score, top))]
                + others[position:]
            )

    if categories is not None:  # the person chose: every chosen kind counts fully
        chosen = [c for c in categories if c in index.category_codes]
        fit_weights = dict.fromkeys(chosen, 1.0)
    else:
        chosen = [g.code for g in guesses[:FIT_CATEGORIES]]
        best = max(guesses[0].score, 1e-9)
        fit_weights = {g.code: max(g.score, 0.0) / best for g in guesses[:FIT_CATEGORIES]}
    category_weights = np.zeros(len(index.category_codes), dtype=np.float32)
    for code, value in fit_weights.items():
        category_weights[index.category_codes.index(code)] = value**w.category_sharpness
    # A service fits as well as the best of the kinds of trouble it serves (max, not sum: serving
    # three loosely related kinds is not better than serving the main one).
    category_fit = (
        (index.category_matrix * category_weights).max(axis=1) if len(index.entries) else np.zeros(0)
    )
    lexical = _bm25(index, tokens)
    score = w.semantic * _minmax(semantic) + w.lexical * _minmax(lexical) + w.category * category_fit
    # Who is asking (person.py): services their ages or audience exclude are left out, their district's
    # and (for a foreign resident) services for newcomers and in their language come forward.
    about = read_person(text, known_districts(index))
    fit, unfit = fit_adjustment(index, about)
    score = score + fit

    matches = []
    query_tokens = [t for t in tokens if not t.startswith(GROUP_PREFIX) and t in index.postings]
    containing = {t: set(index.postings[t][0].tolist()) for t in query_tokens}
    close_cutoff = (
        float(np.partition(semantic, -CLOSE_IN_MEANING)[-CLOSE_IN_MEANING])
        if len(semantic) >= CLOSE_IN_MEANING
        else -1.0
    )
    for i in np.argsort(-score):
        entry = index.entries[i]
        if entry.visibility != Service.Visibility.PUBLIC and not include_members_only:
            continue
        if unfit[i]:
            continue  # not for this person (their age, life stage or language rules it out)
        if district_id is not None and entry.districts and district_id not in entry.districts:
            continue
        if categories is not None and chosen and not set(chosen) & set(entry.categories):
            continue  # the person said which kinds of trouble: show only services for those
        matches.append(
            Match(
                entry=entry,
                score=float(score[i]),
                matched_categories=tuple(c for c in chosen if c in entry.categories),
                matched_words=tuple(sorted(t for t in query_tokens if i in containing[t])),
                close_in_meaning=bool(semantic[i] >= close_cutoff),
                for_person=reasons_for(index, about, int(i)),
            )
        )
        if len(matches) >= max(limit, CANDIDATES):
            break
    if crisis:  # services for a crisis first, wherever they are listed; then the usual order
        urgent = [m for m in matches if set(m.entry.categories) & index.crisis_codes]
        taken = {m.entry.pk for m in urgent}
        ordered = urgent + local_first([m for m in matches if m.entry.pk not in taken])
    else:
        ordered = local_first(matches)
    ordered = newcomers_first(index, about, ordered)
    return Answer(
        crisis=crisis, categories=guesses, matches=ordered[:limit], about=about, danger=danger.danger
    )


def local_first(matches: list[Match]) -> list[Match]:
    """Best LOCAL_FIRST local services, then national schemes up to HEAD, then everything else by score."""
    local = [m for m in matches if m.entry.source == Service.Source.LOCAL][:LOCAL_FIRST]
    national = [m for m in matches if m.entry.source == Service.Source.NATIONAL]
    head = local + national[: HEAD - len(local)]
    taken = {m.entry.pk for m in head}
    return head + [m for m in matches if m.entry.pk not in taken]


def warm_up() -> None:
    """Load what the first question would otherwise wait for (the embedding model, the index, the category
    phrases, the crisis heads), so that each server process pays it at start, not a resident. Called by
    tsunagari/wsgi.py in every worker; a database that is not ready yet (before ``migrate``) only
    postpones the work to the first question."""
    from django.db import DatabaseError

    try:
        navigate("warm-up")
    except DatabaseError as error:
        logger.warning("navigator warm-up skipped: %s", error)
