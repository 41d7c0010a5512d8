"""ふりがな: what the readings cost a page, beside the same page passed through unchanged.

    uv run python benchmarks/furigana.py [--cards 50] [--rounds 30]

Builds a directory-like page of --cards service cards (name, description, eligibility) from the demo
directory (tsunagari/demo_data/hsds/services.csv), then times, in one run:

* baseline — the page re-emitted by the same HTML parser with readings off (what the middleware costs
  at the least: parsing and writing the page);
* cold — `add_ruby` with its cache of annotated text emptied before each round (a page nobody has seen);
* warm — `add_ruby` again on the same page (the cache holds its text nodes: the usual case for a page's
  fixed texts and the directory's names).

Prints p50/p95 in ms, the page size before and after, and the ratios to the baseline.
"""

from __future__ import annotations

import argparse
import csv
import html
import statistics
import time
from pathlib import Path

from tsunagari.text import furigana

SERVICES = Path(__file__).resolve().parent.parent / "tsunagari" / "demo_data" / "hsds" / "services.csv"


def page(cards: int) -> str:
    with SERVICES.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    body = []
    for i in range(cards):
        row = rows[i % len(rows)]
        body.append(
            f'<article class="service-card"><h3><a href="/directory/services/{row["id"]}/">'
            f"{html.escape(row['name'])}</a></h3><p>{html.escape(row['description'])}</p>"
            f"<p>{html.escape(row['eligibility_description'])}</p></article>"
        )
    return (
        '<!DOCTYPE html><html lang="ja"><head><title>相談先と支援</title></head><body><main>'
        + "".join(body)
        + "</main></body></html>"
    )


class _PassThrough(furigana._RubyWriter):
    def handle_data(self, data: str) -> None:
        self.out.append(html.escape(data, quote=False))


def _pass_through(text: str) -> str:
    writer = _PassThrough()
    writer.feed(text)
    writer.close()
    return "".join(writer.out)


def _times(run, rounds: int, before=None) -> list[float]:
    figures = []
    for _ in range(rounds):
        if before:
            before()
        start = time.perf_counter()
        run()
        figures.append((time.perf_counter() - start) * 1000)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cards", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    text = page(args.cards)
    furigana.add_ruby(text)  # load Sudachi's dictionary once, outside the timings
    runs = {
        "baseline (no readings)": _times(lambda: _pass_through(text), args.rounds),
        "cold (cache emptied)": _times(
            lambda: furigana.add_ruby(text), args.rounds, before=furigana.ruby_text.cache_clear
        ),
        "warm": _times(lambda: furigana.add_ruby(text), args.rounds),
    }
    out = furigana.add_ruby(text)
    print(
        f"page: {args.cards} cards, {len(text.encode()):,} bytes → {len(out.encode()):,} bytes with readings"
    )
    baseline = statistics.median(runs["baseline (no readings)"])
    print(f"{'':26}{'p50 ms':>9}{'p95 ms':>9}{'× baseline':>12}")
    for name, figures in runs.items():
        p50 = statistics.median(figures)
        p95 = statistics.quantiles(figures, n=20)[-1]
        print(f"{name:26}{p50:9.1f}{p95:9.1f}{p50 / baseline:12.1f}")


if __name__ == "__main__":
    main()
