"""A run: crawl, parse, index, recorded in crawl_runs from start to finish."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx
import sqlite_utils

from pipelines import corrections as hand
from pipelines.crawl import CrawlCounts, crawl
from pipelines.db import now, open_db
from pipelines.files import bind_store
from pipelines.index import build_disclosures
from pipelines.lock import run_lock
from pipelines.parse import ParseCounts, parse_pending
from scraper.sources import Source


@dataclass
class RunSummary:
    run_id: int
    crawl: CrawlCounts = field(default_factory=CrawlCounts)
    parse: ParseCounts = field(default_factory=ParseCounts)
    disclosures: int = 0
    duration_s: float = 0.0

    def line(self) -> str:
        c, p = self.crawl, self.parse
        retried = f", {p.retried} to retry" if p.retried else ""
        return (f"run {self.run_id}: {c.pages} listing pages; documents {c.new} new, {c.changed} changed, "
                f"{c.unchanged} unchanged, {c.duplicate} duplicate, {c.failed} failed; parsed {p.parsed} ({p.failed} failed{retried}); "
                f"{self.disclosures} disclosures; {self.duration_s:.1f}s")

    @property
    def all_failed(self) -> str | None:
        """Why the run failed as a whole although it went to the end: every document it tried failed."""
        c = self.crawl
        # URLs only asked again after a back-off, failing again, are not a run that failed.
        if c.failed > c.failed_again and not (c.new or c.changed or c.unchanged or c.duplicate):
            return f"every document fetched failed ({c.failed})"
        if self.parse.all_failed:
            return f"every document parsed failed ({self.parse.failed + self.parse.retried})"
        return None


def run(db_path: str | Path, data_dir: str | Path | None, sources: list[Source], *, command: str = "run",
        transport: httpx.BaseTransport | None = None, today: dt.date | None = None,
        corrections: Path | None = None) -> RunSummary:
    """The nightly job: crawl, then (unless command is "crawl") parse and index.

    Failures of single documents are recorded and the run goes on; only a failure of the
    whole run (the database or the disk) raises, after marking the run failed. `data_dir`
    None means the one recorded with the database; `corrections` None, the corrections
    file recorded with it (a file given is recorded for later index builds)."""
    with run_lock(db_path):
        db = open_db(db_path)
        store = bind_store(db, db_path, data_dir)
        with recorded_run(db, command, sources) as summary:
            summary.crawl = crawl(db, store, sources, summary.run_id, transport=transport, today=today)
            if command != "crawl":
                summary.parse = parse_pending(db, store)
                summary.disclosures = build_disclosures(db, _corrections(db, corrections))
    return summary


def parse_and_index(db_path: str | Path, data_dir: str | Path | None = None, *, reparse: bool = False,
                    corrections: Path | None = None) -> RunSummary:
    """`foilog parse`: parse what is pending (or everything), then rebuild the index."""
    with run_lock(db_path):
        db = open_db(db_path)
        store = bind_store(db, db_path, data_dir)
        with recorded_run(db, "parse", []) as summary:
            summary.parse = parse_pending(db, store, reparse=reparse)
            summary.disclosures = build_disclosures(db, _corrections(db, corrections))
    return summary


def _corrections(db: sqlite_utils.Database, path: Path | None) -> hand.Corrections:
    if path is None:
        return hand.recorded(db)
    hand.remember(db, path)
    return hand.load(path)


@contextmanager
def recorded_run(db: sqlite_utils.Database, command: str, sources: list[Source]) -> Iterator[RunSummary]:
    """A crawl_runs row from start to finish: completed, or failed with the error."""
    started = time.monotonic()
    # We hold the lock: a run still marked running was killed.
    db.execute("update crawl_runs set status = 'interrupted' where status = 'running'")
    run_id = db.table("crawl_runs").insert({
        "started_at": now(), "status": "running", "command": command,
        "sources": json.dumps([s.name for s in sources])}).last_pk
    summary = RunSummary(run_id=run_id)
    try:
        yield summary
    except BaseException as exc:
        _finish(db, summary, started, "failed", f"{type(exc).__name__}: {exc}")
        raise
    failure = summary.all_failed
    _finish(db, summary, started, "failed" if failure else "completed", failure)


def _finish(db: sqlite_utils.Database, summary: RunSummary, started: float, status: str, error: str | None) -> None:
    summary.duration_s = time.monotonic() - started
    counts = {k: v for k, v in asdict(summary.crawl).items() if k not in ("problems", "failed_again")}
    db.table("crawl_runs").update(summary.run_id, {
        "finished_at": now(), "status": status, **counts, "parsed": summary.parse.parsed,
        "parse_failed": summary.parse.failed, "parse_retried": summary.parse.retried, "duration_s": round(summary.duration_s, 3),
        "error": error or ("; ".join(summary.crawl.problems) or None)})
