"""「相談したい」 inside LINE: the chat's postback buttons lead to a contact request (LINE as the means, the LINE user
id encrypted, the kind of trouble) through reachout's own service, with its reference code and PIN; altered or
unknown button data gets a polite answer, never a 500; a replayed event makes no second request; nothing the
resident wrote is kept."""

from __future__ import annotations

import json
import re

import pytest

from tests.cases.test_people import _all_text_in_the_database
from tests.line.conftest import LINE_USER, post_webhook, recorded
from tsunagari.directory.selectors import category_terms
from tsunagari.line import postbacks
from tsunagari.line.models import HandledEvent, LineDelivery
from tsunagari.line.replies import CONTACT_KINDS, line_user_from_contact_token
from tsunagari.notifications.models import Notification
from tsunagari.reachout import services as reachout
from tsunagari.reachout.models import ContactRequest
from tsunagari.worker.runner import run_due_tasks

pytestmark = pytest.mark.django_db

QUESTION = "ぬばたま団地で一人暮らし。もう何日も誰とも話していなくてさみしい"
_events = iter(range(1, 1000))


def tap(client, data: str, *, event_id: str | None = None) -> str:
    """The resident taps a postback button carrying ``data``; returns the event id (to replay it)."""
    event_id = event_id or f"01JGKB0P0ST8ACK{next(_events):011d}"
    body = recorded(
        "postback",
        **{'"data": "soudan"': f'"data": {json.dumps(data)}', "01JGKB0P0ST8ACK0000000000A": event_id},
    )
    assert post_webhook(client, body).status_code == 200
    return event_id


def last_reply(fake_line) -> list[dict]:
    run_due_tasks()
    return fake_line.requests[-1]["body"]["messages"]


def items_of(message: dict) -> list[dict]:
    return [item["action"] for item in message["quickReply"]["items"]]


def test_a_contact_request_is_made_inside_the_chat(client, line_on, fake_line, world):
    post_webhook(client, recorded("text_message"))  # the resident wrote first: not part of the request
    [talk, _check] = items_of(last_reply(fake_line)[-1])
    assert talk["type"] == "postback" and talk["label"] == "相談したい"

    tap(client, talk["data"])
    [ask] = last_reply(fake_line)
    kinds = items_of(ask)
    assert 2 <= len(kinds) <= 13 and kinds[-1]["label"] == "その他・わからない"
    assert all(k["type"] == "postback" and len(k["data"]) <= 60 and len(k["label"]) <= 20 for k in kinds)
    offered = set(category_terms().values_list("code", flat=True))  # the web form's categories
    assert {k["data"].removeprefix("soudan:kind:") for k in kinds[:-1]} <= offered
    # The web form stays the way to be called or visited, with the LINE user id encrypted in its link.
    [link] = re.findall(r"https://tsunagari\.example\.jp/soudan/\?line=\S+", ask["text"])
    assert LINE_USER not in link and line_user_from_contact_token(link.split("?line=")[1]) == LINE_USER

    [loneliness] = [k for k in kinds if k["label"] == "孤独・さびしさ"]
    tap(client, loneliness["data"])
    [confirm] = last_reply(fake_line)
    assert "LINEで連絡してもいいですか" in confirm["text"] and "孤独・さびしさ" in confirm["text"]
    assert "暗号化" in confirm["text"] and "保存しません" in confirm["text"]  # what is kept, and what is not
    yes, stop = items_of(confirm)
    assert (yes["label"], stop["label"]) == ("はい", "やめる")
    assert not ContactRequest.objects.exists()  # nothing before 「はい」

    yes_event = tap(client, yes["data"])
    request = ContactRequest.objects.get()
    assert (request.means, request.source, request.urgent) == ("line", "line", False)
    assert request.line_user_id == LINE_USER and request.message == "" and request.phone == ""
    assert [t.code for t in request.categories.all()] == ["loneliness"]
    [received] = last_reply(fake_line)
    assert request.reference in received["text"] and "このLINEで連絡します" in received["text"]
    pin = re.search(r"暗証番号.*?(\d{6})", received["text"])[1]
    assert reachout.check_status(reference=request.reference, pin=pin) == request
    assert "https://tsunagari.example.jp/soudan/status/" in received["text"]
    told = Notification.objects.filter(recipient=world["coordinator"].user).last()
    assert request.reference in told.subject

    # The same event again (a replay, or LINE's redelivery): no second request, no second reply.
    deliveries = LineDelivery.objects.count()
    tap(client, yes["data"], event_id=yes_event)
    assert ContactRequest.objects.count() == 1 and LineDelivery.objects.count() == deliveries

    dump = _all_text_in_the_database()
    for secret in (LINE_USER, QUESTION, "ぬばたま団地", pin):
        assert secret not in dump, secret


def test_other_or_not_sure_makes_a_request_without_a_kind(client, line_on, fake_line, world):
    tap(client, postbacks.confirmed(postbacks.OTHER))
    request = ContactRequest.objects.get()
    assert request.means == "line" and not request.categories.exists()
    assert request.reference in last_reply(fake_line)[0]["text"]


def test_a_kind_that_means_danger_to_life_shows_the_crisis_lines_and_is_urgent(
    client, line_on, fake_line, world
):
    crisis = category_terms().filter(is_crisis=True, code__in=CONTACT_KINDS).first()
    tap(client, postbacks.kind_chosen(crisis.code))
    lines, confirm = last_reply(fake_line)
    assert "119" in lines["text"] and "LINEで連絡してもいいですか" in confirm["text"]
    tap(client, postbacks.confirmed(crisis.code))
    assert ContactRequest.objects.get().urgent
    assert "できるだけ早く" in last_reply(fake_line)[0]["text"]


def test_stop_keeps_nothing(client, line_on, fake_line):
    tap(client, postbacks.STOP)
    [message] = last_reply(fake_line)
    assert "保存していません" in message["text"] and len(message["quickReply"]["items"]) == 2
    assert not ContactRequest.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        "",
        "hello",
        "soudan:yes:",
        "soudan:yes:no_such_kind",
        "soudan:yes:food",  # a category of the web form the chat does not offer
        "soudan:yes:district_chuo",  # a term of another taxonomy
        "soudan:kind:LONELINESS",
        "soudan:yes:loneliness;U4af4980629a1b2c3d4e5f60718293a4b",
        "soudan:yes:loneliness\n",
        "soudan:yes:loneliness:again",
        "soudan:start",
        "soudan:yes:" + "a" * 400,
        "相談したい",
    ],
)
def test_altered_or_unknown_button_data_gets_a_polite_answer(client, line_on, fake_line, data, caplog):
    tap(client, data)
    [message] = last_reply(fake_line)
    assert "このボタンは使えなくなりました" in message["text"] and len(message["quickReply"]["items"]) == 2
    assert not ContactRequest.objects.exists()
    assert HandledEvent.objects.count() == 1
    if data:
        assert data not in caplog.text


def test_postback_data_is_short_and_holds_no_personal_data(client, line_on, fake_line):
    tap(client, postbacks.START)
    for action in items_of(last_reply(fake_line)[0]):
        assert re.fullmatch(r"soudan:kind:[a-z_]+", action["data"]) and len(action["data"]) <= 60
        assert postbacks.parse(action["data"], offered=CONTACT_KINDS) is not None
