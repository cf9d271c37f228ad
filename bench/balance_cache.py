"""Balance page: first visit (measure the data, build the model, solve) vs later visits (re-solve).

Serves the app in-process on a demo database and requests the Balance result fragment the way
the page's htmx form does. Cold visits forget the cached model first (what every visit cost before
the cache); warm visits change the CSAT floor or the budget, so each one re-runs the optimiser on
the cached model. Prints medians, their ratio, the data-version check alone and peak memory.

    .venv/bin/python bench/balance_cache.py --database-url sqlite:///var/demo.sqlite3 --cold 3 --warm 6
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time

from fastapi.testclient import TestClient

from equipoise.analytics.backends import connect
from equipoise.config import Settings
from equipoise.interfaces.app import create_app
from equipoise.planning import cache as model_cache
from equipoise.planning.cache import data_version

HX = {"HX-Request": "true"}


def _visit(client: TestClient, floor: str, budget: str) -> float:
    start = time.perf_counter()
    r = client.get("/balance", params={"top_floor": floor, "budget": budget}, headers=HX)
    took = time.perf_counter() - start
    if r.status_code not in (200, 422):
        raise SystemExit(f"/balance answered {r.status_code}: {r.text[:300]}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("EQUIPOISE_DATABASE_URL"), required=False)
    parser.add_argument("--email", default="manager@demo.example")
    parser.add_argument("--password", default="equipoise-demo")
    parser.add_argument("--cold", type=int, default=3, help="first visits (cache emptied before each)")
    parser.add_argument("--warm", type=int, default=6, help="later visits with other floors or budgets")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("--database-url (or EQUIPOISE_DATABASE_URL) is required")
    print(f"load average before: {open('/proc/loadavg').read().split()[:3]}")
    con = connect(args.database_url)
    checks = []
    for _ in range(5):
        start = time.perf_counter()
        data_version(con)
        checks.append(time.perf_counter() - start)
    with TestClient(create_app(Settings(database_url=args.database_url))) as client:
        r = client.post("/api/auth/login", json={"email": args.email, "password": args.password})
        if r.status_code != 200:
            raise SystemExit(f"sign-in as {args.email} failed: {r.status_code} {r.text[:200]}")
        cold = []
        for _ in range(args.cold):
            model_cache.MODELS.invalidate()
            cold.append(_visit(client, "", ""))
        inputs = [("", ""), ("72", ""), ("", "1e9"), ("70", "1e9"), ("", ""), ("71", "")]
        warm = [_visit(client, *inputs[i % len(inputs)]) for i in range(args.warm)]
        stats = model_cache.MODELS.stats()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"data-version check: median {statistics.median(checks) * 1000:.1f} ms over {len(checks)}")
    print(f"first visit (build + solve): median {statistics.median(cold):.2f} s over {len(cold)} "
          f"({', '.join(f'{t:.2f}' for t in cold)})")
    print(f"later visit (cached model, re-solve): median {statistics.median(warm):.2f} s over {len(warm)} "
          f"({', '.join(f'{t:.2f}' for t in warm)})")
    print(f"ratio first / later: {statistics.median(cold) / statistics.median(warm):.1f}x")
    print(f"cache: {stats.builds} builds, {stats.hits} hits, {stats.entries} entries; peak RSS {peak:.0f} MiB")
    print(f"load average after: {open('/proc/loadavg').read().split()[:3]}")


if __name__ == "__main__":
    main()
