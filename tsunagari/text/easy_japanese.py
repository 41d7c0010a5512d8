"""やさしい日本語: which strings residents read, and a check that each has a plain-Japanese translation.

The catalog locale/ja_Easy/LC_MESSAGES/django.po translates every string of the public pages listed in
PUBLIC_SOURCES (paths relative to tsunagari/, as the catalog's "#:" references give them); any other string
falls back to ordinary Japanese (the staff pages). CI regenerates the catalog with makemessages and runs

    uv run python -m tsunagari.text.easy_japanese tsunagari/locale/ja_Easy/LC_MESSAGES/django.po

which fails when a public string has no translation (or only a fuzzy one), as the Japanese check does.
A new public page adds its template (and its forms' module) here.
"""

from __future__ import annotations

import sys
from pathlib import Path

CATALOG = Path(__file__).resolve().parent.parent / "locale" / "ja_Easy" / "LC_MESSAGES" / "django.po"

_PUBLIC_TEMPLATES = {
    "": ("base", "_site_tools", "home", "400", "403", "404", "429", "_field", "_form_errors"),
    "directory/": ("_crisis_box", "_service_card", "navigator", "service_detail", "service_search"),
    "reachout/": ("_ask_box", "_choice_field", "check", "contact_form", "received", "status"),
    "events/": (
        "_event_cards", "_event_facts", "_home_events", "event_detail", "event_list",
        "register", "registered", "survey", "survey_thanks",
    ),
}  # fmt: skip
# Python modules whose strings residents read: the public forms, the self-check, the crisis lines' wording,
# and the models whose choices a resident sees (how to be contacted, a request's status, an event's kind).
_PUBLIC_MODULES = (
    "reachout/models.py",
    "events/models.py",
    "reachout/forms.py",
    "reachout/check.py",
    "reachout/views.py",
    "directory/forms.py",
    "directory/hotlines.py",
    "directory/opening.py",
    "directory/answers.py",
    "directory/cards.py",
    "directory/views/public.py",
    "events/forms.py",
)
PUBLIC_SOURCES = frozenset(
    [f"templates/{folder}{name}.html" for folder, names in _PUBLIC_TEMPLATES.items() for name in names]
    + list(_PUBLIC_MODULES)
)


def missing_translations(po_path: Path = CATALOG) -> list[str]:
    """The public strings of the catalog at ``po_path`` without a plain-Japanese translation."""
    import polib  # a development dependency: the check runs in tests and CI, never in the app

    missing = []
    for entry in polib.pofile(str(po_path)):
        if entry.obsolete or not entry.msgid:
            continue
        if not any(path in PUBLIC_SOURCES for path, _line in entry.occurrences):
            continue
        translated = all(entry.msgstr_plural.values()) if entry.msgid_plural else bool(entry.msgstr)
        if not translated or "fuzzy" in entry.flags:
            missing.append(entry.msgid)
    return missing


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else CATALOG
    untranslated = missing_translations(path)
    for msgid in untranslated:
        print(f"msgid {msgid!r}")
    if untranslated:
        print(
            f"{len(untranslated)} public strings have no やさしい日本語 translation: run "
            "`django-admin makemessages -l ja_Easy` in tsunagari/, translate, compilemessages.",
            file=sys.stderr,
        )
        sys.exit(1)
