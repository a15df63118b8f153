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
    skipped: int = 0  # known entries not due for a revisit this run
    problems: list[str] = field(default_factory=list)


class DbArchive:
    """Validators and stored bodies for conditional requests, from document_urls and the file store."""

    def __init__(self, db: sqlite_utils.Database, store: FileStore):
        self.db, self.store = db, store

    def _row(self, url: str) -> dict | None:
        rows = list(self.db.query("select etag, last_modified, sha256 from document_urls where url = ?", [url]))
        return rows[0] if rows else None

    def validators(self, url: str) -> tuple[str | None, str | None] | None:
        row = self._row(url)
        if not row or not row["sha256"] or not (row["etag"] or row["last_modified"]):
            return None
        if not self.store.path(row["sha256"]).exists():
            return None  # nothing to reuse: ask for the full body
        return row["etag"], row["last_modified"]

    def stored_body(self, url: str) -> bytes | None:
        row = self._row(url)
        return self.store.get(row["sha256"]) if row and row["sha256"] else None


def revisit_schedule(db: sqlite_utils.Database, days: int, today: dt.date | None = None) -> Due:
    """Whether an entry URL is due to be fetched this run (see the module's revalidation policy)."""
    today = today or dt.datetime.now(dt.timezone.utc).date()
    overdue = (dt.datetime.combine(today, dt.time(), dt.timezone.utc) - dt.timedelta(days=days)).isoformat()

    def due(url: str) -> bool:
        if days == 0:
            return True
        rows = list(db.query("select sha256, error, last_checked_at from document_urls where url = ?", [url]))
        if not rows or not rows[0]["sha256"] or rows[0]["error"] or not rows[0]["last_checked_at"]:
            return True
        if rows[0]["last_checked_at"] < overdue:
            return True
        return zlib.crc32(url.encode()) % days == today.toordinal() % days

    return due


def crawl(db: sqlite_utils.Database, store: FileStore, sources: list[Source], run_id: int,
          transport: httpx.BaseTransport | None = None) -> CrawlCounts:
    """Crawl each source in turn; a failing source is recorded and the next one goes on."""
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
    for source in sources:
        fetcher.allow(source.allowed_hosts, source.requests_per_second)
    try:
        with Progress() as progress:
            for source in sources:
                current[0] = source.name
                before = (counts.new, counts.failed)
                stats, found = _crawl_source(db, store, fetcher, source, counts, progress, run_id)
                db.table("source_runs").upsert({
                    "run_id": run_id, "source": source.name, "finished_at": now(), "pages": stats.pages,
                    "pages_failed": stats.failed, "entries": found, "new": counts.new - before[0],
                    "failed": counts.failed - before[1]}, pk=("run_id", "source"))
                requests = sum(n for (name, _), n in statuses.items() if name == source.name)
                problem = _source_problem(stats, found, statuses[(source.name, 403)], requests)
                if problem:
                    counts.problems.append(f"{source.name}: {problem}")
                    log.warning("%s: %s", source.name, problem)
    finally:
        fetcher.close()
    return counts


def _crawl_source(db: sqlite_utils.Database, store: FileStore, fetcher: Fetcher, source: Source,
                  counts: CrawlCounts, progress: Progress, run_id: int) -> tuple[ListingStats, int]:
    stats = ListingStats()
    found = 0
    progress.start(source.name)
    due = revisit_schedule(db, source.revalidate_days)
    for entry in LAYOUTS[source.layout](fetcher, source, stats, due):
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
                outcome = save_document(db, store, entry, fetched, run_id)
                setattr(counts, outcome, getattr(counts, outcome) + 1)
                progress.advance(outcome)
    counts.pages += stats.pages
    if not stats.failed and found:
        mark_removed(db, source.name, run_id)
    progress.finish(f"{source.name}: {found} entries from {stats.pages} listing pages")
    return stats, found


def _source_problem(stats: ListingStats, found: int, forbidden: int, requests: int) -> str | None:
    """One line on what went wrong with a source, or None."""
    parts = []
    if forbidden:
        parts.append(f"{forbidden} of {requests} requests answered 403 Forbidden (bot protection?)")
    if stats.failed:
        parts.append(f"{stats.failed} of {stats.pages} listing pages failed (first: {(stats.errors or [''])[0]})")
    elif not found:
        parts.append(f"no entries found on {stats.pages} listing page(s) (has the site changed shape?)")
    return "; ".join(parts) or None


