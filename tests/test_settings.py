"""Production settings are safe by default; the demo is the only mode that makes its own secrets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROD_ENV = {
    "TSUNAGARI_SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
    "TSUNAGARI_DATA_KEYS": "H5ZB3tIpBVD1sV5xZTK2Hn9p0gd5q-8W8yBObPqkDEo=",
    "TSUNAGARI_AUDIT_KEY": "a-long-random-production-audit-key-0123456789",
    "TSUNAGARI_HTTPS": "1",
    "TSUNAGARI_ALLOWED_HOSTS": "tsunagari.example.jp",
}


def _manage(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TSUNAGARI_") and k != "DATABASE_URL"}
    clean.update({"TSUNAGARI_DATA_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("missing", ["TSUNAGARI_SECRET_KEY", "TSUNAGARI_DATA_KEYS", "TSUNAGARI_AUDIT_KEY"])
def test_secrets_are_required_outside_the_demo(tmp_path, missing):
    env = {k: v for k, v in PROD_ENV.items() if k != missing}
    result = _manage(["check"], env, tmp_path)
    assert result.returncode != 0
    assert f"{missing} is required" in result.stderr


def test_bad_data_key_is_explained(tmp_path):
    result = _manage(["check"], {**PROD_ENV, "TSUNAGARI_DATA_KEYS": "not-a-key"}, tmp_path)
    assert result.returncode != 0
    assert "Fernet keys" in result.stderr


def test_check_deploy_is_clean_in_production_settings(tmp_path):
    result = _manage(["check", "--deploy", "--fail-level", "WARNING"], PROD_ENV, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_debug_is_off_unless_asked(settings):
    assert settings.DEBUG is False


def test_language_and_time_zone(settings):
    assert (settings.LANGUAGE_CODE, settings.TIME_ZONE) == ("ja", "Asia/Tokyo")
    assert [code for code, _ in settings.LANGUAGES] == ["ja", "ja-easy", "en"]


def test_collectstatic_succeeds_with_production_storage(tmp_path):
    """`tsunagari serve` runs collectstatic with WhiteNoise's manifest storage, which follows every
    reference a CSS or JS file makes (source maps included) and fails on a missing one."""
    env = {**PROD_ENV, "TSUNAGARI_STATIC_ROOT": str(tmp_path / "static")}
    result = _manage(["collectstatic", "--noinput", "-v", "0"], env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = (tmp_path / "static" / "staticfiles.json").read_text()
    assert "vendor/chartjs/chart.umd.min.js" in manifest


def test_vendored_assets_reference_only_files_that_exist():
    """A vendored file's sourceMappingURL must name a file we ship (or be stripped)."""
    import re

    static = ROOT / "tsunagari" / "static"
    dangling = []
    for path in static.rglob("*"):
        if path.suffix not in {".js", ".css"}:
            continue
        for target in re.findall(r"sourceMappingURL=([^\s*]+)", path.read_text(errors="replace")):
            if not target.startswith("data:") and not (path.parent / target).exists():
                dangling.append(f"{path.relative_to(static)} -> {target}")
    assert dangling == []


def test_the_access_log_leaves_out_query_strings_and_referrers():
    """A public search (?q=…) must not reach the server's access log, nor the page it was made from."""
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    from tsunagari.cli import gunicorn_command

    command = gunicorn_command(bind="127.0.0.1:8000", workers=1)
    config = Config()
    config.set("access_log_format", command[command.index("--access-logformat") + 1])
    environ = {
        "REQUEST_METHOD": "GET", "RAW_URI": "/directory/?q=%E6%AD%BB%E3%81%AB%E3%81%9F%E3%81%84",
        "PATH_INFO": "/directory/", "QUERY_STRING": "q=%E6%AD%BB%E3%81%AB%E3%81%9F%E3%81%84",
        "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": "test-agent",
        "HTTP_REFERER": "https://tsunagari.example/navi/?q=%E3%81%A4%E3%82%89%E3%81%84",
    }  # fmt: skip
    response = SimpleNamespace(status="200 OK", sent=1234, headers=[])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    atoms = Logger(config).atoms(response, request, environ, timedelta(milliseconds=25))
    line = config.access_log_format % atoms
    assert '"GET /directory/ HTTP/1.1" 200 1234' in line
    assert "q=" not in line and "%E" not in line and "navi" not in line
