"""Runs are incremental and safe to repeat; bad sources files are refused in one line."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.conftest import foilog, write_sources


def snapshot(db: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(db)
    try:
        return {
            "disclosures": conn.execute("select id, key, reference, outcome, exemption_sections from disclosures order by id").fetchall(),
            "questions": conn.execute("select disclosure_id, number, question, answer from questions order by id").fetchall(),
            "documents": conn.execute("select id, sha256, disclosure_id, status from documents order by id").fetchall(),
            "urls": conn.execute("select url, document_id from document_urls order by url").fetchall(),
            "fts": conn.execute("select rowid, title from disclosures_fts order by rowid").fetchall(),
        }
    finally:
        conn.close()


def test_second_run_revalidates_with_304s_and_downloads_no_document_again(tmp_path: Path, mirror: str) -> None:
    sources_file = write_sources(tmp_path / "sources.yml", mirror, revalidate_days=0)
    args = ("--sources", str(sources_file), "--db", str(tmp_path / "f.db"), "--data-dir", str(tmp_path / "files"))
    assert foilog("run", *args).returncode == 0
    first = snapshot(tmp_path / "f.db")
    second_run = foilog("run", *args)
    assert second_run.returncode == 0, second_run.stderr
    assert snapshot(tmp_path / "f.db") == first
    conn = sqlite3.connect(tmp_path / "f.db")
    run = conn.execute("select new, changed, unchanged, failed from crawl_runs order by id desc limit 1").fetchone()
    documents = conn.execute("select count(*) from document_urls").fetchone()[0]
    assert run == (0, 0, documents, 0)
    # Every document URL was revalidated with a conditional request and answered 304.
    statuses = conn.execute("""select f.status, sum(f.bytes) from fetches f join document_urls u on u.url = f.url
                               where f.run_id = 2 group by 1""").fetchall()
    assert statuses == [(304, 0)]
    assert conn.execute("select count(*) from parses").fetchone()[0] == len(first["documents"])


def test_by_default_a_second_run_fetches_only_listings_and_the_entries_due(tmp_path: Path, sources_file: Path) -> None:
    args = ("--sources", str(sources_file), "--db", str(tmp_path / "f.db"), "--data-dir", str(tmp_path / "files"))
    assert foilog("run", *args).returncode == 0
    first = snapshot(tmp_path / "f.db")
    assert foilog("run", *args).returncode == 0
    assert snapshot(tmp_path / "f.db") == first
    conn = sqlite3.connect(tmp_path / "f.db")
    entries = conn.execute("select count(distinct entry_url) from document_urls").fetchone()[0]
    skipped, pages = conn.execute("select skipped, pages from crawl_runs where id = 2").fetchone()
    requests = conn.execute("select count(*) from fetches where run_id = 2 and url not like '%robots.txt'").fetchone()[0]
    document_requests = requests - pages
    revisited = {u for (u,) in conn.execute("select u.entry_url from fetches f join document_urls u on u.url = f.url "
                                            "where f.run_id = 2 and u.url = u.entry_url")}
    # Each entry is revisited on one night in 30: the rest are skipped without a request.
    assert skipped + len(revisited) == entries
    assert skipped > entries // 2
    # A revisited entry's documents (a platform page and its attachments) are all re-checked; nothing else is.
    marks = ",".join("?" * len(revisited))
    wanted = conn.execute(f"select count(*) from document_urls where entry_url in ({marks})", list(revisited)).fetchone()[0]
    assert document_requests == wanted
    assert conn.execute("select count(*) from document_urls where removed_at is not null").fetchone()[0] == 0


def test_parse_is_idempotent_and_reparse_gives_the_same_rows(tmp_path: Path, sources_file: Path) -> None:
    db, files = str(tmp_path / "f.db"), str(tmp_path / "files")
    assert foilog("run", "--sources", str(sources_file), "--db", db, "--data-dir", files).returncode == 0
    before = snapshot(tmp_path / "f.db")
    again = foilog("parse", "--db", db, "--data-dir", files)
    assert "parsed 0 (0 failed)" in again.stdout
    reparse = foilog("parse", "--db", db, "--data-dir", files, "--reparse")
    assert f"parsed {len(before['documents'])} (0 failed)" in reparse.stdout
    assert snapshot(tmp_path / "f.db") == before


def test_crawl_only_then_parse(tmp_path: Path, sources_file: Path) -> None:
    db, files = str(tmp_path / "f.db"), str(tmp_path / "files")
    crawled = foilog("crawl", "--sources", str(sources_file), "--source", "suffolk-drupal", "--db", db, "--data-dir", files)
    assert crawled.returncode == 0, crawled.stderr
    conn = sqlite3.connect(db)
    assert conn.execute("select count(*) from disclosures").fetchone()[0] == 0
    assert {r[0] for r in conn.execute("select distinct source from document_urls")} == {"suffolk-drupal"}
    assert foilog("parse", "--db", db, "--data-dir", files).returncode == 0
    assert conn.execute("select count(*) from disclosures").fetchone()[0] == 7


def test_status_lists_runs(tmp_path: Path, sources_file: Path) -> None:
    db = str(tmp_path / "f.db")
    foilog("run", "--sources", str(sources_file), "--source", "norfolk-platform", "--db", db, "--data-dir", str(tmp_path / "files"))
    documents = sqlite3.connect(db).execute("select count(*) from documents").fetchone()[0]
    result = foilog("status", "--db", db)
    assert result.returncode == 0
    assert "run completed" in result.stdout and f" {documents} new" in result.stdout
    runs = json.loads(foilog("status", "--db", db, "--json").stdout)["runs"]
    assert [(r["status"], r["new"]) for r in runs] == [("completed", documents)]


def test_bad_sources_files_are_refused_in_one_line(tmp_path: Path) -> None:
    cases = {
        "missing": None,
        "not yaml": "sources: [",
        "no list": "name: x\n",
        "bad layout": "sources:\n- {name: a, force: Norfolk, layout: wordpress, start_urls: [http://127.0.0.1:1/]}\n",
        "bad force": "sources:\n- {name: a, force: '', layout: drupal, start_urls: [http://127.0.0.1:1/]}\n",
        "host not allowed": "sources:\n- {name: a, force: Norfolk, layout: drupal, start_urls: [http://127.0.0.1:1/], allowed_hosts: [example.org]}\n",
        "bad regex": "sources:\n- {name: a, force: Norfolk, layout: drupal, start_urls: [http://127.0.0.1:1/], follow: '('}\n",
    }
    one = "sources:\n- {name: a, force: Norfolk, layout: drupal, start_urls: [http://127.0.0.1:1/]%s}\n"
    # Each names the key that is wrong.
    keyed = {
        "nan rate": (one % ", requests_per_second: .nan", "requests_per_second"),
        "infinite rate": (one % ", requests_per_second: .inf", "requests_per_second"),
        "negative rate": (one % ", requests_per_second: -1", "requests_per_second"),
        "text pages": (one % ", max_pages: many", "max_pages"),
        "unknown key": (one % ", max_page: 3", "max_page"),
        "missing name": ("sources:\n- {force: Norfolk, layout: drupal, start_urls: [http://127.0.0.1:1/]}\n", "name"),
        "broken ipv6": ("sources:\n- {name: a, force: Norfolk, layout: drupal, start_urls: ['http://[::1/']}\n", "start_urls"),
        "bad port": ("sources:\n- {name: a, force: Norfolk, layout: drupal, start_urls: ['http://127.0.0.1:x/']}\n", "start_urls"),
        "unknown transport": (one % ", transport: pigeon", "transport"),
    }
    cases.update({case: text for case, (text, _) in keyed.items()})
    (tmp_path / "a directory.yml").mkdir()
    (tmp_path / "not utf-8.yml").write_bytes("sources: [caf\u00e9]".encode("latin-1"))
    (tmp_path / "deep.yml").write_text("sources: " + "[" * 100_000 + "]" * 100_000)
    for case, text in {**cases, "a directory": None, "not utf-8": None, "deep": None}.items():
        path = tmp_path / f"{case}.yml"
        if text is not None:
            path.write_text(text)
        result = foilog("run", "--sources", str(path), "--db", str(tmp_path / "f.db"))
        assert result.returncode == 2, (case, result.stderr)
        assert result.stderr.startswith("Error: ") and len(result.stderr.strip().splitlines()) == 1, (case, result.stderr)
        if case in keyed:
            assert f"'{keyed[case][1]}'" in result.stderr, (case, result.stderr)
    unknown = foilog("run", "--sources", str(tmp_path / "bad layout.yml"), "--source", "nope")
    assert unknown.returncode == 2
    assert not (tmp_path / "f.db").exists(), "bad input writes nothing"


def test_demo_runs_the_whole_pipeline_on_the_bundled_sample(tmp_path: Path, expected: list[dict]) -> None:
    result = foilog("demo", "--no-serve", "--db", str(tmp_path / "demo.db"), "--data-dir", str(tmp_path / "files"))
    assert result.returncode == 0, result.stderr
    assert "Serving the bundled sample mirror at http://127.0.0.1:" in result.stdout
    assert f"{len(expected)} disclosures" in result.stdout
    conn = sqlite3.connect(tmp_path / "demo.db")
    assert conn.execute("select count(*) from disclosures").fetchone()[0] == len(expected)


def test_shipped_sources_file_is_valid() -> None:
    from scraper.sources import load_sources

    sources = load_sources(Path(__file__).resolve().parent.parent / "scraper" / "sources.yml")
    assert {(s.force, s.layout) for s in sources} == {
        ("Norfolk", "platform"), ("Suffolk", "platform"), ("Norfolk", "drupal"), ("Suffolk", "drupal")}
    platform = next(s for s in sources if s.name == "suffolk-platform")
    assert platform.detail.search(
        "https://mirror.invalid/foi-ai/suffolk-constabulary/disclosure-log/2024/march/foi-001234-24-drones/")
    assert not platform.detail.search(
        "https://mirror.invalid/foi-ai/norfolk-constabulary/disclosure-log/2024/march/foi-001234-24-drones/")
    assert not platform.detail.search("https://mirror.invalid/foi-ai/suffolk-constabulary/disclosure-log/2024/march/")


def test_a_file_that_is_not_a_database_fails_in_one_line(tmp_path: Path, sources_file: Path) -> None:
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"this is not sqlite" * 100)
    for args in (("run", "--sources", str(sources_file), "--db", str(bogus), "--data-dir", str(tmp_path / "f")),
                 ("status", "--db", str(bogus))):
        result = foilog(*args)
        assert result.returncode == 1, args
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: database: "), result.stderr


def test_each_known_entry_is_revisited_exactly_once_in_revalidate_days(tmp_path: Path) -> None:
    import datetime as dt

    from pipelines.crawl import revisit_schedule
    from pipelines.db import open_db

    db = open_db(tmp_path / "f.db")
    checked = "2026-11-20T00:00:00+00:00"
    urls = [f"http://127.0.0.1:1/sites/norfolk/files/{i:06d}-24.pdf" for i in range(300)]
    db.table("document_urls").insert_all({"url": u, "sha256": "ab" * 32, "last_checked_at": checked} for u in urls)
    db.table("document_urls").insert({"url": "http://127.0.0.1:1/failed.pdf", "sha256": None, "error": "HTTP 503"})
    start = dt.date(2026, 11, 21)
    due_days = {u: [] for u in urls}
    for offset in range(30):
        due = revisit_schedule(db, 30, today=start + dt.timedelta(days=offset))
        assert due("http://127.0.0.1:1/never-seen.pdf") and due("http://127.0.0.1:1/failed.pdf")
        for u in urls:
            if due(u):
                due_days[u].append(offset)
    assert all(len(days) == 1 for days in due_days.values())
    per_night = [sum(1 for d in due_days.values() if d == [n]) for n in range(30)]
    assert max(per_night) <= 25, per_night  # about 300/30 a night, never all at once
    # Unchecked for longer than the period (missed runs): due at once.
    assert revisit_schedule(db, 30, today=dt.date(2027, 1, 30))(urls[0])
    assert revisit_schedule(db, 0)(urls[0])
