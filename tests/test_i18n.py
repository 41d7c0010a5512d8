"""The Japanese catalogue is complete, and the compiled .mo says the same as the .po."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import polib

CATALOGUE = Path(__file__).resolve().parent.parent / "tsunagari" / "locale" / "ja" / "LC_MESSAGES"


def _po() -> polib.POFile:
    return polib.pofile(str(CATALOGUE / "django.po"))


def _entries() -> list[polib.POEntry]:
    """The catalogue's live messages (not the header, not obsolete ones)."""
    return [e for e in _po() if e.msgid and not e.obsolete]


def test_japanese_catalogue_is_complete_and_not_fuzzy():
    po = _po()
    assert len(_entries()) > 100
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert (untranslated, fuzzy) == ([], [])


def test_compiled_catalogue_matches_the_source():
    with (CATALOGUE / "django.mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = []
    for entry in _entries():
        if entry.msgid_plural or entry.msgctxt:
            continue
        if compiled.gettext(entry.msgid) != entry.msgstr:
            stale.append(entry.msgid)
    assert stale == [], "run `django-admin compilemessages` in tsunagari/"


def test_placeholders_survive_translation():
    for entry in _entries():
        wanted = sorted(re.findall(r"%\(\w+\)s", entry.msgid))
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            assert sorted(re.findall(r"%\(\w+\)s", text)) == wanted, entry.msgid
