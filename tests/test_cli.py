"""The `tsunagari` command as an operator runs it: in a fresh process, with only the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tsunagari.cli import DEMO_SECRETS_FILE, load_demo_secrets
from tsunagari.crypto import generate_key

ROOT = Path(__file__).resolve().parent.parent


def _env(data_dir: Path, *, secrets: bool, **extra: str) -> dict[str, str]:
    """The test's environment on SQLite, with the test secrets (as an operator sets them) or none."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if not secrets:
        env = {k: v for k, v in env.items() if not k.startswith("TSUNAGARI_") or k == "TSUNAGARI_CACHE_DIR"}
    return {**env, "TSUNAGARI_DATA_DIR": str(data_dir), **extra}


def _run(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "tsunagari.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and result.returncode != 0:
        pytest.fail(
            f"tsunagari {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
    return result


def test_commands_on_a_demo_data_dir_use_the_demo_secrets(tmp_path):
    demo = tmp_path / "demo"
    demo.mkdir()
    values = load_demo_secrets(demo)  # what `tsunagari demo` leaves in its data dir
    env = _env(demo, secrets=False)
    _run("migrate", "--noinput", "-v", "0", env=env)
    audit = _run("verify-audit", env=env)
    assert audit.returncode == 0
    shown = _run(
        "shell", "--no-imports", "-c", "from django.conf import settings; print(settings.SECRET_KEY)", env=env
    )
    assert shown.stdout.strip() == values["secret_key"]
    # Secrets set in the environment win: a real deployment's are never replaced by a file.
    own = _run(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
        env=_env(demo, secrets=True),
    )
    assert own.stdout.strip() != values["secret_key"]


def test_commands_elsewhere_still_require_secrets(tmp_path):
    plain = tmp_path / "plain"
    result = _run("verify-audit", env=_env(plain, secrets=False), check=False)
    assert result.returncode != 0 and "TSUNAGARI_SECRET_KEY is required" in result.stderr
    assert not (plain / DEMO_SECRETS_FILE).exists()  # nothing is invented outside the demo


MAKE_DATA = """
from tsunagari.audit.services import log_action
from tsunagari.audit.models import ActivityLog
for i in range(7):
    log_action(None, actor=None, action=f"backup.test.{i}", data={"n": i})
print(ActivityLog.objects.count())
"""
COUNT = "from tsunagari.audit.models import ActivityLog; print(ActivityLog.objects.count())"


def test_backup_restores_into_a_fresh_data_dir_and_the_audit_chain_verifies(tmp_path):
    key = generate_key()
    source, fresh, out = tmp_path / "live", tmp_path / "fresh", tmp_path / "backups" / "tsunagari.backup"
    env = _env(source, secrets=True, TSUNAGARI_BACKUP_KEY=key)
    _run("migrate", "--noinput", "-v", "0", env=env)
    rows = _run("shell", "--no-imports", "-c", MAKE_DATA, env=env).stdout.strip()
    assert int(rows) >= 7

    assert "encrypted" in _run("backup", str(out), env=env).stdout
    raw = out.read_bytes()
    assert b"SQLite format 3" not in raw and b"backup.test" not in raw  # nothing readable without the key

    restored_env = _env(fresh, secrets=True, TSUNAGARI_BACKUP_KEY=key)
    _run("restore", str(out), env=restored_env)
    assert _run("shell", "--no-imports", "-c", COUNT, env=restored_env).stdout.strip() == rows
    assert _run("verify-audit", env=restored_env).returncode == 0

    # A database that is there is not overwritten by accident …
    again = _run("restore", str(out), env=restored_env, check=False)
    assert again.returncode == 2 and "--force" in again.stderr
    # … a wrong key or a cut file is refused with a message, not restored half.
    wrong = _run(
        "restore",
        str(out),
        "--force",
        env=_env(fresh, secrets=True, TSUNAGARI_BACKUP_KEY=generate_key()),
        check=False,
    )
    assert wrong.returncode == 2 and "wrong key" in wrong.stderr
    cut = tmp_path / "cut.backup"
    cut.write_bytes(raw[: len(raw) // 2])
    short = _run("restore", str(cut), "--force", env=restored_env, check=False)
    assert short.returncode == 2 and ("cut short" in short.stderr or "wrong key" in short.stderr)
    no_key = _run("backup", str(out), env=_env(source, secrets=True), check=False)
    assert no_key.returncode == 2 and "TSUNAGARI_BACKUP_KEY" in no_key.stderr
