"""The data directory belongs to the database; a failure of the environment is retried, not recorded."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, foilog
from tests.conftest import rows as query


def rows(db: Path, sql: str) -> list[tuple]:
    return [tuple(r) for r in query(db, sql)]


def crawled(tmp_path: Path, sources_file: Path, files: str = "store") -> tuple[Path, Path]:
    db, store = tmp_path / "f.db", tmp_path / files
    result = foilog("crawl", "--sources", str(sources_file), "--db", str(db), "--data-dir", str(store))
    assert result.returncode == 0, result.stderr
    return db, store


def counts(db: Path) -> tuple[int, int, int]:
    runs, = rows(db, "select count(*) from crawl_runs")[0]
    parses, = rows(db, "select count(*) from parses")[0]
    failed, = rows(db, "select count(*) from documents where status = 'failed'")[0]
    return runs, parses, failed


def test_parse_finds_the_files_a_crawl_stored_without_being_told(tmp_path: Path, sources_file: Path) -> None:
    db, _ = crawled(tmp_path, sources_file)
    failed_fetches, = rows(db, "select count(*) from documents where status = 'failed'")[0]
    documents, = rows(db, "select count(distinct sha256) from documents where sha256 is not null")[0]
    result = foilog("parse", "--db", str(db), cwd=tmp_path.parent)  # from another folder, no --data-dir
    assert result.returncode == 0, result.stderr
    assert rows(db, "select count(*) from parses where error = 'file missing from the store'") == [(0,)]
    assert rows(db, "select count(*) from parses")[0][0] == documents
    assert counts(db)[2] == failed_fetches + rows(db, "select count(*) from parses where error is not null")[0][0]


def test_a_folder_that_does_not_hold_the_files_is_refused_and_records_nothing(tmp_path: Path, sources_file: Path) -> None:
    db, store = crawled(tmp_path, sources_file)
    (tmp_path / "other").mkdir()
    _, other_store = crawled(tmp_path / "other", sources_file)
    before = counts(db)
    (tmp_path / "empty").mkdir()
    for wrong in (tmp_path / "empty", other_store, tmp_path / "nowhere"):
        result = foilog("parse", "--db", str(db), "--data-dir", str(wrong))
        assert result.returncode == 1, (wrong, result.stdout, result.stderr)
        assert result.stderr.startswith("Error: ") and len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert str(wrong) in result.stderr
        assert counts(db) == before, "nothing is recorded"
    assert not (tmp_path / "nowhere").exists()
    moved = tmp_path / "moved"
    shutil.move(str(store), moved)  # an operator moves the files: the flag finds them, and the move is recorded
    assert foilog("parse", "--db", str(db), "--data-dir", str(moved)).returncode == 0
    assert rows(db, "select value from settings where key = 'data_dir'") == [(str(moved.resolve()),)]
    assert foilog("parse", "--db", str(db)).returncode == 0


def test_a_missing_file_is_tried_again_and_a_parse_where_all_fail_exits_non_zero(tmp_path: Path, sources_file: Path) -> None:
    db, store = crawled(tmp_path, sources_file)
    stored = [p for p in store.rglob("*") if p.is_file() and not p.name.startswith(".")]
    hidden = tmp_path / "aside"
    hidden.mkdir()
    for path in stored:
        path.rename(hidden / path.name)
    everything = foilog("parse", "--db", str(db))
    assert everything.returncode == 1, everything.stdout
    files = len({p.name for p in stored})
    assert everything.stderr.splitlines()[-1] == f"Error: run 2: every document parsed failed ({files})"
    assert rows(db, "select count(*) from parses") == [(0,)], "a missing file is not the document's fate"
    assert rows(db, "select status from crawl_runs order by id desc limit 1") == [("failed",)]
    assert rows(db, "select count(*) from parse_retries")[0][0] == files
    for path in stored:
        (hidden / path.name).rename(path)
    again = foilog("parse", "--db", str(db))  # no --reparse: the retried files are still pending
    assert again.returncode == 0, again.stderr
    assert rows(db, "select count(*) from parses")[0][0] == files
    assert rows(db, "select count(*) from parse_retries") == [(0,)]


def test_an_older_database_is_bound_to_the_folder_that_holds_its_files(tmp_path: Path, sources_file: Path) -> None:
    db, store = crawled(tmp_path, sources_file)
    conn = __import__("sqlite3").connect(db)
    conn.execute("delete from settings")  # as a database made before the directory was recorded
    conn.commit()
    conn.close()
    (store / ".foilog-database").unlink()
    assert foilog("parse", "--db", str(db), "--data-dir", str(tmp_path / "elsewhere")).returncode == 1
    assert foilog("parse", "--db", str(db), "--data-dir", str(store)).returncode == 0
    assert foilog("parse", "--db", str(db)).returncode == 0, "recorded now"


def test_an_unexpected_error_is_one_line_and_verbose_shows_the_traceback(tmp_path: Path) -> None:
    # A sitecustomize that breaks one of foilog's functions stands in for a bug.
    (tmp_path / "sitecustomize.py").write_text(
        "import pipelines.status\n"
        "def broken(*a, **k):\n    raise KeyError('a bug')\n"
        "pipelines.status.last_runs = broken\n")
    db = tmp_path / "f.db"
    __import__("sqlite3").connect(db).close()
    env = {"PYTHONPATH": f"{tmp_path}:{ROOT}", "PATH": "/usr/bin:/bin"}
    plain = subprocess.run([sys.executable, "-m", "pipelines", "status", "--db", str(db)], env=env,
                           capture_output=True, text=True, cwd=ROOT)
    assert plain.returncode == 1
    assert plain.stderr.strip().splitlines() == ["Error: unexpected KeyError: 'a bug' (run with --verbose for the traceback)"]
    verbose = subprocess.run([sys.executable, "-m", "pipelines", "--verbose", "status", "--db", str(db)], env=env,
                             capture_output=True, text=True, cwd=ROOT)
    assert verbose.returncode == 1 and "Traceback (most recent call last)" in verbose.stderr
