"""Search benchmark on a generated database of disclosures: build rate, size, and search latency.

    python benchmarks/search.py [--rows 200000] [--repeat 30] [--out benchmarks/results/search.json]

1. Generates crawl-stage rows (documents, their URLs and parse results) for --rows letters
   with realistic lengths, then times foilog's own index stage building the disclosures,
   questions, citations and FTS rows from them: the build rate.
2. Serves the database with `foilog serve` (real HTTP on 127.0.0.1) and times a full-text
   search of the disclosures table with the default facets through Datasette's JSON, for a
   word in 30% of the letters, one in 3%, and a phrase, and the table with no search:
   median and 95th percentile.
3. In the same run, times the very SQL Datasette ran for each page (read from its trace)
   directly on SQLite, opened as Datasette opens it, and reports the ratio.
4. Times Datasette's own floor: a page of the small exemptions table, whose SQL is negligible.

Targets: every facet computed (none timed out); Datasette within 1.5 times raw SQLite; the
common word's median under 300 ms. The report says which were met.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import itertools
import json
import os
import platform
import random
import resource
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from parsers.catalogue import CATALOGUE  # noqa: E402
from pipelines.db import COMBINED_FACETS, open_db  # noqa: E402
from pipelines.index import build_disclosures  # noqa: E402
from pipelines.web.serve import SETTINGS, make_datasette  # noqa: E402

SEED = 20261125
# Planted at known rates; the generated vocabulary never contains them.
COMMON, MEDIUM, PHRASE = "incidents", "drones", '"body worn video"'
RATES = {"incidents": 0.30, "drones": 0.03, "body worn video": 0.01, "body": 0.04, "video": 0.04}
SEARCHES = {"common word (30%)": COMMON, "medium word (3%)": MEDIUM, "phrase": PHRASE, "no search (browsing)": None}
ROUND_ROBINS = 0.05
OUTCOMES = (["disclosed"] * 45 + ["partially_disclosed"] * 20 + ["refused"] * 12 + ["not_held"] * 18
            + ["neither_confirm_nor_deny"] * 5)
SECTIONS = [s for s in CATALOGUE if s not in ("12", "14")]


def vocabulary(rng: random.Random, size: int = 6000) -> tuple[list[str], list[float]]:
    syllables = ["ka", "lo", "mi", "ter", "van", "sel", "dor", "pen", "ri", "tas", "mon", "gle", "sta", "per",
                 "cro", "nu", "bel", "fi", "gar", "tol", "ex", "qui", "zan", "hu"]
    planted = {w for phrase in RATES for w in phrase.split()}
    words: set[str] = set()
    while len(words) < size:
        word = "".join(rng.choice(syllables) for _ in range(rng.randint(1, 4)))
        if not any(p.startswith(word[:4]) for p in planted):
            words.add(word)
    ranked = sorted(words)
    rng.shuffle(ranked)
    # Zipf, as words in letters are; cumulative, so that each draw does not add them up again
    return ranked, list(itertools.accumulate(1 / (rank + 1) for rank in range(size)))


# --national: every force of the platform's catalogue, ten years, and the joint letters of
# forces that answer together.
PARTNERS = [["Norfolk", "Suffolk"], ["Essex", "Kent"], ["Devon and Cornwall", "Dorset"], ["Warwickshire", "West Mercia"],
            ["Bedfordshire", "Cambridgeshire", "Hertfordshire"]]


def national_forces() -> list[str]:
    from scraper.sources import catalogue

    return sorted(force.name for force in catalogue().values())


def letter(rng: random.Random, words: list[str], weights: list[float], n: int, asked: list[list[str]] | None = None,
           national: list[str] | None = None) -> tuple[dict, str, str]:
    def sentence(low: int, high: int) -> list[str]:
        return rng.choices(words, cum_weights=weights, k=rng.randint(low, high))

    questions = [{"number": str(i + 1), "text": " ".join(sentence(12, 40)) + "?",
                  "answer": " ".join(sentence(10, 80)) + "."} for i in range(rng.choices([1, 2, 3, 4, 6, 9], [20, 20, 20, 15, 15, 10])[0])]
    if asked is not None:
        # One request in twenty asks again what an earlier one asked (a round-robin, or the same
        # request a year on), in another order and without one of its words; the rest are new.
        if asked and rng.random() < ROUND_ROBINS:
            again = rng.choice(asked)
            questions = [{"number": str(i + 1), "text": text, "answer": " ".join(sentence(10, 80)) + "."}
                         for i, text in enumerate(rng.sample(again, len(again)))]
            parts = questions[0]["text"].split(" ")
            del parts[rng.randrange(len(parts))]
            questions[0]["text"] = " ".join(parts)
        asked.append([q["text"] for q in questions])
        del asked[:-5000]  # a window of recent requests, as requests are asked again within a few years
    title_words = sentence(3, 7)
    for phrase, rate in RATES.items():
        if rng.random() < rate:
            target = rng.choice(questions + [None] * 1)
            if target is None:
                title_words.insert(rng.randrange(len(title_words) + 1), phrase)
            else:
                field = rng.choice(["text", "answer"])
                parts = target[field].split(" ")
                parts.insert(rng.randrange(len(parts)), phrase)
                target[field] = " ".join(parts)
    outcome = rng.choice(OUTCOMES)
    for q in questions:  # as the parse stage reads each answer (pipelines/parse.py with_answer_outcomes)
        q["outcome"] = {"partially_disclosed": rng.choice(["disclosed", "refused", "not_held"])}.get(outcome, outcome)
    cited = rng.sample(SECTIONS, rng.randint(1, 3)) if outcome in ("partially_disclosed", "refused", "neither_confirm_nor_deny") else []
    if outcome == "refused" and rng.random() < 0.4:
        cited = ["12"]
    year = 2016 + n % 10 if national else 2015 + n % 12
    date = f"{year}-{1 + n % 12:02d}-{1 + n % 28:02d}"
    # Received 5 to 60 calendar days before the letter, most within the month, some with no date at all.
    received = None if rng.random() < 0.05 else (dt.date.fromisoformat(date) - dt.timedelta(days=min(5 + int(rng.expovariate(1 / 20)), 60))).isoformat()
    if national:
        forces = rng.choice(PARTNERS) if rng.random() < 0.05 else [rng.choice(national)]
    else:
        forces = rng.choices([["Norfolk"], ["Suffolk"], ["Norfolk", "Suffolk"]], [45, 45, 10])[0]
    reference = f"{n % 999999:06d}/{year % 100:02d}"
    result = {"reference": reference, "forces": forces, "letter_date": date, "received_date": received,
              "correct_as_of": None, "questions": questions, "outcome": outcome, "ocr": False, "warnings": [],
              "exemptions": [{"code": f"s{s}(1)", "section": int(s) if s.isdigit() else s, "name": CATALOGUE[s][0]}
                             for s in cited]}
    return result, " ".join(title_words).capitalize(), forces[0]


def generate(db_path: Path, rows: int, first: int = 1, national: bool = False) -> None:
    """The crawl and parse stages' output for `rows` letters, numbered from `first`, written straight into the tables
    (national: of every force in the catalogue, over ten years)."""
    pool = national_forces() if national else None
    rng = random.Random(SEED)
    words, weights = vocabulary(rng)
    if first > 1:  # more letters for the same archive: its vocabulary, other draws
        rng = random.Random(SEED + first)
    db = open_db(db_path)
    stamp = "2026-11-25T00:00:00+00:00"
    batch: dict[str, list[dict]] = {"documents": [], "document_urls": [], "parses": []}
    asked: list[list[str]] = []

    def flush() -> None:
        with db.atomic():
            for table, items in batch.items():
                db.table(table).insert_all(items, batch_size=2000)
                items.clear()

    for n in range(first, first + rows):
        result, title, force = letter(rng, words, weights, n, asked, pool)
        text = json.dumps(result)
        sha = hashlib.sha256(text.encode()).hexdigest()
        slug = force.lower().replace(" ", "-")
        url = f"https://{slug}.example/disclosure-log/{n}.pdf"
        batch["documents"].append({"id": n, "source": f"{slug}-drupal", "url": url, "sha256": sha,
                                   "content_type": "application/pdf", "kind": "pdf", "bytes": len(text),
                                   "first_seen_at": stamp, "fetched_at": stamp, "status": "parsed"})
        batch["document_urls"].append({"url": url, "document_id": n, "source": f"{slug}-drupal", "force": force,
                                       "entry_url": url, "title": title, "listing_reference": result["reference"],
                                       "sha256": sha, "first_seen_at": stamp, "last_seen_at": stamp, "last_seen_run": 1})
        batch["parses"].append({"sha256": sha, "parser_version": 1, "parsed_at": stamp, "result": text})
        if n % 20000 == 0:
            flush()
    flush()
    db.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def traced_sql(db_path: Path, path: str) -> tuple[list[tuple[str, object]], dict]:
    """The SQL Datasette runs for one page, read from its trace, and the page's JSON."""
    import asyncio

    async def fetch() -> dict:
        ds = make_datasette(db_path, settings={"trace_debug": True})
        response = await ds.client.get(path + "&_trace=1")
        return response.json()

    page = asyncio.run(fetch())
    statements = [(t["sql"], t.get("params")) for t in page["_trace"]["traces"]
                  if t.get("database") == "foilog" and not t.get("executemany")]
    return statements, page


