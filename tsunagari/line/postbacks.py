"""The data of the chat's postback buttons: the steps of a contact request made inside LINE (「相談したい」).

The data is short (LINE allows 300 characters), holds no personal data (a step and a category code, the same
codes the web form offers) and is read back only through ``parse``: anything else, whether altered, from an
older version of these buttons or a category no longer offered, is None, and the resident gets a polite
answer instead (services.contact_step)."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

START = "soudan"  # 「相談したい」: ask what it is about
STOP = "soudan:stop"  # 「やめる」: nothing is stored
OTHER = "other"  # 「その他・わからない」: a request without a category
DATA_LIMIT = 300  # LINE's limit

_STEP = re.compile(r"soudan(?::(?P<action>kind|yes):(?P<kind>[a-z][a-z0-9_]{0,49})|(?P<stop>:stop))?")

Action = Literal["start", "kind", "yes", "stop"]


@dataclass(frozen=True)
class Step:
    action: Action
    kind: str = ""  # a category code, or OTHER; for "kind" and "yes" only


def kind_chosen(code: str) -> str:
    """The kind of trouble was chosen: ask to confirm."""
    return f"soudan:kind:{code}"


def confirmed(code: str) -> str:
    """「はい」: make the request."""
    return f"soudan:yes:{code}"


def parse(data: str, *, offered: Collection[str]) -> Step | None:
    """The step in a postback's data, or None when it is not one of ours; ``offered`` are the category codes
    the chat offers now (OTHER is always accepted)."""
    if not isinstance(data, str) or len(data) > DATA_LIMIT:
        return None
    match = _STEP.fullmatch(data)
    if match is None:
        return None
    if match["stop"]:
        return Step("stop")
    if match["action"] is None:
        return Step("start")
    kind = match["kind"]
    if kind != OTHER and kind not in offered:
        return None
    return Step("kind" if match["action"] == "kind" else "yes", kind)
