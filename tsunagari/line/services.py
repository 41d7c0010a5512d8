"""The LINE webhook's events, linking members' LINE accounts, and sending LINE messages through the worker.

Where a resident's message goes: it is read in the webhook's memory, answered there by the navigator
(replies.navigator_reply), and only the answer is queued, encrypted, for the worker. The text is never
written anywhere (no row, no log line, no task argument), nor is anything derived from it except the
answer. Building the answer in the webhook rather than in the worker is the safer choice: a queued
question, even encrypted, would sit in the database (and in its backups) until sent, and a failed task keeps
its arguments for weeks; an answer names only public services and hotlines. See docs/operations.md, "LINE".

The chat's buttons (postbacks) let a resident ask to be contacted without leaving LINE: the request holds the
LINE user id (encrypted) and the kind of trouble they chose, never anything they wrote.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import unicodedata
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.webhooks import (
    FollowEvent,
    MessageEvent,
    PostbackEvent,
    TextMessageContent,
    UnfollowEvent,
    UserSource,
)

from tsunagari.accounts.models import User
from tsunagari.audit.services import log_action
from tsunagari.crypto import blind_index
from tsunagari.notifications.models import Notification
from tsunagari.ratelimit import services as ratelimit

from . import client, postbacks, replies
from .models import HandledEvent, LineDelivery, LineLink, LinkCode
from .tasks import send_line_delivery

if TYPE_CHECKING:
    from tsunagari.directory.models import TaxonomyTerm
    from tsunagari.reachout.services import Received

logger = logging.getLogger("tsunagari.line")

USER_INDEX = "line-user"
CODE_INDEX = "line-link-code"
CODE_DIGITS = 8


class WebhookRefused(Exception):
    """A request the webhook does not accept: ``status`` is 400 (not a LINE webhook) or 403 (bad signature)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def user_index(line_user_id: str) -> str:
    return blind_index(line_user_id, purpose=USER_INDEX)


# --- the webhook -------------------------------------------------------------------------------------------


@sensitive_variables("body")
def handle_webhook(*, body: str, signature: str) -> int:
    """Check the signature, then handle each event once; return how many were handled. Raises
    WebhookRefused for anything that is not a correctly signed LINE webhook."""
    if not signature:
        raise WebhookRefused(400, "no signature")
    try:
        events = client.parser().parse(body, signature)
    except InvalidSignatureError as error:
        raise WebhookRefused(403, "bad signature") from error
    except (ValueError, KeyError, TypeError, AttributeError) as error:  # signed, but not a webhook body
        raise WebhookRefused(400, "unreadable body") from error
    return sum(handle_event(event) for event in events)


def handle_event(event: Any) -> bool:
    """One event, at most once (LINE's webhookEventId). Messages from groups and rooms, events in standby
    mode (another channel answers) and kinds of event we do not know are ignored. A failure in one event
    is logged (its id and the error's type only) and does not stop the others nor fail the webhook."""
    if not isinstance(event, MessageEvent | PostbackEvent | FollowEvent | UnfollowEvent):
        return False
    if not isinstance(event.source, UserSource) or not event.source.user_id:
        return False
    if event.mode is not None and str(event.mode.value) != "active":
        return False
    event_id = event.webhook_event_id
    try:
        with transaction.atomic():
            HandledEvent.objects.create(webhook_event_id=event_id[:64])
    except IntegrityError:
        logger.info("LINE event %s already handled (replayed or redelivered)", event_id)
        return False
    try:
        _dispatch(event)
    except Exception as error:  # noqa: BLE001 - one bad event must not fail the webhook (nor be retried forever)
        logger.error("LINE event %s could not be handled: %s", event_id, type(error).__name__)
        HandledEvent.objects.filter(webhook_event_id=event_id[:64]).delete()  # a redelivery may try again
        return False
    return True


