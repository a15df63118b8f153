"""Browser transport benchmark: the same crawl through httpx and through headless Chromium.

    python benchmarks/browser.py [--entries 200] [--out benchmarks/results/browser.json]

A generated mirror is served from another process on 127.0.0.1; each transport crawls it
from scratch with the rate limit off (so the figure is the transport's own cost), and the
browser crawl's memory is sampled: the RSS of Playwright's driver and every Chromium process
under this one, summed, every 0.1 s.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.demo.mirror import mirror_sources  # noqa: E402
from pipelines.run import run  # noqa: E402
from scraper.sources import load_sources  # noqa: E402
from tools.make_mirror import build_mirror  # noqa: E402

NOT_COUNTED: set[int] = set()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=200, help="entries per force (half Drupal, half platform)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "browser.json")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="foilog-bench-"))
    results: dict[str, object] = {"machine": f"{platform.machine()}, {platform.system()}, Python {platform.python_version()}",
                                  "entries_per_force": args.entries}
    try:
        build_mirror(tmp / "site", drupal=args.entries // 2, platform=args.entries - args.entries // 2)
        server = subprocess.Popen([sys.executable, "-m", "pipelines.demo.mirror", str(tmp / "site")], cwd=ROOT,
                                  stdout=subprocess.PIPE, text=True)
        try:
            origin = server.stdout.readline().strip()  # type: ignore[union-attr]
            NOT_COUNTED.add(server.pid)  # the mirror is not the transport's memory
            for transport in ("http", "browser"):
                results[transport] = crawl(tmp / transport, origin, transport)
        finally:
            server.terminate()
            server.wait()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    http, browser = results["http"], results["browser"]
    results["browser_to_http_per_request"] = round(browser["ms_per_request"] / http["ms_per_request"], 1)  # type: ignore[index]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps(results, indent=1))


def crawl(folder: Path, origin: str, transport: str) -> dict[str, object]:
    folder.mkdir(parents=True)
    sources = folder / "sources.yml"
    sources.write_text(yaml.safe_dump({"sources": [{**s, "requests_per_second": 0, "transport": transport}
                                                   for s in mirror_sources(origin)]}))
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            peak[0] = max(peak[0], _descendants_rss_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    summary = run(folder / "foilog.db", folder / "files", load_sources(sources), command="crawl")
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    import sqlite3

    with sqlite3.connect(folder / "foilog.db") as conn:
        requests = conn.execute("select count(*) from fetches where run_id = ?", [summary.run_id]).fetchone()[0]
        documents = conn.execute("select count(*) from documents").fetchone()[0]
    return {"seconds": round(seconds, 2), "requests": requests, "documents": documents,
            "ms_per_request": round(1000 * seconds / requests, 1),
            "peak_rss_of_child_processes_mb": round(peak[0], 1)}


def _descendants_rss_mb() -> float:
    """The summed RSS of every process below this one (the browser's driver and Chromium's processes)."""
    import os

    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [p for p in children.get(os.getpid(), []) if p not in NOT_COUNTED]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total / 1e6


if __name__ == "__main__":
    main()
