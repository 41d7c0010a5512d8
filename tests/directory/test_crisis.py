"""Danger in a resident's text: the labelled set, the shipped classifier, the first line for each danger,
the crisis box for people (kind words, chat beside phones, hours from the schedule, sources apart)."""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from django.urls import reverse

from tsunagari.directory import crisis
from tsunagari.directory.answers import answer_as_json
from tsunagari.directory.crisis import (
    HOLDOUT_CSV,
    MAX_PIECES,
    TEXTS_CSV,
    CrisisModel,
    assess,
    crisis_model,
    decide,
    pattern_kinds,
    sentences,
    texts_digest,
)
from tsunagari.directory.hotlines import (
    TOKYO,
    ScheduleError,
    all_hotlines,
    crisis_hotlines,
    is_open,
    lines_for,
    parse_schedule,
)
from tsunagari.directory.navigator import navigate
from tsunagari.text.analysis import normalize

DEV_QUESTIONS = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "navigator_dev.jsonl"


def _rows() -> list[dict[str, str]]:
    with TEXTS_CSV.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# --- the labelled set and the shipped weights --------------------------------------------------------


def test_labelled_set_has_danger_and_as_many_hard_negatives():
    rows = _rows()
    counts = Counter(r["danger"] for r in rows)
    dangerous = counts["suicide"] + counts["violence"] + counts["medical"]
    assert dangerous >= 400
    assert counts["none"] >= dangerous
    assert all(r["subclass"] and r["crisis"] in ("0", "1") for r in rows)
    assert {r["crisis"] for r in rows if r["danger"] in ("suicide",)} == {"1"}
    assert {r["crisis"] for r in rows if r["danger"] in ("violence", "none")} == {"0"}
    assert len({r["text"] for r in rows}) == len(rows)


def test_labelled_set_holds_no_development_question():
    if not DEV_QUESTIONS.is_file():
        pytest.skip("the shared development questions are not beside this checkout")
    dev = {json.loads(line)["text"] for line in DEV_QUESTIONS.open(encoding="utf-8") if line.strip()}
    assert not dev & {r["text"] for r in _rows()}


def _holdout(*, blind: bool = True) -> list[dict[str, str]]:
    """The held-out sets; ``blind=False`` leaves out the three whose texts nobody tuning the detector has
    read (their misses and false alarms are figures to report, not rows to fix one by one)."""
    rows: list[dict[str, str]] = []
    names = ["crisis_holdout_fresh.csv"]
    if blind:
        names += ["crisis_holdout_blind.csv", "crisis_holdout_blind2.csv", "crisis_holdout_blind3.csv"]
    for path in (HOLDOUT_CSV, *(HOLDOUT_CSV.with_name(name) for name in names)):
        with path.open(encoding="utf-8", newline="") as fh:
            rows += list(csv.DictReader(fh))
    return rows


def _same(text: str) -> str:
    return normalize(text).replace(" ", "")


def test_held_out_set_is_never_trained_on():
    # benchmarks/crisis.py --holdout measures the shipped detector on these; a text (in any spacing or
    # width) that also sits in the labelled set would make that figure a training figure.
    held = _holdout()
    assert sum(r["crisis"] == "1" for r in held) >= 120
    assert sum(r["danger"] == "none" for r in held) >= 80
    assert len({_same(r["text"]) for r in held}) == len(held)
    assert not {_same(r["text"]) for r in held} & {_same(r["text"]) for r in _rows()}


def test_no_harmless_text_of_either_set_matches_a_suicide_pattern():
    harmless = [r["text"] for r in _rows() + _holdout(blind=False) if r["danger"] == "none"]
    assert [t for t in harmless if "suicide" in pattern_kinds(t)] == []


def test_shipped_weights_were_trained_on_the_current_labelled_set():
    # Adding a row without retraining (benchmarks/crisis.py --train) fails here.
    assert crisis_model().texts_sha256 == texts_digest()


