"""The client address of the request being served, for the activity log.

Services do not take the request: ``ClientAddressMiddleware`` puts the address here for the length of
a request and ``log_action`` reads it. Outside a request (the command line, the worker, a test calling a
service directly) there is none, and the log row has no address.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_client_address: ContextVar[str | None] = ContextVar("tsunagari_client_address", default=None)


def current_client_address() -> str | None:
    return _client_address.get()


@contextmanager
def client_address(address: str | None) -> Iterator[None]:
    """Act as if serving a request from ``address`` (as ``audit.services.client_ip`` gives it: a
    normalised IP or None) until the block ends."""
    token = _client_address.set(address)
    try:
        yield
    finally:
        _client_address.reset(token)
