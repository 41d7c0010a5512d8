import pytest

from tsunagari.text.analysis import analyze, analyze_query, fold_kana, normalize


def test_normalize_folds_width_and_case():
    assert normalize("ＤＶ　ﾋｷｺﾓﾘ") == "dv ヒキコモリ"


def test_fold_kana():
    assert fold_kana("ヒキコモリ") == "ひきこもり"


@pytest.mark.parametrize(
    ("a", "b", "group"),
    [
        ("ひきこもり", "引きこもり", "§hikikomori"),
        ("ﾋｷｺﾓﾘの家族", "閉じこもりの家族", "§hikikomori"),
        ("認知症の母", "物忘れがひどい母", "§dementia"),
        ("ＤＶを受けている", "暴力を受けている", "§violence"),
        ("一人暮らし", "ひとり暮らし", "§living_alone"),
    ],
)
def test_spelling_variants_and_synonyms_meet(a, b, group):
    assert group in analyze(a)
    assert group in analyze(b)


def test_two_character_words_are_tokens():
    tokens = analyze("介護の相談をしたい")
    assert "介護" in tokens and "相談" in tokens


def test_compounds_are_also_split():
    tokens = analyze("介護保険サービス")
    assert {"介護保険", "介護", "保険"} <= set(tokens)


def test_function_words_are_dropped():
    assert "を" not in analyze("相談をしたい") and "たい" not in analyze("相談をしたい")


def test_query_weights_compound_parts_lower():
    weights = analyze_query("一人暮らしの父")
    assert weights["独り暮らし"] == 1.0
    assert weights["一人"] < 1.0


@pytest.mark.parametrize(
    "text",
    [
        "認知症の母の介護に疲れた。" * 6000,
        "介護保険" * 15_000,
        "介護" * 20_000 + " " + "ひきこもり",
        "𠮷" * 30_000,
    ],
    ids=["sentences", "one-run", "no-stop", "four-byte"],
)
def test_text_beyond_sudachis_input_limit_is_analysed_in_pieces(text):
    """Sudachi refuses input over 49,149 bytes; a long service description must still be analysed."""
    assert len(text.encode()) > 49_149
    tokens = analyze(text)
    query = analyze_query(text)
    if "介護" in text:
        assert "介護" in tokens and "介護" in query
    if "認知症" in text:
        assert "§dementia" in tokens and tokens.count("認知症") == 6000
    if "ひきこもり" in text:
        assert "§hikikomori" in tokens