# --- patterns: the floor --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("I want to kill myself", "suicide"),
        ("遺書を書き終えた", "suicide"),
        ("くすりを ぜんぶ のんで しまった", "medical"),
        ("夫に「殺すぞ」と言われた", "violence"),
    ],
)
def test_patterns_find_each_kind_of_danger(text, kind):
    assert kind in pattern_kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "自殺予防の研修を企画している",
        "練炭こたつを探している",
        "きもちが とまらない ほど うれしい",
        "薬を全部飲んだらどうなるか心配",
    ],
)
def test_patterns_leave_prevention_and_harmless_words_alone(text):
    assert "medical" not in pattern_kinds(text)
    assert "suicide" not in pattern_kinds(text) or text.startswith("薬")


def test_every_pattern_row_has_its_columns_and_compiles():
    # A comma in an unquoted regex ({0,3}) silently splits a row: the pattern is cut short and the rest
    # spills into the note, so the row stops matching what it was written for.
    import re

    with crisis.PATTERNS_CSV.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows
    for row in rows:
        assert None not in row, row
        assert row["kind"] in crisis.PATTERN_KINDS
        re.compile(row["pattern"])
        re.compile(row["unless"] or "")


@pytest.mark.parametrize(
    "text",
    [
        "眠剤を飲まずにずっと取っておいてある",  # a method named without 死, with saving it up
        "ドアノブにタオルを結んで試した",
        "窓の隙間をテープでふさいで七輪を置いた",
        "踏切の前で、一歩踏み出せば終わると思った",
        "川の一番深いところを探している",
        "弟から「ごめん、さよなら」と来て電話に出ない",  # someone else: farewell, then unreachable
        "祖父の机に書き置きがあった",
        "来週にはもういないから、と友達に言った",  # preparation, farewell
        "今夜決行する",  # intent
        "朝、目が覚めなかったらいいのに",  # passive wish
        "もう何回も頭を壁にぶつけてあざができた",
        "わしも 早く あの世へ 行きたい",
        "今日もタヒりたい",
    ],
)
def test_class_patterns_find_methods_farewells_and_worry_without_the_word_death(text):
    assert "suicide" in pattern_kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "キャンプ用に七輪と炭を車のトランクに積んだ",
        "ハンモックのロープを梁に結びたい",
        "雨天決行のイベントです",
        "退職するので最後の挨拶メールを送った",
        "祖母の葬儀で最後の挨拶をした",
        "ホームの端に立って電車を撮影するのは危ない",
        "海に入っていけば貝がとれる",
        "目覚ましが鳴っても起きなければ会議に遅れる",
        "飲み忘れた薬を取っておいてある。薬剤師に聞きたい",
    ],
)
def test_class_patterns_leave_their_harmless_contexts_alone(text):
    assert "suicide" not in pattern_kinds(text)


# --- a message of several sentences: each sentence scored too ------------------------------------------


def test_one_sentence_is_not_cut():
    assert sentences("仕事が見つからなくて困っています") == []
    assert sentences("仕事が見つからなくて困っています。") == []
    assert sentences("はい。仕事が見つからなくて困っています") == []  # too short to stand alone


def test_a_message_is_cut_at_sentence_ends_into_at_most_max_pieces():
    assert sentences("家賃が払えません。もう全部終わりにしたい。") == [
        "家賃が払えません。",
        "もう全部終わりにしたい。",
    ]
    assert sentences("I lost my job. I want to end it all") == ["I lost my job.", "I want to end it all"]
    long = "".join(f"{n}番目の文です。" for n in range(1, 11))
    pieces = sentences(long)
    assert len(pieces) == MAX_PIECES
    assert "".join(pieces) == long  # nothing lost, neighbours joined in order


