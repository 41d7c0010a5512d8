"""Indexing services for search, and lexical search with filters.

Each service's text is analysed once (tsunagari/text): the tokens are kept for ranking, and each token
is also written as a short ASCII term (``t`` + 12 hex digits of its hash) into ``search_terms``. The
database indexes those terms (SQLite FTS5 on the embedded default, a PostgreSQL GIN index in
production); since the terms are plain ASCII words, both databases split them identically and find the
same services. Ranking is done here, in Python, from the same numbers on both (BM25 + meaning).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable

import numpy as np
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from tsunagari.text.analysis import analyze

from .embeddings import DIM as EMBEDDING_DIM
from .models import SearchIndexState, Service

EMBED_BATCH = 32
MAX_DOCUMENT_CHARS = 600  # the embedding model reads ~512 tokens; the start of a text says most


def term(token: str) -> str:
    return "t" + hashlib.blake2b(token.encode(), digest_size=6).hexdigest()


def service_text(service: Service) -> str:
    """What a service is about, in the words a resident might use: names twice (they matter most)."""
    parts = [
        service.name,
        service.name,
        service.alternate_name,
        service.organization.name,
        " ".join(c.name for c in service.categories.all()),
        service.description,
        service.eligibility_description,
        service.application_process,
    ]
    return "\n".join(p for p in parts if p)


def embedding_text(service: Service) -> str:
    categories = "・".join(c.name for c in service.categories.all())
    body = f"{service.name}。{categories}。{service.description} {service.eligibility_description}"
    return body[:MAX_DOCUMENT_CHARS]


def to_blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_blob(blob: bytes | memoryview | None) -> np.ndarray:
    if not blob:
        return np.zeros(EMBEDDING_DIM, dtype=np.float32)
    return np.frombuffer(bytes(blob), dtype="<f4")


def embed_passages(texts: list[str]) -> np.ndarray:
    from .embeddings import passages

    return passages(texts)


@transaction.atomic
def index_services(
    service_ids: Iterable[uuid.UUID] | None = None, *, progress: Callable[[str], None] = lambda _: None
) -> int:
    """(Re)compute tokens, terms and embeddings for the given services (default: all)."""
    qs = Service.objects.select_related("organization").prefetch_related("categories")
    if service_ids is not None:
        qs = qs.filter(pk__in=list(service_ids))
    services = list(qs)
    for start in range(0, len(services), EMBED_BATCH):
        batch = services[start : start + EMBED_BATCH]
        vectors = embed_passages([embedding_text(s) for s in batch])
        for service, vector in zip(batch, vectors, strict=True):
            tokens = analyze(service_text(service))
            service.search_tokens = " ".join(tokens)
            service.search_terms = " ".join(sorted({term(t) for t in tokens}))
            service.embedding = to_blob(vector)
        Service.objects.bulk_update(batch, ["search_tokens", "search_terms", "embedding"])
        progress(f"indexed {min(start + EMBED_BATCH, len(services))}/{len(services)} services")
    _sync_fulltext(services)
    SearchIndexState.objects.update_or_create(pk=1, defaults={"updated_at": timezone.now()})
    SearchIndexState.objects.filter(pk=1).update(version=F("version") + 1)
    return len(services)


def _sync_fulltext(services: list[Service]) -> None:
    """SQLite keeps terms in a separate FTS5 table; PostgreSQL indexes the column itself (GIN)."""
    if connection.vendor != "sqlite" or not services:
        return
    with connection.cursor() as cursor:
        for start in range(0, len(services), 500):
            chunk = services[start : start + 500]
            cursor.execute(
                f"DELETE FROM directory_service_fts WHERE service_id IN ({','.join(['%s'] * len(chunk))})",  # noqa: S608
                [s.pk.hex for s in chunk],
            )
            cursor.executemany(
                "INSERT INTO directory_service_fts (service_id, terms) VALUES (%s, %s)",
                [(s.pk.hex, s.search_terms) for s in chunk],
            )


def index_version() -> int:
    state = SearchIndexState.objects.filter(pk=1).values_list("version", flat=True).first()
    return int(state or 0)


def matching(qs: QuerySet[Service], tokens: Iterable[str]) -> QuerySet[Service]:
    """Services whose text contains any of the tokens, through the database's full-text index."""
    terms = sorted({term(t) for t in tokens})
    if not terms:
        return qs.none()
    if connection.vendor == "sqlite":
        sql = "SELECT service_id FROM directory_service_fts WHERE directory_service_fts MATCH %s"
        ids = RawSQL(sql, [" OR ".join(terms)])  # noqa: S611 - constant SQL, bound parameter
        # SQLite stores UUIDs as 32 hex digits, which is what service_id holds.
        return qs.filter(pk__in=ids)
    if connection.vendor == "postgresql":
        sql = (
            "SELECT id FROM directory_service "
            "WHERE to_tsvector('simple'::regconfig, search_terms) @@ to_tsquery('simple'::regconfig, %s)"
        )
        return qs.filter(pk__in=RawSQL(sql, [" | ".join(terms)]))  # noqa: S611 - constant SQL, bound parameter
    raise NotImplementedError(
        f"full-text search is implemented for SQLite and PostgreSQL, not {connection.vendor}"
    )
