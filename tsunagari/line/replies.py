"""What the city's LINE account says. Replies are built in the webhook, from the resident's text held in
memory only; what leaves this module (and is queued, encrypted) is the answer, never the question.

The answer quotes none of the resident's words (the navigator page's "matches your words" is left out),
so even a decrypted reply does not repeat what they wrote."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.debug import sensitive_variables

from tsunagari.directory.templatetags.crisis_box import crisis_groups
from tsunagari.notifications.channels import absolute
from tsunagari.notifications.models import Notification

CONTACT_SALT = "tsunagari.line.contact"
SERVICES_SHOWN = 2  # the two closest services; the navigator page has the rest
LINES_PER_GROUP = 3
TEXT_LIMIT = 5000  # LINE's limit for one text message


def contact_url(line_user_id: str) -> str:
    """The 「相談したい」 form (the contact request app, /soudan/) with the LINE user id signed in the address,
    so that the request can name LINE as the way to be contacted. Signed, not encrypted: the id is readable
    in the address (it means nothing outside this LINE account); the contact app checks the signature."""
    token = signing.dumps(line_user_id, salt=CONTACT_SALT)
    return absolute(reverse("reachout:contact") + "?line=" + token)


def line_user_from_contact_token(token: str, *, max_age: int | None = None) -> str | None:
    """The LINE user id in a ``contact_url`` address (for the contact request form), or None when the token
    was not made here (a wrong signature, another salt) or is older than ``max_age`` seconds."""
    try:
        value = signing.loads(token, salt=CONTACT_SALT, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    return value if isinstance(value, str) and value.startswith("U") else None


def check_url() -> str:
    return absolute("/check/")


def navigator_url() -> str:
    return absolute(reverse("directory:navigator"))


def quick_reply(line_user_id: str) -> dict[str, Any]:
    return {
        "items": [
            {
                "type": "action",
                "action": {
                    "type": "uri",
                    "label": pgettext("LINE quick reply, at most 20 characters", "I want to talk"),
                    "uri": contact_url(line_user_id),
                },
            },
            {
                "type": "action",
                "action": {
                    "type": "uri",
                    "label": pgettext("LINE quick reply, at most 20 characters", "Self-check"),
                    "uri": check_url(),
                },
            },
        ]
    }


def text(body: str, *, line_user_id: str | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"type": "text", "text": body.strip()[:TEXT_LIMIT]}
    if line_user_id:
        message["quickReply"] = quick_reply(line_user_id)
    return message


def _crisis_message(danger: str | None, crisis: bool) -> dict[str, Any] | None:
    groups = crisis_groups(danger, crisis)
    if not groups:
        return None
    parts = [
        _("You may be in a very hard place right now. You do not have to carry it alone. You can talk now:")
    ]
    for group in groups:
        lines = []
        for shown in group.lines[:LINES_PER_GROUP]:
            line = shown.line
            reach = line.number or line.url or line.note  # a LINE consultation: how to find it
            hours = f"（{line.hours}）" if line.hours else ""
            lines.append(f"・{line.name} {reach}{hours}")
        if lines:
            parts.append(f"【{group.title}】\n" + "\n".join(lines))
    parts.append(_("If your life is in danger now, call 119 (ambulance) or 110 (police)."))
    return text("\n\n".join(parts))


def _service_lines(service: Any) -> str:
    from tsunagari.directory.views.public import one_line

    lines = [f"■ {service.name}"]
    summary = one_line(service.description)
    if summary:
        lines.append(summary)
    phones = list(service.phones.all())
    if phones:
        lines.append(_("Phone: %(number)s") % {"number": phones[0].number})
    lines.append(absolute(reverse("directory:service_detail", args=[service.pk])))
    return "\n".join(lines)


@sensitive_variables("question", "tokens", "answer")
def navigator_reply(question: str, *, line_user_id: str) -> list[dict[str, Any]]:
    """The navigator's answer to a resident's message, as LINE messages: the crisis lines first when the
    text speaks of danger, the two closest services, and a link to the navigator page for the rest (the
    question is not put in the link: the resident types it there again if they wish)."""
    from tsunagari.directory.crisis import assess, matches_crisis_pattern
    from tsunagari.directory.embeddings import DIM
    from tsunagari.directory.load import answering_slot
    from tsunagari.directory.models import Service
    from tsunagari.directory.navigator import CANDIDATES, navigate
    from tsunagari.directory.selectors import public_services
    from tsunagari.directory.views.public import with_display_details
    from tsunagari.text.analysis import analyze_query

    with translation.override(settings.LANGUAGE_CODE):
        more = (
            _("More places that may help, and a search by district, on the city's navigator:")
            + "\n"
            + navigator_url()
        )
        tokens = analyze_query(question)
        if not tokens and not matches_crisis_pattern(question):
            return [
                text(
                    _(
                        "Thank you for your message. Please tell us a little more about what troubles you, "
                        "in your own words, and we will look for places that can help."
                    )
                    + "\n\n"
                    + more,
                    line_user_id=line_user_id,
                )
            ]
        services: list[Service] = []
        with answering_slot() as answering:
            looked = answering
            if answering:
                answer = navigate(question, limit=CANDIDATES, tokens=tokens)
                crisis, danger = answer.crisis, answer.danger
                ids = [m.entry.pk for m in answer.matches]
                visible = set(public_services().filter(pk__in=ids).values_list("pk", flat=True))
                chosen = [pk for pk in ids if pk in visible][:SERVICES_SHOWN]
                by_pk = with_display_details(Service.objects.filter(pk__in=chosen)).in_bulk()
                services = [by_pk[pk] for pk in chosen if pk in by_pk]
            else:  # the navigator is busy: the danger patterns still put the crisis lines first
                import numpy as np

                assessment = assess(question, np.zeros(DIM, dtype=np.float32))
                crisis, danger = assessment.crisis, assessment.danger
        messages = []
        crisis_message = _crisis_message(danger, crisis)
        if crisis_message:
            messages.append(crisis_message)
        if services:
            body = (
                _("Places that may help with what you wrote:")
                + "\n\n"
                + "\n\n".join(map(_service_lines, services))
            )
        elif looked:
            body = _(
                "We found no place that fits what you wrote. On the navigator you can choose the kinds of trouble yourself."
            )
        else:
            body = _("We could not look for places just now. Please try again in a little while.")
        messages.append(text(body))
        messages.append(
            text(
                more + "\n\n" + _("To be contacted by someone who can help, choose 「相談したい」 below."),
                line_user_id=line_user_id,
            )
        )
        return messages


def welcome(line_user_id: str) -> list[dict[str, Any]]:
    with translation.override(settings.LANGUAGE_CODE):
        return [
            text(
                _(
                    "Thank you for adding the LINE account of %(city)s. Write to us in your own words what "
                    "troubles you, and we will tell you where you can talk about it. What you write is not kept."
                )
                % {"city": settings.TSUNAGARI_CITY_NAME}
                + "\n\n"
                + _("If your life is in danger now, call 119 (ambulance) or 110 (police)."),
                line_user_id=line_user_id,
            )
        ]


def not_text(line_user_id: str) -> list[dict[str, Any]]:
    with translation.override(settings.LANGUAGE_CODE):
        return [
            text(
                _("We can read only written messages. Please write in words what troubles you.")
                + "\n\n"
                + navigator_url(),
                line_user_id=line_user_id,
            )
        ]


def linked() -> list[dict[str, Any]]:
    with translation.override(settings.LANGUAGE_CODE):
        return [
            text(
                _(
                    "This LINE account is now linked to your Tsunagari account. Your notifications will come "
                    "here too. You can unlink it on the settings page."
                )
            )
        ]


def code_refused(*, too_many: bool) -> list[dict[str, Any]]:
    with translation.override(settings.LANGUAGE_CODE):
        if too_many:
            body = _("Too many wrong codes. Please try again in an hour with a new code.")
        else:
            body = _(
                "This code is wrong or has expired. Get a new code on the LINE page of your Tsunagari "
                "settings and send it within %(minutes)s minutes."
            ) % {"minutes": settings.TSUNAGARI_LINE_CODE_MINUTES}
        return [text(body)]


def notification_message(notification: Notification) -> list[dict[str, Any]]:
    """A member's notification: what happened and where to look, never personal details (as the e-mail)."""
    with translation.override(settings.LANGUAGE_CODE):
        parts = []
        if notification.urgent:
            parts.append("【" + _("Urgent") + "】")
        parts.append(notification.subject)
        if notification.body.strip():
            parts.append(notification.body.strip())
        if notification.url:
            parts.append(_("Sign in to Tsunagari to see it:") + "\n" + absolute(notification.url))
        parts.append(f"（{timezone.localtime(notification.created_at):%Y-%m-%d %H:%M}）")
        return [text("\n\n".join(parts))]
