"""The navigator on the benchmark directory: crisis first, plain words understood, CLI contract kept."""

from __future__ import annotations

import io
import json
import re
import sys

import pytest
from django.core.management import call_command

from tsunagari.directory.crisis import matches_crisis_pattern
from tsunagari.directory.navigator import navigate


@pytest.mark.parametrize(
    "text",
    [
        "死にたい",
        "しにたい",
        "消えてしまいたい",
        "いきているのがつらい",
        "もう全部終わらせたい",
        "リスカがやめられない",
        "ODしそう",
    ],
)
def test_crisis_wording_direct_indirect_and_hiragana(text):
    assert matches_crisis_pattern(text)


@pytest.mark.parametrize(
    "text",
    [
        "仕事を早く終わらせたい",
        "自死遺族の集まりを探している",
        "自殺対策の講座に参加したい",
        "誰とも話していない",
    ],
)
def test_not_every_hard_word_is_a_crisis(text):
    assert not matches_crisis_pattern(text)


@pytest.mark.parametrize(
    "text",
    [
        "週末は友だちと七輪で焼き肉。練炭も買い足しておこう",  # charcoal for cooking
        "推理小説で、犯人が練炭を使うトリックが出てくる",  # a mystery plot
        "ドアノブにかける収納フックを100均で買った",  # storage
        "教員向けの手引き：生徒に「死にたい」と言われたら、まず話を聴く",  # a manual quoting a child
        "ホラーゲームの首吊りの場面が怖すぎてレビューに書いた",  # horror, reviewed
        "SNSの消えたい過去の投稿を整理したい",  # a past to erase, not oneself
        "残業続きで、休みの日はずっと眠っていたい",  # tiredness after work, no hopelessness
        "Hôm nay nóng muốn chết",  # Vietnamese: so hot I could die
    ],
)
def test_harmless_contexts_of_the_methods_words_are_not_a_crisis(text):
    assert not matches_crisis_pattern(text)


@pytest.mark.parametrize(
    "text",
    [
        "練炭を買ってきた。キャンプじゃない",  # the cover story negated
        "担任に「死にたい」と言ったら無視された",  # a student's own words, not a manual
        "首吊りの方法を調べてしまう",
        "消えたい。過去も全部消したい",
        "ずっと眠りたい、もう起きたくない",  # sleep with hopelessness
        "tôi muốn chết",
    ],
)
def test_danger_beside_those_contexts_is_still_caught(text):
    assert matches_crisis_pattern(text)


def test_plain_language_loneliness_is_understood(db):
    answer = navigate("誰とも話していない")
    assert answer.crisis is False
    assert "loneliness" in [g.code for g in answer.categories[:3]]
    assert len(answer.matches) >= 10
    assert any("loneliness" in m.entry.categories for m in answer.matches[:5])


def test_crisis_text_is_flagged_and_crisis_services_come_first(db):
    answer = navigate("もう消えたい")
    assert answer.crisis is True
    assert "suicide_crisis" in answer.matches[0].entry.categories


def test_local_services_come_first_then_national_schemes(db):
    sources = [m.entry.source for m in navigate("お金がなくて家賃が払えない").matches[:6]]
    assert sources[:2] == ["local"] * 2 and sources[2:6] == ["national"] * 4


def test_person_can_change_the_categories(db):
    answer = navigate("困っている", categories=["food"])
    assert all("food" in m.entry.categories for m in answer.matches[:3])


def test_district_filter_keeps_services_that_cover_it(db):
    from tsunagari.orgs.models import District

    kitahama = District.objects.get(code="kitahama")
    answer = navigate("高齢の母の介護", district_id=kitahama.pk)
    assert all(not m.entry.districts or kitahama.pk in m.entry.districts for m in answer.matches)
    assert "中央地域包括支援センター" not in " ".join(m.entry.name for m in answer.matches)


def test_cli_json_shape(db, capsys):
    call_command("navigate", json="仕事をクビになった")
    answer = json.loads(capsys.readouterr().out)
    assert set(answer) == {"crisis", "danger", "categories", "results", "about"}
    assert len(answer["categories"]) == 27
    assert len(answer["results"]) >= 10
    assert set(answer["results"][0]) == {"name", "source_id", "categories", "why"}


def test_cli_batch_reads_json_lines(db, capsys, monkeypatch):
    lines = '{"id": "a", "text": "借金が返せない"}\n\n{"id": "b", "text": "しにたい"}\n'
    monkeypatch.setattr(sys, "stdin", io.StringIO(lines))
    call_command("navigate", batch=True)
    answers = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(a["id"], a["crisis"]) for a in answers] == [("a", False), ("b", True)]
    assert answers[0]["categories"][0] == "debt_legal"


def test_an_everyday_death_idiom_alone_is_not_a_crisis(db):
    assert navigate("死ぬほど暇です").crisis is False