def touch_entry(db: sqlite_utils.Database, entry: Entry, run_id: int) -> None:
    """A known entry still listed but not revisited: its URLs are seen, nothing is fetched."""
    db.execute("update document_urls set last_seen_at = ?, last_seen_run = ?, removed_at = null where entry_url = ?",
               [now(), run_id, entry.url])
    db.execute("""update documents set removed_at = null where removed_at is not null
                  and id in (select document_id from document_urls where entry_url = ?)""", [entry.url])


def save_document(db: sqlite_utils.Database, store: FileStore, entry: Entry, fetched: Fetched, run_id: int) -> str:
    """Store one fetched document; return new, changed, unchanged, duplicate or failed.

    Documents are one per content: the same bytes at a second URL (or on the other
    force's log) add a URL to the existing document. New bytes at a known URL change the
    document and keep its earlier version in document_versions.
    """
    at = now()
    try:
        known: dict | None = db.table("document_urls").get(fetched.url)
    except NotFoundError:
        known = None
    listing = {"url": fetched.url, "source": entry.source, "force": entry.force, "entry_url": entry.url,
               "title": entry.title, "listing_reference": entry.reference, "published_date": entry.published_date,
               "link_text": entry.link_text, "size_note": entry.size_note,
               "last_seen_at": at, "last_seen_run": run_id, "last_checked_at": at, "removed_at": None}
    error = fetched.error or _content_problem(fetched)
    if error:
        log.warning("%s: %s", fetched.url, error)
        if known:
            db.table("document_urls").update(fetched.url, {**listing, "error": error})
            if known["document_id"] and not known["sha256"]:
                db.table("documents").update(known["document_id"], {"status": "failed", "error": error})
        else:
            doc_id = db.table("documents").insert({
                "source": entry.source, "url": fetched.url, "first_seen_at": at, "fetched_at": at,
                "status": "failed", "error": error}).last_pk
            db.table("document_urls").insert({**listing, "document_id": doc_id, "first_seen_at": at, "error": error})
        return "failed"

    content = fetched.content or b""
    sha256 = store.put(content, fetched.sha256)
    validators = {"etag": fetched.etag, "last_modified": fetched.last_modified, "sha256": sha256, "error": None}
    if known and known["sha256"] == sha256:
        db.table("document_urls").update(fetched.url, {**listing, **validators})
        db.execute("update documents set removed_at = null where id = ?", [known["document_id"]])
        return "unchanged"

    same = list(db.query("select id from documents where sha256 = ? limit 1", [sha256]))
    if same:
        # Known content at this URL: a duplicate URL, or a URL now serving another document.
        doc_id, outcome = same[0]["id"], "duplicate"
        if known and known["sha256"]:
            _keep_version(db, known, at)
            outcome = "changed"
        elif known:  # drop the placeholder of an earlier failed fetch
            db.table("documents").delete_where("id = ? and sha256 is null", [known["document_id"]])
    elif known and known["sha256"]:
        doc_id, outcome = known["document_id"], "changed"
        _keep_version(db, known, at)
        db.table("documents").update(doc_id, _document_fields(fetched, content, sha256, at))
    elif known:  # fetched in full after failing before
        doc_id, outcome = known["document_id"], "new"
        db.table("documents").update(doc_id, _document_fields(fetched, content, sha256, at))
    else:
        doc_id, outcome = db.table("documents").insert({
            "source": entry.source, "url": fetched.url, "first_seen_at": at,
            **_document_fields(fetched, content, sha256, at)}).last_pk, "new"
    row = {**listing, **validators, "document_id": doc_id}
    if known:
        db.table("document_urls").update(fetched.url, row)
    else:
        db.table("document_urls").insert({**row, "first_seen_at": at})
    return outcome


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


def _document_fields(fetched: Fetched, content: bytes, sha256: str, at: str) -> dict[str, object]:
    return {"sha256": sha256, "content_type": fetched.content_type, "kind": sniff(content), "bytes": len(content),
            "fetched_at": at, "status": "fetched", "error": None, "removed_at": None}


def _content_problem(fetched: Fetched) -> str | None:
    """An HTML error page served for a .pdf link is a failure, not a document."""
    if not fetched.content:
        return "empty body"
    kind = sniff(fetched.content)
    path = fetched.final_url.lower().split("?")[0]
    if path.endswith(".pdf") and kind != "pdf":
        return f"expected a PDF, got {kind} ({fetched.content_type or 'no content type'})"
    return None
