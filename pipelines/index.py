"""The index stage: group parsed documents into disclosures, write their rows and the search index."""

from __future__ import annotations

import contextlib
import difflib
import functools
import hashlib
import io
import json
import logging
import os
import pickle
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Sized
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import sqlite_utils

from parsers.audit import redact
from parsers.outcome import classify_answer
from pipelines import corrections as hand
from pipelines.clusters import build_clusters
from pipelines.db import COMBINED_FACETS, FACET_GROUPS, FTS_COLUMNS, now
from pipelines.similar import forget, link_similar
from pipelines.working_days import is_late, working_days

# This module's and its helpers' source: a change to how rows are built rebuilds every response once.
# The combined facets too: each response's facet keys name combinations of their values.
INDEX_VERSION = hashlib.sha256(b"\0".join([*((Path(__file__).parent / name).read_bytes()
                                             for name in ("index.py", "working_days.py", "corrections.py")),
                                           repr((COMBINED_FACETS, FACET_GROUPS)).encode()])).hexdigest()[:16]

log = logging.getLogger(__name__)

KIND_PREFERENCE = {"pdf": 0, "html": 1}


@dataclass
class _Entry:
    url: str
    title: str | None = None
    reference: str | None = None
    published_date: str | None = None
    first_seen_at: str = ""
    forces: set[str] = field(default_factory=set)
    removed_at: dict[int, str | None] = field(default_factory=dict)  # document id -> when it left its listing
    revised_at: str | None = None
    documents: dict[int, dict] = field(default_factory=dict)  # id -> row with parsed "letter"


# Read to decide what each response is built from: every document's identity and state, and its
# parse's summary, but not the parse itself, so that a night with nothing new reads no letters.
_LIGHT = """
    select d.id, d.kind, d.status, d.first_seen_at, d.sha256, d.removed_at, s.revision, s.reference as letter_reference,
           s.question_count, u.captured_at, u.url, u.force, u.entry_url, u.title, u.listing_reference, u.published_date,
           (select max(v.replaced_at) from document_versions v where v.document_id = d.id) as revised_at
    from documents d
    join document_urls u on u.document_id = d.id
    left join parse_summaries s on s.sha256 = d.sha256
    where u.entry_url in ({entries}) and d.status in ('parsed', 'fetched', 'failed', 'held') and d.sha256 is not null
      -- a web archive's capture that a newer capture of the same URL replaced is history, not the response
      and (u.original_url is null or not exists (
           select 1 from document_urls n where n.original_url = u.original_url and n.captured_at > u.captured_at
           and n.sha256 is not null and n.error is null))
    order by d.id, u.first_seen_at
"""
OPTIMIZE_AFTER = 1000  # responses replaced in the search index, at the least, before it is merged into one segment
BATCH = 500  # responses rebuilt per read of their parses: what bounds the stage's memory


