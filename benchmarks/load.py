"""The platform under a crowd: the production server on loopback, driven by Locust.

    uv run --group load python benchmarks/load.py [--users 50 100 200] [--seconds 60] [--workers 3]
                                                  [--members-workers 1] [--residents-nice 10]
                                                  [--json FIGURES.json]

In one run:

1. a scratch PostgreSQL database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/tsunagari_load;
   dropped and created again) with the demo's data (`tsunagari.demo.seed`), production settings
   (TSUNAGARI_HTTPS, real secrets made for the run, collected static files, DEBUG off) and
   `tsunagari serve --workers N` (gunicorn, the navigator warmed up in every process) on 127.0.0.1;
   requests carry X-Forwarded-Proto and X-Forwarded-For as the city's reverse proxy adds them;
2. staff sessions made directly in the database for four demo members of three organisations (signing in
   with a second factor is not what is measured);
3. for each user count, a headless Locust run of --seconds with the mix of benchmarks/locustfile.py
   (3 residents : 1 member of staff, each pausing 0.5–1.5 s between pages): requests/s, p50/p95/p99 per
   page and failures, and the server's, PostgreSQL's and Locust's CPU per request; beside it, in the same run and
   just before, the same server's ceiling: --users clients fetching a static file without pause;
4. the same mix, in the same run, on the same number of processes split in two pools, as the reverse proxy
   can route them (docs/operations.md): members' requests (those with a session cookie) to
   --members-workers processes of their own, everything else to the rest, whose processes run at a lower
   CPU priority (--residents-nice). Residents' questions then never make a member of staff wait in their
   queue, and on saturated cores members' pages get the CPU first; both pools share the two cores.

Locust runs on the same two cores as the server, as the reviewers' load did; its share of the CPU is
part of every figure, and printed (its users are FastHttpUser, which costs it the least CPU per request). Goals from issue 16: 200 users with 0 errors; mixed throughput at least 0.3x the
static ceiling; signed-in pages p95 <= 300 ms while residents use the navigator.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
QUESTIONS = REPO.parent / "shared" / "eval" / "navigator_dev.jsonl"
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/tsunagari_load"
STAFF_MEMBERS = [
    "jimukyoku@example.jp",
    "staff@shakyo.example.jp",
    "admin@yorisoi.example.jp",
    "staff@coop.example.jp",
]
SIGNED_IN = ("today view (staff)", "case list (staff)", "needs dashboard (staff)")
GOAL_SIGNED_IN_P95_MS = 300
GOAL_RATIO = 0.3
PAUSE_SECONDS = 10


def run(command: list[str], env: dict[str, str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, env=env, cwd=REPO, check=True, text=True, **kwargs)  # noqa: S603


def production_env(data_dir: Path, database_url: str) -> dict[str, str]:
    from cryptography.fernet import Fernet

    env = {
        k: v for k, v in os.environ.items() if not k.startswith("TSUNAGARI_") or k == "TSUNAGARI_CACHE_DIR"
    }
    env |= {
        "DATABASE_URL": database_url,
        "TSUNAGARI_DATA_DIR": str(data_dir),
        "TSUNAGARI_HTTPS": "1",
        "TSUNAGARI_SECRET_KEY": secrets.token_urlsafe(50),
        "TSUNAGARI_DATA_KEYS": Fernet.generate_key().decode("ascii"),
        "TSUNAGARI_AUDIT_KEY": secrets.token_urlsafe(32),
        "TSUNAGARI_ALLOWED_HOSTS": "127.0.0.1",
        "TSUNAGARI_TRUSTED_PROXIES": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "tsunagari.settings",
    }
    env.setdefault("TSUNAGARI_CACHE_DIR", str(REPO / "var" / "cache"))
    return env


def recreate_database(database_url: str) -> None:
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    server = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


PREPARE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
from tsunagari import demo
from tsunagari.accounts.models import User
from tsunagari.directory.models import Service
from tsunagari.orgs.models import Membership

demo.seed(password="load-benchmark-" + "x" * 8)
staff = []
for email in EMAILS:
    user = User.objects.get(email=email)
    membership = Membership.objects.filter(user=user).select_related("organization").first()
    client = Client()
    client.force_login(user)
    staff.append({"org": membership.organization.slug, "session": client.cookies[settings.SESSION_COOKIE_NAME].value})
services = [f"/directory/services/{pk}/" for pk in Service.objects.filter(visibility="public").values_list("pk", flat=True)[:50]]
print(json.dumps({"staff": staff, "service_paths": services, "session_cookie": settings.SESSION_COOKIE_NAME}))
"""


def prepare(env: dict[str, str]) -> dict[str, Any]:
    python = sys.executable
    run([python, "-m", "tsunagari.cli", "migrate", "--noinput", "-v", "0"], env)
    run([python, "-m", "tsunagari.cli", "createcachetable"], env)
    run([python, "-m", "tsunagari.cli", "collectstatic", "--noinput", "-v", "0"], env)
    script = PREPARE.replace("EMAILS", repr(STAFF_MEMBERS))
    out = run([python, "-c", script], env, capture_output=True).stdout
    setup = json.loads(out.strip().splitlines()[-1])
    with QUESTIONS.open(encoding="utf-8") as fh:
        setup["questions"] = [json.loads(line)["text"] for line in fh if line.strip()]
    return setup


