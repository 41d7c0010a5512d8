"""Lists page by page: about fifty rows at a time, the list's filters kept in the page links.

A staff list must cost the same with a thousand cases as with a hundred thousand, so each view hands its
query here and renders only the page it gets back (``templates/_pagination.html`` draws the links).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PER_PAGE = 50


@dataclass(frozen=True)
class Listing:
    """One page of a list and the query string of its other parameters (its filters), so that moving
    between pages keeps what the user chose."""

    page: Page
    query: str


def paginate(request: HttpRequest, rows: QuerySet[Any], *, per_page: int = PER_PAGE) -> Listing:
    """The page the request asks for (``?page=N``; a missing, malformed or too large number gives the first
    or the last page, never an error). ``rows`` must be ordered: a page of an unordered query is arbitrary."""
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return Listing(page=page, query=query.urlencode())
