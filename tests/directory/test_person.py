"""The navigator answers the person: who is asking is read from the text, who a service is for from the
directory's eligibility, and services that exclude the person are not listed."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from tsunagari.directory.answers import answer_as_json
from tsunagari.directory.navigator import directory_index, navigate
from tsunagari.directory.person import audience_of, district_names, read_language, read_person

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _personas_module():
    spec = importlib.util.spec_from_file_location("personas", BENCHMARKS / "personas.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("text", "age", "stage"),
    [
        ("78歳で一人暮らし", 78, "elderly"),
        ("七十代の独り身", 75, "elderly"),
        ("八十二歳になりました", 82, "elderly"),
        ("80代の母の様子が心配", 85, "elderly"),
        ("I am 70 and lonely", 70, "elderly"),
        ("she is 81 years old", 81, "elderly"),
        ("年金暮らしで食べるものがない", None, "elderly"),
        ("中学2年の息子が学校に行かない", 14, "teen"),
        ("中学二年生です", 14, "teen"),
        ("高校生です。進学が不安", 16, "teen"),
        ("小学生の娘がいじめられている", 9, "child"),
        ("妊娠中で不安", None, "pregnancy"),
        ("生後3か月の赤ちゃんが泣き止まない", None, "baby"),
        ("40代の息子がひきこもり", 45, "parent_of_adult_child"),
        ("息子は45歳で働いていない", 45, "parent_of_adult_child"),
        ("32歳、仕事をクビになった", 32, "adult"),
        ("38歳のシングルマザー", 38, "parent"),
        ("今年で88になる母が一人で暮らしている", 88, "elderly"),
        ("米寿の祖母の見守りをお願いしたい", 88, "elderly"),
        ("アラフォー独身、誰とも話さない", 40, "adult"),
        ("大学2年、学費が払えない", 19, "adult"),
        ("5歳の子どもがいる。仕事が見つからない", 5, "child"),
        ("10代の頃からずっと人づきあいが苦手", None, None),  # the past says nothing of the writer now
        ("障害年金だけで暮らしている", None, None),  # a disability pension is not old age
        ("もうすぐ80。連れ合いもいなくなった", 80, "elderly"),
        ("齢八十を過ぎ、身寄りもない", 80, "elderly"),
        ("我今年七十五岁，一个人住", 75, "elderly"),
        ("定年退職して、毎日やることがない", None, "elderly"),
        ("じいちゃん一人で畑をやっている", None, "elderly"),
        ("高2です。おばあちゃんの介護で部活に行けない", 17, "teen"),
        ("仕事をクビになった", None, None),
        ("3年前から眠れない", None, None),
    ],
)
def test_age_and_life_stage_are_read_from_the_text(text, age, stage):
    about = read_person(text)
    assert (about.age, about.life_stage) == (age, stage)


def test_the_parent_of_a_young_child_is_not_taken_for_a_child():
    about = read_person("5歳の子どもがいる母子家庭で、仕事が見つからない")
    assert (5, 5) in about.ages
    assert any(low >= 18 for low, _ in about.ages)  # the writer: services for adults still fit


def test_an_adult_child_makes_the_writer_an_older_parent():
    about = read_person("40代の息子がひきこもりで困っている")
    assert (40, 49) in about.ages
    assert any(low >= 58 for low, _ in about.ages)  # the writer: the son's age plus a generation
    assert not any(high < 18 for _, high in about.ages)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("仕事がなくて困っている", "ja"),
        ("にほんご が わからない。 しごと が ない", "ja-simple"),
        ("I lost my job and I have no money.", "en"),
        ("Tôi mất việc và không có tiền.", "vi"),
        ("我不会说日语，需要帮助。", "zh"),
        ("मलाई काम चाहिन्छ।", "ne"),
        ("Wala akong trabaho at wala akong pera.", "tl"),
        ("Perdi o emprego e não tenho dinheiro.", "pt"),
    ],
)
def test_language_by_script_then_by_model(text, language):
    assert read_language(text) == language


def test_a_foreign_resident_is_recognised_in_any_language():
    assert read_person("I lost my job").foreign
    assert read_person("外国人です。役所の手紙が読めない").foreign
    assert read_person("にほんご が わかりません。 たすけて ください").foreign
    assert not read_person("仕事がなくて困っている").foreign


def test_districts_come_from_the_data_with_their_readings(db):
    districts = district_names()
    assert read_person("山手地区に住んでいます", districts).district.name == "山手地区"
    assert read_person("やまて に すんで います", districts).district.name == "山手地区"
    assert read_person("北浜で一人暮らし", districts).district.name == "北浜地区"
    assert read_person("I live in Kitahama", districts).district.name == "北浜地区"
    assert read_person("中央線で通勤している", districts).district is None  # 中央 inside another word


@pytest.mark.parametrize(
    ("eligibility", "minimum", "maximum", "ages"),
    [
        ("市内在住で、生後1年未満の乳児とその母親", None, None, (0, 1)),
        ("市内在住の妊婦とその家族、就学前の子どもを育てている家庭", None, None, (0, 6)),
        ("北浜地区に住む65歳以上の方、その家族、近所の方", None, None, (65, 120)),
        ("18歳未満の子ども本人、保護者、子どもに関わるすべての人", None, None, (0, 17)),
        (
            "家族のケアを担っている18歳未満の子ども（内容によっては30歳代までの若者）、その周りの大人",
            None,
            None,
            (0, 39),
        ),
        ("働くことに悩みを抱えている15歳～49歳までの方", None, None, (15, 49)),
        ("どなたでも（主に地域の高齢の方）", None, None, None),
        ("要介護3以上の方、75歳以上のひとり暮らしの方など", None, None, None),  # any age with 要介護3
        ("DV等の被害から避難した女性とその子ども", None, None, None),
        ("市内在住の方", 65, None, (65, 120)),  # HSDS ages win over the text
        ("", None, 17, (0, 17)),
    ],
)
def test_who_a_service_is_for_is_read_from_its_eligibility(eligibility, minimum, maximum, ages):
    assert audience_of(eligibility, minimum, maximum).ages == ages


def test_a_service_for_foreign_residents_is_recognised():
    assert audience_of("県内に住む外国人の方とその家族、支援者", None, None).foreign
    assert not audience_of("働いている方（雇用形態・国籍を問わない）", None, None).foreign


def test_an_older_resident_gets_no_childbirth_child_or_youth_services(db):
    answer = navigate("78歳で一人暮らし。誰とも話さない日が続いてさびしい")
    names = [m.entry.name for m in answer.matches]
    assert answer.about.life_stage == "elderly"
    assert not {
        "産後ケア事業",
        "子育てひろば「にこっと」",
        "チャイルドライン",
        "若者の居場所カフェ「あおいろ」",
    } & set(names)
    assert any("loneliness" in m.entry.categories for m in answer.matches[:5])


def test_a_parent_of_an_adult_son_gets_no_postpartum_care(db):
    answer = navigate("40代の息子がずっと家にこもっていて、親として疲れた")
    names = [m.entry.name for m in answer.matches[:10]]
    assert "産後ケア事業" not in names and "妊娠・子育てよろず相談（伴走型相談支援）" not in names


def test_the_persons_district_comes_before_the_same_kind_elsewhere(db):
    names = [m.entry.name for m in navigate("山手地区に住む80代の母の物忘れが心配").matches]
    centres = [n for n in names if n.startswith("高齢者の総合相談")]
    assert centres[0] == "高齢者の総合相談（西部地域包括支援センター・高原相談コーナー）"


def test_a_foreign_residents_first_answers_include_the_newcomer_services(db):
    for text in ("I cannot read Japanese and I lost my job.", "しごと が ない。 にほんご も すこし だけ"):
        top = [m.entry.name for m in navigate(text).matches[:5]]
        assert {"多言語生活相談", "日本語教室・交流サロン"} & set(top), (text, top)


def test_a_japanese_writer_is_not_sent_to_the_japanese_class(db):
    names = [m.entry.name for m in navigate("近所に友だちがいない。何か集まりに参加したい").matches]
    assert "日本語教室・交流サロン" not in names


def test_audiences_are_computed_once_per_index_version(db):
    from tsunagari.directory.person import service_audiences

    index = directory_index()
    assert service_audiences(index) is service_audiences(index)


def test_cli_json_says_what_was_read_about_the_person(db, capsys):
    call_command("navigate", json="北浜地区に住む78歳です。食べるものがない")
    about = json.loads(capsys.readouterr().out)["about"]
    assert about == {"age": 78, "life_stage": "elderly", "district": "北浜地区", "language": "ja"}
    assert answer_as_json("仕事がない")["about"] == {
        "age": None, "life_stage": None, "district": None, "language": "ja",
    }  # fmt: skip


def test_the_labelled_personas_get_fitting_answers_and_none_ruled_out(db):
    """The persona set (tests/directory/data/navigator_personas.jsonl): residents who say who they are."""
    figures = _personas_module().score(lambda text: answer_as_json(text))
    assert figures["personas"] >= 80
    assert figures["fitting_in_top5"] == 1.0, figures["failures"]
    assert figures["ruled_out_in_top5"] == 0.0, figures["failures"]
    assert figures["foreign_services_in_top5"] == 1.0, figures["failures"]
    assert min(figures["about_accuracy"].values()) >= 0.95, figures["failures"]


def test_why_says_how_a_service_suits_the_person(db):
    from tsunagari.directory.answers import answer_as_json

    with translation.override("en"):
        results = answer_as_json("山手地区に住む80代の母の物忘れが心配")["results"]
        west = next(r for r in results if r["name"].startswith("高齢者の総合相談（西部"))
        assert "Serves 山手地区" in west["why"]
        results = answer_as_json("I cannot read Japanese and I lost my job.")["results"]
        assert any("For people from abroad" in r["why"] for r in results[:5])
