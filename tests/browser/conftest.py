"""Browser tests drive the real demo: `tsunagari demo` on a fresh data dir, served by gunicorn,
seen through Debian's Chromium (Playwright with executable_path; no browser download)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
TOTP_PERIOD = 30  # allauth's MFA_TOTP_PERIOD (the default)
TOTP_MARGIN = 10  # seconds a code needs to stay valid: reading it (a Django process) and submitting it
CHROMIUM = os.environ.get("TSUNAGARI_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _demo_env(data_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if (not k.startswith("TSUNAGARI_") or k == "TSUNAGARI_CACHE_DIR") and k != "DATABASE_URL"
    }
    env["TSUNAGARI_DATA_DIR"] = str(data_dir)
    return env


@dataclass
class DemoServer:
    url: str
    data_dir: Path
    password: str
    used_codes: dict = field(default_factory=dict)

    def totp_code(self, email: str) -> str:
        """The current code, waiting for the next one if this user already used it (a code works once).
        Near the end of a 30-second period it first waits for the next one: a code read then would expire
        before the browser submits it (the server accepts only the current period's code)."""
        for _ in range(40):
            left = TOTP_PERIOD - time.time() % TOTP_PERIOD
            if left < TOTP_MARGIN:
                time.sleep(left + 0.5)
            code = self._current_code(email)
            if self.used_codes.get(email) != code:
                self.used_codes[email] = code
                return code
            time.sleep(1)
        raise AssertionError("no fresh TOTP code within 40 s")

    def _current_code(self, email: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "tsunagari.cli", "demo-code", email, "--data-dir", str(self.data_dir)],
            env=_demo_env(self.data_dir),
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return result.stdout.strip()


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory) -> Iterator[DemoServer]:
    data_dir = tmp_path_factory.mktemp("demo")
    port = _free_port()
    # The server's output (access log, console e-mails) goes to a file: a pipe nobody reads fills up
    # after 64 KB and then blocks the server.
    log = (data_dir / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "tsunagari.cli", "demo", "--data-dir", str(data_dir), "--port", str(port)],
        env=_demo_env(data_dir),
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    # The demo indexes the directory before it serves; on a shared, loaded machine (load 11 seen in CI) that
    # took over three minutes: ten by default, TSUNAGARI_TEST_DEMO_START_SECONDS to change it.
    deadline = time.monotonic() + float(os.environ.get("TSUNAGARI_TEST_DEMO_START_SECONDS", "600"))
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:  # noqa: S310 - local test server
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            output = (data_dir / "server.log").read_text(errors="replace")
            pytest.fail(f"tsunagari demo did not start:\n{output}")
        time.sleep(0.5)
    secrets = json.loads((data_dir / "demo-secrets.json").read_text())
    yield DemoServer(url=url, data_dir=data_dir, password=secrets["password"])
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)
    log.close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install Debian's chromium (apt-get install chromium)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.csp_violations = []  # type: ignore[attr-defined]
    page.on(
        "console",
        lambda msg: (
            page.csp_violations.append(msg.text)  # type: ignore[attr-defined]
            if "Content Security Policy" in msg.text
            else None
        ),
    )
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
