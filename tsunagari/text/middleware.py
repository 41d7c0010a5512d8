"""The ふりがな switch: readings over the kanji of every HTML page a person asks to have them on.

The choice lives in a cookie (so it holds across pages and without an account): "1" on, "0" off. With no
choice made, readings are on for やさしい日本語 (settings.EASY_JAPANESE) and off otherwise. The readings are
added server-side to the finished page (tsunagari.text.furigana), so no script is needed and the page's CSP
stays as it is; htmx fragments get them too, since they pass through here like whole pages.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from tsunagari.text.furigana import add_ruby

FURIGANA_COOKIE = "tsunagari_furigana"


def furigana_wanted(request: HttpRequest) -> bool:
    """One rule: the person's own choice if they made one, else on for やさしい日本語 only."""
    choice = request.COOKIES.get(FURIGANA_COOKIE)
    if choice in ("1", "0"):
        return choice == "1"
    return translation.get_language() == settings.EASY_JAPANESE


class FuriganaMiddleware:
    """Placed after LocaleMiddleware (it needs the page's language) and after CommonMiddleware in the list, so
    that its response runs first and Content-Length is computed from the page with its readings."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.furigana = furigana_wanted(request)  # type: ignore[attr-defined]  # read by the switch in base.html
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        add_readings(request, response)
        return response


def add_readings(request: HttpRequest, response: HttpResponse) -> None:
    """Put readings over the kanji of an HTML page if this person wants them, once: a page that already has
    them (``readings_added``, e.g. one kept by tsunagari.pagecache) is left as it is."""
    if getattr(response, "readings_added", False):
        return
    is_html = response.get("Content-Type", "").startswith("text/html")
    wanted = getattr(request, "furigana", False)
    if wanted and is_html and not response.streaming and translation.get_language() != "en":
        charset = response.charset or "utf-8"
        response.content = add_ruby(response.content.decode(charset)).encode(charset)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        response.readings_added = True  # type: ignore[attr-defined]


def furigana(request: HttpRequest) -> dict[str, bool]:
    """Context processor: whether this page carries readings (the switch shows its state)."""
    return {"furigana": getattr(request, "furigana", False)}