def build_disclosures(db: sqlite_utils.Database, corrections: hand.Corrections | None = None) -> int:
    """Bring disclosures, questions, citations and search rows up to date with the parses; return the count.

    A disclosure is one response: the documents of one listing entry, merged with every
    other entry that carries the same reference (a joint letter on both forces' logs).
    Only what changed is read again: triggers on the crawl and parse tables queue each
    listing entry whose documents, URLs or parses changed (`index_queue`), a changed
    corrections file queues the entries it names, and a new version of this module queues
    every entry. The responses those entries belong to, before and after, are grouped
    again, and each is rewritten only if what it is built from (`built_from`: its documents,
    their parses, its correction, this module's version) changed, and stamped with a new
    `updated_at` only if its rows did. Ids stay stable by key, and the build is one
    transaction, so a reader never sees half an index.
    """
    fixes = corrections if corrections is not None else hand.recorded(db)
    clock = _Clock()
    with db.atomic():
        record_revision_diffs(db)
        every = _setting(db, "index_version") != INDEX_VERSION
        digest = _corrections_digest(fixes)
        queued = None if every else _queued(db, fixes, digest)
        # Emptied first, which takes the write lock: from here no other writer can commit, so the
        # processes that may build rows (_prepared) read what this one read.
        db.execute("delete from index_queue")
        new_keys = _keys(db, queued)  # entry -> key, for each entry queued that still has documents
        affected = set(new_keys.values()) | _index_keys(db, queued)
        clock("read")
        existing = {key: (i, built) for i, key, built in _disclosures(db, None if every else affected)}
        # A response none of whose entries is left (every one was read again).
        stale = {key: i for key, (i, _) in existing.items() if key not in affected} if every else {}
        changed: list[int] = []
        asked: list[int] = []  # of those, the responses whose questions were written: the similarity stage reads no others
        due_count = 0
        # The responses the build has already, in the order of their rows, and then the new ones: the
        # table's pages are visited in their order, not all over it by key.
        keys = sorted(affected, key=lambda key: (existing[key][0] if key in existing else len(existing) + 1, key))
        members = _members(db, keys, queued, new_keys)
        facet_keys = _facet_keys(db)
        search = _SearchIndex(db)
        for prepared in _prepared(db, keys, members, existing, fixes):
            stale.update((key, existing[key][0]) for key in prepared.gone if key in existing)
            due_count += len(prepared.built)
            rewritten, questioned = _write(db, prepared.built, existing, facet_keys, search)
            changed += rewritten
            asked += questioned
        for i in stale.values():
            _delete_disclosure(db, i)
        _remember(db, queued, new_keys, digest)
        if stale or changed:
            db.execute("delete from facet_combinations where key not in ("
                       + " union ".join(f"select {c} from disclosures where {c} is not null" for c in FACET_GROUPS) + ")")
        clock("write")
        search.finish(removed=len(stale))
        clock("search index")
        link_citations(db, changed)
        clock("citations")
        compared = link_similar(db, asked)
        clock("similar")
        if compared or stale or changed:
            build_clusters(db)
        clock("clusters")
    count = _count(db)
    if stale or changed:
        # Statistics let SQLite see that the narrow (id, facet keys) index answers a search's count
        # and facets without reading the wide rows; a sample of each index is enough for the
        # spread of its values. Not for its size: sampled, an index of 200,100 rows was
        # estimated at 243,243, larger than the table, and SQLite read the wide rows instead
        # (155 ms against 101 for a word in 30%). Every index holds every row, so each is
        # given the count.
        db.execute("PRAGMA analysis_limit = 1000")
        db.execute("ANALYZE disclosures")
        db.execute("update sqlite_stat1 set stat = ? || substr(stat, instr(stat, ' ')) where tbl = 'disclosures' and instr(stat, ' ') > 0",
                   [count])
    clock("statistics")
    log.info("index: %d responses; %s entries read again, %d responses to rebuild, %d rewritten, %d removed, "
             "%d compared for similarity; seconds %s", count, "all" if queued is None else len(queued), due_count,
             len(changed), len(stale), compared, clock.laps)
    return count


def _count(db: sqlite_utils.Database) -> int:
    return db.execute("select count(*) from disclosures").fetchone()[0]


def _setting(db: sqlite_utils.Database, key: str) -> str | None:
    row = db.execute("select value from settings where key = ?", [key]).fetchone()
    return row[0] if row else None


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), BATCH):
        yield items[start:start + BATCH]


def _marks(items: Sized) -> str:
    return ",".join("?" * len(items))


def _queued(db: sqlite_utils.Database, fixes: hand.Corrections | None, digest: str) -> set[str]:
    """The entries to read again: those the triggers queued, and, when the corrections changed, those they name
    and those corrected before."""
    queued = {r[0] for r in db.execute("select distinct entry_url from index_queue")}
    if _setting(db, "index_corrections") != digest:
        named = [k.split(":", 1) for k in (fixes.by_key if fixes else {})]
        references = [value for kind, value in named if kind == "ref"] + [
            r[0] for r in db.execute("select key from disclosures where corrected = 1")]
        urls = [value for kind, value in named if kind == "url"]
        for chunk in _chunks(references):
            queued.update(r[0] for r in db.execute(f"select entry_url from index_entries where key in ({_marks(chunk)})", chunk))
        for chunk in _chunks(urls):
            queued.update(r[0] for r in db.execute(f"select entry_url from document_urls where url in ({_marks(chunk)}) "
                                                   f"or entry_url in ({_marks(chunk)})", chunk + chunk))
    return queued


def _corrections_digest(fixes: hand.Corrections | None) -> str:
    return hashlib.sha256(json.dumps(fixes.by_key if fixes else {}, sort_keys=True, default=str).encode()).hexdigest()[:32]


def _keys(db: sqlite_utils.Database, queued: set[str] | None) -> dict[str, str]:
    """Each entry's key (its letter's reference, else its listing's, else its URL), for the entries queued (None:
    every entry), read a batch at a time."""
    wanted = sorted(queued) if queued is not None else [r[0] for r in db.execute("select distinct entry_url from document_urls")]
    keys: dict[str, str] = {}
    for chunk in _chunks(wanted):
        keys.update((url, _key(entry)) for url, entry in _entries(db, chunk).items())
    return keys