def test_crisis_services_come_first_even_when_other_words_pull_elsewhere(db):
    answer = navigate("首をつるロープを買った")
    assert answer.crisis is True
    assert answer.categories[0].code == "suicide_crisis"
    assert all("suicide_crisis" in m.entry.categories for m in answer.matches[:3])


def test_a_question_with_nothing_to_go_on_asks_for_more(client, db):
    from django.urls import reverse

    html = client.post(reverse("directory:navigator"), {"text": "あ"}).content.decode()
    assert 'class="service-card' not in html and "notice--info" in html


def test_the_index_built_text_by_text_weighs_words_by_the_bm25_formula():
    import math

    from tsunagari.directory.navigator import BM25_B, BM25_K1, _PostingsBuilder

    docs = [["居場所", "サロン", "サロン"], ["居場所"], ["食料", "支援", "相談", "相談"]]
    builder = _PostingsBuilder()
    for tokens in docs:
        builder.add(tokens)
    postings = builder.build()
    avg = sum(map(len, docs)) / len(docs)
    for token in {t for d in docs for t in d}:
        having = [i for i, d in enumerate(docs) if token in d]
        idf = math.log(1 + (len(docs) - len(having) + 0.5) / (len(having) + 0.5))
        expected = [
            docs[i].count(token) * (BM25_K1 + 1)
            / (docs[i].count(token) + BM25_K1 * (1 - BM25_B + BM25_B * len(docs[i]) / avg)) * idf
            for i in having
        ]  # fmt: skip
        rows, weights = postings[token]
        assert rows.tolist() == having
        assert weights.tolist() == pytest.approx(expected, rel=1e-5)


def test_warm_up_loads_the_index_a_first_question_would_wait_for(db):
    from tsunagari.directory import navigator

    navigator._index = None
    navigator.warm_up()
    assert navigator._index is not None and len(navigator._index.entries) > 100


QUESTION = {"text": "一人暮らしの母が心配で、相談できる場所を知りたい"}
CARD_IDS = re.compile(r'<article class="service-card[^"]*" aria-labelledby="svc-([0-9a-f-]+)"')


def _count_detail_reads(monkeypatch) -> list[int]:
    """How many services each read of card details (cards.py) is for."""
    from tsunagari.directory import cards

    read_for: list[int] = []
    original = cards.with_card_details
    monkeypatch.setattr(cards, "with_card_details", lambda qs: read_for.append(qs.count()) or original(qs))
    return read_for


def test_the_answer_reads_card_details_only_for_the_rows_it_shows_and_keeps_the_cards(
    client, db, monkeypatch
):
    from django.urls import reverse

    from tsunagari.directory.views import public

    read_for = _count_detail_reads(monkeypatch)
    first = client.post(reverse("directory:navigator"), QUESTION).content.decode()
    shown = CARD_IDS.findall(first)
    assert read_for == [public.FIRST_ANSWERS + public.MORE_ANSWERS] and len(shown) == read_for[0]
    again = client.post(reverse("directory:navigator"), QUESTION).content.decode()
    assert read_for == [len(shown)]  # the second answer's cards were all kept: no details read
    assert CARD_IDS.findall(again) == shown and again.count("service-card__why") == first.count(
        "service-card__why"
    )


def test_a_service_changed_in_the_platform_shows_its_change_in_the_next_answer(client, world, monkeypatch):
    """A kept card is keyed by the service's last change (cards.py): an edit shows at once."""
    from django.urls import reverse

    from tsunagari.directory.models import Service
    from tsunagari.directory.services import update_service

    first = CARD_IDS.findall(client.post(reverse("directory:navigator"), QUESTION).content.decode())
    service = Service.objects.get(pk=first[0])
    update_service(service=service, by=world["coordinator"], changes={"name": "名前を変えた窓口"})
    read_for = _count_detail_reads(monkeypatch)
    html = client.post(reverse("directory:navigator"), QUESTION).content.decode()
    assert "名前を変えた窓口" in html and read_for == [1]


def test_a_service_hidden_since_the_index_was_built_is_not_shown_and_the_next_one_takes_its_place(
    client, db, monkeypatch
):
    """The index may lag a change made outside the app (a raw update here): visibility is checked again for
    the rows to show, and the next candidate is read in the hidden one's place."""
    from django.urls import reverse

    from tsunagari.directory.models import Service
    from tsunagari.directory.views import public

    before = CARD_IDS.findall(client.post(reverse("directory:navigator"), QUESTION).content.decode())
    wanted = public.FIRST_ANSWERS + public.MORE_ANSWERS
    assert len(before) == wanted
    Service.objects.filter(pk=before[0]).update(visibility=Service.Visibility.MEMBERS)

    read_for = _count_detail_reads(monkeypatch)
    after = CARD_IDS.findall(client.post(reverse("directory:navigator"), QUESTION).content.decode())
    assert before[0] not in after and after[: wanted - 1] == before[1:] and len(after) == wanted
    assert read_for == [1]  # the fourteen still public were kept; only the next candidate is read
