"""The incremental index: a build rewrites only the responses whose documents, parses or corrections changed."""

from __future__ import annotations

import itertools
import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelines import corrections as hand
from pipelines.db import open_db
from pipelines.index import build_disclosures
from tests.conftest import foilog, rows


@pytest.fixture
def db(built: Path, tmp_path: Path) -> Path:
    shutil.copy(built / "foilog.db", tmp_path / "foilog.db")
    return tmp_path / "foilog.db"


def _stamps(db: Path) -> dict[str, tuple[str, str]]:
    return {r["key"]: (r["updated_at"], r["rows_hash"]) for r in rows(db, "select key, updated_at, rows_hash from disclosures")}


def _statements(db_path: Path, corrections: hand.Corrections | None = None, reads: list[str] | None = None) -> list[str]:
    """The build's writes to the response tables, as SQLite traced them (and every statement, into reads)."""
    db = open_db(db_path)
    traced = reads if reads is not None else []
    db.conn.set_trace_callback(traced.append)
    build_disclosures(db, corrections)
    db.conn.set_trace_callback(None)
    db.close()
    written = [sql for sql in traced if sql.lstrip().lower().startswith(("insert", "update", "delete"))]
    return [s for s in written if any(t in s for t in ("disclosures", "questions", "disclosure_exemptions", "disclosures_fts"))]


def test_a_build_with_nothing_new_writes_no_response(db: Path) -> None:
    before = _stamps(db)
    assert _statements(db) == []
    assert _stamps(db) == before


def test_a_changed_parse_rewrites_only_its_response_and_stamps_it(db: Path) -> None:
    before = _stamps(db)
    target = rows(db, "select d.key, d.document_id, p.sha256, p.result from disclosures d join documents x on x.id = d.document_id "
                      "join parses p on p.sha256 = x.sha256 where d.reference = '001876/22'")[0]
    letter = json.loads(target["result"])
    letter["questions"][0]["answer"] = "The figure is now 42."
    with sqlite3.connect(db) as conn:  # as a new parser version would read it, written by another connection
        conn.execute("update parses set result = ? where sha256 = ?", (json.dumps(letter), target["sha256"]))
    build_disclosures(open_db(db))
    after = _stamps(db)
    assert {k for k in after if after[k] != before[k]} == {target["key"]}
    answers = rows(db, "select q.answer from questions q join disclosures d on d.id = q.disclosure_id where d.key = ?", (target["key"],))
    assert answers[0]["answer"] == "The figure is now 42."
    assert rows(db, "select count(*) as n from disclosures_fts where disclosures_fts match '42'")[0]["n"] == 1


def test_a_parse_rewritten_to_the_same_reading_keeps_its_updated_at(db: Path) -> None:
    before = _stamps(db)
    with sqlite3.connect(db) as conn:  # every file parsed again, as a new parser version that reads the same
        conn.execute("update parses set parsed_at = '2030-01-01T00:00:00+00:00'")
    build_disclosures(open_db(db))
    assert _stamps(db) == before
    assert _statements(db) == []  # and the next build has nothing to do


def test_a_correction_rewrites_only_the_corrected_response(db: Path, tmp_path: Path) -> None:
    before = _stamps(db)
    path = tmp_path / "corrections.yml"
    path.write_text("corrections:\n  - reference: 001876/22\n    outcome: refused\n    note: checked by hand\n")
    build_disclosures(open_db(db), hand.load(path))
    after = _stamps(db)
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {r["key"] for r in rows(db, "select key from disclosures where reference = '001876/22'")}
    assert rows(db, "select outcome, corrected from disclosures where reference = '001876/22'")[0]["outcome"] == "refused"
    path.write_text("corrections: []\n")  # taken back: the response is the parser's reading again
    build_disclosures(open_db(db), hand.load(path))
    assert rows(db, "select corrected from disclosures where reference = '001876/22'")[0]["corrected"] == 0
    assert _stamps(db).keys() == before.keys()


