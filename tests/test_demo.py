"""`tsunagari demo` on a fresh data dir: secrets and database private, data reused on the second run,
and a login for every role."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if (not k.startswith("TSUNAGARI_") or k == "TSUNAGARI_CACHE_DIR") and k != "DATABASE_URL"
    }
    return subprocess.run(
        [sys.executable, "-m", "tsunagari.cli", *args, "--data-dir", str(data_dir)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_demo_sets_up_once_and_reuses_its_data(tmp_path):
    first = _run("demo", "--no-serve", data_dir=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Demo data loaded." in first.stdout
    for role in ["coordinator", "admin", "staff", "volunteer", "viewer"]:
        assert f":{role}" in first.stdout
    assert "TOTP secret:" in first.stdout
    for name in ["demo-secrets.json", "tsunagari.sqlite3"]:
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name

    second = _run("demo", "--no-serve", data_dir=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "reusing it" in second.stdout

    # The raw database files (and the write-ahead log) do not hold the demo person's details.
    raw = b"".join(path.read_bytes() for path in tmp_path.glob("tsunagari.sqlite3*"))
    for secret in ["架空 花子", "花子", "カクウ ハナコ", "0857-00-9999", "1948-03-03", "架空家"]:
        assert secret.encode() not in raw, secret
    assert "架空 花子".encode() not in (tmp_path / "demo-secrets.json").read_bytes()

    code = _run("demo-code", "jimukyoku@example.jp", data_dir=tmp_path)
    assert code.returncode == 0 and code.stdout.strip().isdigit() and len(code.stdout.strip()) == 6


def test_demo_code_refuses_a_data_dir_that_is_not_a_demo(tmp_path):
    result = _run("demo-code", "jimukyoku@example.jp", data_dir=tmp_path)
    assert result.returncode == 2
    assert "only on a data dir made by `tsunagari demo`" in result.stderr


def test_verify_audit_command_on_a_real_database(tmp_path):
    import json
    import sqlite3

    assert _run("demo", "--no-serve", data_dir=tmp_path).returncode == 0
    secrets = json.loads((tmp_path / "demo-secrets.json").read_text())
    env = {
        k: v
        for k, v in os.environ.items()
        if (not k.startswith("TSUNAGARI_") or k == "TSUNAGARI_CACHE_DIR") and k != "DATABASE_URL"
    }
    env |= {
        "TSUNAGARI_DATA_DIR": str(tmp_path),
        "TSUNAGARI_SECRET_KEY": secrets["secret_key"],
        "TSUNAGARI_DATA_KEYS": secrets["data_keys"],
        "TSUNAGARI_AUDIT_KEY": secrets["audit_key"],
    }

    def verify() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "tsunagari.cli", "verify-audit"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )

    intact = verify()
    assert intact.returncode == 0 and "intact" in intact.stdout

    with sqlite3.connect(tmp_path / "tsunagari.sqlite3") as db:
        db.execute("DROP TRIGGER audit_activitylog_no_update")
        db.execute("UPDATE audit_activitylog SET organization_id = 1 WHERE lane = 0 AND seq = 3")
    broken = verify()
    assert broken.returncode == 1
    assert "lane 0 row #3" in broken.stderr


def test_demo_secrets_made_before_the_audit_key_get_one(tmp_path):
    import json

    from tsunagari.cli import DEMO_SECRETS_FILE, load_demo_secrets

    old = {
        "secret_key": "s" * 50,
        "data_keys": "H5ZB3tIpBVD1sV5xZTK2Hn9p0gd5q-8W8yBObPqkDEo=",
        "password": "demo-x",
    }
    (tmp_path / DEMO_SECRETS_FILE).write_text(json.dumps(old))
    values = load_demo_secrets(tmp_path)
    assert len(values["audit_key"]) >= 32
    assert load_demo_secrets(tmp_path) == values == json.loads((tmp_path / DEMO_SECRETS_FILE).read_text())
    assert {k: values[k] for k in old} == old
