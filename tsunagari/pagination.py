"""Lists page by page: about fifty rows at a time, the list's filters kept in the page links.

A staff list must cost the same with a thousand cases as with a hundred thousand, so each view hands its
query here and renders only the page it gets back (``templates/_pagination.html`` draws the links).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol, overload

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PER_PAGE = 50


class Rows(Protocol):
    """What ``paginate`` pages besides a query: rows that count themselves (``count()``) and are cut by a
    slice, such as ``cases.selectors.CaseList``."""

    def count(self) -> int: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Any]: ...
    @overload
    def __getitem__(self, index: int, /) -> Any: ...
    @overload
    def __getitem__(self, index: slice, /) -> list[Any]: ...


@dataclass(frozen=True)
class Listing:
    """One page of a list and the query string of its other parameters (its filters), so that moving
    between pages keeps what the user chose."""

    page: Page
    query: str


def paginate(request: HttpRequest, rows: QuerySet[Any] | Rows, *, per_page: int = PER_PAGE) -> Listing:
    """The page the request asks for (``?page=N``; a missing, malformed or too large number gives the first
    or the last page, never an error). ``rows`` must be ordered: a page of an unordered query is arbitrary.
    A sequence other than a query (``cases.selectors.CaseList``) is counted with its ``count()`` and cut with
    a slice."""
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return Listing(page=page, query=query.urlencode())
