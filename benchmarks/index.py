"""Index-stage benchmark on the search benchmark's generated archive: a full build, a night with
nothing new, 100 new responses, one withdrawal, and a correction.

    python benchmarks/index.py [--rows 200000] [--db PATH] [--out benchmarks/results/index.json]

After the full build, the first comparison of every response for "asked before" is run to
its end (a nightly build spends at most two minutes on it), so that the steps after it time a
settled archive. Each step runs in a fresh process, as the nightly job does, and reports
its time and the process's peak memory (VmHWM, which a fork does not inherit), with the
stage's own breakdown (the "index:" log line). The archive is generated once by
benchmarks/search.py's generator and, with --db, kept for the next run.

Three full rebuilds follow: a new version of the index whose rows read the same, one whose rows all
differ in a column, and one where every listing is retitled, so that every search row is replaced.

Targets at 200,000 responses: a night with nothing new under 2 s; 100 new under 5 s; a full
build under 90 s with peak memory under 500 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.search import generate  # noqa: E402

STEP = r"""
import json, logging, sys, time
sys.path.insert(0, {root!r})
records = []
logging.basicConfig(level=logging.INFO, handlers=[type("H", (logging.Handler,), {{"emit": lambda self, r: records.append(r.getMessage())}})()])
from pipelines import corrections as hand
from pipelines.db import open_db
from pipelines.index import build_disclosures
import hashlib
import pipelines.index
builders = {{}}  # the peak of each process that builds rows beside a large build, read after each batch it hands back:
# the children's ru_maxrss counted this process's memory, which a child shared between its fork and its exec
receive = pipelines.index._RowBuilder.receive
def receiving(builder):
    batch = receive(builder)
    with open(f"/proc/{{builder.process.pid}}/status") as status:
        peak = next(int(l.split()[1]) for l in status if l.startswith("VmHWM")) / 1024
    builders[builder.process.pid] = max(builders.get(builder.process.pid, 0), peak)
    return batch
pipelines.index._RowBuilder.receive = receiving
db = open_db({db!r})
db.conn.create_function("sha256_hex", 1, lambda text: hashlib.sha256(text.encode()).hexdigest(), deterministic=True)
{before}
started = time.perf_counter()
count = {action}
seconds = time.perf_counter() - started
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) / 1024
print(json.dumps({{"returned": count, "seconds": round(seconds, 2), "peak_mb": round(peak), "row_builders_peak_mb": sorted(map(round, builders.values())),
                  "log": [r for r in records if r.startswith("index")]}}))