def _key(entry: _Entry) -> str:
    letter = _best_letter(entry.documents.values())
    return (letter or {}).get("reference") or entry.reference or f"url:{entry.url}"


def _index_keys(db: sqlite_utils.Database, queued: set[str] | None) -> set[str]:
    """The keys the last build gave the entries queued (None: every entry)."""
    if queued is None:
        return {r[0] for r in db.execute("select distinct key from index_entries")}
    found: set[str] = set()
    for chunk in _chunks(sorted(queued)):
        found.update(r[0] for r in db.execute(f"select key from index_entries where entry_url in ({_marks(chunk)})", chunk))
    return found


def _disclosures(db: sqlite_utils.Database, keys: set[str] | None) -> Iterator[tuple[int, str, str | None]]:
    if keys is None:
        yield from db.execute("select id, key, built_from from disclosures")
        return
    for chunk in _chunks(sorted(keys)):
        yield from db.execute(f"select id, key, built_from from disclosures where key in ({_marks(chunk)})", chunk)


def _members(db: sqlite_utils.Database, keys: list[str], queued: set[str] | None, new_keys: dict[str, str]) -> dict[str, list[str]]:
    """The entries of each response: those queued, by their new keys, and the others it had."""
    members: dict[str, list[str]] = {}
    for url, key in new_keys.items():
        members.setdefault(key, []).append(url)
    if queued is not None:
        for chunk in _chunks(keys):
            for url, key in db.execute(f"select entry_url, key from index_entries where key in ({_marks(chunk)})", chunk):
                if url not in queued:
                    members.setdefault(key, []).append(url)
    return members


def _remember(db: sqlite_utils.Database, queued: set[str] | None, new_keys: dict[str, str], corrections_digest: str) -> None:
    """Record each entry's key and what this build read."""
    if queued is None:
        db.execute("delete from index_entries")
    else:
        for chunk in _chunks(sorted(queued)):
            db.execute(f"delete from index_entries where entry_url in ({_marks(chunk)})", chunk)
    db.conn.executemany("insert into index_entries (entry_url, key) values (?, ?)", new_keys.items())
    db.conn.executemany("insert or replace into settings (key, value) values (?, ?)",
                        [("index_version", INDEX_VERSION), ("index_corrections", corrections_digest)])


class _Clock:
    """Seconds spent in each step, for the stage's log line."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self.last = time.perf_counter()

    def __call__(self, step: str) -> None:
        now = time.perf_counter()
        self.laps[step], self.last = round(now - self.last, 2), now


def _groups(entries: dict[str, _Entry]) -> dict[str, list[_Entry]]:
    groups: dict[str, list[_Entry]] = {}
    for entry in entries.values():
        groups.setdefault(_key(entry), []).append(entry)
    return groups


def _reference(group: list[_Entry]) -> str | None:
    letter = _best_letter(d for e in group for d in e.documents.values()) or {}
    return letter.get("reference") or next((e.reference for e in sorted(group, key=lambda e: (e.first_seen_at, e.url)) if e.reference), None)


def _urls(group: list[_Entry]) -> list[str]:
    group = sorted(group, key=lambda e: (e.first_seen_at, e.url))
    return [e.url for e in group] + [d["url"] for e in group for d in e.documents.values() if d.get("url")]


def _built_from(key: str, group: list[_Entry], fix: dict | None) -> str:
    """A digest of everything a response's rows are built from: any change to it rebuilds the response."""
    inputs = [INDEX_VERSION, key, fix, sorted((e.url, e.first_seen_at, sorted(e.forces), sorted(e.removed_at.items()),
                                               sorted(tuple(d.items()) for d in e.documents.values())) for e in group)]
    return _digest(inputs)


