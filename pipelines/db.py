"""The database's shape, as data, applied by ensure_db_shape() at the start of every stage."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlite_utils
from sqlite_utils.db import DescIndex

from parsers.catalogue import CATALOGUE, LEGISLATION_URL

DISCLOSURE_COLUMNS: dict[str, type] = {
    "id": int, "key": str, "reference": str, "reference_from": str, "title": str, "force": str, "url": str,
    "published_date": str, "letter_date": str, "received_date": str, "correct_as_of": str,
    "year": int, "outcome": str, "exemption_sections": str, "exemption_codes": str,
    "question_count": int, "document_id": int, "first_seen_at": str, "updated_at": str,
    "removed_at": str, "revised_at": str,
    "forces": str,  # JSON array, Norfolk first: an array facet counts a joint letter for each force
    "needs_review": int, "review_reasons": str,  # 1 when the reading did not add up; what did not, as a JSON array
    "corrected": int, "correction_note": str,  # 1 when a correction by hand was applied (corrections.yml)
    # Working days from receipt to the letter, and 1 when more than section 10's 20 (pipelines/working_days.py)
    "response_working_days": int, "late": int,
    "cited_references": str,  # JSON array of the earlier requests' references the letter prints
    "facet_key": int,  # emptied when a row is rewritten: one combination of every default facet, before FACET_GROUPS
    # Its row of facet_combinations for each group of the default facets (FACET_GROUPS).
    "facet_place": int, "facet_result": int, "facet_exemptions": int,
    # What the row was built from (its documents, their parses, the correction, the index's version) and what it
    # says, as digests: the index stage rewrites a response only when the first changes (pipelines/index.py).
    "built_from": str, "rows_hash": str,
}
# The disclosures table's default facets, in the order pages show them, and their kinds: the
# one list of them, which `foilog serve` adds to metadata.yml's table settings. They are
# combined: facet_combinations holds each combination of their values, and
# pipelines/web/facets.py counts them together. The working days are a facet one click away
# (`_facet=response_working_days`, counted by Datasette from a narrow index), not a default:
# their 60 and more values made 64,000 combinations of 200,000 responses, and counting them
# cost every search page 80 ms there (benchmarks/search.py); `late` is the default.
COMBINED_FACETS = {"force": "column", "forces": "array", "outcome": "column", "exemption_sections": "array", "year": "column",
                   "needs_review": "column", "late": "column"}
# The default facets in groups, each response keyed to one combination of each group's values
# (its column: the group's facets). One combination of all of them grew with the archive: 42,000
# at 200,000 responses of two forces, about one a response for 43 forces, and counting a
# search's matches costs as many combinations as it meets. Grouped, a group has a few hundred
# (forces by year) to a few thousand (the sections cited together).
FACET_GROUPS = {"facet_place": ("force", "forces", "year"), "facet_result": ("outcome", "needs_review", "late"),
                "facet_exemptions": ("exemption_sections",)}

# table -> (columns, primary key, indexes). Columns are only ever added, never changed,
# so an older database gains new columns on the next run.
TABLES: dict[str, tuple[dict[str, type], str | tuple[str, ...], list[tuple[str, ...]]]] = {
    # What belongs to the database as a whole: its id and where its files are (pipelines/files.py).
    "settings": ({"key": str, "value": str}, "key", []),
    "crawl_runs": ({
        "id": int, "started_at": str, "finished_at": str, "status": str, "command": str, "sources": str,
        "pages": int, "new": int, "changed": int, "unchanged": int, "duplicate": int, "failed": int, "skipped": int, "parsed": int,
        "parse_failed": int, "parse_retried": int, "duration_s": float, "error": str,
    }, "id", []),
    # Each source in each run: what the health checks of `foilog status` read.
    "source_runs": ({
        "run_id": int, "source": str, "finished_at": str, "pages": int, "pages_failed": int, "entries": int,
        "new": int, "failed": int,
        "complete": int,  # 1 when every listing page was walked and read: only then are removals decided
        "requests": int, "forbidden": int,  # requests made, and how many were answered 403
        "transport": str,  # http or browser
    }, ("run_id", "source"), [("source",)]),
    "fetches": ({
        "id": int, "run_id": int, "source": str, "url": str, "final_url": str, "status": int, "etag": str,
        "last_modified": str, "sha256": str, "bytes": int, "fetched_at": str, "elapsed_ms": int, "error": str,
    }, "id", [("url",), ("run_id",)]),
    "documents": ({
        "id": int, "disclosure_id": int, "source": str, "url": str, "sha256": str, "content_type": str,
        "kind": str, "bytes": int, "first_seen_at": str, "fetched_at": str, "status": str, "error": str,
        "removed_at": str,
    }, "id", [("sha256", "kind"), ("disclosure_id",), ("url",)]),  # the first also answers what is left to parse
    # Every URL a document was found at: the same bytes at two URLs, or on both forces' logs.
    "document_urls": ({
        "url": str, "document_id": int, "source": str, "force": str, "entry_url": str, "title": str,
        "listing_reference": str, "published_date": str, "link_text": str, "size_note": str,
        "etag": str, "last_modified": str, "sha256": str, "first_seen_at": str,
        "original_url": str, "captured_at": str,  # a web archive's capture: the URL it was taken from, and when
        "last_seen_at": str,  # when a listing last linked it
        "last_seen_run": int,  # and in which run
        "last_checked_at": str,  # when it was last fetched (200 or 304)
        "last_checked_on": str,  # the date of the run that did, by which revisits and retries are due
        "removed_at": str, "error": str,
        "failures": int,  # failed checks in a row: the next is 1, 2, 4 ... days on (pipelines/crawl.py)
        "refused": int,  # 1 when the last body was refused (etag and last_modified are that body's)
    }, "url", [("document_id",), ("entry_url",), ("source",), ("original_url",)]),
    "document_versions": ({
        "id": int, "document_id": int, "url": str, "sha256": str, "fetched_at": str, "replaced_at": str,
        "diff": str,  # the letter's text, earlier version against the one that replaced it
    }, "id", [("document_id",)]),
    # One parse per file content and parser version: a file is never parsed twice.
    "parses": ({
        "sha256": str, "parser_version": str, "parsed_at": str, "result": str, "error": str,
        "audit": str,  # an attachment's audit (parsers/audit.py) as JSON: verdict and findings
        "text": str,  # an attachment's visible text (parsers/attachments.py): hidden parts are never in it
    }, "sha256", [("sha256", "parser_version")]),  # narrow: which files this parser has read, without the wide rows
    # Each parse's letter in brief, kept by the triggers below whatever writes parses: what the index stage
    # groups documents by, so that it reads a letter only when something about it changed. revision grows
    # with every write of the parse.
    "parse_summaries": ({"sha256": str, "reference": str, "question_count": int, "revision": int}, "sha256", [("revision",)]),
    # The listing entries whose documents, URLs or parses changed since the last index build, queued by the
    # triggers below whoever writes them; the index stage reads these again, and nothing else (pipelines/index.py).
    "index_queue": ({"entry_url": str}, None, []),
    # Each listing entry's response, by key, as the last index build grouped them.
    "index_entries": ({"entry_url": str, "key": str}, "entry_url", [("key",)]),
    # Attachments the audit held back that a person decided to serve, and why (foilog release).
    "releases": ({"sha256": str, "url": str, "reason": str, "released_by": str, "released_at": str}, "sha256", []),
    # The captures a web archive's CDX index listed for an archive source: later runs ask only for newer ones.
    "archive_captures": ({
        "source": str, "original": str, "timestamp": str, "mimetype": str, "digest": str, "listed_at": str,
    }, ("source", "original", "timestamp"), [("source", "timestamp")]),
    # Files that could not be parsed for a reason not of their own (yet): tried again next run.
    "parse_retries": ({
        "sha256": str, "parser_version": str, "attempts": int, "error": str, "at": str,
    }, "sha256", []),
    "disclosures": (DISCLOSURE_COLUMNS, "id", [
        ("key",), ("reference",), ("force",), ("outcome",), ("year",), ("letter_date",),
        # A search page's rows newest first, ties by id as Datasette's next page takes them: read in this
        # order until the page is full, not every match read and sorted (pipelines/web/facets.py newest_first).
        (DescIndex("letter_date"), "id"),
        # Narrow and covering: a search's count and its facet counts read this, not the wide rows.
        ("id", *FACET_GROUPS),
        # And the trends page's charts (pipelines/web/charts.py), each read from one of these alone.
        ("year", "outcome"), ("response_working_days", "late"), ("id", "year", "forces"),
        # And the working days facet's count of a search's matches.
        ("id", "response_working_days")]),
    # Each combination of a facet group's values that some response has (the group's other
    # facets null). A page counts its matches by their keys in one pass and adds them up per
    # value here, instead of one pass over the matches per facet (pipelines/web/facets.py).
    "facet_combinations": ({"key": int, **{column: DISCLOSURE_COLUMNS[column] for column in COMBINED_FACETS},
                            "facet_group": str}, "key", []),
    "questions": ({
        "id": int, "disclosure_id": int, "number": str, "position": int, "question": str, "answer": str,
        "outcome": str,  # this answer alone: disclosed, refused, not_held or neither_confirm_nor_deny
    }, "id", [("disclosure_id",)]),
    "exemptions": ({
        "code": str, "section": str, "name": str, "kind": str, "url": str,
    }, "code", []),
    "disclosure_exemptions": ({
        "disclosure_id": int, "code": str, "cited_as": str,
        "questions": str,  # JSON list of the question numbers it was cited for; [] when for the whole request
    }, ("disclosure_id", "cited_as"), [("code",)]),
    # "Asked before": an earlier response and a later one that the later letter cites by reference
    # (kind cited) or whose questions read alike (kind similar, with its score).
    "disclosure_links": ({"earlier_id": int, "later_id": int, "kind": str, "score": float, "detail": str},
                         ("earlier_id", "later_id", "kind"), [("later_id",)]),
    # Round-robins: each response linked to others, and the cluster (its earliest member's id) it is in (pipelines/clusters.py).
    "cluster_members": ({"cluster_id": int, "disclosure_id": int}, "disclosure_id", [("cluster_id",)]),
    # Which version of each response's questions the similarity links were last computed for (pipelines/similar.py).
    "similarity_checked": ({"disclosure_id": int, "questions_hash": str, "signature": str}, "disclosure_id", []),
    "withdrawals": ({
        "id": int, "reference": str, "url": str, "reason": str, "withdrawn_at": str,
    }, "id", []),
}

# Tables whose shape sqlite-utils cannot say. MinHash bands (pipelines/similar.py): one row per band of
# each compared response, looked up by band; without a rowid, the primary key is the only copy.
RAW_TABLES = {
    "similarity_bands": "CREATE TABLE IF NOT EXISTS similarity_bands (band INTEGER, disclosure_id INTEGER, "
                        "PRIMARY KEY (band, disclosure_id)) WITHOUT ROWID",
}

FOREIGN_KEYS = {
    "questions": [("disclosure_id", "disclosures", "id")],
    "disclosure_exemptions": [("disclosure_id", "disclosures", "id"), ("code", "exemptions", "code")],
}
UNIQUE_INDEXES = {"disclosures": [("key",)]}

# Full-text search over what people search for: the title, the questions, the answers, and
# the visible text of attachments (ranked below the letter: metadata.yml's search query).
# A standalone FTS5 table whose rowid is disclosures.id (metadata.yml names it).
FTS_COLUMNS = ("title", "questions", "answers", "attachments")
FTS = f"""CREATE VIRTUAL TABLE IF NOT EXISTS disclosures_fts
USING fts5({", ".join(FTS_COLUMNS)}, tokenize = 'porter unicode61 remove_diacritics 2')"""


# An upsert, not "insert or replace": the statement that fires a trigger imposes its own conflict
# handling on the trigger's, and sqlite-utils writes parses with an upsert.
_SUMMARY = """insert into parse_summaries (sha256, reference, question_count, revision) values (new.sha256,
    case when json_valid(new.result) then json_extract(new.result, '$.reference') end,
    case when json_valid(new.result) then coalesce(json_array_length(new.result, '$.questions'), 0) end,
    (select coalesce(max(revision), 0) + 1 from parse_summaries))
    on conflict (sha256) do update set reference = excluded.reference, question_count = excluded.question_count,
    revision = excluded.revision;"""
# What the index stage reads of an entry (pipelines/index.py _LIGHT): a change to any of it queues the entry.
_QUEUE_DOCUMENT = "insert into index_queue (entry_url) select entry_url from document_urls where document_id = {doc};"
_QUEUE_SHA = ("insert into index_queue (entry_url) select u.entry_url from documents d join document_urls u "
              "on u.document_id = d.id where d.sha256 = {sha};")
# A capture of a web archive makes the older captures of its URL history, whichever entry they are in.
_QUEUE_URL = ("insert into index_queue (entry_url) values ({row}.entry_url); insert into index_queue (entry_url) "
              "select entry_url from document_urls where {row}.original_url is not null and original_url = {row}.original_url;")
_URL_READ = ("document_id", "force", "entry_url", "title", "listing_reference", "published_date", "captured_at", "original_url",
             "sha256", "error", "first_seen_at", "url")
_DOCUMENT_READ = ("kind", "status", "first_seen_at", "sha256", "removed_at")
TRIGGERS = {
    "parses_summary_insert": f"AFTER INSERT ON parses BEGIN {_SUMMARY} {_QUEUE_SHA.format(sha='new.sha256')} END",
    "parses_summary_update": f"AFTER UPDATE ON parses BEGIN {_SUMMARY} {_QUEUE_SHA.format(sha='new.sha256')} END",
    "parses_summary_delete": "AFTER DELETE ON parses BEGIN delete from parse_summaries where sha256 = old.sha256; "
                             f"{_QUEUE_SHA.format(sha='old.sha256')} END",
    "document_urls_queue_insert": f"AFTER INSERT ON document_urls BEGIN {_QUEUE_URL.format(row='new')} END",
    "document_urls_queue_update": "AFTER UPDATE ON document_urls WHEN " + " or ".join(f"old.{c} is not new.{c}" for c in _URL_READ)
                                  + f" BEGIN {_QUEUE_URL.format(row='old')} {_QUEUE_URL.format(row='new')} END",
    "document_urls_queue_delete": f"AFTER DELETE ON document_urls BEGIN {_QUEUE_URL.format(row='old')} END",
    "documents_queue_update": "AFTER UPDATE ON documents WHEN " + " or ".join(f"old.{c} is not new.{c}" for c in _DOCUMENT_READ)
                              + f" BEGIN {_QUEUE_DOCUMENT.format(doc='new.id')} END",
    "documents_queue_delete": f"AFTER DELETE ON documents BEGIN {_QUEUE_DOCUMENT.format(doc='old.id')} END",
    "document_versions_queue_insert": f"AFTER INSERT ON document_versions BEGIN {_QUEUE_DOCUMENT.format(doc='new.document_id')} END",
}

# Views people query often, kept as data like the tables.
VIEWS = {
    "exemption_citations": """select d.id as disclosure_id, d.reference, d.title, d.force, d.year, d.outcome,
        e.code, e.cited_as, x.name, x.kind, x.url as legislation_url, e.questions
        from disclosure_exemptions e join disclosures d on d.id = e.disclosure_id join exemptions x on x.code = e.code""",
    "question_answers": """select d.id as disclosure_id, d.reference, d.title, d.force, d.year, d.outcome,
        q.number, q.question, q.answer, q.outcome as answer_outcome
        from questions q join disclosures d on d.id = q.disclosure_id""",
}


def now() -> str:
    """A UTC timestamp for *_at columns."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


