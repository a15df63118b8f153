"""The parse stage: each stored file parsed once per parser version, on every core, failures recorded."""

from __future__ import annotations

import gc
import json
import logging
import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import sqlite_utils

from parsers import ParseError
from parsers.document import PARSER_VERSION, parse_document
from pipelines.db import now
from pipelines.files import FileStore

log = logging.getLogger(__name__)

# Kinds of file that hold no letter: recorded as parsed, with nothing to read.
NOT_LETTERS = ("zip", "text", "binary")
FILE_TIMEOUT = 300  # seconds one file may take (OCR of a long scan included) before it is given up
IN_PROCESS_BELOW = 4  # fewer files than this are not worth starting worker processes for


@dataclass
class ParseCounts:
    parsed: int = 0
    failed: int = 0


def parse_pending(db: sqlite_utils.Database, store: FileStore, *, reparse: bool = False,
                  workers: int | None = None) -> ParseCounts:
    """Parse every stored document whose content has no parse by the current parser version."""
    conditions = ["d.sha256 is not null", "d.status != 'withdrawn'"]
    if not reparse:
        conditions.append("(p.sha256 is null or p.parser_version != :version)")
    pending = [(r["sha256"], r["kind"]) for r in db.query(
        "select distinct d.sha256, d.kind from documents d left join parses p on p.sha256 = d.sha256 "
        f"where {' and '.join(conditions)}", {"version": PARSER_VERSION})]
    counts = ParseCounts()
    for sha256, result, error in parse_files(pending, store, workers):
        with db.atomic():  # one file at a time: a killed run keeps every parse already made
            db.table("parses").upsert({"sha256": sha256, "parser_version": PARSER_VERSION, "parsed_at": now(),
                                       "result": result, "error": error}, pk="sha256")
            db.execute("update documents set status = ?, error = ? where sha256 = ? and status != 'withdrawn'",
                       ["failed" if error else "parsed", error, sha256])
        if error:
            counts.failed += 1
            log.warning("could not parse %s: %s", sha256[:12], error)
        else:
            counts.parsed += 1
    return counts


def parse_files(pending: list[tuple[str, str]], store: FileStore,
                workers: int | None = None) -> Iterator[tuple[str, str | None, str | None]]:
    """(sha256, result JSON, error) for each file, in parallel on all cores when there are several."""
    jobs = [(sha256, str(store.path(sha256)), kind) for sha256, kind in pending]
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(jobs) < IN_PROCESS_BELOW:
        tune_gc()
        yield from map(parse_job, jobs)
        return
    # No max_tasks_per_child: with it, Python 3.11's pool can hang when it replaces a worker.
    with ProcessPoolExecutor(max_workers=workers, initializer=tune_gc) as pool:
        yield from pool.map(parse_job, jobs, chunksize=4)


def tune_gc() -> None:
    """pdfminer makes millions of short-lived objects: collecting less often saves about a tenth of the time."""
    gc.set_threshold(50_000, 20, 100)


def parse_job(job: tuple[str, str, str]) -> tuple[str, str | None, str | None]:
    """Parse one stored file; never raises (a parser crash becomes the file's error)."""
    sha256, path, kind = job
    if kind in NOT_LETTERS:
        return sha256, None, None  # an attachment such as a spreadsheet: kept and linked, not read as a letter
    try:
        data = Path(path).read_bytes()
    except OSError:
        return sha256, None, "file missing from the store"
    try:
        with TimeLimit(FILE_TIMEOUT):
            return sha256, json.dumps(parse_document(data).to_json()), None
    except TimedOut:
        return sha256, None, f"took longer than {FILE_TIMEOUT}s to parse"
    except ParseError as exc:
        return sha256, None, str(exc)
    except Exception as exc:  # a parser bug on one file must not stop the run
        log.exception("parser crashed on %s", sha256)
        return sha256, None, f"parser crashed: {type(exc).__name__}: {exc}"


class TimedOut(BaseException):
    """Not an Exception: pdfminer's own `except Exception` blocks must not swallow it."""


class TimeLimit:
    """Raise TimedOut in the block after `seconds` (by SIGALRM, in a process's main thread)."""

    def __init__(self, seconds: int):
        self.seconds = seconds
        self.armed = False

    def __enter__(self) -> None:
        # Only the main thread of a process may take SIGALRM; elsewhere run unbounded.
        if threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGALRM"):
            signal.signal(signal.SIGALRM, self._expire)
            signal.alarm(self.seconds)
            self.armed = True

    def __exit__(self, *exc: object) -> None:
        if self.armed:
            signal.alarm(0)

    def _expire(self, signum: int, frame: object) -> None:
        raise TimedOut()

