"""The ``tsunagari`` command.

    tsunagari demo [--data-dir DIR] [--port N] [--no-serve]   set up and serve a demo on SQLite
    tsunagari serve [--bind HOST:PORT] [--workers N]          production WSGI server (gunicorn)
    tsunagari worker [--once]                                  queued tasks (e-mails) and periodic checks
    tsunagari check                                            quality gates (lint, types, migrations, templates)
    tsunagari generate-key                                     a new data-encryption key
    tsunagari backup FILE / restore FILE [--force]             encrypted backup of the SQLite database
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

from tsunagari.processes import one_maths_thread_per_process

one_maths_thread_per_process()  # before numpy loads, as in tsunagari/wsgi.py

DEMO_SECRETS_FILE = "demo-secrets.json"


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
        values = json.loads(path.read_text())
        if "audit_key" not in values:
            # Data dirs made before the audit chain was keyed: add a key; the migration that keys the
            # chain uses it.
            values["audit_key"] = secrets.token_urlsafe(32)
            path.write_text(json.dumps(values, indent=2))
        return values
    values = {
        "secret_key": secrets.token_urlsafe(50),
        "data_keys": generate_key(),
        "audit_key": secrets.token_urlsafe(32),
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
    os.environ["TSUNAGARI_AUDIT_KEY"] = values["audit_key"]
    return values


def _use_demo_secrets_if_any(data_dir: Path) -> bool:
    """Commands run on a demo's data dir (`tsunagari verify-audit`, `export-needs`, `worker` …) use the
    demo's own secrets, so README's commands work right after `tsunagari demo`. Only when the data dir
    holds the demo's secrets file and the environment sets no secrets: a real deployment's are never
    replaced, and nothing is created here."""
    if os.environ.get("TSUNAGARI_SECRET_KEY") or os.environ.get("TSUNAGARI_DATA_KEYS"):
        return False
    if not (data_dir / DEMO_SECRETS_FILE).is_file():
        return False
    _enter_demo_mode(data_dir)
    return True


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
    _start_embedded_worker()
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
    # Navigator answers may use all processes but one, so staff pages always find a free one.
    os.environ.setdefault("TSUNAGARI_NAVIGATOR_SLOTS", str(max(1, workers - 1)))
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
    parser.add_argument(
        "--no-worker", action="store_true", help="on SQLite, do not start the embedded background worker"
    )
    args = parser.parse_args(argv)
    _data_dir(None)
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    # Production must be safe: a deploy warning (no HTTPS, no HSTS, …) stops the server from starting.
    call_command("check", deploy=True, fail_level="WARNING")
    if not args.skip_collectstatic:
        call_command("collectstatic", interactive=False, verbosity=0)
    # SQLite is one machine's database: its one worker runs beside the server. On PostgreSQL, workers are
    # separate services (`tsunagari worker`, see docs/operations.md).
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and not args.no_worker:
        _start_embedded_worker()
    return _gunicorn(bind=args.bind, workers=args.workers)


def worker(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="tsunagari worker",
        description="Run queued tasks (e-mails, notifications) and the periodic checks. On PostgreSQL any "
        "number of workers may run; each also schedules the periodic checks (once per period in all).",
    )
    parser.add_argument(
        "--once", action="store_true", help="run every check once, then what is due, and exit"
    )
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between looks at an empty queue")
    parser.add_argument("--parent-pid", type=int, help=argparse.SUPPRESS)  # stop when that process is gone
    args = parser.parse_args(argv)
    data_dir = _data_dir(None)
    _use_demo_secrets_if_any(data_dir)
    _setup_django()
    from tsunagari.worker.runner import QueueWorker, run_due_tasks
    from tsunagari.worker.services import enqueue_all_now

    if args.once:
        names = enqueue_all_now()
        ran = run_due_tasks()
        print(f"Ran {len(names)} job(s): {', '.join(names)}; {ran} task(s) in all")
        return 0
    QueueWorker(interval=args.interval).run_forever(parent_pid=args.parent_pid)
    return 0


def _start_embedded_worker() -> None:
    """The demo (and `serve` on SQLite) runs one worker beside the web server, as a child process that
    stops when the server stops."""
    command = [sys.executable, "-m", "tsunagari.cli", "worker", "--parent-pid", str(os.getpid())]
    subprocess.Popen(command)  # noqa: S603 - fixed argument list, no shell
    print("Background worker started (queued e-mails, 見守り checks, audit verification).", flush=True)


def _sqlite_database() -> Path | None:
    from django.conf import settings

    database = settings.DATABASES["default"]
    return Path(database["NAME"]) if database["ENGINE"].endswith("sqlite3") else None


def backup(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="tsunagari backup",
        description="Encrypted online backup of the embedded SQLite database (PostgreSQL: use pg_dump).",
    )
    parser.add_argument("file", help="where to write the encrypted backup")
    parser.add_argument("--key-file", help="file holding the backup key (default: TSUNAGARI_BACKUP_KEY)")
    args = parser.parse_args(argv)
    _use_demo_secrets_if_any(_data_dir(None))
    _setup_django()
    from tsunagari import backups

    database = _sqlite_database()
    if database is None:
        print("The database is not SQLite: back it up with pg_dump (docs/operations.md).", file=sys.stderr)
        return 2
    try:
        size = backups.backup(database=database, out=Path(args.file), key=backups.backup_key(args.key_file))
    except backups.BackupError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"Backed up {database} to {args.file} ({size:,} bytes, encrypted).")
    print("Record the activity log's head printed by `tsunagari verify-audit` with it.")
    return 0


def restore(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="tsunagari restore", description="Restore the embedded SQLite database from `tsunagari backup`."
    )
    parser.add_argument("file", help="the encrypted backup")
    parser.add_argument("--key-file", help="file holding the backup key (default: TSUNAGARI_BACKUP_KEY)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing database")
    args = parser.parse_args(argv)
    _use_demo_secrets_if_any(_data_dir(None))
    _setup_django()
    from tsunagari import backups

    database = _sqlite_database()
    if database is None:
        print("The database is not SQLite: restore it with pg_restore (docs/operations.md).", file=sys.stderr)
        return 2
    try:
        backups.restore(
            source=Path(args.file), database=database, key=backups.backup_key(args.key_file), force=args.force
        )
    except (backups.BackupError, OSError) as error:
        print(error, file=sys.stderr)
        return 2
    print(f"Restored {database} from {args.file}. Check it with `tsunagari verify-audit`.")
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
    os.environ.setdefault("TSUNAGARI_AUDIT_KEY", "check-only-" + secrets.token_urlsafe(32))
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
    "backup": backup,
    "restore": restore,
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
    _use_demo_secrets_if_any(_data_dir(None))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsunagari.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tsunagari", name.replace("-", "_"), *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