@sensitive_variables("question")
def _dispatch(event: Any) -> None:
    line_user_id: str = event.source.user_id
    if isinstance(event, FollowEvent):
        queue_reply(line_user_id=line_user_id, reply_token=event.reply_token, messages=replies.welcome())
    elif isinstance(event, UnfollowEvent):
        forget_line_user(line_user_id=line_user_id)
    elif isinstance(event, PostbackEvent):
        data = event.postback.data if event.postback else ""
        with transaction.atomic():  # the request and its reply together: a failure leaves neither
            messages = contact_step(line_user_id=line_user_id, data=data or "")
            queue_reply(line_user_id=line_user_id, reply_token=event.reply_token, messages=messages)
    elif isinstance(event.message, TextMessageContent):
        question = event.message.text or ""
        code = code_in(question)
        if code is not None:
            messages = link_with_code(line_user_id=line_user_id, code=code)
        else:
            messages = replies.navigator_reply(question)
        queue_reply(line_user_id=line_user_id, reply_token=event.reply_token, messages=messages)
    else:  # a sticker, a photo, a voice message …
        queue_reply(line_user_id=line_user_id, reply_token=event.reply_token, messages=replies.not_text())


# --- a contact request inside the chat (「相談したい」) -----------------------------------------------------


@sensitive_variables("received")
def contact_step(*, line_user_id: str, data: str) -> list[dict[str, Any]]:
    """One step of a contact request made with the chat's buttons (postbacks.py): 「相談したい」 → what it is
    about → 「LINEで連絡してもいいですか」 → 「はい」 makes the request. Data that is not one of our steps gets
    a polite answer; it is never logged (only its length)."""
    kinds = replies.contact_kinds()
    step = postbacks.parse(data, offered={term.code for term in kinds})
    if step is None:
        logger.info("LINE postback not understood (%s characters)", len(data))
        return replies.postback_not_understood()
    if step.action == "start":
        return replies.contact_ask_kind(kinds, line_user_id=line_user_id)
    if step.action == "stop":
        return replies.contact_stopped()
    kind = next((term for term in kinds if term.code == step.kind), None)  # None: 「その他・わからない」
    if step.action == "kind":
        return replies.contact_confirm(kind)
    received = request_contact(line_user_id=line_user_id, kind=kind)
    return replies.contact_received(
        reference=received.request.reference, pin=received.pin, urgent=received.request.urgent
    )


def request_contact(*, line_user_id: str, kind: TaxonomyTerm | None) -> Received:
    """A contact request through reachout's own service (its rules: encryption, reference code and PIN, the
    secretariat told, 緊急 on call): LINE as the means, with the LINE user id (stored encrypted) as the way
    to reach the person, and the kind of trouble; no name, no text. A kind that means danger to life (a
    crisis category) makes it 緊急, as crisis words do on the web form."""
    from tsunagari.reachout.models import ContactRequest
    from tsunagari.reachout.services import submit_request

    with translation.override(settings.LANGUAGE_CODE):
        name = _("(no name: asked on LINE)")
    data = {"means": ContactRequest.Means.LINE, "name": name, "categories": [kind] if kind else []}
    return submit_request(
        data=data,
        source=ContactRequest.Source.LINE,
        urgent=bool(kind and kind.is_crisis),
        line_user_id=line_user_id,
    )


# --- linking a member's LINE account ----------------------------------------------------------------------


def code_in(text: str) -> str | None:
    """The one-time code, when the message is nothing but one (full-width digits, spaces and hyphens
    allowed: 「１２３４ ５６７８」)."""
    folded = re.sub(r"[\s\-‐－ー―]", "", unicodedata.normalize("NFKC", text))
    return folded if re.fullmatch(rf"\d{{{CODE_DIGITS}}}", folded) else None


@transaction.atomic
def new_link_code(*, user: User) -> LinkCode:
    """A fresh one-time code for ``user`` (their earlier unused codes stop working)."""
    LinkCode.objects.filter(user=user, used_at__isnull=True).delete()
    now = timezone.now()
    while True:
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        try:
            with transaction.atomic():
                return LinkCode.objects.create(
                    user=user,
                    code=code,
                    code_index=blind_index(code, purpose=CODE_INDEX),
                    created_at=now,
                    expires_at=now + timedelta(minutes=settings.TSUNAGARI_LINE_CODE_MINUTES),
                )
        except IntegrityError:  # the same code as an old one not yet forgotten: draw again
            continue