"""

# The command's own work, with the index build it ends with.
WITHDRAW = """from pipelines.files import FileStore
from pipelines.withdraw import withdraw
url = db.execute("select url from document_urls order by rowid desc limit 1").fetchone()[0]"""


# What a new version of this code leaves: every entry to read again, every response built from something else.
VERSION = ("db.execute(\"update settings set value = 'an older version' where key = 'index_version'\")\n"
           "db.execute(\"update disclosures set built_from = 'an older version'\")\ndb.conn.commit()")

RETITLE = "db.execute(\"update document_urls set title = coalesce(title, '') || ' (retitled)'\")\ndb.conn.commit()"

# Every response recorded as compared, with the digest of its questions, as a finished first comparison leaves it
# (less the bands, which only a comparison of new responses would read).
MARK = """(db.execute('''insert or replace into similarity_checked (disclosure_id, questions_hash, signature)
    select d.id, substr(sha256_hex(group_concat(q.question, char(10))), 1, 16), '' from disclosures d
    join questions q on q.disclosure_id = d.id group by d.id''').rowcount, db.conn.commit())[0]"""


def step(db: Path, before: str = "", action: str = "build_disclosures(db)") -> dict:
    code = STEP.format(root=str(ROOT), db=str(db), before=before, action=action)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(done.stderr)
    return json.loads(done.stdout.splitlines()[-1])


def total_peak_mb(result: dict) -> int:
    return result["peak_mb"] + sum(result.get("row_builders_peak_mb", []))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--db", type=Path, help="Generate the archive here once and keep it (default: a temporary directory).")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "index.json")
    parser.add_argument("--keep", type=Path, help="Keep the built database here, for the search and research benchmarks.")
    parser.add_argument("--national", action="store_true",
                        help="Every force in the catalogue over ten years; the first comparison for asked-before is marked "
                             "done instead of run (at 4 ms a response it is half an hour at 430,000), and 100 new, the "
                             "withdrawal and the correction, which would compare against no bands, are left out.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = args.db or Path(tmp) / "generated.db"
        if not source.exists():
            started = time.perf_counter()
            generate(source, args.rows, national=args.national)
            print(f"generated {args.rows:,} responses' documents and parses in {time.perf_counter() - started:.0f} s", flush=True)
        db = Path(tmp) / "foilog.db"
        shutil.copy(source, db)
        with sqlite3.connect(db) as conn:  # the index alone: no earlier build's rows
            for table in ("disclosures", "questions", "disclosure_exemptions", "disclosures_fts", "facet_combinations",
                          "disclosure_links", "cluster_members", "similarity_checked"):
                if conn.execute("select 1 from sqlite_master where name = ?", (table,)).fetchone():
                    conn.execute(f"delete from {table}")
        steps = {}
        plan = [
            ("full build", {}),
            # A build compares for at most BUDGET_S; here the first comparison is run to the end, once.
            ("first comparison of every response, to the end", {
                "before": "from pipelines.similar import link_similar\nfrom pipelines.clusters import build_clusters",
                "action": "(link_similar(db, budget_s=float('inf')), build_clusters(db))[0]"}),
            ("nothing new", {}),
            ("100 new responses", {"before": f"from benchmarks.search import generate\ndb.close()\n"
                                             f"generate({str(db)!r}, 100, first={args.rows + 1})\ndb = open_db({str(db)!r})"}),
            ("one withdrawal", {"before": WITHDRAW, "action": f"withdraw(db, FileStore({str(Path(tmp) / 'files')!r}), url, 'benchmark').files"}),
            ("one correction", {"action": "build_disclosures(db, hand.Corrections(by_key={'ref:000007/22': {'outcome': 'refused', 'note': 'benchmark'}}))"}),
            ("nothing new, again", {}),
            # Every response read and built again: a new version of the index whose rows read the same;
            # one whose rows all differ in a column; and every listing retitled, so that every search row is replaced.
            ("full rebuild, rows the same", {"before": VERSION}),
            ("full rebuild, every row rewritten", {"before": VERSION + "\ndb.execute(\"update disclosures set rows_hash = 'older'\")\ndb.conn.commit()"}),
            ("full rebuild, every search row rewritten", {"before": RETITLE}),
        ]
        if args.national:
            named = dict(plan)
            plan = [plan[0], ("first comparison marked done", {"action": MARK}), ("nothing new", {}), ("nothing new, again", named["nothing new, again"])]
        for name, kwargs in plan:
            steps[name] = step(db, **kwargs)
            print(name, json.dumps(steps[name]), flush=True)
        size_mb = round(db.stat().st_size / 1e6)
        if args.keep:  # for benchmarks/search.py --db and benchmarks/research.py --db
            shutil.copy(db, args.keep)
            full = steps["full build"]
            with sqlite3.connect(db) as conn:
                rows = {t: conn.execute(f"select count(*) from [{t}]").fetchone()[0]
                        for t in ("disclosures", "questions", "disclosure_exemptions")}
            args.keep.with_name(args.keep.name + ".build.json").write_text(json.dumps({
                "disclosures": full["returned"], "rows": rows, "seconds": full["seconds"], "peak_rss_mb": full["peak_mb"],
                "disclosures_per_s": round(full["returned"] / full["seconds"]), "db_mb": size_mb, "fts_mb": None}))
    report = {
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}",
        "responses": args.rows, "national": args.national, "db_mb": size_mb, "steps": steps,
        "targets": {
            "nothing new under 2 s": steps["nothing new"]["seconds"] < 2,
            **({} if args.national else {"100 new under 5 s": steps["100 new responses"]["seconds"] < 5}),
            **{f"{name} under 90 s": steps[name]["seconds"] < 90 for name in steps if name.startswith("full")},
            # The build and the processes building rows beside it, added: an upper bound on what they held at once.
            **{f"{name}, peak of all its processes under 500 MB": total_peak_mb(steps[name]) < 500
               for name in steps if name.startswith("full")},
        },
    }
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report["targets"], indent=1))


if __name__ == "__main__":
    main()
