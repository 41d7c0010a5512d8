"""Every action the code writes to the activity log has a readable label in the one registry."""

import ast
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

import tsunagari
from tests.conftest import client_for
from tsunagari.audit.actions import ACTION_LABELS, OBJECT_LABELS, action_label, object_label
from tsunagari.audit.services import log_action

SOURCE = Path(tsunagari.__file__).parent


def _written_actions() -> list[tuple[str, int, ast.expr]]:
    """(file, line, action expression) for every ``log_action(...)`` call under ``tsunagari/``."""
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name != "log_action":
                continue
            action = next((k.value for k in node.keywords if k.arg == "action"), None)
            assert action is not None, f"{path}:{node.lineno}: log_action without action="
            found.append((str(path.relative_to(SOURCE.parent)), node.lineno, action))
    return found


def _pattern(template: ast.JoinedStr) -> re.Pattern[str]:
    """An f-string action as a pattern: its placeholders stand for one code segment each."""
    parts = []
    for value in template.values:
        if isinstance(value, ast.Constant):
            parts.append(re.escape(str(value.value)))
        else:
            parts.append(r"[a-z_]+")
    return re.compile("".join(parts))


def test_the_scan_finds_the_calls():
    written = _written_actions()
    assert len(written) > 50  # the walk sees the services, not an empty tree
    assert any(isinstance(a, ast.JoinedStr) for _, _, a in written)


def test_every_logged_action_has_a_label():
    missing = []
    for where, line, action in _written_actions():
        if isinstance(action, ast.Constant) and isinstance(action.value, str):
            if action.value not in ACTION_LABELS:
                missing.append(f"{where}:{line} {action.value}")
        elif isinstance(action, ast.JoinedStr):
            pattern = _pattern(action)
            if not any(pattern.fullmatch(code) for code in ACTION_LABELS):
                missing.append(f"{where}:{line} {ast.unparse(action)}")
        else:
            # A computed code cannot be checked here; write the literal (or an f-string) at the call.
            missing.append(f"{where}:{line} computed action {ast.unparse(action)}")
    assert not missing, "Actions without a label in tsunagari/audit/actions.py:\n" + "\n".join(missing)


@pytest.mark.django_db
def test_the_log_page_shows_directory_actions_by_name(world):
    from django.utils import timezone

    from tsunagari.directory.models import DirectoryOrganization, Service

    coordinator = world["coordinator"]
    provider = DirectoryOrganization.objects.create(
        name="相談部", description="-", member=coordinator.organization
    )
    service = Service.objects.create(
        organization=provider, name="傾聴サロン", assured_date=timezone.localdate()
    )
    log_action(service, actor=coordinator, action="directory.service.confirmed")
    with translation.override("ja"):
        name, kind = action_label("directory.service.confirmed"), object_label("directory.service")
    assert "directory.service" not in {name, kind} and "directory.service" in OBJECT_LABELS

    url = reverse("audit:activity_list", args=[coordinator.organization.slug])
    body = client_for(coordinator).get(url).content.decode()
    assert f"<td>{name}</td>" in body
    assert kind in body
    assert "directory.service.confirmed</td>" not in body
