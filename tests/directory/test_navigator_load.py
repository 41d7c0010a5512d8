"""The public navigator cannot slow the whole site (issue 15, finding 8): long texts cost in proportion to
their length, each client has a per-minute limit (through the trusted proxy), answers take one of a few
machine-wide slots so a process stays free for staff pages, and a resident turned away still sees the
crisis lines when their words call for them, and keeps what they wrote."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tsunagari.directory import embeddings
from tsunagari.directory.load import answering_slot

URL = "directory:navigator"


@pytest.fixture
def slots(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.TSUNAGARI_NAVIGATOR_SLOTS = 2
    settings.TSUNAGARI_NAVIGATOR_WAIT_SECONDS = 0.2
    return settings


def test_long_texts_are_embedded_in_pieces_at_sentence_ends():
    sentence = "母が一人で暮らしていて、最近は食事もとっていないようで心配です。"
    pieces = embeddings.query_pieces(sentence * 30)
    assert len(pieces) > 1
    assert all(len(p) <= embeddings.QUERY_PIECE_CHARS for p in pieces)
    assert all(p.endswith("。") for p in pieces)
    assert "".join(pieces) == sentence * 30  # nothing dropped
    assert embeddings.query_pieces("短い") == ["短い"]
    unbroken = "あ" * 450  # no sentence end: cut where it must be
    assert [len(p) for p in embeddings.query_pieces(unbroken)] == [200, 200, 50]


def test_a_long_question_gets_a_unit_vector_close_to_its_parts():
    text = "仕事を失って家賃が払えない。" * 40
    vector = embeddings.query(text)
    assert vector.shape == (embeddings.DIM,)
    assert abs(float((vector**2).sum()) - 1.0) < 1e-4
    assert float(vector @ embeddings.query("仕事を失って家賃が払えない。")) > 0.9


def test_identical_questions_reuse_the_vector_without_keeping_the_text():
    first = embeddings.query("夜になると不安で眠れない")
    assert embeddings.query("夜になると不安で眠れない") is first
    assert all("夜" not in key for key in embeddings._recent)  # keyed digests, not the words


def test_slots_are_shared_and_released(slots):
    with answering_slot() as one, answering_slot() as two, answering_slot() as three:
        assert (one, two, three) == (True, True, False)
    with answering_slot() as again:
        assert again is True


def test_busy_navigator_answers_503_keeps_the_text_and_shows_crisis_lines_for_danger(client, db, slots):
    with answering_slot(), answering_slot():  # every slot taken, as under load
        response = client.post(reverse(URL), {"text": "もう死にたい"})
    assert response.status_code == 503
    html = response.content.decode()
    assert "もう死にたい" in html  # what they wrote stays in the form
    assert 'data-danger="suicide"' in html  # crisis lines, from the patterns alone
    assert "たくさんの方がこのページを使っています" in html


def test_busy_navigator_shows_no_crisis_box_for_an_everyday_question(client, db, slots):
    with answering_slot(), answering_slot():
        response = client.post(reverse(URL), {"text": "家賃が払えなくて困っている"})
    assert response.status_code == 503
    assert "data-danger" not in response.content.decode()


def test_each_client_behind_the_proxy_has_its_own_limit(client, db, settings, slots):
    settings.TSUNAGARI_NAVIGATOR_PER_MINUTE = 2
    settings.TSUNAGARI_TRUSTED_PROXIES = frozenset({"127.0.0.1"})
    alice = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    bob = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.9"}
    codes = [client.post(reverse(URL), {"text": "誰とも話していない"}, **alice).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert client.post(reverse(URL), {"text": "誰とも話していない"}, **bob).status_code == 200
    limited = client.post(reverse(URL), {"text": "消えてしまいたい"}, **alice)
    assert limited.status_code == 429
    assert 'data-danger="suicide"' in limited.content.decode()
    assert "消えてしまいたい" in limited.content.decode()
