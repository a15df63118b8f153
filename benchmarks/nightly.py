"""The whole nightly job on a large archive, on a night with nothing new: `foilog run`, end to end.

    python benchmarks/nightly.py --db ARCHIVE.db [--entries 40] [--out benchmarks/results/nightly.json]

ARCHIVE.db is a built archive (benchmarks/index.py --keep). It is copied, and a mirror of
both forces' logs (tools/make_mirror.py, --entries per force) is served on 127.0.0.1 and
put in the sources file under names of its own, so the archive's generated entries are not
crawled (their hosts do not exist). The archive's files are written from its parses (a
generated document's bytes are its parse's text), as the file store a real archive has.
The first `foilog run` adds the mirror's responses to the archive;
the second is the night with nothing new, timed from the command's start to its exit, as
cron runs it: the crawl (listings, and the share of known documents revalidated each
night), the parse, the index, and the sitemap and feeds. The mirror answers without a rate
limit; the report gives the requests, and what they take at the live sites' one a second.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from parsers.version import PARSER_VERSION  # noqa: E402
from pipelines.demo.mirror import mirror_sources  # noqa: E402
from pipelines.files import FileStore  # noqa: E402
from tools.make_mirror import build_mirror  # noqa: E402


def night(db: Path, files: Path, sources: Path) -> dict[str, object]:
    """One `foilog run` in its own process: wall time, peak memory, requests, and the index's log line."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pipelines", "run", "--sources", str(sources), "--db", str(db),
                           "--data-dir", str(files)], cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"foilog run failed ({done.returncode}): {done.stderr[-2000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with sqlite3.connect(db) as conn:
        run_id, pages = conn.execute("select id, pages from crawl_runs order by id desc limit 1").fetchone()
        requests = conn.execute("select count(*) from fetches where run_id = ?", [run_id]).fetchone()[0]
        bodies = conn.execute("select count(*) from fetches where run_id = ? and status = 200", [run_id]).fetchone()[0]
    log = [line for line in (done.stderr + done.stdout).splitlines() if "index:" in line or "parse" in line.lower()]
    return {"seconds": round(seconds, 1), "peak_mb_of_a_run_so_far": round(max(peak, before) / 1024), "requests": requests,
            "listing_pages": pages, "answered_200": bodies, "minutes_at_one_request_a_second": round(requests / 60, 1),
            "log": log[-4:]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, required=True, help="A built archive (benchmarks/index.py --keep).")
    parser.add_argument("--entries", type=int, default=40, help="entries per force in the mirror")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "nightly.json")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="foilog-nightly-"))
    try:
        db, files = tmp / "foilog.db", tmp / "files"
        shutil.copy(args.db, db)
        with sqlite3.connect(db) as conn:  # the copy is a new archive: its own id and file store
            conn.execute("delete from settings where key in ('database_id', 'data_dir')")
            # Parsed by this parser, as a settled archive is: a night re-parses only what a new parser would.
            conn.execute("update parses set parser_version = ?", [PARSER_VERSION])
            store = FileStore(files)
            for sha, text in conn.execute("select d.sha256, p.result from documents d join parses p on p.sha256 = d.sha256"):
                path = store.path(sha)  # written as the store names them, without the store's fsync per file
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(text.encode())
        build_mirror(tmp / "site", drupal=args.entries // 2, platform=args.entries - args.entries // 2)
        server = subprocess.Popen([sys.executable, "-m", "pipelines.demo.mirror", str(tmp / "site")], cwd=ROOT,
                                  stdout=subprocess.PIPE, text=True)
        try:
            origin = server.stdout.readline().strip()  # type: ignore[union-attr]
            sources = tmp / "sources.yml"
            sources.write_text(yaml.safe_dump({"sources": [{**s, "name": f"mirror-{s['name']}", "requests_per_second": 0}
                                                           for s in mirror_sources(origin)]}))
            first = night(db, files, sources)
            print("first night (the mirror's responses are new)", json.dumps(first), flush=True)
            quiet = night(db, files, sources)
            print("a night with nothing new", json.dumps(quiet), flush=True)
        finally:
            server.terminate()
            server.wait()
        with sqlite3.connect(db) as conn:
            responses = conn.execute("select count(*) from disclosures").fetchone()[0]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report = {"machine": f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}",
              "archive": str(args.db), "responses": responses, "first_night": first, "nothing_new": quiet}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
