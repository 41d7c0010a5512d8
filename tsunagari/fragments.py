"""Parts of pages that are the same for many people, rendered once and kept in this process.

A part is kept under a key that holds everything it is rendered from that can change: the version tokens of
its data (which change in the same transaction as the data), the organisation whose links it carries, the
language and the day. It is kept at most ``seconds`` too, so what no token covers (a district renamed, say)
shows within that time. Nothing personal goes into a kept part: only what everyone who may see the page sees
alike (the city's de-identified picture of needs, a service's card in the directory).

Each kind of part has its own ``Keeper``, sized for how many of them there are (a picture per organisation
and language; a card per service and language), so that one kind never pushes the other out.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from django.utils.safestring import SafeString, mark_safe

T = TypeVar("T")
_keepers: list[Keeper] = []


class Keeper(Generic[T]):
    """At most ``size`` values, the least recently used forgotten first, each until its time is up."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, tuple[float, T]] = OrderedDict()
        self._lock = threading.Lock()
        _keepers.append(self)

    def find(self, key: Hashable) -> T | None:
        now = time.monotonic()
        with self._lock:
            found = self._values.get(key)
            if found is None or now >= found[0]:
                return None
            self._values.move_to_end(key)
            return found[1]

    def keep(self, key: Hashable, seconds: float, value: T) -> T:
        with self._lock:
            self._values[key] = (time.monotonic() + seconds, value)
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


def clear() -> None:
    """Forget every kept part (tests start each with none)."""
    for keeper in _keepers:
        keeper.clear()


_parts: Keeper[SafeString] = Keeper(256)


def kept(key: tuple, seconds: float, render: Callable[[], str]) -> SafeString:
    """The part under ``key``, rendered by ``render`` when none is kept or it is older than ``seconds``."""
    found = _parts.find(key)
    if found is not None:
        return found
    return _parts.keep(key, seconds, mark_safe(render()))  # noqa: S308 - rendered by a template, escaped there
