"""Operating foilog: overlapping runs, withdrawal and its reversal."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from pipelines.lock import run_lock
from tests.conftest import foilog


def count(db: Path, sql: str, *params: object) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchone()[0]
    finally:
        conn.close()


def test_a_second_run_while_one_holds_the_lock_changes_nothing(tmp_path: Path, sources_file: Path) -> None:
    db = tmp_path / "f.db"
    with run_lock(db):
        result = foilog("run", "--sources", str(sources_file), "--db", str(db), "--data-dir", str(tmp_path / "files"))
    assert result.returncode == 1
    assert result.stderr.startswith("Error: another foilog run holds") and "pid " in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not db.exists() and not (tmp_path / "files").exists()
    # Once the holder is gone, the next run goes ahead.
    assert foilog("run", "--sources", str(sources_file), "--db", str(db), "--data-dir", str(tmp_path / "files")).returncode == 0


def test_withdraw_forgets_a_document_everywhere_and_the_crawler_never_fetches_it_again(
        tmp_path: Path, sources_file: Path) -> None:
    db, files = tmp_path / "f.db", tmp_path / "files"
    args = ("--sources", str(sources_file), "--db", str(db), "--data-dir", str(files))
    assert foilog("run", *args, ).returncode == 0
    (disclosure_id,) = sqlite3.connect(db).execute("select id from disclosures where reference = '001310/19'").fetchone()
    urls = [u for (u,) in sqlite3.connect(db).execute(
        "select u.url from document_urls u join documents d on d.id = u.document_id where d.disclosure_id = ?", (disclosure_id,))]
    shas = [s for (s,) in sqlite3.connect(db).execute("select sha256 from documents where disclosure_id = ?", (disclosure_id,))]
    assert len(urls) == 2 and shas
    assert count(db, "select count(*) from disclosures_fts where disclosures_fts match 'CCTV'") == 1

    refused = foilog("withdraw", "001310/19", "--db", str(db), "--data-dir", str(files))
    assert refused.returncode == 2 and "--reason" in refused.stderr
    done = foilog("withdraw", "FOI 001310/19", "--reason", "personal data found in the file", "--db", str(db),
                  "--data-dir", str(files))
    assert done.returncode == 0, done.stderr
    assert count(db, "select count(*) from disclosures where reference = '001310/19'") == 0
    assert count(db, "select count(*) from disclosures_fts where rowid = ?", disclosure_id) == 0
    assert count(db, "select count(*) from disclosures_fts where disclosures_fts match 'CCTV'") == 0
    assert count(db, "select count(*) from document_urls where url in (?, ?)", *urls) == 0
    assert count(db, "select count(*) from fetches where url in (?, ?)", *urls) == 0
    assert all(not (files / s[:2] / s[2:4] / s).exists() for s in shas)
    withdrawals = sqlite3.connect(db).execute("select reference, url, reason from withdrawals order by url").fetchall()
    assert withdrawals == [("001310/19", u, "personal data found in the file") for u in sorted(urls)]

    again = foilog("run", *args)
    assert again.returncode == 0
    assert count(db, "select count(*) from fetches where url in (?, ?)", *urls) == 0, "never fetched again"
    assert count(db, "select count(*) from disclosures where reference = '001310/19'") == 0
    assert count(db, "select count(*) from disclosures") == 17

    assert foilog("withdraw", urls[0], "--undo", "--db", str(db), "--data-dir", str(files)).returncode == 0
    assert foilog("run", *args).returncode == 0
    assert count(db, "select count(*) from disclosures where reference = '001310/19'") == 1
    assert foilog("withdraw", "999999/99", "--reason", "x", "--db", str(db)).returncode == 2