def start_server(
    env: dict[str, str], port: int, workers: int, log: Path, *, nice: int = 0
) -> subprocess.Popen[bytes]:
    """``tsunagari serve`` on ``port``; ``nice`` lowers its processes' CPU priority (as systemd's Nice=)."""
    command = ["nice", "-n", str(nice)] if nice else []
    command += [sys.executable, "-m", "tsunagari.cli", "serve", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--skip-collectstatic"]
    server = subprocess.Popen(command, env=env, cwd=REPO, stdout=log.open("wb"), stderr=subprocess.STDOUT)  # noqa: S603
    request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"X-Forwarded-Proto": "https"})
    for _ in range(120):
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"tsunagari serve exited:\n{log.read_text(errors='replace')}") from None
        time.sleep(1)
    server.terminate()
    raise SystemExit("the server did not answer within 120 s")


def static_path(port: int) -> str:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"X-Forwarded-Proto": "https"})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
        html = response.read().decode()
    start = html.index("/static/")
    return html[start : html.index('"', start)]


def cpu_seconds(server: subprocess.Popen[bytes]) -> dict[str, float]:
    """CPU time used so far by the server's processes (gunicorn's master and workers) and by PostgreSQL's
    (every process of that name: on this machine, the database serves only the benchmark)."""
    import psutil  # installed with Locust

    def used(process: psutil.Process) -> float:
        try:
            times = process.cpu_times()
        except psutil.Error:  # a process that ended in between
            return 0.0
        return times.user + times.system

    root = psutil.Process(server.pid)
    served = used(root) + sum(used(child) for child in root.children(recursive=True))
    database = sum(
        used(p) for p in psutil.process_iter(["name"]) if (p.info["name"] or "").startswith("postgres")
    )
    return {"server": served, "postgresql": database}


