"""Where the activity log learns who is asking."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .context import client_address
from .services import client_ip


class ClientAddressMiddleware:
    """Sets the client address (behind trusted proxies: the real client) for everything the request
    runs, and clears it when the response is ready. First in MIDDLEWARE so every later step sees it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with client_address(client_ip(request)):
            return self.get_response(request)