def test_danger_in_one_sentence_is_not_diluted_by_the_rest(monkeypatch):
    """Each head takes the highest of the whole text's score and its sentences' scores."""
    dim = 384
    danger_direction = np.zeros(dim, dtype=np.float32)
    danger_direction[0] = 1.0
    calm = np.zeros(dim, dtype=np.float32)
    calm[1] = 1.0
    coef = np.zeros((3, dim + crisis.GRAM_DIM), dtype=np.float32)
    coef[0, 0] = 20.0  # the crisis head reads only the first dimension
    model = CrisisModel(
        heads=("crisis", "violence", "medical"),
        coef=coef,
        intercept=np.full(3, -10.0, dtype=np.float32),
        threshold=np.full(3, 0.5, dtype=np.float32),
        texts_sha256="",
    )
    monkeypatch.setattr(crisis, "crisis_model", lambda: model)
    text = "仕事の相談をしたいです。家のことも少し。"
    pieces = sentences(text)
    assert len(pieces) == 2
    whole = (calm + 0.1 * danger_direction) / np.linalg.norm(calm + 0.1 * danger_direction)
    assert assess(text, whole).crisis is False
    assert assess(text, whole, pieces, np.vstack([calm, calm])).crisis is False
    found = assess(text, whole, pieces, np.vstack([calm, danger_direction]))
    assert (found.crisis, found.danger) == (True, "suicide")


def test_an_act_already_done_puts_119_first_even_when_the_wish_to_die_leans_higher():
    # the medical head only just over its threshold, the suicide head far over it
    assert decide(frozenset(), {"crisis": 4.0, "medical": 0.1}) == (True, "medical")
    # violence and a wish to die: the larger lean decides (a wish to die is not sent to 110)
    assert decide(frozenset(), {"crisis": 4.0, "violence": 0.1}) == (True, "suicide")
    assert decide(frozenset(), {"violence": 0.5}) == (False, "violence")
    assert decide(frozenset({"suicide"}), {"medical": 0.5}) == (True, "medical")  # 「全部飲んだ、死にたい」
    assert decide(frozenset({"suicide"}), {"violence": 0.5}) == (True, "suicide")  # a pattern outranks a lean


# --- the navigator: danger decides, the categories follow ------------------------------------------------


def test_english_wish_to_disappear_is_a_crisis_with_crisis_kind_first(db):
    answer = navigate("I'd like to vanish. No one would even notice I was gone.")
    assert (answer.crisis, answer.danger) == (True, "suicide")
    assert answer.categories[0].code == "suicide_crisis"
    assert "suicide_crisis" in answer.matches[0].entry.categories


def test_violence_at_home_puts_violence_first_without_crisis(db):
    answer = navigate("夫に毎晩なぐられていて、子どもと家を出たい")
    assert (answer.crisis, answer.danger) == (False, "violence")
    assert answer.categories[0].code == "violence"


def test_overdose_already_taken_is_medical_and_a_crisis(db):
    answer = navigate("さっき睡眠薬をぜんぶ飲んでしまった")
    assert (answer.crisis, answer.danger) == (True, "medical")
    assert answer.categories[0].code == "suicide_crisis"


@pytest.mark.parametrize("text", ["死ぬほど眠くて仕事にならない", "練炭で焼く焼き鳥の店を探している"])
def test_idioms_and_harmless_method_words_do_not_put_the_crisis_kind_first(db, text):
    answer = navigate(text)
    assert answer.crisis is False
    assert answer.categories[0].code != "suicide_crisis"


def test_cli_json_says_which_danger(db):
    assert answer_as_json("I took every pill I had and I feel sick")["danger"] == "medical"
    quiet = answer_as_json("日本語教室に通いたい")
    assert (quiet["crisis"], quiet["danger"]) == (False, None)


# --- hours: the schedule grammar -------------------------------------------------------------------------


def _tokyo(*args: int) -> datetime:
    return datetime(*args, tzinfo=TOKYO)


def test_schedule_daily_window():
    rules = parse_schedule("daily 10:00-22:00")
    assert rules is not None
    assert not is_open(rules, _tokyo(2026, 12, 1, 9, 59))
    assert is_open(rules, _tokyo(2026, 12, 1, 10, 0))
    assert not is_open(rules, _tokyo(2026, 12, 1, 22, 0))


def test_schedule_is_read_in_japan_time():
    rules = parse_schedule("daily 10:00-22:00")
    assert rules is not None
    assert is_open(rules, datetime(2026, 12, 1, 12, 59, tzinfo=UTC))  # 21:59 in Tokyo
    assert not is_open(rules, datetime(2026, 12, 1, 13, 0, tzinfo=UTC))


