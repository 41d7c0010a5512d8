"""LINE without the network: recorded webhook bodies (tests/line/webhooks/*.json), signed with a test channel
secret, and a fake HTTP transport under the SDK (urllib3's PoolManager, the outside world) that records what
would have gone to api.line.me and answers as LINE does, or fails when told to."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

SECRET = "test-channel-secret-0123456789ab"
TOKEN = "test-channel-access-token"
WEBHOOKS = Path(__file__).parent / "webhooks"
LINE_USER = "U4af4980629a1b2c3d4e5f60718293a4b"


def recorded(name: str, **replace: str) -> str:
    body = (WEBHOOKS / f"{name}.json").read_text(encoding="utf-8")
    for old, new in replace.items():
        body = body.replace(old, new)
    return body


def sign(body: str, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()).decode()


def post_webhook(client: Client, body: str, signature: str | None = "sign"):
    headers = {}
    if signature == "sign":
        headers["HTTP_X_LINE_SIGNATURE"] = sign(body)
    elif signature is not None:
        headers["HTTP_X_LINE_SIGNATURE"] = signature
    return client.post("/line/webhook/", data=body.encode(), content_type="application/json", **headers)


@dataclass
class _Response:
    status: int
    data: bytes
    reason: str = ""
    headers: dict[str, str] = field(default_factory=lambda: {"content-type": "application/json"})


@dataclass
class FakeLine:
    """What LINE received (each request's path, headers and JSON body) and how it answers: ``failures``
    is a list of statuses to answer in turn before answering 200 again (0 means the network is down)."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)

    def request(self, method: str, url: str, body: Any = None, headers: Any = None, **_kw: Any) -> _Response:
        self.requests.append(
            {"method": method, "path": url.split("api.line.me", 1)[-1], "headers": dict(headers or {}),
             "body": json.loads(body) if body else None}
        )  # fmt: skip
        if self.failures:
            status = self.failures.pop(0)
            if status == 0:
                import urllib3

                raise urllib3.exceptions.MaxRetryError(None, url, "connection refused")  # type: ignore[arg-type]
            message = {400: "Invalid reply token", 500: "Internal server error"}.get(status, "error")
            return _Response(status, json.dumps({"message": message}).encode(), reason="Error")
        return _Response(
            200, b'{"sentMessages": [{"id": "461230966842064897", "quoteToken": "IStG5h1Tz7b"}]}', "OK"
        )

    def texts(self) -> list[str]:
        return [m["text"] for r in self.requests for m in (r["body"] or {}).get("messages", [])]


@pytest.fixture
def line_on(settings):
    settings.TSUNAGARI_LINE_CHANNEL_SECRET = SECRET
    settings.TSUNAGARI_LINE_CHANNEL_ACCESS_TOKEN = TOKEN
    settings.TSUNAGARI_SITE_URL = "https://tsunagari.example.jp"


@pytest.fixture
def fake_line(monkeypatch) -> FakeLine:
    fake = FakeLine()

    class PoolManager:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pass

        def request(self, *args: Any, **kwargs: Any) -> _Response:
            return fake.request(*args, **kwargs)

    import linebot.v3.messaging.rest as rest

    monkeypatch.setattr(rest.urllib3, "PoolManager", PoolManager)
    return fake
