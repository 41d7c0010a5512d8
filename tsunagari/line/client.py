"""The only place that talks to LINE: configuration, the webhook's signature check and the Messaging API
(line-bot-sdk v3). LINE is on when both the channel secret and the access token are set."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from django.conf import settings
from linebot.v3 import WebhookParser
from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    Configuration,
    MessagingApi,
    PushMessageRequest,
    ReplyMessageRequest,
    TextMessage,
)


def line_enabled() -> bool:
    return bool(settings.TSUNAGARI_LINE_CHANNEL_SECRET and settings.TSUNAGARI_LINE_CHANNEL_ACCESS_TOKEN)


def parser() -> WebhookParser:
    return WebhookParser(settings.TSUNAGARI_LINE_CHANNEL_SECRET)


def _messages(messages: list[dict[str, Any]]) -> list[TextMessage]:
    return [TextMessage.from_dict(message) for message in messages]


def reply(reply_token: str, messages: list[dict[str, Any]]) -> None:
    """Answer an event with its reply token (free of charge, but the token lives only briefly)."""
    with ApiClient(Configuration(access_token=settings.TSUNAGARI_LINE_CHANNEL_ACCESS_TOKEN)) as client:
        MessagingApi(client).reply_message(
            ReplyMessageRequest(reply_token=reply_token, messages=_messages(messages))
        )


def push(to: str, messages: list[dict[str, Any]], *, retry_key: str) -> None:
    """Send to a LINE user id. ``retry_key`` (X-Line-Retry-Key) makes a repeated request harmless: LINE
    delivers each key once."""
    with ApiClient(Configuration(access_token=settings.TSUNAGARI_LINE_CHANNEL_ACCESS_TOKEN)) as client:
        MessagingApi(client).push_message(
            PushMessageRequest(to=to, messages=_messages(messages)), x_line_retry_key=retry_key
        )


def describe(error: Exception) -> str:
    """An error in words for the delivery row and the log: LINE's status and its message (LINE's error
    answers name the problem, never the message sent), or the network error (which names LINE's host)."""
    if isinstance(error, ApiException):
        message = ""
        with contextlib.suppress(ValueError, AttributeError):
            message = str(json.loads(error.body or b"{}").get("message", ""))
        return f"LINE {error.status} {error.reason or ''}: {message}".strip()[:500]
    return f"{type(error).__name__}: {error}"[:500]


def status_of(error: Exception) -> int | None:
    return error.status if isinstance(error, ApiException) else None
