"""The parse stage: each stored file parsed once per parser version, on every core, failures recorded."""

from __future__ import annotations

import gc
import json
import logging
import os
import signal
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path

import sqlite_utils

from parsers import ParseError
from parsers.document import parse_document
from parsers.version import PARSER_VERSION
from pipelines.db import now
from pipelines.files import FileStore

log = logging.getLogger(__name__)

# Kinds of file that hold no letter: recorded as parsed, with nothing to read.
NOT_LETTERS = ("zip", "text", "binary")
FILE_TIMEOUT = 300  # seconds one file may take (OCR of a long scan included) before it is given up
MAX_ATTEMPTS = 3  # runs in a row a file may hit a time or memory limit before that is its recorded failure
IN_PROCESS_BELOW = 4  # fewer files than this are not worth starting worker processes for


@dataclass
class ParseCounts:
    parsed: int = 0
    failed: int = 0  # the document's own fault: recorded, not tried again until the parser changes
    retried: int = 0  # the environment's fault (file missing, disk, a worker killed): tried again next run

    @property
    def all_failed(self) -> bool:
        return self.parsed == 0 and (self.failed + self.retried) > 0


@dataclass(frozen=True)
class Outcome:
    """What parsing one stored file came to."""

    sha256: str
    result: str | None = None  # the letter as JSON, or None for a file that holds no letter
    error: str | None = None  # why the document cannot be read: its recorded fate
    retry: str | None = None  # why it could not be parsed this time: not its fate, tried again
    counted: bool = False  # a retry that counts towards MAX_ATTEMPTS (a time limit), not an absent file


def parse_pending(db: sqlite_utils.Database, store: FileStore, *, reparse: bool = False,
                  workers: int | None = None) -> ParseCounts:
    """Parse every stored document whose content has no parse by the current parser version."""
    conditions = ["d.sha256 is not null"]
    if not reparse:
        conditions.append("(p.sha256 is null or p.parser_version != :version)")
    pending = [(r["sha256"], r["kind"]) for r in db.query(
        "select distinct d.sha256, d.kind from documents d left join parses p on p.sha256 = d.sha256 "
        f"where {' and '.join(conditions)}", {"version": PARSER_VERSION})]
    counts = ParseCounts()
    for outcome in parse_files(pending, store, workers):
        with db.atomic():  # one file at a time: a killed run keeps every parse already made
            outcome = save_outcome(db, outcome)
        if outcome.retry:
            counts.retried += 1
            log.warning("could not parse %s this time, will retry: %s", outcome.sha256[:12], outcome.retry)
        elif outcome.error:
            counts.failed += 1
            log.warning("could not parse %s: %s", outcome.sha256[:12], outcome.error)
        else:
            counts.parsed += 1
    return counts


def save_outcome(db: sqlite_utils.Database, outcome: Outcome) -> Outcome:
    """Record a parse (or a failure that is the document's fate), or count a retry; return what was recorded.

    A retry that keeps happening for a reason of the file's own (a time limit, MAX_ATTEMPTS
    runs in a row) becomes its recorded failure, so that one file cannot hold every run up.
    """
    retries = db.table("parse_retries")
    if outcome.retry:
        before = next(iter(db.query("select attempts from parse_retries where sha256 = ? and parser_version = ?",
                                    [outcome.sha256, PARSER_VERSION])), {"attempts": 0})["attempts"]
        attempts = before + 1 if outcome.counted else before
        if attempts < MAX_ATTEMPTS:
            retries.upsert({"sha256": outcome.sha256, "parser_version": PARSER_VERSION, "attempts": attempts,
                            "error": outcome.retry, "at": now()}, pk="sha256")
            db.execute("update documents set error = ? where sha256 = ?",
                       [f"not parsed yet, will retry: {outcome.retry}", outcome.sha256])
            return outcome
        outcome = replace(outcome, retry=None, error=f"{outcome.retry} ({attempts} attempts)")
    db.table("parses").upsert({"sha256": outcome.sha256, "parser_version": PARSER_VERSION, "parsed_at": now(),
                               "result": outcome.result, "error": outcome.error}, pk="sha256")
    db.execute("update documents set status = ?, error = ? where sha256 = ?",
               ["failed" if outcome.error else "parsed", outcome.error, outcome.sha256])
    retries.delete_where("sha256 = ?", [outcome.sha256])
    return outcome


def parse_files(pending: list[tuple[str, str]], store: FileStore, workers: int | None = None) -> Iterator[Outcome]:
    """The outcome of each file, in parallel on all cores when there are several."""
    jobs = [(sha256, str(store.path(sha256)), kind) for sha256, kind in pending]
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(jobs) < IN_PROCESS_BELOW:
        tune_gc()
        yield from map(parse_job, jobs)
        return
    done: set[str] = set()
    try:
        # No max_tasks_per_child: with it, Python 3.11's pool can hang when it replaces a worker.
        with ProcessPoolExecutor(max_workers=workers, initializer=tune_gc) as pool:
            for outcome in pool.map(parse_job, jobs, chunksize=4):
                done.add(outcome.sha256)
                yield outcome
    except BrokenProcessPool:  # a worker was killed (the OOM killer, say): the rest wait for the next run
        yield from (Outcome(sha256, retry="a parse worker died") for sha256, _, _ in jobs if sha256 not in done)


def tune_gc() -> None:
    """pdfminer makes millions of short-lived objects: collecting less often saves about a tenth of the time."""
    gc.set_threshold(50_000, 20, 100)


def parse_job(job: tuple[str, str, str]) -> Outcome:
    """Parse one stored file; never raises (a parser crash becomes the file's error)."""
    sha256, path, kind = job
    if kind in NOT_LETTERS:  # an attachment such as a spreadsheet: kept and linked, not read as a letter
        return Outcome(sha256) if Path(path).is_file() else Outcome(sha256, retry="file missing from the store")
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return Outcome(sha256, retry="file missing from the store")
    except OSError as exc:
        return Outcome(sha256, retry=f"could not read the stored file: {exc.strerror or exc}")
    try:
        with TimeLimit(FILE_TIMEOUT):
            return Outcome(sha256, result=json.dumps(parse_document(data).to_json()))
    except TimedOut:
        return Outcome(sha256, retry=f"took longer than {FILE_TIMEOUT}s to parse", counted=True)
    except ParseError as exc:
        return Outcome(sha256, error=str(exc))
    except MemoryError:
        return Outcome(sha256, retry="ran out of memory", counted=True)
    except Exception as exc:  # a parser bug on one file must not stop the run
        log.exception("parser crashed on %s", sha256)
        return Outcome(sha256, error=f"parser crashed: {type(exc).__name__}: {exc}")


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

