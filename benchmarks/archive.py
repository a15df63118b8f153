"""Archive backfill benchmark: requests per backfilled document, first run and the next.

    python benchmarks/archive.py [--entries 400] [--out benchmarks/results/archive.json]

A generated mirror's Drupal-era trees are captured into a CDX and snapshot mock of a
Wayback-compatible archive on 127.0.0.1 (tests/archive_mock.py); both forces' archive
sources crawl it with the rate limit off, then crawl again.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.run import run  # noqa: E402
from scraper.sources import load_sources  # noqa: E402
from tests.archive_mock import HOSTS, captures_of_mirror, serve_archive  # noqa: E402
from tools.make_mirror import build_mirror  # noqa: E402

PREFIXES = {"norfolk": ["about-us/our-data/disclosure-log", "sites/norfolk/files/"],
            "suffolk": ["services/freedom-information/disclosure-logs", "sites/suffolk/files/"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=400, help="Drupal entries per force")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "archive.json")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="foilog-bench-"))
    try:
        build_mirror(tmp / "site", drupal=args.entries, platform=2)
        captures = captures_of_mirror(tmp / "site")
        with serve_archive(captures) as archive:
            sources = tmp / "sources.yml"
            sources.write_text(yaml.safe_dump({"sources": [
                {"name": f"{force}-archive", "force": force.capitalize(), "layout": "archive", "archive": archive.origin,
                 "archive_layout": "drupal", "prefixes": [f"{urlsplit(HOSTS[force]).netloc}/{p}" for p in PREFIXES[force]],
                 "start_urls": [f"{HOSTS[force]}/{PREFIXES[force][0]}/"], "allowed_hosts": [urlsplit(archive.origin).netloc],
                 "requests_per_second": 0} for force in PREFIXES]}))
            started = time.perf_counter()
            run(tmp / "foilog.db", tmp / "files", load_sources(sources), command="crawl")
            first_s = time.perf_counter() - started
            first = len(archive.log)
            with sqlite3.connect(tmp / "foilog.db") as conn:
                documents = conn.execute("select count(distinct sha256) from document_urls where sha256 is not null").fetchone()[0]
            run(tmp / "foilog.db", tmp / "files", load_sources(sources), command="crawl")
            second = len(archive.log) - first
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    results = {"machine": f"{platform.machine()}, {platform.system()}, Python {platform.python_version()}",
               "captures": len(captures), "first_run": {"requests": first, "documents": documents, "seconds": round(first_s, 1),
                                                        "requests_per_document": round(first / documents, 3)},
               "second_run_requests": second,
               "hours_per_1000_documents_at_0.5_per_second": round(1000 * first / documents / 0.5 / 3600, 2)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