def run_raw(conn: sqlite3.Connection, statements: list[tuple[str, object]]) -> None:
    for sql, params in statements:
        conn.execute(sql, params or {}).fetchall()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--db", type=Path, help="Keep the generated database here (default: a temporary directory).")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--national", action="store_true", help="Every force in the catalogue, over ten years.")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        db_path = args.db or Path(tmp) / "foilog.db"
        if db_path.exists() and args.db:
            print(f"using the existing {db_path}")
            build = json.loads((db_path.parent / (db_path.name + ".build.json")).read_text())
        else:
            started = time.perf_counter()
            generate(db_path, args.rows, national=args.national)
            generated = time.perf_counter() - started
            print(f"generated the crawl and parse rows for {args.rows:,} letters in {generated:.0f} s")
            db = open_db(db_path)
            started = time.perf_counter()
            count = build_disclosures(db)
            built = time.perf_counter() - started
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            db.close()
            with sqlite3.connect(db_path) as conn:
                tables = {t: conn.execute(f"select count(*) from [{t}]").fetchone()[0]
                          for t in ("disclosures", "questions", "disclosure_exemptions")}
                fts_pages = conn.execute("select sum(pgsize) from dbstat where name like 'disclosures_fts%'").fetchone()[0] \
                    if _has_dbstat(conn) else None
            # Peak memory of this process, which the index stage dominates (it holds every parse).
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            build = {"disclosures": count, "rows": tables, "seconds": round(built, 1), "peak_rss_mb": round(peak_mb),
                     "disclosures_per_s": round(count / built), "db_mb": round(db_path.stat().st_size / 1e6, 1),
                     "fts_mb": round(fts_pages / 1e6, 1) if fts_pages else None}
            if args.db:
                (db_path.parent / (db_path.name + ".build.json")).write_text(json.dumps(build))
        print(f"index stage: {build['disclosures']:,} disclosures in {build['seconds']} s "
              f"({build['disclosures_per_s']:,}/s, peak {build.get('peak_rss_mb')} MB); database {build['db_mb']} MB (FTS {build['fts_mb']} MB)")

        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "pipelines", "serve", "--db", str(db_path),
                                   "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            origin = f"http://127.0.0.1:{port}"
            while True:
                try:
                    httpx.get(origin + "/-/versions.json")
                    break
                except httpx.TransportError:
                    if server.poll() is not None:
                        sys.exit("foilog serve exited before answering")
                    time.sleep(0.1)
            results, floor = measure(db_path, origin, args.repeat)
        finally:
            server.terminate()
            server.wait(10)

    common = results["common word (30%)"]
    report = {
        "machine": f"{os.cpu_count()} cores, {platform.processor() or platform.machine()}, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}",
        "build": build, "repeat": args.repeat, "searches": results, "datasette_floor": floor,
        "targets": {
            "no facet timed out": not any(r["facets_timed_out"] for r in results.values()),
            "datasette within 1.5x raw sqlite": all(r["ratio"] <= 1.5 for r in results.values()),
            "common word median under 300 ms": common["datasette_ms"]["median"] < 300,
        },
    }
    print(json.dumps(report, indent=2))
    if args.out:
        args.out.write_text(json.dumps(report, indent=2) + "\n")


