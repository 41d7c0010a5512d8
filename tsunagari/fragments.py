"""Parts of members' pages that are the same for many members, rendered once and kept in this process.

A part is kept under a key that holds everything it is rendered from that can change: the version tokens of
its data (which change in the same transaction as the data), the organisation whose links it carries, the
language and the day. It is kept at most ``seconds`` too, so what no token covers (a district renamed, say)
shows within that time. Nothing personal goes into a kept part: only what every member who may see the page
sees alike (the city's de-identified picture of needs)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.utils.safestring import SafeString, mark_safe

MAX_PARTS = 256
_parts: OrderedDict[tuple[Any, ...], tuple[float, SafeString]] = OrderedDict()
_lock = threading.Lock()


def clear() -> None:
    """Forget every kept part (tests start each with none)."""
    with _lock:
        _parts.clear()


def kept(key: tuple[Any, ...], seconds: float, render: Callable[[], str]) -> SafeString:
    """The part under ``key``, rendered by ``render`` when none is kept or it is older than ``seconds``."""
    now = time.monotonic()
    with _lock:
        found = _parts.get(key)
        if found is not None and now < found[0]:
            _parts.move_to_end(key)
            return found[1]
    html = mark_safe(render())  # noqa: S308 - rendered by a template, escaped there
    with _lock:
        _parts[key] = (now + seconds, html)
        _parts.move_to_end(key)
        while len(_parts) > MAX_PARTS:
            _parts.popitem(last=False)
    return html
