"""The 目標値 parser's speed on the corpus of other councils' texts (issue #17).

    python -m bench.parser                 # about 5 s; prints texts/s and the goal
    python -m bench.parser --seconds 20

The texts are those of ``tests/data/target_corpus.tsv`` (real 目標値 and 実績 strings of
other councils, longer than the 令和2年度 plan's), parsed alone in rounds until the time
is up. Wall-clock and CPU time are both kept: on a machine shared with other work the CPU
figure is the steadier one. The plan's own figure (alone and with 内容) is in
``python -m bench.run`` (docs/performance.md). Pure Python: no Django, no database.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "target_corpus.tsv"
GOAL = 20_000  # texts per second (issue #17)


def corpus_texts(path: Path = CORPUS) -> list[str]:
    with path.open(encoding="utf-8", newline="") as f:
        return [row["text"] for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)]


def measure(texts: list[str], seconds: float) -> dict[str, float]:
    """Texts per second over rounds of ``texts``, after one warm-up round."""
    from targets.parser import parse_target

    for text in texts:  # warm the regular expressions and caches
        parse_target(text)
    count, wall, cpu = 0, 0.0, 0.0
    started = time.perf_counter()
    rounds = 0
    while time.perf_counter() - started < seconds and rounds < 100_000:
        w, c = time.perf_counter(), time.process_time()
        for text in texts:
            parse_target(text)
        wall += time.perf_counter() - w
        cpu += time.process_time() - c
        count += len(texts)
        rounds += 1
    return {
        "texts": len(texts),
        "parsed": count,
        "per_second": count / wall,
        "cpu_per_second": count / max(cpu, 1e-9),
        "mean_length": statistics.fmean(len(t) for t in texts),
        "max_length": max(len(t) for t in texts),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.parser", description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args(argv)
    r = measure(corpus_texts(), args.seconds)
    met = "met" if r["cpu_per_second"] >= GOAL else "NOT met"
    print(
        f"目標値 parser on the corpus: {r['texts']} texts "
        f"(mean {r['mean_length']:.1f} characters, longest {r['max_length']}), "
        f"{r['parsed']:,} parsed\n"
        f"  {r['per_second']:,.0f} texts/s wall clock, {r['cpu_per_second']:,.0f} texts/s "
        f"of CPU time — goal ≥ {GOAL:,}/s: {met}"
    )
    return 0 if r["cpu_per_second"] >= GOAL else 1


if __name__ == "__main__":
    raise SystemExit(main())
