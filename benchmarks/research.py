"""What researchers ask of a large archive: the trends page, response times, round-robins, asked before.

    python benchmarks/search.py --db /tmp/archive/foilog.db      # generate and build the archive once
    python benchmarks/research.py --db /tmp/archive/foilog.db [--repeat 10] [--out benchmarks/results/research.json]

Serves the built database with `foilog serve` (real HTTP on 127.0.0.1) and times, over HTTP,
median and 95th percentile after two warm-up requests:
- the trends page (/charts), and each of its charts' SQL run directly on SQLite;
- the canned queries: response times per force and year, refusals by exemption, the
  round-robins list, the largest round-robin side by side;
- the page of a response that was asked before (its links both ways).

Target: the trends page under 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.search import free_port, percentile  # noqa: E402
from pipelines.web.charts import CHARTS  # noqa: E402


def timed(call: object, repeat: int) -> dict[str, float]:
    times = []
    for i in range(repeat + 2):
        started = time.perf_counter()
        call()  # type: ignore[operator]
        if i >= 2:
            times.append((time.perf_counter() - started) * 1000)
    return {"median_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 0.95), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, required=True, help="A built database (benchmarks/search.py --db makes one).")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "research.json")
    args = parser.parse_args()

    raw = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    counts = {t: raw.execute(f"select count(*) from [{t}]").fetchone()[0]
              for t in ("disclosures", "disclosure_links", "cluster_members")}
    counts["clusters"] = raw.execute("select count(distinct cluster_id) from cluster_members").fetchone()[0]
    largest = raw.execute("select cluster_id, count(*) from cluster_members group by 1 order by 2 desc limit 1").fetchone()
    asked = raw.execute("select later_id from disclosure_links order by later_id limit 1").fetchone()
    sql = {name: timed(lambda q=query: raw.execute(q).fetchall(), args.repeat) for name, query in CHARTS.items()}

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "pipelines", "serve", "--db", str(args.db), "--host", "127.0.0.1",
                               "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pages = {"trends page (/charts)": "/charts",
             "response times per force and year": "/foilog/response_times.json",
             "refusals by exemption, force and year": "/foilog/refusals_by_exemption.json",
             "round-robins, most forces first": "/foilog/round_robins.json"}
    if largest:
        pages[f"the largest round-robin ({largest[1]} responses) side by side"] = f"/foilog/cluster.json?cluster={largest[0]}"
    if asked:
        pages["a response asked before, its page"] = f"/foilog/disclosures/{asked[0]}"
    try:
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120)
        while True:
            try:
                client.get("/-/versions.json")
                break
            except httpx.TransportError:
                if server.poll() is not None:
                    sys.exit("foilog serve exited before answering")
                time.sleep(0.1)
        for path in pages.values():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code, response.text[:300])
        over_http = {label: {"path": path, **timed(lambda p=path: client.get(p).raise_for_status(), args.repeat)}
                     for label, path in pages.items()}
    finally:
        server.terminate()
        server.wait(10)
    report = {
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}",
        "archive": counts, "repeat": args.repeat, "pages": over_http, "charts_sql": sql,
        "targets": {"trends page under 1 s": over_http["trends page (/charts)"]["median_ms"] < 1000},
    }
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