def test_withdrawing_one_response_touches_no_other(db: Path, built: Path, tmp_path: Path) -> None:
    before = _stamps(db)
    shutil.copytree(built / "files", tmp_path / "files")
    done = foilog("withdraw", "001876/22", "--reason", "published in error", "--db", str(db), "--data-dir", str(tmp_path / "files"))
    assert done.returncode == 0, done.stderr
    after = _stamps(db)
    assert set(before) - set(after) == {k for k in before if k == "001876/22"}
    assert {k: v for k, v in before.items() if k in after} == after


def test_a_database_from_before_the_summaries_is_summarised_and_built_the_same(db: Path) -> None:
    expected = rows(db, "select key, title, outcome, exemption_sections, response_working_days from disclosures order by key")
    with sqlite3.connect(db) as conn:  # the shape of a database written before this version
        for (trigger,) in conn.execute("select name from sqlite_master where type = 'trigger'").fetchall():
            conn.execute(f"drop trigger {trigger}")
        for table in ("parse_summaries", "index_queue", "index_entries"):
            conn.execute(f"drop table {table}")
        conn.execute("delete from settings where key like 'index_%'")
        conn.execute("update disclosures set built_from = null, rows_hash = null")
    build_disclosures(open_db(db))
    summaries = rows(db, "select count(*) as n from parse_summaries")[0]["n"]
    assert summaries == rows(db, "select count(*) as n from parses")[0]["n"] > 0
    assert [tuple(r) for r in rows(db, "select key, title, outcome, exemption_sections, response_working_days from disclosures order by key")] \
        == [tuple(r) for r in expected]
    assert rows(db, "select count(*) as n from disclosures where built_from is null")[0]["n"] == 0


def _reads_of_entries(db_path: Path) -> int:
    """How many times the build read listing entries' documents."""
    db = open_db(db_path)
    reads: list[str] = []
    db.conn.set_trace_callback(lambda sql: reads.append(sql) if "join document_urls u on u.document_id = d.id" in sql else None)
    build_disclosures(db)
    db.conn.set_trace_callback(None)
    db.close()
    return len(reads)


def test_a_crawl_that_only_saw_the_same_listings_again_queues_nothing(db: Path) -> None:
    with sqlite3.connect(db) as conn:  # what a night with nothing new writes
        conn.execute("update document_urls set last_seen_at = '2030-01-01T00:00:00+00:00', last_seen_run = 99, "
                     "last_checked_at = '2030-01-01T00:00:00+00:00'")
        conn.execute("update documents set fetched_at = '2030-01-01T00:00:00+00:00'")
        assert conn.execute("select count(*) from index_queue").fetchone()[0] == 0
    assert _reads_of_entries(db) == 0


def test_a_changed_listing_title_queues_its_entry_and_only_that_is_read_again(db: Path) -> None:
    target = rows(db, "select u.entry_url, d.key from document_urls u join documents x on x.id = u.document_id "
                      "join disclosures d on d.id = x.disclosure_id where d.reference = '001876/22' and u.url = u.entry_url")[0]
    before = _stamps(db)
    with sqlite3.connect(db) as conn:
        conn.execute("update document_urls set title = 'Firearms licences: waiting times (revised title)' where url = ?",
                     (target["entry_url"],))
        assert [r[0] for r in conn.execute("select distinct entry_url from index_queue")] == [target["entry_url"]]
    build_disclosures(open_db(db))
    after = _stamps(db)
    assert {k for k in after if after[k] != before[k]} == {target["key"]}
    assert rows(db, "select title from disclosures where key = ?", (target["key"],))[0]["title"].endswith("(revised title)")
    assert rows(db, "select count(*) as n from index_queue")[0]["n"] == 0


def test_a_new_version_of_the_index_reads_every_entry_again_and_rewrites_nothing_that_reads_the_same(db: Path) -> None:
    before = _stamps(db)
    with sqlite3.connect(db) as conn:
        conn.execute("update settings set value = 'an older version' where key = 'index_version'")
    assert _reads_of_entries(db) > 0
    assert _stamps(db) == before


