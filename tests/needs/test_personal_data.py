"""Free text in need reports must stay de-identified: names with honorifics, phone numbers, addresses and
birth dates are found; ordinary descriptions of situations pass."""

from __future__ import annotations

import pytest

from tsunagari.text.personal_data import find_personal_data


@pytest.mark.parametrize(
    ("text", "kind", "found"),
    [
        ("田中さんが一人暮らしで心配", "name", "田中さん"),
        ("山田太郎の件で相談", "name", "山田太郎"),
        ("佐々木氏より連絡", "name", "佐々木氏"),
        ("花子ちゃんが学校に来ない", "name", "花子ちゃん"),
        ("電話は0857-00-9999です", "phone", "0857-00-9999"),
        ("０９０１２３４５６７８に連絡", "phone", "09012345678"),
        ("(0857)22-1234", "phone", "0857)22-1234"),
        ("本町1-2-3に住む", "address", "1-2-3"),
        ("〒680-0011 架空市", "address", "〒680-0011"),
        ("3丁目の集合住宅", "address", "3丁目"),
        ("12番地の角", "address", "12番地"),
        ("生年月日を聞いた", "birth_date", "生年月日"),
        ("昭和23年3月3日生まれ", "birth_date", "昭和23年3月3日"),
        ("1948年3月3日生まれ", "birth_date", "1948年3月3日"),
        ("1948/3/3生", "birth_date", "1948/3/3"),
    ],
)
def test_personal_data_is_found_and_named(text, kind, found):
    findings = find_personal_data(text)
    assert (kind, found) in {(f.kind, f.text) for f in findings}


@pytest.mark.parametrize(
    "text",
    [
        "息子さんと二人暮らし、民生委員さんから連絡があった",
        "70代の女性、買い物に困っている",
        "2026年4月から相談が増えた",
        "8050世帯が3件、1-2月に集中",
        "10-20代の若者の居場所がない",
        "お母さんの介護で娘さんが学校を休みがち",
        "配食の利用者で、誰とも話さない日が続く方が多い",
    ],
)
def test_descriptions_without_personal_data_pass(text):
    assert find_personal_data(text) == []


def test_a_phone_number_is_not_also_reported_as_an_address():
    assert [f.kind for f in find_personal_data("0857-00-9999")] == ["phone"]


@pytest.mark.parametrize(
    ("text", "kind", "found"),
    [("連絡は taro@example.jp まで", "email", "taro@example.jp"), ("S23.3.3生まれ", "birth_date", "S23.3.3")],
)
def test_e_mail_addresses_and_short_era_dates_are_found(text, kind, found):
    assert (kind, found) in {(f.kind, f.text) for f in find_personal_data(text)}
