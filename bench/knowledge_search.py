"""Benchmark: knowledge search by meaning ([semantic] extra) beside BM25 on a real SQLite database.

Run: .venv/bin/python bench/knowledge_search.py [--copies 1] [--repeats 5]

Loads the help-centre sample articles (``equipoise.core.knowledge.samples``; ``--copies`` N writes
each N times, so 24 x N articles), then reports
- the model's load time (first encode, once per process),
- the embedding index build time (all articles embedded in one batch and stored),
- the median milliseconds per query of each mode over the same queries, interleaved round by round so
  every mode sees the same machine load, with the ratio to BM25,
- the process's peak resident memory, and the load average before and after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from sqlalchemy.orm import Session  # noqa: E402

from equipoise.core.knowledge import semantic, service  # noqa: E402
from equipoise.core.knowledge.samples import SAMPLE_ARTICLES  # noqa: E402
from equipoise.core.knowledge.schemas import ArticleCreate  # noqa: E402
from equipoise.db.engine import make_engine  # noqa: E402
from equipoise.db.migrate import upgrade  # noqa: E402

NOW = dt.datetime(2026, 11, 2, 9, 0)
QUERIES = [
    "I can't get into my account",
    "my radiators are cold",
    "where is my parcel",
    "I want my money back",
    "how do I stop paying every month",
    "change card for payments",
    "boiler pressure keeps dropping",
    "move house new address",
    "complain about an engineer",
    "delete my personal data",
]


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=1, help="write each sample article this many times")
    parser.add_argument("--repeats", type=int, default=5, help="rounds over the queries")
    args = parser.parse_args()
    if not semantic.extra_installed():
        raise SystemExit('the [semantic] extra is not installed: pip install torch==2.13.0, then -e ".[semantic]"')
    print(f"load average before: {loadavg()}")
    folder = tempfile.mkdtemp(prefix="kb-bench-")
    url = f"sqlite:///{folder}/kb.sqlite3"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        for copy in range(args.copies):
            for title, body in SAMPLE_ARTICLES:
                suffix = f" ({copy + 1})" if args.copies > 1 else ""
                service.create_article(
                    session, ArticleCreate(title=title + suffix, body=body, status="published"), NOW
                )
        session.commit()
        n = args.copies * len(SAMPLE_ARTICLES)

        t0 = time.perf_counter()
        model = semantic.embedder()
        model.encode(["warm up"])
        load_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        built = semantic.refresh(session, model, ("published",), NOW)
        session.commit()
        build_s = time.perf_counter() - t0
        assert built == n, (built, n)

        timings: dict[str, list[float]] = {"bm25": [], "semantic": [], "hybrid": []}
        for _ in range(args.repeats):
            for mode in timings:
                for q in QUERIES:
                    t0 = time.perf_counter()
                    service.search(session, q, mode=mode, model=model, now=NOW)
                    timings[mode].append((time.perf_counter() - t0) * 1000)
        top = {q: service.search(session, q, mode="semantic", model=model, now=NOW, limit=1) for q in QUERIES}
    engine.dispose()

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"articles: {n}  queries: {len(QUERIES)} x {args.repeats} rounds  cpu threads: {os.cpu_count()}")
    print(f"model load (first encode): {load_s:.2f} s")
    print(f"index build: {build_s:.2f} s for {n} articles ({build_s / n * 1000:.1f} ms per article)")
    base = statistics.median(timings["bm25"])
    for mode, values in timings.items():
        med = statistics.median(values)
        print(f"search {mode:8s}: median {med:7.2f} ms/query  p90 {statistics.quantiles(values, n=10)[-1]:7.2f} ms"
              f"  ratio to bm25 {med / base:5.1f}x")
    print(f"peak RSS: {peak_mb:.0f} MB")
    for q, hits in top.items():
        print(f"  {q!r} -> {hits[0].title if hits else '-'}")
    print(f"load average after: {loadavg()}")


if __name__ == "__main__":
    main()