def test_schedule_runs_past_midnight_and_by_weekday_and_month_day():
    tenth = parse_schedule("daily 16:00-21:00; d10 08:00-08:00")
    assert tenth is not None
    assert is_open(tenth, _tokyo(2026, 12, 11, 7, 59))  # the 10th's line runs to 8:00 on the 11th
    assert not is_open(tenth, _tokyo(2026, 12, 12, 7, 59))
    weekdays = parse_schedule("mon,tue,thu,fri,sun 17:00-22:30; wed 11:00-16:30")
    assert weekdays is not None
    assert is_open(weekdays, _tokyo(2026, 12, 2, 12, 0))  # a Wednesday
    assert not is_open(weekdays, _tokyo(2026, 12, 5, 18, 0))  # a Saturday
    assert is_open(parse_schedule("24h") or (), _tokyo(2026, 12, 5, 3, 0))


@pytest.mark.parametrize("text", ["daily 25:00-26:00", "someday 10:00-12:00", "daily 10-12"])
def test_unreadable_schedule_is_refused(text):
    with pytest.raises(ScheduleError):
        parse_schedule(text)


def test_every_line_has_a_readable_schedule_a_way_to_reach_it_and_a_source():
    for line in all_hotlines():
        line.rules  # noqa: B018 - raises ScheduleError when unreadable
        assert line.as_of and line.source, line.name
        assert line.danger in ("suicide", "violence", "medical"), line.name
        assert line.number if line.channel == "phone" else (line.url or line.note), line.name
    channels = {line.channel for line in all_hotlines() if line.danger == "suicide"}
    assert {"phone", "chat", "line"} <= channels


def test_first_lines_for_each_danger():
    when = _tokyo(2026, 12, 1, 23, 30)
    assert [s.line.number for s in lines_for("violence", when=when)["phone"][:2]] == ["110", "0120-279-889"]
    assert [s.line.number for s in lines_for("medical", when=when)["phone"]] == ["119", "#7119"]
    suicide = lines_for("suicide", when=when)
    assert all(s.open_now is not False for s in suicide["phone"][:2])  # open lines first at night
    assert suicide["write"][0].line.name == "あなたのいばしょチャット相談"


def test_short_numbers_dial_with_an_encoded_hash():
    (navi,) = [h for h in all_hotlines() if h.number == "#8008"]
    assert navi.tel_uri == "tel:%238008"


def test_home_page_lines_are_phones_for_suicide_danger():
    assert crisis_hotlines()[0].number == "0120-279-338"
    assert all(h.channel == "phone" for h in crisis_hotlines())


# --- the box on the page -------------------------------------------------------------------------------


def test_crisis_box_offers_phone_and_chat_and_keeps_sources_apart(client, db):
    html = client.post(
        reverse("directory:navigator"), {"text": "もう朝が来なければいいのにと毎日思う"}
    ).content.decode()
    box = html[html.index('class="crisis crisis--urgent') : html.index('id="kinds-title"')]
    assert 'href="tel:0120279338"' in box
    assert "https://talkme.jp/" in box
    assert "hotline__source" not in box and "自治体広報ページ" not in box
    assert reverse("directory:hotline_sources") in box


def test_violence_box_lists_110_before_the_dv_lines(client, db):
    html = client.post(
        reverse("directory:navigator"), {"text": "彼に首をしめられた。家に帰るのがこわい"}
    ).content.decode()
    assert 'data-danger="violence"' in html
    assert html.index('href="tel:110"') < html.index('href="tel:0120279889"') < html.index("soudanplus.jp")


def test_no_box_for_an_everyday_question(client, db):
    html = client.post(
        reverse("directory:navigator"), {"text": "ロープの結び方を習える講座はある？"}
    ).content.decode()
    assert "crisis--urgent" not in html


def test_sources_page_lists_every_line_with_its_source(client, db):
    response = client.get(reverse("directory:hotline_sources"))
    assert response.status_code == 200
    html = response.content.decode()
    for line in all_hotlines():
        assert line.name in html and line.source in html
