"""The Japanese catalogue is complete, and the compiled .mo says the same as the .po."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parent.parent / "tsunagari" / "locale" / "ja" / "LC_MESSAGES"


def _po_entries() -> list[dict]:
    """A small .po reader: enough for our catalogue (msgid, msgid_plural, msgstr[n], flags)."""
    entries, current, key = [], None, None
    for line in (CATALOGUE / "django.po").read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if current:
                entries.append(current)
            current, key = None, None
            continue
        current = current or {"flags": "", "msgstr": {}}
        if line.startswith("#,"):
            current["flags"] += line
        elif line.startswith("#"):
            continue
        elif m := re.match(r'(msgid|msgid_plural|msgctxt|msgstr(?:\[(\d+)\])?) (".*")$', line):
            key = (m.group(1), m.group(2))
            value = ast.literal_eval(m.group(3))
            if key[0].startswith("msgstr"):
                current["msgstr"][int(key[1] or 0)] = value
            else:
                current[key[0]] = value
        elif line.startswith('"') and key:
            value = ast.literal_eval(line)
            if key[0].startswith("msgstr"):
                current["msgstr"][int(key[1] or 0)] += value
            else:
                current[key[0]] += value
    return [e for e in entries if "msgid" in e]


def test_japanese_catalogue_is_complete_and_not_fuzzy():
    entries = [e for e in _po_entries() if e["msgid"]]
    assert len(entries) > 100
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert (untranslated, fuzzy) == ([], [])


def test_compiled_catalogue_matches_the_source():
    with (CATALOGUE / "django.mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = []
    for entry in _po_entries():
        if not entry["msgid"] or "msgid_plural" in entry or "msgctxt" in entry:
            continue
        if compiled.gettext(entry["msgid"]) != entry["msgstr"][0]:
            stale.append(entry["msgid"])
    assert stale == [], "run `django-admin compilemessages` in tsunagari/"


def test_placeholders_survive_translation():
    for entry in _po_entries():
        wanted = sorted(re.findall(r"%\(\w+\)s", entry["msgid"]))
        for text in entry["msgstr"].values():
            if entry["msgid"]:
                assert sorted(re.findall(r"%\(\w+\)s", text)) == wanted, entry["msgid"]