def locust(
    users: int, seconds: int, classes: list[str], port: int, setup: dict[str, Any], out: Path
) -> dict[str, Any]:
    prefix = out / f"{'-'.join(classes)}-{users}"
    env = os.environ | {"LOAD_SETUP": json.dumps(setup, ensure_ascii=False)}
    command = ["locust", "-f", str(LOCUSTFILE), "--headless", "--users", str(users)]
    command += [
        "--spawn-rate",
        str(max(1, users // 5)),
        "--run-time",
        f"{seconds}s",
        "--host",
        f"http://127.0.0.1:{port}",
    ]
    command += ["--csv", str(prefix), "--only-summary", "--loglevel", "WARNING", *classes]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, env=env, cwd=REPO, check=False, **quiet)  # noqa: S603
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # Locust's own CPU, taken from the same two cores as the server's (reported, not subtracted).
    pages: dict[str, Any] = {
        "_locust_cpu_s": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    }
    with open(f"{prefix}_stats.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            pages[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": round(float(row["Requests/s"]), 1),
                "p50_ms": float(row["50%"] or 0),
                "p95_ms": float(row["95%"] or 0),
                "p99_ms": float(row["99%"] or 0),
            }
    return pages


def _report_mix(title: str, mix: dict[str, Any], ceiling: float) -> None:
    pages = mix["pages"]
    total = pages["Aggregated"]
    ratio = total["rps"] / ceiling if ceiling else 0.0
    print(
        f"  {title}: {total['rps']:.1f} requests/s, {total['failures']} errors; ratio to the ceiling "
        f"{ratio:.2f}x (goal >= {GOAL_RATIO}x once the server is saturated: below that, the users' pauses bound "
        "the throughput)"
    )
    print(f"    {'page':<26} {'requests':>8} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'errors':>6}")
    for name, p in pages.items():
        if name == "Aggregated" or name.startswith("_"):
            continue
        print(
            f"    {name:<26} {p['requests']:>8} {p['rps']:>7.1f} {p['p50_ms']:>6.0f} {p['p95_ms']:>6.0f} "
            f"{p['p99_ms']:>6.0f} {p['failures']:>6}"
        )
    cpu = mix["cpu_ms_per_request"]
    print(
        f"    CPU per request of the mix: server {cpu['server']:.1f} ms, PostgreSQL {cpu['postgresql']:.1f} ms, "
        f"Locust {cpu['locust']:.1f} ms"
    )
    signed_in = max((pages[n]["p95_ms"] for n in SIGNED_IN if n in pages), default=0.0)
    verdict = "met" if signed_in <= GOAL_SIGNED_IN_P95_MS else "NOT met"
    print(
        f"    signed-in pages' worst p95: {signed_in:.0f} ms (goal <= {GOAL_SIGNED_IN_P95_MS} ms: {verdict})"
    )


def report(results: list[dict[str, Any]], workers: int, members_workers: int, seconds: int) -> None:
    print(
        f"\nLoad on `tsunagari serve` (PostgreSQL, production settings), {workers} processes, {seconds} s per run"
    )
    for r in results:
        ceiling = r["static"]["Aggregated"]["rps"]
        locust_ms = r["static"]["_locust_cpu_s"] * 1000 / max(1, r["static"]["Aggregated"]["requests"])
        print(
            f"\n{r['users']} users: static ceiling {ceiling:.1f}/s (Locust's CPU {locust_ms:.2f} ms a request)"
        )
        _report_mix(f"one pool of {workers}", r["one_pool"], ceiling)
        if "two_pools" in r:
            title = f"two pools ({workers - members_workers} for residents, {members_workers} for members)"
            _report_mix(title, r["two_pools"], ceiling)
    print(f"\nLoad average (1 min) at the end: {os.getloadavg()[0]:.2f}; CPUs: {os.cpu_count()}")


def measure_mix(
    users: int,
    seconds: int,
    servers: list[subprocess.Popen[bytes]],
    port: int,
    setup: dict[str, Any],
    out: Path,
) -> dict[str, Any]:
    """One Locust run of the mix against ``port`` (members to ``setup["members_host"]`` if set), with the CPU
    the ``servers`` and PostgreSQL used per request."""
    time.sleep(PAUSE_SECONDS)
    before = [cpu_seconds(s) for s in servers]
    mix = locust(users, seconds, ["Resident", "Staff"], port, setup, out)
    after = [cpu_seconds(s) for s in servers]
    requests = max(1, mix["Aggregated"]["requests"])
    # CPU milliseconds per request of the mix (Locust's ramp-up and wind-down included); PostgreSQL once.
    server_ms = sum(a["server"] - b["server"] for a, b in zip(after, before, strict=True)) * 1000 / requests
    database_ms = (after[0]["postgresql"] - before[0]["postgresql"]) * 1000 / requests
    locust_ms = mix.pop("_locust_cpu_s") * 1000 / requests
    return {
        "pages": mix,
        "cpu_ms_per_request": {
            "server": round(server_ms, 1),
            "postgresql": round(database_ms, 1),
            "locust": round(locust_ms, 1),
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, nargs="+", default=[50, 100, 200])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument(
        "--members-workers",
        type=int,
        default=1,
        help="of --workers, the pool for members' pages (0: no split)",
    )
    parser.add_argument(
        "--residents-nice",
        type=int,
        default=10,
        help="with two pools, the residents' pool's niceness (0: the same CPU priority as members')",
    )
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--json", dest="json_path", help='write the figures as JSON here ("-": stdout)')
    args = parser.parse_args()
    if shutil.which("locust") is None:
        parser.error("Locust is not installed: run `uv run --group load python benchmarks/load.py`")
    if not 0 <= args.members_workers < args.workers:
        parser.error("--members-workers must leave at least one process for everyone else")
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE)
    with tempfile.TemporaryDirectory(prefix="tsunagari-load-") as tmp:
        work = Path(tmp)
        env = production_env(work / "data", database_url)
        (work / "data").mkdir()
        recreate_database(database_url)
        started = time.perf_counter()
        setup = prepare(env)
        print(f"Demo data on PostgreSQL, migrated and seeded in {time.perf_counter() - started:.0f} s")
        one_pool = [start_server(env, args.port, args.workers, work / "serve.log")]
        split: list[subprocess.Popen[bytes]] = []
        public_port, members_port = args.port + 1, args.port + 2
        try:
            if args.members_workers:
                split.append(
                    start_server(
                        env,
                        public_port,
                        args.workers - args.members_workers,
                        work / "p.log",
                        nice=args.residents_nice,
                    )
                )
                split.append(start_server(env, members_port, args.members_workers, work / "m.log"))
            setup["static_path"] = static_path(args.port)
            results = []
            for users in args.users:
                # The ceiling first, then the mix, each after a pause: a saturated run leaves requests
                # queued in the server for a few seconds after Locust stops, which would slow what follows.
                time.sleep(PAUSE_SECONDS)
                static = locust(users, max(15, args.seconds // 3), ["StaticFile"], args.port, setup, work)
                result = {"users": users, "static": static}
                result["one_pool"] = measure_mix(users, args.seconds, one_pool, args.port, setup, work)
                if split:
                    members = setup | {"members_host": f"http://127.0.0.1:{members_port}"}
                    result["two_pools"] = measure_mix(users, args.seconds, split, public_port, members, work)
                results.append(result)
                print(f"  {users} users done", flush=True)
        finally:
            for server in one_pool + split:
                server.terminate()
                server.wait(timeout=30)
    report(results, args.workers, args.members_workers, args.seconds)
    if args.json_path:
        text = json.dumps(results, ensure_ascii=False, indent=2)
        if args.json_path == "-":
            print(text)
        else:
            Path(args.json_path).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