def _digest(value: object) -> str:
    """A digest of plain values (str, int, None, lists, tuples, dicts in their order): equal values, equal digests."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=5)
    # Without the memo, the bytes depend on the values alone, not on which of them happen to be
    # the same object. A quarter of repr's time: 15 us against 60 for a response's rows.
    pickler.fast = True
    pickler.dump(value)
    return hashlib.sha256(out.getbuffer()).hexdigest()[:32]


@dataclass(frozen=True)
class _Batch:
    """A batch of responses read and built, with nothing written."""

    gone: list[str]  # keys with no entry left
    built: list[tuple[str, str, DisclosureRows]]  # key, what it was built from, its rows: each response due


def _prepare(db: sqlite_utils.Database, batch: list[str], members: dict[str, list[str]], built_before: dict[str, str | None],
             fixes: hand.Corrections | None) -> _Batch:
    """Read a batch of responses (at most BATCH) and build the rows of each whose inputs changed. Reads only."""
    groups = _groups(_entries(db, [entry for key in batch for entry in members.get(key, [])]))
    gone, due = [], {}
    for key in batch:
        group = groups.get(key)
        if not group:
            gone.append(key)
            continue
        fix = fixes.find(_reference(group), _urls(group)) if fixes else None
        built_from = _built_from(key, group, fix)
        if built_before.get(key) != built_from:
            due[key] = built_from
    documents: dict[int, list[dict]] = {}  # a document found at two URLs is in two entries, once for each
    for key in due:
        for e in groups[key]:
            for d in e.documents.values():
                documents.setdefault(d["id"], []).append(d)
    if documents:
        for row in db.execute(f"select d.id, p.result, p.text from documents d left join parses p on p.sha256 = d.sha256 "
                              f"where d.id in ({_marks(list(documents))})", list(documents)):
            for document in documents[row[0]]:
                # A held letter (a file inside it, a redaction not applied) is not read until it is released.
                document["letter"] = json.loads(row[1]) if row[1] and document["status"] != "held" else None
                document["attachment_text"] = row[2]
    at = now()
    built = [(key, built_from, build_rows(key, groups[key], at, fixes)) for key, built_from in due.items()]
    for _, _, rows in built:
        rows.digest  # noqa: B018 - worked out where the rows are built, which may be another process
    return _Batch(gone, built)


def _write(db: sqlite_utils.Database, built: list[tuple[str, str, DisclosureRows]], existing: dict[str, tuple[int, str | None]],
           facet_keys: dict[tuple, int], search: _SearchIndex) -> tuple[list[int], list[int]]:
    """Write a batch's rows; return the ids whose rows changed (a response rebuilt to the same rows keeps its updated_at),
    and those of them whose questions were written."""
    known = [existing[key][0] for key, _, _ in built if key in existing]
    kept = dict(db.execute(f"select id, rows_hash from disclosures where id in ({_marks(known)})", known).fetchall()) if known else {}
    changed, asked = [], []
    for key, built_from, rows in built:
        disclosure_id = existing[key][0] if key in existing else None
        if disclosure_id is not None and kept.get(disclosure_id) == rows.digest:
            db.execute("update disclosures set built_from = ? where id = ?", [built_from, disclosure_id])
            continue
        saved, questioned = _save_disclosure(db, rows, disclosure_id, facet_keys, built_from, search)
        changed.append(saved)
        if questioned:
            asked.append(saved)
    return changed, asked


class _SearchIndex:
    """The search rows a build writes, replaced in place, and the merge of the index's segments after."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.replaced = 0  # rows that had a search row before, replaced

    def write(self, disclosure_id: int, values: tuple[str, str, str, str], existed: bool) -> None:
        if existed:
            self.replaced += 1
            self.db.execute("delete from disclosures_fts where rowid = ?", [disclosure_id])
        self.db.execute(f"insert into disclosures_fts (rowid, {', '.join(FTS_COLUMNS)}) values (?, {_marks(FTS_COLUMNS)})",
                        [disclosure_id, *values])

    def finish(self, removed: int) -> None:
        # A replaced row stays in the index, marked deleted, until its segment is merged: after a
        # rebuild of 200,000 the index was three times its size, and a common word took 55 ms to
        # find instead of 34. Merged into one when a tenth or more was replaced (15 s at 200,000);
        # the nightly few are merged as they go. (Writing a second index afresh instead, to spare
        # FTS5 tokenising each replaced row again to delete it, was measured and gained nothing:
        # 62 s against 63 to 65 for every listing retitled at 200,000, the old index's drop and
        # the larger commit taking back what the writes saved.)
        replaced = self.replaced + removed
        if replaced >= OPTIMIZE_AFTER and replaced >= (_count(self.db) + removed) // 10:
            self.db.execute("insert into disclosures_fts (disclosures_fts) values ('optimize')")


PARALLEL_FROM = 8  # batches due to be read, at the least, before they are built in other processes
# Processes building rows beside a large build, at the most (and no more than the CPUs): each takes about 64 MB.
# With one, a rebuild whose rows mostly read the same waited on it for a third of its time.
BUILDERS = 2