def _wrong_code_key(line_user_id: str) -> str:
    # The counter table never holds the LINE user id; the clock hour names the window.
    return f"line-wrong-codes:{user_index(line_user_id)}:{int(timezone.now().timestamp() // 3600)}"


@sensitive_variables("code")
def link_with_code(*, line_user_id: str, code: str) -> list[dict[str, Any]]:
    """Link the LINE account that sent ``code`` to the member it was made for; return the reply. A wrong
    or expired code is counted against the LINE account (too many in an hour and every code is refused)."""
    key = _wrong_code_key(line_user_id)
    limit = settings.TSUNAGARI_LINE_WRONG_CODES_PER_HOUR
    # Counted before the code is tried, in one atomic step (as the contact status page does): of many codes
    # sent at once only the first ``limit`` are tried; the right one gives its count back.
    if limit > 0 and ratelimit.hit(key, seconds=7200) > limit:
        return replies.code_refused(too_many=True)
    user = _use_code(line_user_id=line_user_id, code=code)
    if user is None:
        return replies.code_refused(too_many=False)
    if limit > 0:
        ratelimit.give_back(key)
    return replies.linked()


@transaction.atomic
def _use_code(*, line_user_id: str, code: str) -> User | None:
    from tsunagari.notifications.services import notify

    now = timezone.now()
    row = (
        LinkCode.objects.select_for_update()
        .select_related("user")
        .filter(code_index=blind_index(code, purpose=CODE_INDEX), used_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    row.used_at = now
    row.save(update_fields=["used_at"])
    user = row.user
    index = user_index(line_user_id)
    # Told before the link changes: by e-mail, and on a LINE account linked before (not the new one, which
    # gets the reply). Someone who did not link it themselves learns it here.
    notify(
        [user],
        subject=_("A LINE account was linked to your Tsunagari account"),
        body=_(
            "Your notifications will also come to LINE. If you did not do this, unlink it and tell the secretariat."
        ),
        url=reverse("line:settings"),
    )
    LineLink.objects.filter(line_user_index=index).exclude(user=user).delete()  # one member per LINE account
    link, _created = LineLink.objects.update_or_create(
        user=user, defaults={"line_user_id": line_user_id, "line_user_index": index, "linked_at": now}
    )
    log_action(link, actor=user, action="line.linked")
    return user


@transaction.atomic
def unlink(*, user: User) -> bool:
    link = LineLink.objects.filter(user=user).first()
    if link is None:
        return False
    log_action(link, actor=user, action="line.unlinked")
    link.delete()
    return True


@transaction.atomic
def forget_line_user(*, line_user_id: str) -> None:
    """The LINE user blocked the account (unfollow): a member's link ends, and they are told by e-mail."""
    from tsunagari.notifications.services import notify

    link = LineLink.objects.select_related("user").filter(line_user_index=user_index(line_user_id)).first()
    if link is None:
        return
    user = link.user
    log_action(link, actor=None, action="line.unlinked_by_block", data={"user": user.pk})
    link.delete()
    notify(
        [user],
        subject=_("Your LINE account is no longer linked"),
        body=_("The LINE account blocked the city's account, so notifications no longer go to LINE."),
        url=reverse("line:settings"),
    )


# --- sending ------------------------------------------------------------------------------------------------


@transaction.atomic
def queue_reply(
    *, line_user_id: str, reply_token: str | None, messages: list[dict[str, Any]]
) -> LineDelivery:
    delivery = LineDelivery.objects.create(
        kind=LineDelivery.Kind.REPLY,
        to=line_user_id,
        reply_token=reply_token or "",
        messages=json.dumps(messages),
    )
    send_line_delivery.enqueue(delivery.pk)
    return delivery


def queue_notification(*, notification: Notification, link: LineLink) -> LineDelivery:
    """Call inside the transaction that made the notification (a rollback sends nothing)."""
    delivery = LineDelivery.objects.create(
        kind=LineDelivery.Kind.NOTIFICATION,
        to=link.line_user_id,
        messages=json.dumps(replies.notification_message(notification)),
        notification=notification,
        recipient=notification.recipient,
    )
    send_line_delivery.enqueue(delivery.pk)
    return delivery


class _Gone(Exception):
    """Nothing can be sent: LINE was turned off, or the member unlinked the account."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def attempt_delivery(delivery_id: int) -> str:
    """One attempt to send a queued LINE message (the worker's task), outside any transaction. The first
    attempt of a reply uses its reply token; when the token is refused (it lives only briefly) and on every
    retry, the message is pushed to the user id with the row's retry key."""
    delivery = LineDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None or delivery.status in {LineDelivery.Status.SENT, LineDelivery.Status.FAILED}:
        return "nothing to send"
    attempts = delivery.attempts + 1
    try:
        if not client.line_enabled():
            raise _Gone("LINE is not configured")
        if (
            delivery.kind == LineDelivery.Kind.NOTIFICATION
            and not LineLink.objects.filter(
                user=delivery.recipient, line_user_index=user_index(delivery.to)
            ).exists()
        ):
            raise _Gone("the member unlinked this LINE account")
        messages = json.loads(delivery.messages)
        if delivery.reply_token and delivery.attempts == 0:
            try:
                client.reply(delivery.reply_token, messages)
            except Exception as error:
                if client.status_of(error) != 400:
                    raise
                client.push(delivery.to, messages, retry_key=str(delivery.retry_key))  # the token had expired
        else:
            client.push(delivery.to, messages, retry_key=str(delivery.retry_key))
    except _Gone as gone:
        return _attempt_failed(delivery, attempts=settings.TSUNAGARI_LINE_MAX_ATTEMPTS, message=gone.reason)
    except Exception as error:  # noqa: BLE001 - LINE or the network failed: try again later
        return _attempt_failed(delivery, attempts=attempts, message=client.describe(error))
    LineDelivery.objects.filter(pk=delivery.pk).update(
        status=LineDelivery.Status.SENT, attempts=attempts, sent_at=timezone.now(), next_attempt_at=None,
        **_blanked(delivery),
    )  # fmt: skip
    return f"sent after {attempts} attempt(s)"


def _blanked(delivery: LineDelivery) -> dict[str, str]:
    """A resident's reply is forgotten once it is sent or has failed for good: only its state remains."""
    if delivery.kind == LineDelivery.Kind.REPLY:
        return {"to": "", "reply_token": "", "messages": ""}
    return {"reply_token": ""}


def _attempt_failed(delivery: LineDelivery, *, attempts: int, message: str) -> str:
    from tsunagari.notifications.services import retry_delay

    if attempts >= settings.TSUNAGARI_LINE_MAX_ATTEMPTS:
        logger.error("LINE message #%s failed for good after %s attempts: %s", delivery.pk, attempts, message)
        LineDelivery.objects.filter(pk=delivery.pk).update(
            status=LineDelivery.Status.FAILED, attempts=attempts, last_error=message[:500], next_attempt_at=None,
            **_blanked(delivery),
        )  # fmt: skip
        return f"failed for good: {message}"
    next_attempt = timezone.now() + retry_delay(attempts)
    logger.warning(
        "LINE message #%s failed (attempt %s), again at %s: %s", delivery.pk, attempts, next_attempt, message
    )
    with transaction.atomic():
        LineDelivery.objects.filter(pk=delivery.pk).update(
            status=LineDelivery.Status.RETRYING, attempts=attempts, last_error=message[:500],
            next_attempt_at=next_attempt,
        )  # fmt: skip
        send_line_delivery.using(run_after=next_attempt).enqueue(delivery.pk)
    return f"failed, again at {next_attempt:%Y-%m-%d %H:%M}"
