"""What the city's LINE account says. Replies are built in the webhook, from the resident's text held in
memory only; what leaves this module (and is queued, encrypted) is the answer, never the question.

The answer quotes none of the resident's words (the navigator page's "matches your words" is left out),
so even a decrypted reply does not repeat what they wrote."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.debug import sensitive_variables

from tsunagari.crypto import fernet
from tsunagari.directory.templatetags.crisis_box import crisis_groups
from tsunagari.notifications.channels import absolute
from tsunagari.notifications.models import Notification

from . import postbacks

if TYPE_CHECKING:
    from tsunagari.directory.models import TaxonomyTerm

CONTACT_PURPOSE = "tsunagari.line.contact"  # inside the encrypted token: no other ciphertext passes for one
CONTACT_MAX_AGE = 24 * 3600  # a contact link works for a day
CONTACT_TOKEN_LIMIT = 500  # a real token is about 140 characters
SERVICES_SHOWN = 2  # the two closest services; the navigator page has the rest
LINES_PER_GROUP = 3
TEXT_LIMIT = 5000  # LINE's limit for one text message
QUICK_ITEMS_LIMIT = 13  # LINE's limit for the quick replies of one message
QUICK_LABEL_LIMIT = 20  # and for the label of one


def contact_url(line_user_id: str) -> str:
    """The 「相談したい」 form (the contact request app, /soudan/) for someone who would rather be contacted by
    phone or a visit, with their LINE user id **encrypted** in the address (Fernet with the data keys, under a
    purpose of its own), so that the request can also name LINE as the way to be contacted. The address shows
    nothing readable: not the id, nor anything it can be decoded from without the data keys."""
    plain = f"{CONTACT_PURPOSE}\n{line_user_id}"
    token = fernet().encrypt(plain.encode()).decode("ascii")
    return absolute(reverse("reachout:contact") + "?line=" + token)


def line_user_from_contact_token(token: str, *, max_age: int | None = CONTACT_MAX_AGE) -> str | None:
    """The LINE user id in a ``contact_url`` address (the one reader, for the contact request form), or None
    when the token was not made here (altered, another key, another purpose) or is older than ``max_age``
    seconds."""
    if not token or len(token) > CONTACT_TOKEN_LIMIT:
        return None
    try:
        plain = fernet().decrypt(token.encode("ascii"), ttl=max_age).decode()
    except (InvalidToken, ValueError):  # UnicodeError is a ValueError
        return None
    purpose, _newline, value = plain.partition("\n")
    if purpose != CONTACT_PURPOSE or not value.startswith("U") or not value.isascii() or not value.isalnum():
        return None
    return value


def check_url() -> str:
    return absolute("/check/")


def navigator_url() -> str:
    return absolute(reverse("directory:navigator"))


def _postback(label: str, data: str) -> dict[str, Any]:
    """A quick reply that sends ``data`` back to the webhook (a PostbackEvent); the chat shows ``label`` as if
    the resident had written it."""
    label = label[:QUICK_LABEL_LIMIT]
    return {
        "type": "action",
        "action": {"type": "postback", "label": label, "data": data, "displayText": label},
    }


def quick_reply() -> dict[str, Any]:
    return {
        "items": [
            _postback(pgettext("LINE quick reply, at most 20 characters", "I want to talk"), postbacks.START),
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


def text(body: str, *, quick: bool = False, items: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A text message; with ``quick`` the usual quick replies (「相談したい」「セルフチェック」), or ``items``."""
    message: dict[str, Any] = {"type": "text", "text": body.strip()[:TEXT_LIMIT]}
    if items:
        message["quickReply"] = {"items": items[:QUICK_ITEMS_LIMIT]}
    elif quick:
        message["quickReply"] = quick_reply()
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
    from tsunagari.directory.cards import one_line

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
def navigator_reply(question: str) -> list[dict[str, Any]]:
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
                    quick=True,
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
                quick=True,
            )
        )
        return messages


def welcome() -> list[dict[str, Any]]:
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
                quick=True,
            )
        ]