# Indexes of an older shape that nothing reads any more: each costs every write.
DROPPED_INDEXES = ["idx_disclosures_id_facet_key", "idx_documents_sha256"]


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) the database, in WAL mode, with its shape ensured."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA busy_timeout = 30000")
    db.enable_wal()
    # In WAL mode NORMAL is safe against a killed process; it only skips an fsync per commit.
    db.execute("PRAGMA synchronous = NORMAL")
    ensure_db_shape(db)
    return db


def ensure_db_shape(db: sqlite_utils.Database) -> None:
    """Create missing tables, columns, indexes and the FTS table; fill the exemptions catalogue."""
    for name, (columns, pk, indexes) in TABLES.items():
        table = db.table(name)
        if not table.exists():
            table.create(columns, pk=pk, foreign_keys=FOREIGN_KEYS.get(name, []))
        else:
            missing = {c: t for c, t in columns.items() if c not in table.columns_dict}
            for column, kind in missing.items():
                table.add_column(column, kind)
        for index in indexes:
            table.create_index(index, if_not_exists=True)
        for index in UNIQUE_INDEXES.get(name, []):
            table.create_index(index, unique=True, if_not_exists=True)
    for index in DROPPED_INDEXES:
        db.execute(f"DROP INDEX IF EXISTS {index}")
    for sql in RAW_TABLES.values():
        db.execute(sql)
    if db.table("disclosures_fts").exists() and tuple(db.table("disclosures_fts").columns_dict) != FTS_COLUMNS:
        # FTS5 cannot add a column: the older index is copied into a new one, so search goes on
        # working, and the next index build (every run) fills the new column.
        kept = db.execute("select rowid, title, questions, answers from disclosures_fts").fetchall()
        db.execute("DROP TABLE disclosures_fts")
        db.execute(FTS)
        db.conn.executemany("insert into disclosures_fts (rowid, title, questions, answers, attachments) values (?, ?, ?, ?, '')", kept)
    db.execute(FTS)
    for name, sql in VIEWS.items():
        db.create_view(name, sql, replace=True)
    if not db.execute("select 1 from sqlite_master where type = 'trigger' and name = 'parses_summary_insert'").fetchone():
        # A database from before the summaries: every parse summarised once, as the triggers will from now on.
        db.execute("delete from parse_summaries")
        db.execute("""insert into parse_summaries (sha256, reference, question_count, revision)
            select sha256, case when json_valid(result) then json_extract(result, '$.reference') end,
                   case when json_valid(result) then coalesce(json_array_length(result, '$.questions'), 0) end, rowid from parses""")
    for name, sql in TRIGGERS.items():
        found = db.execute("select sql from sqlite_master where type = 'trigger' and name = ?", [name]).fetchone()
        if not found or found[0] != f"CREATE TRIGGER {name} {sql}":
            db.execute(f"DROP TRIGGER IF EXISTS {name}")
            db.execute(f"CREATE TRIGGER {name} {sql}")
    db.table("exemptions").upsert_all(
        ({"code": f"s{section}", "section": section, "name": name, "kind": kind,
          "url": LEGISLATION_URL.format(section=section)} for section, (name, kind) in CATALOGUE.items()),
        pk="code",
    )