def test_a_database_with_one_facet_combination_per_response_is_regrouped(db: Path) -> None:
    """The shape before FACET_GROUPS: one facet_key naming a combination of all seven facets, on its own index."""
    with sqlite3.connect(db) as conn:
        conn.execute("update disclosures set facet_key = facet_place, facet_place = null, facet_result = null, facet_exemptions = null, "
                     "built_from = 'an older index', rows_hash = 'what the older shape said'")
        conn.execute("update facet_combinations set facet_group = null")
        conn.execute("create index idx_disclosures_id_facet_key on disclosures (id, facet_key)")
        conn.execute("update settings set value = 'an older version' where key = 'index_version'")
    build_disclosures(open_db(db))
    assert rows(db, "select count(*) as n from disclosures where facet_place is null or facet_result is null "
                    "or facet_exemptions is null or facet_key is not null")[0]["n"] == 0
    assert rows(db, "select count(*) as n from facet_combinations where facet_group is null")[0]["n"] == 0
    assert not rows(db, "select name from sqlite_master where name = 'idx_disclosures_id_facet_key'")
    groups = {r["facet_group"]: r["n"] for r in rows(db, "select facet_group, count(*) as n from facet_combinations group by 1")}
    distinct = rows(db, "select count(distinct force || forces || year) as place, count(distinct outcome || needs_review || "
                        "coalesce(late, '-')) as result, count(distinct exemption_sections) as exemptions from disclosures")[0]
    assert groups == {"facet_place": distinct["place"], "facet_result": distinct["result"], "facet_exemptions": distinct["exemptions"]}


def _search_index_bytes(db: Path) -> int:
    return rows(db, "select sum(length(block)) as n from disclosures_fts_data")[0]["n"]


@pytest.mark.parametrize(("retitled", "floor", "merged"), [
    ("every", 1, True), ("a fifth", 1, True), ("every", 10**9, False)])
def test_a_rebuild_that_replaces_a_tenth_or_more_merges_the_search_index(
        db: Path, monkeypatch: pytest.MonkeyPatch, retitled: str, floor: int, merged: bool) -> None:
    import pipelines.index

    fresh = _search_index_bytes(db)
    found = rows(db, "select rowid from disclosures_fts where disclosures_fts match 'information' order by rowid")
    # The fixture is far below the floor of a thousand; with the floor at one, a tenth of it is enough.
    monkeypatch.setattr(pipelines.index, "OPTIMIZE_AFTER", floor)
    every = rows(db, "select count(*) as n from disclosures")[0]["n"]
    with sqlite3.connect(db) as conn:  # the listings' titles change: each response is rewritten, search row and all
        keys = [r[0] for r in conn.execute("select key from disclosures order by key")]
        chosen = keys if retitled == "every" else keys[::5]
        conn.execute(f"update document_urls set title = coalesce(title, '') || ' (retitled)' where document_id in "
                     f"(select id from documents where disclosure_id in (select id from disclosures where key in ({','.join('?' * len(chosen))})))",
                     chosen)
    statements = _statements(db)
    after = _search_index_bytes(db)
    assert rows(db, "select count(*) as n from disclosures_fts where disclosures_fts match 'retitled'")[0]["n"] == len(chosen)
    assert rows(db, "select count(*) as n from disclosures_fts")[0]["n"] == every
    assert any("values ('optimize')" in s for s in statements) == merged
    # Unmerged, each old row stays in the index beside its replacement until its segment is merged.
    assert (after < fresh * 1.1 if merged else after > fresh * 1.5), (fresh, after)
    assert rows(db, "select rowid from disclosures_fts where disclosures_fts match 'information' order by rowid") == found


def _rebuilt(db: Path) -> dict[str, list]:
    """Every response's rows after a build that rewrites each of them, as the rows say (ids and times apart)."""
    with sqlite3.connect(db) as conn:
        conn.execute("update disclosures set rows_hash = 'what an older build said', built_from = 'an older build'")
        conn.execute("update settings set value = 'an older version' where key = 'index_version'")
    build_disclosures(open_db(db))
    columns = [c["name"] for c in rows(db, "select name from pragma_table_info('disclosures')") if c["name"] not in ("id", "updated_at")]
    return {
        "disclosures": [tuple(r) for r in rows(db, f"select {', '.join(columns)} from disclosures order by key")],
        "questions": [tuple(r) for r in rows(db, "select d.key, q.number, q.position, q.question, q.answer, q.outcome "
                                                          "from questions q join disclosures d on d.id = q.disclosure_id order by 1, 3")],
        "citations": [tuple(r) for r in rows(db, "select d.key, e.code, e.cited_as, e.questions from disclosure_exemptions e "
                                                          "join disclosures d on d.id = e.disclosure_id order by 1, 2, 3")],
        "search": [tuple(r) for r in rows(db, "select d.key, f.title, f.questions, f.answers, f.attachments from disclosures_fts f "
                                                       "join disclosures d on d.id = f.rowid order by 1")],
    }