def _has_dbstat(conn: sqlite3.Connection) -> bool:
    try:
        conn.execute("select 1 from dbstat limit 1")
        return True
    except sqlite3.OperationalError:
        return False


def measure(db_path: Path, origin: str, repeat: int) -> tuple[dict, dict]:
    with open(db_path, "rb") as whole:  # into the page cache, where a served database sits: the first request is not cold
        while whole.read(1 << 24):
            pass
    client = httpx.Client(base_url=origin, timeout=60)
    # Opened as Datasette opens it, with the same cache, so the comparison is of Datasette alone.
    raw = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, check_same_thread=False)
    raw.execute(f"PRAGMA cache_size = -{SETTINGS['cache_size_kb']}")
    total = raw.execute("select count(*) from disclosures").fetchone()[0]
    results = {}
    for label, query in SEARCHES.items():
        path = "/foilog/disclosures.json?" + str(httpx.QueryParams({"_search": query} if query else {"_size": 50}))
        statements, _ = traced_sql(db_path, path)
        page = client.get(path).json()
        facets = page["facet_results"]
        timed_out = page.get("facets_timed_out", [])
        assert not timed_out, f"{label}: facets timed out: {timed_out}"
        assert set(facets) == set(COMBINED_FACETS), sorted(facets)
        over_http, direct = time_page(client, raw, path, statements, repeat)
        results[label] = {
            "query": query, "matches": page["filtered_table_rows_count"],
            "share": round(page["filtered_table_rows_count"] / total, 4),
            "facets": sorted(facets), "facets_timed_out": timed_out, "statements": len(statements),
            "datasette_ms": {"median": round(statistics.median(over_http), 1), "p95": round(percentile(over_http, 0.95), 1)},
            "sqlite_ms": {"median": round(statistics.median(direct), 1), "p95": round(percentile(direct, 0.95), 1)},
        }
        results[label]["ratio"] = round(results[label]["datasette_ms"]["median"] / results[label]["sqlite_ms"]["median"], 2)
        print(label, json.dumps(results[label]))
    # Datasette's own cost of a table page: the small exemptions catalogue, whose SQL is negligible.
    path = "/foilog/exemptions.json"
    over_http, direct = time_page(client, raw, path, traced_sql(db_path, path + "?")[0], repeat)
    floor = {"page": path, "datasette_ms": round(statistics.median(over_http), 1), "sqlite_ms": round(statistics.median(direct), 2)}
    print("floor", json.dumps(floor))
    return results, floor


def time_page(client: httpx.Client, raw: sqlite3.Connection, path: str, statements: list[tuple[str, object]],
              repeat: int) -> tuple[list[float], list[float]]:
    """Milliseconds for the page over HTTP and for its SQL run directly, in turn; two warm-up runs first."""
    over_http, direct = [], []
    for i in range(repeat + 2):
        started = time.perf_counter()
        client.get(path).raise_for_status()
        elapsed = time.perf_counter() - started
        started = time.perf_counter()
        run_raw(raw, statements)
        if i >= 2:
            over_http.append(elapsed * 1000)
            direct.append((time.perf_counter() - started) * 1000)
    return over_http, direct


if __name__ == "__main__":
    main()
