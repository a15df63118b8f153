"""Operating foilog: overlapping runs, withdrawal and its reversal."""

from __future__ import annotations

import sqlite3
from importlib.resources import files
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
    # --reason is optional, as the interface has it. (The undo reinstated urls[0] only.)
    assert foilog("withdraw", urls[0], "--db", str(db), "--data-dir", str(files)).returncode == 0
    assert count(db, "select count(*) from withdrawals where reason = 'no reason given'") == 1


def test_status_flags_a_listing_that_changed_shape_and_exits_non_zero(tmp_path: Path) -> None:
    import json
    import shutil

    from pipelines.demo.mirror import serve_mirror
    from tests.conftest import SAMPLE, write_sources

    site = tmp_path / "site"
    shutil.copytree(SAMPLE / "site", site)
    db = tmp_path / "f.db"
    with serve_mirror(site) as origin:
        args = ("--sources", str(write_sources(tmp_path / "s.yml", origin)), "--db", str(db), "--data-dir", str(tmp_path / "f"))
        assert foilog("run", *args).returncode == 0
        assert foilog("status", "--db", str(db)).returncode == 0
        for page in (site / "services" / "freedom-information").rglob("*.html"):  # new markup: no links match
            page.write_text(page.read_text().replace("<a href", "<span data-href"))
        assert foilog("run", *args).returncode == 0
    result = foilog("status", "--db", str(db))
    assert result.returncode == 1
    assert "source suffolk-drupal: BROKEN: its listing yields no entries now (7 before)" in result.stdout
    assert "source norfolk-drupal: ok" in result.stdout
    health = {h["source"]: h for h in json.loads(foilog("status", "--db", str(db), "--json").stdout)["sources"]}
    assert not health["suffolk-drupal"]["ok"] and health["norfolk-platform"]["ok"]


def test_status_flags_a_source_unreachable_for_runs_in_a_row_and_a_quiet_log(tmp_path: Path, mirror: str) -> None:
    import yaml

    db = tmp_path / "f.db"
    sources = tmp_path / "s.yml"
    host = mirror.split("//")[1]
    sources.write_text(yaml.safe_dump({"sources": [
        {"name": "gone", "force": "Norfolk", "layout": "drupal", "start_urls": [f"{mirror}/no-such-log/"],
         "allowed_hosts": [host], "requests_per_second": 0}]}))
    for run in range(3):
        assert foilog("crawl", "--sources", str(sources), "--db", str(db), "--data-dir", str(tmp_path / "f")).returncode == 0
        result = foilog("status", "--db", str(db))
        assert result.returncode == (1 if run == 2 else 0), run
    assert "source gone: BROKEN: its listing could not be fetched in the last 3 runs" in result.stdout
    assert foilog("status", "--db", str(db), "--failed-runs", "4").returncode == 0


def test_status_flags_no_new_entry_for_days(tmp_path: Path, sources_file: Path) -> None:
    db = tmp_path / "f.db"
    assert foilog("run", "--sources", str(sources_file), "--source", "norfolk-drupal", "--db", str(db),
                  "--data-dir", str(tmp_path / "f")).returncode == 0
    conn = sqlite3.connect(db)
    conn.execute("update document_urls set first_seen_at = '2020-01-01T00:00:00+00:00'")
    conn.commit()
    result = foilog("status", "--db", str(db))
    assert result.returncode == 1 and "no new entry for" in result.stdout and "2020-01-01" in result.stdout
    assert foilog("status", "--db", str(db), "--quiet-days", "100000").returncode == 0


def test_schedule_prints_and_installs_a_nightly_run(tmp_path: Path) -> None:
    printed = foilog("schedule", cwd=tmp_path)
    assert printed.returncode == 0
    assert "# foilog.timer" in printed.stdout and "OnCalendar=*-*-* 02:30:00" in printed.stdout
    exec_line = next(l for l in printed.stdout.splitlines() if l.startswith("ExecStart="))
    # No sources.yml in the working folder: the one shipped with foilog; no --data-dir: the database's own.
    shipped = Path(str(files("scraper") / "sources.yml")).resolve()
    assert exec_line.endswith(f"run --sources {shipped} --db {tmp_path}/data/foilog.db"), exec_line
    assert Path(exec_line.split("=", 1)[1].split()[0]).name in ("foilog", "python")
    cron = foilog("schedule", "--cron", "--db", "x.db", cwd=tmp_path)
    assert cron.stdout.startswith("30 2 * * * cd ") and f"--db {tmp_path}/x.db" in cron.stdout
    units = tmp_path / "units"
    installed = foilog("schedule", "--install", "--unit-dir", str(units), cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr
    assert sorted(p.name for p in units.iterdir()) == ["foilog.service", "foilog.timer"]
    assert "ExecStart=" in (units / "foilog.service").read_text()


def test_a_revised_letter_is_reparsed_with_its_difference_and_a_removed_one_stays_searchable(tmp_path: Path) -> None:
    import dataclasses
    import shutil

    from pipelines.demo.mirror import serve_mirror
    from tests.conftest import SAMPLE, write_sources
    from tools.letters import Item, letter_text, render_pdf
    from tools.make_sample import LETTERS

    site = tmp_path / "site"
    shutil.copytree(SAMPLE / "site", site)
    db = tmp_path / "f.db"
    with serve_mirror(site) as origin:
        args = ("--sources", str(write_sources(tmp_path / "s.yml", origin, revalidate_days=0)), "--db", str(db),
                "--data-dir", str(tmp_path / "f"))
        assert foilog("run", *args).returncode == 0
        dogs = next(s for s in LETTERS if s.reference == "002402/19")
        revised = dataclasses.replace(dogs, items=(*dogs.items[:2], Item(dogs.items[2].question, "The cost was GBP 12,900.")))
        (site / "sites/suffolk/files/002402-19_-_police_dogs.pdf").write_bytes(render_pdf(letter_text(revised)))
        year = site / "about-us/our-data/disclosure-log/2020/index.html"
        year.write_text("\n".join(l for l in year.read_text().splitlines() if "stop_and_search" not in l))
        second = foilog("run", *args)
        assert second.returncode == 0, second.stderr
    conn = sqlite3.connect(db)
    (revised_at, removed) = conn.execute("select revised_at, removed_at from disclosures where reference = '002402/19'").fetchone()
    assert revised_at is not None and removed is None
    answer = conn.execute("select answer from questions q join disclosures d on d.id = q.disclosure_id "
                          "where d.reference = '002402/19' and q.number = '3'").fetchone()[0]
    assert answer == "The cost was GBP 12,900."
    (diff,) = conn.execute("select diff from document_versions").fetchone()
    assert "-The cost of dog food in 2018 was GBP 11,450." in diff and "+The cost was GBP 12,900." in diff
    (gone_id, gone_at) = conn.execute("select id, removed_at from disclosures where reference = '001530/20'").fetchone()
    assert gone_at is not None
    found = [r for (r,) in conn.execute("select rowid from disclosures_fts where disclosures_fts match 'officers Norwich'")]
    assert found == [gone_id], "still searchable"
