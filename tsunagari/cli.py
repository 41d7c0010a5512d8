"""The ``tsunagari`` command.

    tsunagari demo [--data-dir DIR] [--port N] [--no-serve]   set up and serve a demo on SQLite
    tsunagari serve [--bind HOST:PORT] [--workers N]          production WSGI server (gunicorn)
    tsunagari worker [--once]                                  periodic checks
    tsunagari check                                            quality gates (lint, types, migrations, templates)
    tsunagari generate-key                                     a new data-encryption key
    tsunagari demo-code EMAIL                                  current TOTP code of a demo user (demo only)
    tsunagari <django command> …                               e.g. migrate, verify-audit, createcachetable

Every command honours DATABASE_URL and TSUNAGARI_DATA_DIR (see docs/operations.md).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

DEMO_SECRETS_FILE = "demo-secrets.json"


# One maths thread per process (must be set before numpy loads): see tsunagari/wsgi.py.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsunagari.settings")
    import django

    django.setup()


def _data_dir(arg: str | None) -> Path:
    path = Path(arg or os.environ.get("TSUNAGARI_DATA_DIR") or "var").resolve()
    path.mkdir(parents=True, exist_ok=True)
    os.environ["TSUNAGARI_DATA_DIR"] = str(path)
    return path


def load_demo_secrets(data_dir: Path) -> dict:
    """The demo's own secrets, created once per data dir and readable only by its owner (0600)."""
    from tsunagari.crypto import generate_key

    path = data_dir / DEMO_SECRETS_FILE
    if path.exists():
        return json.loads(path.read_text())
    values = {
        "secret_key": secrets.token_urlsafe(50),
        "data_keys": generate_key(),
        "password": "demo-" + secrets.token_urlsafe(9),
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(values, fh, indent=2)
    return values


def _enter_demo_mode(data_dir: Path) -> dict:
    values = load_demo_secrets(data_dir)
    os.environ["TSUNAGARI_DEMO"] = "1"
    os.environ["TSUNAGARI_SECRET_KEY"] = values["secret_key"]
    os.environ["TSUNAGARI_DATA_KEYS"] = values["data_keys"]
    return values


def demo(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="tsunagari demo", description="Set up a demo on SQLite and serve it."
    )
    parser.add_argument("--data-dir", help="where the database and demo secrets live (default ./var)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--no-serve", action="store_true", help="set up everything but do not serve")
    args = parser.parse_args(argv)

    # Everything the demo writes (database, WAL files, secrets) is readable by its owner only.
    os.umask(0o077)
    data_dir = _data_dir(args.data_dir)
    values = _enter_demo_mode(data_dir)
    _setup_django()
    from django.core.management import call_command

    from tsunagari import demo as demo_data

    print(f"Data directory: {data_dir}")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    created = demo_data.seed(
        password=values["password"], progress=lambda line: print("  " + line, flush=True)
    )
    print("Demo data loaded." if created else "Demo data already present: reusing it.")
    demo_data.print_logins(password=values["password"], out=sys.stdout)
    if args.no_serve:
        return 0
    os.environ["TSUNAGARI_SITE_URL"] = f"http://{args.host}:{args.port}"
    base = f"http://{args.host}:{args.port}"
    print(f"\nServing {base}/  (Ctrl+C to stop)")
    print(
        f"  Navigator for residents: {base}/navi/   Directory: {base}/directory/   HSDS API: {base}/api/hsds/\n",
        flush=True,
    )
    return _gunicorn(bind=f"{args.host}:{args.port}", workers=2)


# The access log names the path, never the query string or the referring page: what a resident typed
# into the public search or the navigator (?q=死にたい) must not land in the server's logs.
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s" %(L)s'


def gunicorn_command(*, bind: str, workers: int) -> list[str]:
    return [
        sys.executable, "-m", "gunicorn", "tsunagari.wsgi:application",
        "--bind", bind, "--workers", str(workers), "--access-logfile", "-",
        "--access-logformat", ACCESS_LOG_FORMAT, "--forwarded-allow-ips",
        os.environ.get("TSUNAGARI_FORWARDED_ALLOW_IPS", "127.0.0.1"),
    ]  # fmt: skip


def _gunicorn(*, bind: str, workers: int) -> int:
    command = gunicorn_command(bind=bind, workers=workers)
    # Become gunicorn (not a parent of it): Ctrl+C and SIGTERM then stop the server itself, not just us.
    sys.stdout.flush()
    os.execv(sys.executable, command)  # noqa: S606 - fixed argument list, no shell
    return 0  # not reached


def serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tsunagari serve", description="Serve with gunicorn (production).")
    parser.add_argument("--bind", default=os.environ.get("TSUNAGARI_BIND", "127.0.0.1:8000"))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("TSUNAGARI_WORKERS", "3")))
    parser.add_argument("--skip-collectstatic", action="store_true")
    args = parser.parse_args(argv)
    _data_dir(None)
    _setup_django()
    from django.core.management import call_command

    # Production must be safe: a deploy warning (no HTTPS, no HSTS, …) stops the server from starting.
    call_command("check", deploy=True, fail_level="WARNING")
    if not args.skip_collectstatic:
        call_command("collectstatic", interactive=False, verbosity=0)
    return _gunicorn(bind=args.bind, workers=args.workers)


