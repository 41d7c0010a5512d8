"""The database full-text index (FTS5 on SQLite, GIN on PostgreSQL) finds exactly the services whose
analysed text holds a query word: checked against a plain Python scan, on whichever database runs."""

import pytest

from tsunagari.directory.models import Service
from tsunagari.directory.search import index_services, matching
from tsunagari.text.analysis import analyze


def _reference(tokens: list[str]) -> set:
    wanted = set(tokens)
    return {
        pk for pk, text in Service.objects.values_list("pk", "search_tokens") if wanted & set(text.split())
    }


@pytest.mark.parametrize("query", ["介護", "相談", "ひきこもり", "ﾋｷｺﾓﾘ", "ＤＶ", "物忘れ", "住まい 家賃"])
def test_fulltext_index_matches_a_plain_scan(db, query):
    tokens = analyze(query)
    found = set(matching(Service.objects.all(), tokens).values_list("pk", flat=True))
    assert found == _reference(tokens)
    assert found  # every one of these words is in the benchmark directory


def test_spelling_variants_find_the_same_services(db):
    hiragana = set(matching(Service.objects.all(), analyze("ひきこもり")).values_list("pk", flat=True))
    half_width = set(matching(Service.objects.all(), analyze("ﾋｷｺﾓﾘ")).values_list("pk", flat=True))
    assert hiragana and hiragana == half_width


def test_reindexing_a_changed_service_updates_the_index(db):
    service = Service.objects.filter(source="local").first()
    service.description = "ここだけの珍しい語「ぬばたま」を含む説明"
    service.save()
    index_services([service.pk])
    assert list(matching(Service.objects.all(), analyze("ぬばたま")).values_list("pk", flat=True)) == [
        service.pk
    ]


def test_no_words_find_nothing(db):
    assert not matching(Service.objects.all(), []).exists()
