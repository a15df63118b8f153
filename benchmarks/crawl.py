"""Crawl benchmark: a generated mirror of 5,000 entries per force, served from another process.

    python benchmarks/crawl.py [--entries 5000] [--out benchmarks/results/crawl.json]

Measures, in one run on this machine:
- the first crawl with the rate limit off: documents per second;
- the nightly run over the unchanged log (default revalidation policy): requests made,
  document bodies downloaded, and how long it would take per force at 1 request a second;
- a full revalidation (every entry, conditional GETs) with the rate limit off: the cost per
  request beside a bare httpx conditional-GET loop over the same URLs.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.demo.mirror import mirror_sources  # noqa: E402
from pipelines.run import run  # noqa: E402
from scraper.sources import load_sources  # noqa: E402
from tools.make_mirror import build_mirror  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=5000, help="entries per force (half Drupal, half platform)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "crawl.json")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="foilog-bench-"))
    results: dict[str, object] = {"machine": f"{platform.machine()}, {platform.system()}, Python {platform.python_version()}, "
                                             f"{_cores()} cores", "entries_per_force": args.entries}
    try:
        started = time.perf_counter()
        manifest = build_mirror(tmp / "site", drupal=args.entries // 2, platform=args.entries - args.entries // 2)
        results["mirror_build_s"] = round(time.perf_counter() - started, 1)
        server = subprocess.Popen([sys.executable, "-m", "pipelines.demo.mirror", str(tmp / "site")], cwd=ROOT,
                                  stdout=subprocess.PIPE, text=True)
        try:
            origin = server.stdout.readline().strip()  # type: ignore[union-attr]
            results.update(measure(tmp, origin, len(manifest.documents)))
        finally:
            server.terminate()
            server.wait()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps(results, indent=1))


def measure(tmp: Path, origin: str, documents: int) -> dict[str, object]:
    out: dict[str, object] = {}
    db, files = tmp / "foilog.db", tmp / "files"

    def crawl(settings: dict[str, object]) -> tuple[float, int]:
        path = tmp / "sources.yml"
        path.write_text(yaml.safe_dump({"sources": [{**s, **settings} for s in mirror_sources(origin)]}))
        started = time.perf_counter()
        summary = run(db, files, load_sources(path), command="crawl")
        return time.perf_counter() - started, summary.run_id

    seconds, run_id = crawl({"requests_per_second": 0})
    stored = _one(db, "select count(*) from documents where status = 'fetched'")
    out["first_crawl"] = {"seconds": round(seconds, 1), "documents": stored, "mirror_documents": documents,
                          "requests": _one(db, "select count(*) from fetches where run_id = ?", run_id),
                          "documents_per_second": round(stored / seconds, 1)}

    seconds, run_id = crawl({})  # the nightly job: default revalidation (rate limit off, counted below)
    conn = sqlite3.connect(db)
    by_force = dict(conn.execute("""select substr(source, 1, instr(source, '-') - 1), count(*) from fetches
                                    where run_id = ? group by 1""", (run_id,)).fetchall())
    known = conn.execute("""select count(*), sum(f.status = 200 and u.error is null) from fetches f
                            join document_urls u on u.url = f.url where f.run_id = ?""", (run_id,)).fetchone()
    retried = conn.execute("""select count(*), sum(f.status = 200) from fetches f join document_urls u on u.url = f.url
                              where f.run_id = ? and u.error is not null""", (run_id,)).fetchone()
    entries = _one(db, "select count(distinct entry_url) from document_urls")
    out["nightly_no_change"] = {
        "requests": _one(db, "select count(*) from fetches where run_id = ?", run_id),
        "listing_pages": _one(db, "select pages from crawl_runs where id = ?", run_id),
        "document_requests": known[0],
        "document_bodies_downloaded": known[1] or 0,
        "failed_urls_retried": retried[0], "failed_urls_retried_bodies": retried[1] or 0,
        "entries_known": entries, "rolling_share_expected": round(entries / 30),
        "requests_by_force": by_force,
        "minutes_at_1_request_per_second_by_force": {f: round(n / 60, 1) for f, n in by_force.items()},
        "wall_seconds_rate_limit_off": round(seconds, 1),
    }

    seconds, run_id = crawl({"requests_per_second": 0, "revalidate_days": 0})  # revisit everything
    requests = _one(db, "select count(*) from fetches where run_id = ?", run_id)
    urls = [u for (u,) in sqlite3.connect(db).execute("select url from fetches where run_id = ? order by id", (run_id,))]
    validators = dict(((u, e) for u, e in sqlite3.connect(db).execute("select url, etag from document_urls")))
    bare = bare_loop(urls, validators)
    ours = seconds / requests
    out["revalidate_all"] = {"requests": requests, "seconds": round(seconds, 2),
                             "ms_per_request": round(ours * 1000, 3),
                             "bare_httpx_ms_per_request": round(bare * 1000, 3),
                             "ratio_to_bare_httpx": round(ours / bare, 2)}
    return out


def bare_loop(urls: list[str], etags: dict[str, str]) -> float:
    """Seconds per request of a plain httpx loop: conditional GETs over the same URLs."""
    with httpx.Client() as client:
        started = time.perf_counter()
        for url in urls:
            etag = etags.get(url)
            client.get(url, headers={"If-None-Match": etag} if etag else {})
        return (time.perf_counter() - started) / len(urls)


def _one(db: Path, sql: str, *params: object) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchone()[0]
    finally:
        conn.close()


def _cores() -> int:
    import os

    return os.cpu_count() or 0


if __name__ == "__main__":
    main()