def worker(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tsunagari worker", description="Run the periodic checks.")
    parser.add_argument("--once", action="store_true", help="run every check once and exit")
    args = parser.parse_args(argv)
    _data_dir(None)
    _setup_django()
    from tsunagari import jobs

    if args.once:
        ran = jobs.run_cycle({}, force=True)
        print(f"Ran {len(ran)} job(s): {', '.join(ran)}")
        return 0
    jobs.run_forever()
    return 0


def demo_code(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="tsunagari demo-code", description="Current TOTP code of a demo user."
    )
    parser.add_argument("email")
    parser.add_argument("--data-dir")
    args = parser.parse_args(argv)
    data_dir = _data_dir(args.data_dir)
    if not (data_dir / DEMO_SECRETS_FILE).exists():
        print("demo-code works only on a data dir made by `tsunagari demo`.", file=sys.stderr)
        return 2
    _enter_demo_mode(data_dir)
    _setup_django()
    from tsunagari import demo as demo_data

    code = demo_data.current_totp_code(args.email)
    if code is None:
        print(f"{args.email} has no authenticator app in this demo.", file=sys.stderr)
        return 1
    print(code)
    return 0


def check(argv: list[str]) -> int:
    """Quality gates: ruff, mypy, system checks, migrations in sync, every template compiles."""
    # The checks never serve or read data, so throwaway secrets are fine when none are set.
    os.environ.setdefault("TSUNAGARI_SECRET_KEY", "check-only-" + secrets.token_urlsafe(32))
    os.environ.setdefault("TSUNAGARI_DATA_KEYS", "H5ZB3tIpBVD1sV5xZTK2Hn9p0gd5q-8W8yBObPqkDEo=")
    _setup_django()
    from django.core.management import call_command

    root = Path(__file__).resolve().parent.parent
    steps = [
        ["ruff", "format", "--check", "."],
        ["ruff", "check", "."],
        ["mypy", "tsunagari"],
    ]
    failed = 0
    for step in steps:
        print("$", " ".join(step), flush=True)
        failed |= subprocess.call([sys.executable, "-m", *step], cwd=root)  # noqa: S603
    call_command("check", fail_level="WARNING")
    call_command("makemigrations", check=True, dry_run=True)
    from tsunagari.templatecheck import compile_all_templates

    errors = compile_all_templates()
    for error in errors:
        print(error, file=sys.stderr)
    return 1 if failed or errors else 0


def generate_key(argv: list[str]) -> int:
    from tsunagari.crypto import generate_key as new_key

    print(new_key())
    return 0


COMMANDS = {
    "demo": demo,
    "serve": serve,
    "worker": worker,
    "check": check,
    "demo-code": demo_code,
    "generate-key": generate_key,
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    name, rest = argv[0], argv[1:]
    if name in COMMANDS:
        return COMMANDS[name](rest)
    # Anything else is a Django management command; hyphens read as underscores (verify-audit).
    _data_dir(None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsunagari.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tsunagari", name.replace("-", "_"), *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
