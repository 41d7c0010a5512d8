"""Keeping the public navigator from slowing the whole site.

A navigator answer costs real CPU (the text's embedding grows with its length), and the navigator is
public. Two guards, both cheap:

* a per-client limit on questions a minute (the client as ``audit.services.client_ip`` sees it, so
  behind the trusted proxy each resident counts apart, and a forged X-Forwarded-For counts nothing);
* a fixed number of answering slots shared by every server process on the machine (file locks under the
  data dir), fewer than the server's worker processes, so at least one process is always free for staff
  pages however many residents ask at once.

A resident who meets either guard still gets the crisis lines when their words match the curated danger
patterns (no embedding needed), and keeps what they wrote.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest

from tsunagari.audit.services import client_ip
from tsunagari.ratelimit import services as ratelimit


def over_rate_limit(
    request: HttpRequest, *, scope: str = "navigator", limit: int | None = None, seconds: int = 60
) -> bool:
    """True once this client has asked more than ``limit`` times in this window of ``seconds`` (a minute
    unless told) in ``scope`` (the navigator's questions by default, TSUNAGARI_NAVIGATOR_PER_MINUTE;
    public forms pass their own scope and limit)."""
    if limit is None:
        limit = settings.TSUNAGARI_NAVIGATOR_PER_MINUTE
    if limit <= 0:
        return False
    window = int(time.time() // seconds)
    key = f"{scope}-rate:{client_ip(request) or 'unknown'}:{window}" + (
        "" if seconds == 60 else f":{seconds}"
    )
    return ratelimit.over(key, limit=limit, seconds=2 * seconds)


def _slot_paths() -> list[Path]:
    folder = Path(settings.DATA_DIR) / "run"
    folder.mkdir(parents=True, exist_ok=True)
    return [folder / f"navigator-slot-{i}.lock" for i in range(max(1, settings.TSUNAGARI_NAVIGATOR_SLOTS))]


@contextlib.contextmanager
def answering_slot(wait_seconds: float | None = None) -> Iterator[bool]:
    """Hold one of the machine's answering slots while answering; yields False when none came free
    within ``wait_seconds`` (TSUNAGARI_NAVIGATOR_WAIT_SECONDS by default)."""
    deadline = time.monotonic() + (
        settings.TSUNAGARI_NAVIGATOR_WAIT_SECONDS if wait_seconds is None else wait_seconds
    )
    paths = _slot_paths()
    while True:
        for path in paths:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                yield True
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
            return
        if time.monotonic() >= deadline:
            yield False
            return
        time.sleep(0.05)