def _prepared(db: sqlite_utils.Database, keys: list[str], members: dict[str, list[str]],
              existing: dict[str, tuple[int, str | None]], fixes: hand.Corrections | None) -> Iterator[_Batch]:
    """Each batch of the keys read and built, in order.

    Many batches are built in other processes (pipelines.build_rows), each taking every BUILDERS-th
    batch, while this one writes: on 2 cores, building and writing each took about half of a full
    build. They read the database as this build does: WAL gives them the database as it was before
    this build's transaction, which holds the write lock, and the build writes none of what they
    read. Should one fail or be killed, the batches not handed back yet are built here.
    """
    batches = [keys[start:start + BATCH] for start in range(0, len(keys), BATCH)]

    def args(batch: list[str]) -> tuple:
        return batch, {k: members.get(k, []) for k in batch}, {k: existing[k][1] for k in batch if k in existing}, fixes

    path = db.execute("select file from pragma_database_list where name = 'main'").fetchone()[0]
    done = 0
    cpus = os.cpu_count() or 1
    count = min(BUILDERS, cpus)
    if len(batches) >= PARALLEL_FROM and path and cpus > 1:
        with contextlib.ExitStack() as stack:
            errors = [stack.enter_context(tempfile.TemporaryFile()) for _ in range(count)]
            builders = [stack.enter_context(_RowBuilder(path, stream)) for stream in errors]
            for n, builder in enumerate(builders):
                # Each batch's request is made as it is sent: made all at once, they copied every key's entries.
                threading.Thread(target=builder.send, args=(map(args, batches[n::count]),), daemon=True).start()
            try:
                for _ in batches:
                    yield builders[done % count].receive()
                    done += 1
            except Exception:  # noqa: BLE001 - whatever stopped it, the batches left are built here
                stream = errors[done % count]
                stream.seek(0)
                last = (stream.read().decode(errors="replace").strip().splitlines() or ["no message"])[-1]
                log.warning("index: a process building rows stopped after %d of %d batches (%s); building the rest here",
                            done, len(batches), last[:200])
    for batch in batches[done:]:
        yield _prepare(db, *args(batch))


