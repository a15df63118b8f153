"""The crawl stage: walk every source, store each document once, record every fetch.

Revalidation policy. Listing pages are fetched in full on every run: they are where new
entries appear. A new entry, or one whose last fetch failed, is fetched at once. A known
entry is revisited (a conditional GET: ETag / Last-Modified, a 304 reuses the archived
copy) once every `revalidate_days` days (default 30), on a night fixed by a hash of its
URL, so each run revisits about 1/30 of a log instead of all of it; an entry unchecked for
longer than that (say after missed runs) is revisited on the next run. With
`revalidate_days: 0` every run revisits every entry.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import logging
import zlib
from collections import Counter
from dataclasses import dataclass, field

import httpx
import sqlite_utils
from sqlite_utils.db import NotFoundError

from parsers.sniff import sniff
from pipelines.db import now
from pipelines.files import FileStore
from pipelines.progress import Progress
from pipelines.withdraw import withdrawn_urls
from scraper import archive
from scraper.entries import Due, Entry, ListingStats
from scraper.http import WITHDRAWN, Fetched, Fetcher
from scraper.layouts import LAYOUTS
from scraper.sources import Source

log = logging.getLogger(__name__)


@dataclass
class CrawlCounts:
    pages: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    duplicate: int = 0  # known content found at another URL (a copy, or the other force's log)
    failed: int = 0
    failed_again: int = 0  # of those, URLs that were failing already (asked again after a back-off)
    skipped: int = 0  # known entries not due for a revisit this run
    problems: list[str] = field(default_factory=list)


class DbArchive:
    """Validators and stored bodies for conditional requests, from document_urls and the file store.

    A URL whose last body was refused (an HTML page for a PDF link) keeps that body's
    validators, so that it is asked again conditionally instead of downloaded in full.
    """

    def __init__(self, db: sqlite_utils.Database, store: FileStore):
        self.db, self.store = db, store

    def _row(self, url: str) -> dict | None:
        rows = list(self.db.query("select etag, last_modified, sha256, refused from document_urls where url = ?", [url]))
        return rows[0] if rows else None

    def validators(self, url: str) -> tuple[str | None, str | None] | None:
        row = self._row(url)
        if not row or not (row["etag"] or row["last_modified"]):
            return None
        if not row["refused"] and not (row["sha256"] and self.store.path(row["sha256"]).exists()):
            return None  # nothing to reuse: ask for the full body
        return row["etag"], row["last_modified"]

    def stored_body(self, url: str) -> bytes | None:
        row = self._row(url)
        return self.store.get(row["sha256"]) if row and row["sha256"] and not row["refused"] else None

    def refused(self, url: str) -> bool:
        row = self._row(url)
        return bool(row and row["refused"])


def revisit_schedule(db: sqlite_utils.Database, days: int, today: dt.date | None = None, *, immutable: bool = False) -> Due:
    """Whether an entry URL is due to be fetched this run (see the module's revalidation policy).

    A URL that keeps failing is asked again after 1, 2, 4 ... days, at most `days` apart. An
    immutable URL (a web archive's capture) once stored is never due again.
    """
    today = today or utc_today()
    overdue = (today - dt.timedelta(days=days)).isoformat()

    def due(url: str) -> bool:
        rows = list(db.query("select sha256, error, failures, coalesce(last_checked_on, substr(last_checked_at, 1, 10)) as on_day "
                             "from document_urls where url = ?", [url]))
        if not rows or not rows[0]["on_day"]:
            return True
        row = rows[0]
        if row["error"]:
            return today >= retry_date(row["on_day"], row["failures"] or 1, days)
        if immutable and row["sha256"]:
            return False
        if days == 0 or not row["sha256"]:
            return True
        if row["on_day"] < overdue:
            return True
        return zlib.crc32(url.encode()) % days == today.toordinal() % days

    return due


def retry_date(checked_on: str, failures: int, days: int) -> dt.date:
    """When a URL that failed `failures` times in a row is next asked: 1, 2, 4 ... days on, at most `days`.

    >>> [retry_date("2026-01-01", n, 30).isoformat() for n in (1, 2, 3, 9)]
    ['2026-01-02', '2026-01-03', '2026-01-05', '2026-01-31']
    """
    wait = min(2 ** min(failures - 1, 30), max(days, 1))
    return dt.date.fromisoformat(checked_on[:10]) + dt.timedelta(days=wait)


def utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def crawl(db: sqlite_utils.Database, store: FileStore, sources: list[Source], run_id: int,
          transport: httpx.BaseTransport | None = None, today: dt.date | None = None) -> CrawlCounts:
    """Crawl each source in turn; a failing source is recorded and the next one goes on.

    `today` is the run's date, by which entries are due and checks are dated; by default the UTC date."""
    today = today or utc_today()
    counts = CrawlCounts()
    removed = store.remove_partials()
    if removed:
        log.info("removed %d partial file(s) left by an interrupted run", removed)
    statuses: Counter[tuple[str, int | None]] = Counter()
    current: list[str] = [""]

    def record(fetched: Fetched) -> None:
        statuses[(current[0], fetched.status)] += 1
        db.table("fetches").insert({
            "run_id": run_id, "source": current[0], "url": fetched.url, "final_url": fetched.final_url, "status": fetched.status,
            "etag": fetched.etag, "last_modified": fetched.last_modified,
            "sha256": fetched.sha256,
            "bytes": 0 if fetched.not_modified else len(fetched.content or b""),  # bytes downloaded
            "fetched_at": now(), "elapsed_ms": int(fetched.elapsed * 1000), "error": fetched.error,
        })

    fetcher = Fetcher(transport=transport, archive=DbArchive(db, store), on_fetch=record)
    fetcher.withdrawn = withdrawn_urls(db)
    # Everything imported so far lives as long as the process: frozen, the collector no longer
    # walks it, so a full collection takes about 1 ms instead of 30 ms, and cannot land between
    # a host's turn and the request it paces (measured at the server, that is a request early).
    # Thawed after the crawl: a frozen object is never finalised, and the database connection
    # must close at exit to fold its write-ahead log into the file.
    gc.freeze()
    for source in sources:
        fetcher.allow(source.allowed_hosts, source.requests_per_second, source.transport)
    try:
        with Progress() as progress:
            for source in sources:
                current[0] = source.name
                before = (counts.new, counts.failed)
                stats, found = _crawl_source(db, store, fetcher, source, counts, progress, run_id, today)
                requests = sum(n for (name, _), n in statuses.items() if name == source.name)
                db.table("source_runs").upsert({
                    "run_id": run_id, "source": source.name, "finished_at": now(), "pages": stats.pages,
                    "pages_failed": stats.failed, "entries": found, "new": counts.new - before[0],
                    "failed": counts.failed - before[1], "complete": int(stats.complete),
                    "requests": requests, "forbidden": statuses[(source.name, 403)], "transport": source.transport},
                    pk=("run_id", "source"))
                problem = _source_problem(stats, found, statuses[(source.name, 403)], requests, source.transport == "browser")
                if problem:
                    counts.problems.append(f"{source.name}: {problem}")
                    log.warning("%s: %s", source.name, problem)
    finally:
        fetcher.close()
        gc.unfreeze()
    return counts


def _crawl_source(db: sqlite_utils.Database, store: FileStore, fetcher: Fetcher, source: Source,
                  counts: CrawlCounts, progress: Progress, run_id: int, today: dt.date) -> tuple[ListingStats, int]:
    stats = ListingStats()
    found = 0
    progress.start(source.name)
    due = revisit_schedule(db, source.revalidate_days, today, immutable=source.layout == "archive")
    discover = LAYOUTS[source.layout]
    if source.layout == "archive":  # the captures earlier runs listed, so the index is asked only for newer ones
        discover = functools.partial(archive.discover, known=known_captures(db, source.name),
                                     remember=functools.partial(remember_captures, db, source.name))
    for entry in discover(fetcher, source, stats, due):
        found += 1
        with db.atomic():  # one transaction per entry: a kill loses at most the entry in hand
            if not entry.revisited:
                touch_entry(db, entry, run_id)
                counts.skipped += 1
                progress.advance("skipped")
            for fetched in entry.documents:
                if fetched.error == WITHDRAWN:
                    counts.skipped += 1
                    continue
                outcome = save_document(db, store, entry, fetched, run_id, today)
                if outcome == "failed_again":  # a failing URL asked again after its back-off
                    counts.failed_again += 1
                    outcome = "failed"
                setattr(counts, outcome, getattr(counts, outcome) + 1)
                progress.advance(outcome)
    counts.pages += stats.pages
    # A walk cut short or with a failed page cannot tell what has left the log; an archive forgets nothing.
    if stats.complete and found and source.layout != "archive":
        mark_removed(db, source.name, run_id)
    progress.finish(f"{source.name}: {found} entries from {stats.pages} listing pages")
    return stats, found


def known_captures(db: sqlite_utils.Database, source: str) -> tuple[archive.Capture, ...]:
    """The web archive captures a source's earlier runs listed."""
    return tuple(archive.Capture(r["timestamp"], r["original"], r["mimetype"] or "", r["digest"] or "")
                 for r in db.query("select * from archive_captures where source = ? order by timestamp", [source]))


def remember_captures(db: sqlite_utils.Database, source: str, captures: list[archive.Capture]) -> None:
    db.table("archive_captures").upsert_all(
        ({"source": source, "original": c.original, "timestamp": c.timestamp, "mimetype": c.mimetype, "digest": c.digest,
          "listed_at": now()} for c in captures), pk=("source", "original", "timestamp"))


def _source_problem(stats: ListingStats, found: int, forbidden: int, requests: int, browser: bool = False) -> str | None:
    """One line on what went wrong with a source, or None."""
    parts = []
    if forbidden:
        parts.append(f"{forbidden} of {requests} requests answered 403 Forbidden (bot protection?)"
                     + ("" if browser else ": if the site answers only browsers, set 'transport: browser' for this source"))
    if stats.failed:
        parts.append(f"{stats.failed} of {stats.pages} listing pages failed (first: {(stats.errors or [''])[0]}); "
                     "nothing marked removed")
    elif stats.cut_short:
        parts.append(f"the walk stopped at max_pages ({stats.pages} listing pages) with pages left; nothing marked removed")
    elif not found:
        parts.append(f"no entries found on {stats.pages} listing page(s) (has the site changed shape?)")
    return "; ".join(parts) or None


def touch_entry(db: sqlite_utils.Database, entry: Entry, run_id: int) -> None:
    """A known entry still listed but not revisited: its URLs are seen, nothing is fetched."""
    db.execute("update document_urls set last_seen_at = ?, last_seen_run = ?, removed_at = null where entry_url = ?",
               [now(), run_id, entry.url])
    db.execute("""update documents set removed_at = null where removed_at is not null
                  and id in (select document_id from document_urls where entry_url = ?)""", [entry.url])


@dataclass(frozen=True)
class Plan:
    """What storing one fetch does to the rows: decided by plan_document, done by save_document."""

    outcome: str  # new, changed, unchanged, duplicate or failed
    document: str  # which document the URL then points to: "known" (its own), "holder" (the content's), "insert"
    write_fields: bool = False  # the document's content fields are (re)written
    keep_version: bool = False  # the URL's earlier content is kept in document_versions
    drop_placeholder: bool = False  # the failed placeholder document of an earlier fetch is deleted
    mark_failed: bool = False  # the URL's own document, never fetched whole, is marked failed


def plan_document(known: dict | None, sha256: str | None, holder: int | None) -> Plan:
    """The rows one fetch changes, from what was known of its URL, its content's sha256 (None for a
    failure) and the document already holding that content, if any.

    Documents are one per content: the same bytes at a second URL (or on the other force's
    log) add a URL to the existing document. New bytes at a known URL change the document
    and keep its earlier version.

    >>> plan_document({"sha256": "a", "document_id": 1}, "a", 1).outcome
    'unchanged'
    >>> plan_document({"sha256": "a", "document_id": 1}, "b", None)
    Plan(outcome='changed', document='known', write_fields=True, keep_version=True, drop_placeholder=False, mark_failed=False)
    """
    if sha256 is None:
        if known is None:
            return Plan("failed", "insert")
        return Plan("failed", "known", mark_failed=bool(known["document_id"] and not known["sha256"]))
    if known and known["sha256"] == sha256:
        return Plan("unchanged", "known")
    if holder is not None:  # known content at this URL: a duplicate URL, or a URL now serving another document
        if known and known["sha256"]:
            return Plan("changed", "holder", keep_version=True)
        return Plan("duplicate", "holder", drop_placeholder=known is not None)
    if known and known["sha256"]:
        return Plan("changed", "known", write_fields=True, keep_version=True)
    if known:  # fetched in full after failing before
        return Plan("new", "known", write_fields=True)
    return Plan("new", "insert", write_fields=True)


def save_document(db: sqlite_utils.Database, store: FileStore, entry: Entry, fetched: Fetched, run_id: int,
                  today: dt.date | None = None) -> str:
    """Store one fetched document as plan_document decides; return its outcome ("failed_again" for a
    URL that was failing already)."""
    at = now()
    try:
        known: dict | None = db.table("document_urls").get(fetched.url)
    except NotFoundError:
        known = None
    listing = {"url": fetched.url, "source": entry.source, "force": entry.force, "entry_url": entry.url,
               "title": entry.title, "listing_reference": entry.reference, "published_date": entry.published_date,
               "link_text": entry.link_text, "size_note": entry.size_note,
               "last_seen_at": at, "last_seen_run": run_id, "last_checked_at": at,
               "last_checked_on": (today or utc_today()).isoformat(), "removed_at": None,
               "original_url": fetched.original_url, "captured_at": fetched.captured_at}
    error = _fetch_problem(fetched, known)
    sha256 = None if error else store.put(fetched.content or b"", fetched.sha256)
    holder = None
    if sha256:
        same = list(db.query("select id from documents where sha256 = ? limit 1", [sha256]))
        holder = same[0]["id"] if same else None
    plan = plan_document(known, sha256, holder)
    if error:
        log.warning("%s: %s", fetched.url, error)
        row = {**listing, "error": error, "failures": ((known or {}).get("failures") or 0) + 1}
        if fetched.error is None and not fetched.not_modified:
            # A body refused for what it is keeps its validators: the next check asks whether it changed.
            row |= {"etag": fetched.etag, "last_modified": fetched.last_modified, "refused": 1}
    else:
        row = {**listing, "etag": fetched.etag, "last_modified": fetched.last_modified, "sha256": sha256,
               "error": None, "failures": 0, "refused": 0}

    if plan.document == "holder":
        doc_id = holder
    elif plan.document == "known":
        doc_id = known["document_id"]  # type: ignore[index]
    elif error:
        doc_id = db.table("documents").insert({"source": entry.source, "url": fetched.url, "first_seen_at": at,
                                               "fetched_at": at, "status": "failed", "error": error}).last_pk
    else:
        doc_id = db.table("documents").insert({"source": entry.source, "url": fetched.url, "first_seen_at": at,
                                               **_document_fields(fetched, sha256, at)}).last_pk  # type: ignore[arg-type]
    if plan.keep_version:
        _keep_version(db, known, at)  # type: ignore[arg-type]
    if plan.drop_placeholder:
        db.table("documents").delete_where("id = ? and sha256 is null", [known["document_id"]])  # type: ignore[index]
    if plan.mark_failed:
        db.table("documents").update(doc_id, {"status": "failed", "error": error})
    if plan.write_fields and plan.document == "known":
        db.table("documents").update(doc_id, _document_fields(fetched, sha256, at))  # type: ignore[arg-type]
    if plan.outcome == "unchanged":
        db.execute("update documents set removed_at = null where id = ?", [doc_id])
    if known:
        db.table("document_urls").update(fetched.url, {**row, "document_id": doc_id})
    else:
        db.table("document_urls").insert({**row, "document_id": doc_id, "first_seen_at": at})
    return "failed_again" if error and known and known.get("error") else plan.outcome


def mark_removed(db: sqlite_utils.Database, source: str, run_id: int) -> None:
    """Entries no longer listed by a source that was walked completely are marked removed, not deleted.

    "Not seen in this run" is decided by run id, not by time: two runs within one second
    would otherwise see each other's entries as current.
    """
    at = now()
    with db.atomic():
        db.execute("""update document_urls set removed_at = ? where source = ? and removed_at is null
                      and (last_seen_run is null or last_seen_run != ?)""", [at, source, run_id])
        db.execute("""update documents set removed_at = ? where removed_at is null and id in (
            select document_id from document_urls group by document_id having count(removed_at) = count(*))""", [at])


def _keep_version(db: sqlite_utils.Database, known: dict, at: str) -> None:
    db.table("document_versions").insert({
        "document_id": known["document_id"], "url": known["url"], "sha256": known["sha256"],
        "fetched_at": known["last_checked_at"] or known["last_seen_at"], "replaced_at": at})


def _document_fields(fetched: Fetched, sha256: str, at: str) -> dict[str, object]:
    content = fetched.content or b""
    return {"sha256": sha256, "content_type": fetched.content_type, "kind": sniff(content), "bytes": len(content),
            "fetched_at": at, "status": "fetched", "error": None, "removed_at": None}


def _fetch_problem(fetched: Fetched, known: dict | None) -> str | None:
    """Why a fetch gives no document: the door's error, a 304 for a body refused before, or the body itself."""
    if fetched.error:
        return fetched.error
    if fetched.not_modified and fetched.content is None:
        previous = ((known or {}).get("error") or "refused before").removesuffix(" (unchanged since)")
        return f"{previous} (unchanged since)"
    return _content_problem(fetched)


def _content_problem(fetched: Fetched) -> str | None:
    """An HTML error page served for a .pdf link is a failure, not a document."""
    if not fetched.content:
        return "empty body"
    kind = sniff(fetched.content)
    path = fetched.final_url.lower().split("?")[0]
    if path.endswith(".pdf") and kind != "pdf":
        return f"expected a PDF, got {kind} ({fetched.content_type or 'no content type'})"
    return None
