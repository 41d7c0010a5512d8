"""Compile every project template, so a syntax error fails CI instead of a user's page; and refuse a
``{#`` comment that runs over several lines, which Django does not read as a comment but shows as text."""

from __future__ import annotations

from pathlib import Path

from django.template import TemplateSyntaxError
from django.template.loader import get_template

TEMPLATE_ROOT = Path(__file__).resolve().parent / "templates"


def project_template_names() -> list[str]:
    return sorted(
        str(path.relative_to(TEMPLATE_ROOT))
        for path in TEMPLATE_ROOT.rglob("*")
        if path.suffix in {".html", ".txt"}
    )


def compile_all_templates() -> list[str]:
    errors = []
    for name in project_template_names():
        try:
            get_template(name)
        except TemplateSyntaxError as error:
            errors.append(f"{name}: {error}")
        for number, line in enumerate((TEMPLATE_ROOT / name).read_text(encoding="utf-8").splitlines(), 1):
            if line.count("{#") > line.count("#}"):
                errors.append(
                    f"{name}:{number}: a {{# comment #}} must end on its line (use {{% comment %}})"
                )
    return errors
