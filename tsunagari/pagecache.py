"""Public pages kept in memory for visitors who are not signed in (a crowd of residents, issue 16).

The pages residents open most (the home page, the navigator's empty form, the directory and its search, a
service's page, the HSDS API read without a token) are the same for every visitor who is not signed in, up
to the language, the ふりがな switch and the CSRF token. A view marked ``@public_page`` keeps its finished page
(readings added, this visitor's CSRF token cut out) in this server process for
``TSUNAGARI_PUBLIC_PAGE_SECONDS`` (60 by default; 0 turns it off) and serves it again with the next visitor's
own token put back in. A crowd reading the same pages then costs one rendering per process a minute instead
of one per visit.

What is never served from here, so nobody sees another person's page:
- a request with a session cookie, a messages cookie or an Authorization header (a member, an API client
  with a token, or a visitor with something of their own to show, such as a notice after a form);
- anything but GET (what a resident types into the navigator is posted, so it is never a key nor kept);
- a response that is not a 200, or that sets a cookie of its own.

Changes to what these pages show reach visitors who are not signed in within that time; members, who are
the ones making the changes, see them at once. Pages are kept per process (no shared store to ask on every
hit), at most ``MAX_PAGES`` of them and ``MAX_BYTES`` in all, the least recently used going first.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import (  # type: ignore[attr-defined]  # private, covered by tests/test_pagecache.py
    CSRF_TOKEN_LENGTH,
    _does_token_match,
    get_token,
)
from django.utils import translation

from tsunagari.text.middleware import add_readings

MAX_PAGES = 512
MAX_BYTES = 32 * 1024 * 1024  # whatever addresses a crowd (or a scanner) asks for
MAX_PAGE_BYTES = 512 * 1024
# Stands for the visitor's CSRF token in a kept page (ASCII and without kanji, so readings leave it alone).
TOKEN_MARK = b"\x00csrf-token\x00"
_CANDIDATE_TOKEN = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{%d}(?![A-Za-z0-9])" % CSRF_TOKEN_LENGTH)
# Request headers that change what a page is: htmx asks for a part of the page.
_VARYING_HEADERS = ("HX-Request", "HX-Target", "HX-Boosted")


@dataclass(frozen=True)
class _Page:
    content: bytes
    headers: tuple[tuple[str, str], ...]
    readings_added: bool
    has_token: bool
    kept_until: float


_pages: OrderedDict[tuple, _Page] = OrderedDict()
_bytes = 0  # the kept pages' content, in all
_lock = threading.Lock()


def clear() -> None:
    """Forget every kept page (tests; nothing in the app needs it)."""
    global _bytes
    with _lock:
        _pages.clear()
        _bytes = 0


def _drop(key: tuple) -> None:
    global _bytes
    _bytes -= len(_pages.pop(key).content)


def _seconds() -> int:
    return int(getattr(settings, "TSUNAGARI_PUBLIC_PAGE_SECONDS", 0))


def _may_serve_kept(request: HttpRequest) -> bool:
    """A request that shows nobody anything of their own (see the module's docstring)."""
    cookies = request.COOKIES
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in cookies
        and CookieStorage.cookie_name not in cookies
        and "Authorization" not in request.headers
    )


def _key(request: HttpRequest) -> tuple:
    return (
        request.get_host(),
        request.get_full_path(),
        translation.get_language(),
        bool(getattr(request, "furigana", False)),
        tuple(request.headers.get(name, "") for name in _VARYING_HEADERS),
    )


def _without_token(request: HttpRequest, content: bytes) -> tuple[bytes, bool]:
    """The page with every form of this request's CSRF token replaced by TOKEN_MARK. Django masks the
    token afresh for each page, so it is found by checking each 64-character run against the secret."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return content, False
    found = False

    def mark(match: re.Match[bytes]) -> bytes:
        nonlocal found
        if _does_token_match(match.group().decode("ascii"), secret):
            found = True
            return TOKEN_MARK
        return match.group()

    return _CANDIDATE_TOKEN.sub(mark, content), found


def _keep(request: HttpRequest, response: HttpResponse, seconds: int) -> None:
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies
        or len(response.content) > MAX_PAGE_BYTES
    ):
        return
    add_readings(request, response)  # kept with its readings: they are the costly part of such a page
    content, has_token = _without_token(request, response.content)
    page = _Page(
        content=content,
        headers=tuple(response.items()),
        readings_added=getattr(response, "readings_added", False),
        has_token=has_token,
        kept_until=time.monotonic() + seconds,
    )
    global _bytes
    key = _key(request)
    with _lock:
        if key in _pages:
            _drop(key)
        _pages[key] = page
        _bytes += len(page.content)
        while len(_pages) > MAX_PAGES or _bytes > MAX_BYTES:
            _drop(next(iter(_pages)))


def _kept(request: HttpRequest) -> HttpResponse | None:
    key = _key(request)
    with _lock:
        page = _pages.get(key)
        if page is None:
            return None
        if page.kept_until < time.monotonic():
            _drop(key)
            return None
        _pages.move_to_end(key)
    content = page.content
    if page.has_token:  # get_token also makes CsrfViewMiddleware send the cookie, as rendering would
        content = content.replace(TOKEN_MARK, get_token(request).encode("ascii"))
    response = HttpResponse(content)
    for name, value in page.headers:
        response[name] = value
    response.readings_added = page.readings_added  # type: ignore[attr-defined]
    return response


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve this view's page from memory to visitors who are not signed in (see the module)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        seconds = _seconds()
        if seconds <= 0 or not _may_serve_kept(request):
            return view(request, *args, **kwargs)
        kept = _kept(request)
        if kept is not None:
            return kept
        response = view(request, *args, **kwargs)
        _keep(request, response, seconds)
        return response

    return wrapper