def not_text() -> list[dict[str, Any]]:
    with translation.override(settings.LANGUAGE_CODE):
        return [
            text(
                _("We can read only written messages. Please write in words what troubles you.")
                + "\n\n"
                + navigator_url(),
                quick=True,
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


# --- a contact request inside the chat (「相談したい」) -----------------------------------------------------

# The kinds of trouble the chat offers, among the categories of the web form (directory.selectors.
# category_terms): LINE shows at most 13 quick replies, and 「その他・わからない」 is one of them.
CONTACT_KINDS = (
    "loneliness",
    "mental_health",
    "suicide_crisis",
    "livelihood",
    "debt_legal",
    "housing",
    "employment",
    "elderly_care",
    "children_youth",
    "violence",
    "health",
    "hikikomori",
)


def contact_kinds() -> list[TaxonomyTerm]:
    """The categories offered in the chat, in the web form's order (a code no longer in the taxonomy is left
    out); at most 12, leaving room for 「その他・わからない」."""
    from tsunagari.directory.selectors import category_terms

    return list(category_terms().filter(code__in=CONTACT_KINDS))[: QUICK_ITEMS_LIMIT - 1]


def status_url() -> str:
    return absolute(reverse("reachout:status"))


def _other_label() -> str:
    return pgettext("LINE quick reply, at most 20 characters", "Other / not sure")


def contact_ask_kind(kinds: list[TaxonomyTerm], *, line_user_id: str) -> list[dict[str, Any]]:
    """Step 1: what is it about? One quick reply per kind, and the web form for a phone call or a visit."""
    with translation.override(settings.LANGUAGE_CODE):
        items = [_postback(term.label, postbacks.kind_chosen(term.code)) for term in kinds]
        items.append(_postback(_other_label(), postbacks.kind_chosen(postbacks.OTHER)))
        body = (
            _(
                "Someone from the city's support network will contact you here on LINE. What is it about? Please choose the closest below."
            )
            + "\n\n"
            + _("If you would rather be called or visited, please use this form:")
            + "\n"
            + contact_url(line_user_id)
        )
        return [text(body, items=items)]


def contact_confirm(kind: TaxonomyTerm | None) -> list[dict[str, Any]]:
    """Step 2: may we contact you on LINE? Says what is stored. The crisis lines come first for a kind of
    trouble that means danger to life."""
    with translation.override(settings.LANGUAGE_CODE):
        code = kind.code if kind else postbacks.OTHER
        label = kind.label if kind else _other_label()
        messages = []
        if kind is not None and kind.is_crisis:
            crisis = _crisis_message("suicide", True)
            if crisis:
                messages.append(crisis)
        body = (
            _("May we contact you on LINE about 「%(kind)s」?") % {"kind": label}
            + "\n\n"
            + _(
                "We keep only your LINE ID (encrypted) and the kind of trouble. The messages you write here "
                "are not kept."
            )
        )
        items = [
            _postback(pgettext("LINE quick reply, at most 20 characters", "Yes"), postbacks.confirmed(code)),
            _postback(pgettext("LINE quick reply, at most 20 characters", "Stop"), postbacks.STOP),
        ]
        messages.append(text(body, items=items))
        return messages


def contact_received(*, reference: str, pin: str, urgent: bool) -> list[dict[str, Any]]:
    """Step 3: the request is made: its reference code and PIN, and what happens next."""
    with translation.override(settings.LANGUAGE_CODE):
        if urgent:
            when = _("The secretariat will contact you here on LINE as soon as it can.")
        else:
            when = _("The secretariat will contact you here on LINE within %(days)s working days.") % {
                "days": settings.TSUNAGARI_CONTACT_RESPONSE_BUSINESS_DAYS
            }
        body = "\n\n".join(
            [
                _("We have received your request."),
                _("Reference code: %(reference)s") % {"reference": reference}
                + "\n"
                + _("PIN: %(pin)s") % {"pin": pin},
                when,
                _("With the reference code and the PIN you can see how your request is going:")
                + "\n"
                + status_url(),
                _("If your life is in danger now, call 119 (ambulance) or 110 (police)."),
            ]
        )
        return [text(body)]


def contact_stopped() -> list[dict[str, Any]]:
    with translation.override(settings.LANGUAGE_CODE):
        return [
            text(
                _(
                    "All right, we stopped. Nothing was kept. You can choose 「相談したい」 again at any time."
                ),
                quick=True,
            )
        ]


def postback_not_understood() -> list[dict[str, Any]]:
    """A button we do not know (an old one, or altered data): a polite answer, and the usual choices."""
    with translation.override(settings.LANGUAGE_CODE):
        return [
            text(
                _(
                    "Sorry, this button no longer works. Please choose 「相談したい」 again, or write to us in your own words."
                ),
                quick=True,
            )
        ]