@pytest.mark.parametrize("builders", ["build", "are killed at once", "lose one part way"])
def test_rows_built_in_other_processes_are_the_rows_built_in_this_one(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                      caplog: pytest.LogCaptureFixture, builders: str) -> None:
    import pipelines.index

    alone = tmp_path / "alone.db"
    shutil.copy(db, alone)
    expected = _rebuilt(alone)
    monkeypatch.setattr(pipelines.index, "BATCH", 3)  # the fixture's responses in a dozen batches or so, each built over there
    monkeypatch.setattr(pipelines.index, "PARALLEL_FROM", 2)
    monkeypatch.setattr(pipelines.index.os, "cpu_count", lambda: 2)  # two builders, whatever this machine has
    receive, send, init = pipelines.index._RowBuilder.receive, pipelines.index._RowBuilder.send, pipelines.index._RowBuilder.__init__
    received: list[int] = []  # the process each batch came from
    made: list[pipelines.index._RowBuilder] = []

    def making(builder: pipelines.index._RowBuilder, *args: object) -> None:
        init(builder, *args)  # type: ignore[arg-type]
        made.append(builder)

    def sending(builder: pipelines.index._RowBuilder, batches: Iterator[tuple]) -> None:
        if builders == "lose one part way" and builder is made[1]:
            batches = itertools.islice(batches, 1)  # the second stops after its first batch (the second in all)
        send(builder, batches)

    def receiving(builder: pipelines.index._RowBuilder) -> object:
        if builders == "are killed at once":  # before they hand back anything, as the kernel's out-of-memory killer would
            for each in made:
                each.process.kill()
                each.process.wait()
        batch = receive(builder)
        received.append(builder.process.pid)
        return batch

    monkeypatch.setattr(pipelines.index._RowBuilder, "__init__", making)
    monkeypatch.setattr(pipelines.index._RowBuilder, "send", sending)
    monkeypatch.setattr(pipelines.index._RowBuilder, "receive", receiving)
    assert _rebuilt(db) == expected
    batches = -(-len(expected["disclosures"]) // 3)
    assert batches > 4
    stopped = [r.getMessage() for r in caplog.records if "a process building rows stopped" in r.getMessage()]
    assert len(stopped) == (builders != "build"), stopped
    # Every batch from over there, taken in turn from the two; or none; or the three before the one that stopped.
    assert len(received) == {"build": batches, "are killed at once": 0, "lose one part way": 3}[builders]
    assert len(set(received)) == (0 if builders == "are killed at once" else 2)
    assert all(a != b for a, b in zip(received, received[1:]))


def test_a_rewrite_writes_only_the_rows_that_differ(db: Path) -> None:
    target = rows(db, "select key, document_id from disclosures where reference = '001876/22'")[0]
    with sqlite3.connect(db) as conn:  # its listing's date moves: its row changes, its questions and search text do not
        conn.execute("update document_urls set published_date = '2022-03-04' where document_id = ?", [target["document_id"]])
    every: list[str] = []
    written = _statements(db, reads=every)
    # Its questions are the ones it was compared with: the similarity stage does not read them again.
    assert not [s for s in every if "group_concat(q.question" in s]
    children = ("questions", "disclosure_exemptions", "disclosures_fts")
    assert not [s for s in written if s.startswith(tuple(f"{verb} {t} " for t in children for verb in ("insert into", "delete from")))]
    assert [s for s in written if s.startswith("update disclosures set [published_date] = '2022-03-04'")]
    assert rows(db, "select published_date from disclosures where key = ?", (target["key"],))[0]["published_date"] == "2022-03-04"