class _RowBuilder:
    """A process building rows, with its batches sent in a thread of its own and received in order in another."""

    def __init__(self, path: str, errors: IO[bytes]) -> None:
        root = str(Path(__file__).resolve().parent.parent)  # where pipelines is importable from, installed or not
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
        self.process = subprocess.Popen([sys.executable, "-m", "pipelines.build_rows", path], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=errors, env=env)

    def send(self, batches: Iterable[tuple]) -> None:
        # Its own thread: a batch's request and another's reply may both fill their pipes at once.
        assert self.process.stdin is not None
        try:
            with self.process.stdin:
                for batch in batches:
                    pickle.dump(batch, self.process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        except OSError:  # it stopped; receive() reports it
            pass

    def receive(self) -> _Batch:
        assert self.process.stdout is not None
        return pickle.load(self.process.stdout)

    def __enter__(self) -> _RowBuilder:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()


def link_citations(db: sqlite_utils.Database, changed: list[int]) -> None:
    """Link each response rewritten to the earlier ones its letter cites by reference, on either force's log,
    and the responses that cite it to it."""
    if not changed:
        return
    # The ids from a table, not written into the statements: SQLite held 200,000 of them as an
    # expression each, 130 MB.
    db.execute("create temp table if not exists citing (id integer primary key)")
    db.execute("delete from temp.citing")
    db.conn.executemany("insert or ignore into temp.citing (id) values (?)", ((i,) for i in changed))
    db.execute("delete from disclosure_links where kind = 'cited' and (earlier_id in (select id from temp.citing) "
               "or later_id in (select id from temp.citing))")
    db.execute("""
        insert or ignore into disclosure_links (earlier_id, later_id, kind, detail)
        select e.id, d.id, 'cited', 'the letter cites FOI ' || c.value
        from disclosures d, json_each(d.cited_references) c join disclosures e on e.reference = c.value
        where e.id != d.id and (d.id in (select id from temp.citing) or e.id in (select id from temp.citing))""")
    db.execute("drop table temp.citing")


def record_revision_diffs(db: sqlite_utils.Database) -> None:
    """For each kept earlier version, the difference of its letter text to the current one (once both are parsed)."""
    rows = db.query("""
        select v.id, old.result as old_result, new.result as new_result from document_versions v
        join documents d on d.id = v.document_id
        join parses old on old.sha256 = v.sha256 join parses new on new.sha256 = d.sha256
        where v.diff is null""")
    for row in list(rows):
        before, after = _letter_text(row["old_result"]), _letter_text(row["new_result"])
        diff = "\n".join(difflib.unified_diff(before, after, "earlier version", "revised version", lineterm="", n=1))
        db.table("document_versions").update(row["id"], {"diff": diff or "(the letter's text is the same)"})


def _letter_text(result: str | None) -> list[str]:
    letter = json.loads(result) if result else {}
    lines = []
    for q in letter.get("questions", []):
        lines += [f"Q{q['number']} {q['text']}", *(q["answer"] or "(answered as a whole)").splitlines()]
    return lines + [f"outcome: {letter.get('outcome')}", "exemptions: " + ", ".join(e["code"] for e in letter.get("exemptions", []))]


def _entries(db: sqlite_utils.Database, wanted: list[str]) -> dict[str, _Entry]:
    """The listing entries wanted, with their documents' identity and state (not their parses)."""
    entries: dict[str, _Entry] = {}
    for chunk in _chunks(wanted):
        cursor = db.execute(_LIGHT.format(entries=_marks(chunk)), chunk)
        names = [c[0] for c in cursor.description]
        for values in cursor:
            _add(entries, dict(zip(names, values)))
    return entries


def _add(entries: dict[str, _Entry], row: dict) -> None:
    entry = entries.setdefault(row["entry_url"], _Entry(url=row["entry_url"], first_seen_at=row["first_seen_at"]))
    if row["url"] == row["entry_url"] or entry.title is None:
        entry.title = row["title"] or entry.title
        entry.reference = row["listing_reference"] or entry.reference
        entry.published_date = row["published_date"] or entry.published_date
    entry.first_seen_at = min(entry.first_seen_at, row["first_seen_at"])
    if row["force"]:
        entry.forces.add(row["force"])
    entry.documents[row["id"]] = row
    entry.removed_at[row["id"]] = row["removed_at"]
    entry.revised_at = max(filter(None, [entry.revised_at, row["revised_at"]]), default=None)


def _letter_summary(document: dict) -> tuple[bool, str | None, int]:
    """Whether a document has a letter, its reference and how many questions: from the letter once it is read,
    else from the parse's summary (parse_summaries, kept from the parse by the database itself)."""
    if "letter" in document:
        letter = document["letter"]
        return (True, letter.get("reference"), len(letter.get("questions") or [])) if letter else (False, None, 0)
    # A held letter (a file inside it, a redaction not applied) is not read until it is released.
    readable = document.get("question_count") is not None and document.get("status") != "held"
    return (True, document.get("letter_reference"), document["question_count"]) if readable else (False, None, 0)


def _best_letter(documents: object) -> dict | None:
    """The document that reads most like the response letter: a reference, then most questions."""
    candidates = [(d, _letter_summary(d)) for d in documents if _letter_summary(d)[0]]  # type: ignore[attr-defined]
    if not candidates:
        return None
    # Of a web archive's captures, the newest: a letter revised after it was first captured.
    best, (_, reference, _) = min(candidates, key=lambda c: (c[1][1] is None, -c[1][2], KIND_PREFERENCE.get(c[0]["kind"], 9),
                                                              -int(re.sub(r"\D", "", c[0].get("captured_at") or "") or 0), c[0]["id"]))
    return {**(best.get("letter") or {"reference": reference}), "document_id": best["id"]}


@dataclass(frozen=True)
class DisclosureRows:
    """Every row one disclosure is written as, decided from its entries alone (build_rows)."""

    row: dict[str, object]  # the disclosures row, without its facet keys
    questions: list[dict[str, object]]
    citations: list[dict[str, object]]
    search: tuple[str, str, str, str]  # the search index's title, questions, answers and attachments
    documents: list[int]  # the documents that belong to it

    @functools.cached_property
    def digest(self) -> str:
        """What the rows say, apart from when they were written: equal digests, nothing to write."""
        # The default facets' groups are in it: a new grouping gives every row new facet keys.
        content = [{k: v for k, v in self.row.items() if k != "updated_at"}, self.questions, self.citations, self.search, self.documents,
                   list(COMBINED_FACETS), FACET_GROUPS]
        return _digest(content)


def build_rows(key: str, group: list[_Entry], updated_at: str, corrections: hand.Corrections | None = None) -> DisclosureRows:
    """One disclosure's rows from the entries that share its key: the best letter's fields (with
    any correction by hand put over them), the listings' titles and dates, and the earliest URL.
    Pure: no database."""
    group = sorted(group, key=lambda e: (e.first_seen_at, e.url))
    letter = _best_letter(d for e in group for d in e.documents.values()) or {}
    forces = letter.get("forces") or sorted({f for e in group for f in e.forces})
    reference = _reference(group)
    reasons = _review_reasons(letter, reference)
    fix = corrections.find(reference, _urls(group)) if corrections else None
    if fix:
        letter = hand.apply(letter, fix)
    published = min((e.published_date for e in group if e.published_date), default=None)
    letter_date = letter.get("letter_date")
    year = (letter_date or published or letter.get("received_date") or "")[:4]
    questions = letter.get("questions") or []
    citations = letter.get("exemptions") or []
    removals = [at for e in group for at in e.removed_at.values()]
    title = next((e.title for e in group if e.title), None) or (f"FOI {reference}" if reference else None)
    row = {
        "key": key,
        "reference": reference,
        # Where the reference came from: the letter itself, or (failing that) the log's listing.
        "reference_from": "letter" if letter.get("reference") else ("listing" if reference else None),
        "title": title,
        "force": " and ".join(forces) if forces else None,
        "url": group[0].url,
        "published_date": published,
        "letter_date": letter_date,
        "received_date": letter.get("received_date"),
        "correct_as_of": letter.get("correct_as_of"),
        "year": int(year) if year.isdigit() else None,
        "outcome": letter.get("outcome"),
        "exemption_sections": json.dumps(sorted({f"s{c['section']}" for c in citations}, key=lambda s: (len(s), s))),
        "exemption_codes": json.dumps([c["code"] for c in citations]),
        "question_count": len(questions),
        "forces": json.dumps(forces),
        # A reading that did not add up waits for a look, unless someone has already corrected it.
        "needs_review": int(bool(reasons) and not fix),
        "review_reasons": json.dumps(reasons),
        "corrected": int(bool(fix)),
        "correction_note": (fix or {}).get("note") or None,
        "response_working_days": (days := working_days(letter.get("received_date"), letter_date)),
        "late": is_late(days),
        "cited_references": json.dumps(letter.get("cited_references") or []),
        "document_id": letter.get("document_id"),
        "first_seen_at": group[0].first_seen_at,
        # Still searchable when it leaves the log, with the date it left (every document gone).
        "removed_at": max(removals) if removals and all(removals) else None,
        "revised_at": max(filter(None, (e.revised_at for e in group)), default=None),
        "updated_at": updated_at,
    }
    return DisclosureRows(
        row=row,
        questions=[{"number": q["number"], "position": i, "question": q["text"], "answer": q["answer"],
                    "outcome": _answer_outcome(q)} for i, q in enumerate(questions)],
        citations=[{"code": f"s{c['section']}", "cited_as": c["code"], "questions": json.dumps(c.get("questions", []))}
                   for c in citations],
        search=(title or "", "\n".join(q["text"] for q in questions), "\n".join(q["answer"] for q in questions if q["answer"]),
                "\n".join(dict.fromkeys(_searchable(d) for e in group for d in e.documents.values() if d.get("attachment_text")))),
        documents=[d for e in group for d in e.documents],
    )


def _answer_outcome(question: dict) -> str | None:
    """How the answer answers: as the parse read it, or (a parse from before it did, a correction's question) read now."""
    if "outcome" in question:
        return question["outcome"]
    return classify_answer(question["answer"]) if question["answer"] else None


def _searchable(document: dict) -> str:
    """An attachment's visible text as the search index holds it: a held file's without what looks like personal data."""
    text = str(document["attachment_text"])
    return redact(text) if document.get("status") == "held" else text


def _review_reasons(letter: dict, reference: str | None) -> list[str]:
    """What did not add up in the parser's reading: its warnings, or that no letter could be read."""
    if not letter:
        return ["no letter could be read from the documents"]
    # A reference that the listing supplies is not missing.
    return [w for w in letter.get("warnings", []) if not (reference and w == "no reference found in the letter")]


def _facet_keys(db: sqlite_utils.Database) -> dict[tuple, int]:
    """Each facet group's combinations so far: (group, its facets' values) -> key."""
    keys = {}
    for group, facets in FACET_GROUPS.items():
        for key, *values in db.execute(f"select key, {', '.join(facets)} from facet_combinations where facet_group = ?", [group]):
            keys[(group, *values)] = key
    return keys


def _save_disclosure(db: sqlite_utils.Database, rows: DisclosureRows, disclosure_id: int | None,
                     facet_keys: dict[tuple, int], built_from: str, search: _SearchIndex) -> tuple[int, bool]:
    """Write one disclosure's rows, replacing what its id held; return its id, and whether its questions were written."""
    row = {**rows.row, "built_from": built_from, "rows_hash": rows.digest}
    for group, facets in FACET_GROUPS.items():
        values = (group, *(row[c] for c in facets))
        if values not in facet_keys:
            facet_keys[values] = db.execute(f"insert into facet_combinations (facet_group, {', '.join(facets)}) values ({', '.join('?' * len(values))})",
                                            values).lastrowid
        row[group] = facet_keys[values]
    row["facet_key"] = None  # the single combination of an older shape: nothing reads it
    questions = [(q["number"], q["position"], q["question"], q["answer"], q["outcome"]) for q in rows.questions]
    citations = [(c["code"], c["cited_as"], c["questions"]) for c in rows.citations]
    if disclosure_id is None:
        columns = list(row)
        disclosure_id = db.execute(f"insert into disclosures ({', '.join(columns)}) values ({', '.join('?' * len(columns))})",
                                   [row[c] for c in columns]).lastrowid
        assert disclosure_id is not None
        write_questions = write_citations = write_search = True
        existed = False
    else:
        # Only what differs is written again. A new parser or index version rewrites every response
        # whose rows changed at all, and most change in a column or two: the search row alone, deleted
        # and inserted again, cost more than all of a response's other writes.
        cursor = db.execute("select * from disclosures where id = ?", [disclosure_id])
        old = dict(zip([c[0] for c in cursor.description], cursor.fetchone()))
        differ = [c for c, v in row.items() if old.get(c) != v]
        if differ:
            db.execute(f"update disclosures set {', '.join(f'[{c}] = ?' for c in differ)} where id = ?",
                       [*(row[c] for c in differ), disclosure_id])
        write_questions = questions != db.execute("select number, position, question, answer, outcome from questions "
                                                  "where disclosure_id = ? order by position", [disclosure_id]).fetchall()
        write_citations = sorted(citations, key=repr) != sorted(db.execute(
            "select code, cited_as, questions from disclosure_exemptions where disclosure_id = ?", [disclosure_id]).fetchall(), key=repr)
        old_search = db.execute(f"select {', '.join(FTS_COLUMNS)} from disclosures_fts where rowid = ?", [disclosure_id]).fetchone()
        write_search, existed = tuple(rows.search) != old_search, old_search is not None
        if write_questions:
            db.execute("delete from questions where disclosure_id = ?", [disclosure_id])
        if write_citations:
            db.execute("delete from disclosure_exemptions where disclosure_id = ?", [disclosure_id])
    if write_questions:
        db.conn.executemany("insert into questions (disclosure_id, number, position, question, answer, outcome) values (?, ?, ?, ?, ?, ?)",
                            [(disclosure_id, *q) for q in questions])
    if write_citations:
        db.conn.executemany("insert into disclosure_exemptions (disclosure_id, code, cited_as, questions) values (?, ?, ?, ?)",
                            [(disclosure_id, *c) for c in citations])
    if write_search:
        search.write(disclosure_id, rows.search, existed)
    db.execute(f"update documents set disclosure_id = ? where id in ({','.join('?' * len(rows.documents))}) and disclosure_id is not ?",
               [disclosure_id, *rows.documents, disclosure_id])
    return disclosure_id, write_questions


def _clear_children(db: sqlite_utils.Database, disclosure_id: int) -> None:
    for table in ("questions", "disclosure_exemptions"):
        db.execute(f"delete from {table} where disclosure_id = ?", [disclosure_id])
    db.execute("delete from disclosures_fts where rowid = ?", [disclosure_id])


def _delete_disclosure(db: sqlite_utils.Database, disclosure_id: int) -> None:
    _clear_children(db, disclosure_id)
    db.execute("update documents set disclosure_id = null where disclosure_id = ?", [disclosure_id])
    forget(db, disclosure_id)
    db.execute("delete from disclosure_links where earlier_id = ? or later_id = ?", [disclosure_id, disclosure_id])
    db.execute("delete from disclosures where id = ?", [disclosure_id])
