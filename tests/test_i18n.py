"""The catalogues are complete (Japanese: every string; やさしい日本語: every public page's string), and the
compiled .mo files say the same as the .po files."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import polib
import pytest
from django.utils import translation

from tsunagari.text.easy_japanese import CATALOG as EASY_CATALOG
from tsunagari.text.easy_japanese import PUBLIC_SOURCES, missing_translations

LOCALE = Path(__file__).resolve().parent.parent / "tsunagari" / "locale"
CATALOGUES = [LOCALE / "ja" / "LC_MESSAGES", LOCALE / "ja_Easy" / "LC_MESSAGES"]


def _po(folder: Path = CATALOGUES[0]) -> polib.POFile:
    return polib.pofile(str(folder / "django.po"))


def _entries(folder: Path = CATALOGUES[0]) -> list[polib.POEntry]:
    """The catalogue's live messages (not the header, not obsolete ones)."""
    return [e for e in _po(folder) if e.msgid and not e.obsolete]


def test_japanese_catalogue_is_complete_and_not_fuzzy():
    po = _po()
    assert len(_entries()) > 100
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert (untranslated, fuzzy) == ([], [])


def test_every_public_string_has_an_easy_japanese_translation():
    assert len(PUBLIC_SOURCES) > 20
    assert missing_translations(EASY_CATALOG) == []
    public = [e for e in _entries(CATALOGUES[1]) if any(p in PUBLIC_SOURCES for p, _ in e.occurrences)]
    assert len(public) > 200


def test_the_easy_japanese_check_fails_on_an_untranslated_public_string(tmp_path):
    po = _po(CATALOGUES[1])
    entry = next(
        e for e in po if e.msgstr and any(p.startswith("templates/home.html") for p, _ in e.occurrences)
    )
    entry.msgstr = ""
    po.save(str(tmp_path / "django.po"))
    assert missing_translations(tmp_path / "django.po") == [entry.msgid]


def test_easy_japanese_pages_fall_back_to_japanese_for_staff_strings():
    staff_only = next(e for e in _entries(CATALOGUES[1]) if not e.msgstr and not e.msgid_plural)
    japanese = {e.msgid: e.msgstr for e in _entries()}
    with translation.override("ja-easy"):
        assert translation.gettext(staff_only.msgid) == japanese[staff_only.msgid]
        assert translation.gettext("Show furigana") == "ふりがなをつける"


@pytest.mark.parametrize("folder", CATALOGUES, ids=lambda f: f.parent.name)
def test_compiled_catalogue_matches_the_source(folder):
    with (folder / "django.mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = []
    for entry in _entries(folder):
        if entry.msgid_plural or entry.msgctxt or not entry.msgstr:
            continue
        if compiled.gettext(entry.msgid) != entry.msgstr:
            stale.append(entry.msgid)
    assert stale == [], "run `django-admin compilemessages` in tsunagari/"


@pytest.mark.parametrize("folder", CATALOGUES, ids=lambda f: f.parent.name)
def test_placeholders_survive_translation(folder):
    for entry in _entries(folder):
        wanted = sorted(re.findall(r"%\(\w+\)s", entry.msgid))
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            if text:
                assert sorted(re.findall(r"%\(\w+\)s", text)) == wanted, entry.msgid
