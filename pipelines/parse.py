"""The parse stage: each stored file parsed once per parser version, on every core, failures recorded."""

from __future__ import annotations

import gc
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import sqlite_utils

from parsers import ParseError
from parsers.document import parse_document
from parsers.outcome import classify_answer
from parsers.pdf import Reader
from parsers.version import PARSER_VERSION
from pipelines.db import now
from pipelines.files import FileStore, TooLarge, read_capped
from pipelines.sandbox import Died, Limits, Sandbox

log = logging.getLogger(__name__)

# Kinds of file that hold no letter: recorded as parsed, with nothing to read.
NOT_LETTERS = ("zip", "text", "binary")
LIMITS = Limits()  # what one document may take: CPU time, wall clock, memory (pipelines/sandbox.py)
MAX_FILE_BYTES = 100 * 1024 * 1024  # a letter is a few MB; the crawler keeps nothing over 50 MB
MAX_ATTEMPTS = 3  # runs in a row a file may be stopped for the machine's sake before that is its recorded failure


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
    audit: str | None = None  # an attachment's audit as JSON: {"verdict", "findings"} (or its "error")
    text: str | None = None  # an attachment's visible text, for the search index


def parse_pending(db: sqlite_utils.Database, store: FileStore, *, reparse: bool = False,
                  workers: int | None = None, limits: Limits = LIMITS) -> ParseCounts:
    """Parse every stored document whose content has no parse by the current parser version."""
    # Both read from narrow covering indexes, not the wide rows: 0.8 s at 430,000 documents,
    # where a join reading each parse's row took 2.4 s on a night with nothing to parse.
    current = "" if reparse else " and sha256 not in (select sha256 from parses where parser_version = :version)"
    pending = [(r["sha256"], r["kind"]) for r in db.query(
        f"select distinct sha256, kind from documents where sha256 is not null{current}", {"version": PARSER_VERSION})]
    counts = ParseCounts()
    for outcome in parse_files(pending, store, workers, limits):
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
                               "result": outcome.result, "error": outcome.error, "audit": outcome.audit, "text": outcome.text},
                              pk="sha256")
    audit = json.loads(outcome.audit or "{}")
    flagged = holds(audit)
    released = flagged and db.execute("select 1 from releases where sha256 = ?", [outcome.sha256]).fetchone() is not None
    status = "failed" if outcome.error else "held" if flagged and not released else "parsed"
    # An attachment that could not be audited is held, and says why (a zip bomb, a million cells).
    error = outcome.error or (f"not audited: {audit['error']}" if audit.get("error") else None)
    db.execute("update documents set status = ?, error = ? where sha256 = ? and status != 'withdrawn'",
               [status, error, outcome.sha256])
    retries.delete_where("sha256 = ?", [outcome.sha256])
    return outcome


# Findings that are shown but hold nothing back: nearly every Office file names who made it, and
# holding them all would hold every attachment. Everything else a reader cannot see is held.
NOTED_ONLY = frozenset({"metadata"})


def holds(audit: dict) -> bool:
    """Whether an attachment's audit holds it back: it could not be audited, or found more than names in its properties."""
    return bool(audit.get("error")) or any(f["kind"] not in NOTED_ONLY for f in audit.get("findings", []))


def parse_files(pending: list[tuple[str, str]], store: FileStore, workers: int | None = None,
                limits: Limits = LIMITS) -> Iterator[Outcome]:
    """The outcome of each file, parsed in limited worker processes on every core (pipelines/sandbox.py)."""
    jobs = [(sha256, str(store.path(sha256)), kind) for sha256, kind in pending]
    tune_gc()  # forked workers start with it
    sandbox: Sandbox[tuple[str, str, str], Outcome] = Sandbox(parse_job, workers or os.cpu_count() or 1, limits)
    for (sha256, _, _), result in sandbox.run(jobs):
        if isinstance(result, Died):
            yield Outcome(sha256, error=result.reason) if result.own_fault else Outcome(sha256, retry=result.reason, counted=True)
        else:
            yield result


def tune_gc() -> None:
    """pdfminer makes millions of short-lived objects: collecting less often saves about a tenth of the time."""
    gc.set_threshold(50_000, 20, 100)


def parse_job(job: tuple[str, str, str]) -> Outcome:
    """Parse one stored file; never raises (a parser crash becomes the file's error)."""
    sha256, path, kind = job
    try:
        data = read_capped(path, MAX_FILE_BYTES)
    except FileNotFoundError:
        return Outcome(sha256, retry="file missing from the store")
    except TooLarge as exc:
        return Outcome(sha256, error=str(exc))
    except OSError as exc:
        return Outcome(sha256, retry=f"could not read the stored file: {exc.strerror or exc}")
    if kind in NOT_LETTERS:  # an attachment such as a spreadsheet: audited before it is served, not read as a letter
        return examine_attachment(sha256, data)
    outcome = parse_bytes(sha256, data)
    if kind == "pdf":
        from parsers.audit import letter_findings

        findings = letter_findings(data)
        if findings:  # held: neither its file nor its text is served until a person releases it
            outcome = replace(outcome, audit=json.dumps({"verdict": "flagged", "findings": [f.to_json() for f in findings]}))
    return outcome


def examine_attachment(sha256: str, data: bytes) -> Outcome:
    """An attachment's audit and visible text; one that cannot be audited is held, for a person to look at."""
    from parsers.audit import examine

    def unaudited(why: str) -> Outcome:
        return Outcome(sha256, audit=json.dumps({"verdict": "flagged", "findings": [], "error": why}))

    try:
        kind, findings, text = examine(data)
    except ParseError as exc:
        return unaudited(str(exc))
    except MemoryError:
        return unaudited("needs more memory than a file may use")
    except Exception as exc:  # noqa: BLE001 - a reader's bug on one file holds that file; the run goes on
        log.exception("the audit crashed on %s", sha256[:12])
        return unaudited(f"the audit failed ({type(exc).__name__}: {exc})")
    return Outcome(sha256, audit=json.dumps({"kind": kind, "verdict": "flagged" if findings else "clean",
                                             "findings": [f.to_json() for f in findings]}), text=text)


def with_answer_outcomes(letter: dict[str, Any]) -> dict[str, Any]:
    """The letter with how each answer answers, read once here with the file rather than on every index build."""
    for question in letter.get("questions") or []:
        question["outcome"] = classify_answer(question["answer"]) if question.get("answer") else None
    return letter


def parse_bytes(key: str, data: bytes, filename: str | None = None, reader: Reader = "auto") -> Outcome:
    """Parse one file's bytes; never raises: a file that cannot be parsed, or crashes the parser, is an error."""
    try:
        return Outcome(key, result=json.dumps(with_answer_outcomes(parse_document(data, filename, reader).to_json())))
    except ParseError as exc:
        return Outcome(key, error=str(exc))
    except MemoryError:
        return Outcome(key, error="needs more memory than a document may use")
    except Exception as exc:  # a parser bug on one file must not stop the run
        log.exception("parser crashed on %s", filename or key)
        return Outcome(key, error=f"parser crashed: {type(exc).__name__}: {exc}")


INTERNAL_FIELDS = ("cited_references",)
QUESTION_INTERNAL_FIELDS = ("outcome",)  # how each answer answers, for the index


def extract_record(name: str, reader: Reader = "auto") -> dict[str, object]:
    """`foilog extract` for one local file: its fields, or {"file", "error"}; never raises."""
    try:
        data = read_capped(name, MAX_FILE_BYTES)
    except OSError as exc:  # a local file: missing or unreadable is its error, not a retry
        return {"file": name, "error": str(exc) if isinstance(exc, TooLarge) else exc.strerror or str(exc)}
    outcome = parse_bytes(name, data, name, reader)
    if not outcome.result:
        return {"file": name, "error": outcome.error}
    # INTERFACE.md's keys and no others: what the index also keeps (the references a letter cites) stays inside.
    letter = json.loads(outcome.result)
    letter["questions"] = [{k: v for k, v in q.items() if k not in QUESTION_INTERNAL_FIELDS} for q in letter.get("questions") or []]
    return {"file": name, **{k: v for k, v in letter.items() if k not in INTERNAL_FIELDS}}


def extract_files(names: tuple[str, ...] | list[str], limits: Limits = LIMITS, reader: Reader = "auto") -> Iterator[dict[str, object]]:
    """extract_record for each file, in order, in one limited worker (the limits of the parse stage)."""
    for name, record in Sandbox(partial(extract_record, reader=reader), 1, limits).run(names):
        yield {"file": name, "error": record.reason} if isinstance(record, Died) else record


def audit_record(name: str) -> dict[str, object]:
    """`foilog audit` for one local file: its kind, verdict and findings, or {"file", "error"}; never raises."""
    from parsers.audit import audit

    try:
        data = read_capped(name, MAX_FILE_BYTES)
    except OSError as exc:
        return {"file": name, "error": str(exc) if isinstance(exc, TooLarge) else exc.strerror or str(exc)}
    try:
        kind, findings = audit(data, name)
    except ParseError as exc:
        return {"file": name, "error": str(exc)}
    except Exception as exc:  # noqa: BLE001 - a bug of the audit's is this file's error, and the rest go on
        return {"file": name, "error": f"the audit failed ({type(exc).__name__}: {exc})"}
    return {"file": name, "kind": kind, "verdict": "flagged" if findings else "clean", "findings": [f.to_json() for f in findings]}


def audit_files(names: tuple[str, ...] | list[str], limits: Limits = LIMITS) -> Iterator[dict[str, object]]:
    """audit_record for each file, in order, in one limited worker: a bomb or a huge part ends as that file's error."""
    for name, record in Sandbox(audit_record, 1, limits).run(names):
        yield {"file": name, "error": record.reason} if isinstance(record, Died) else record
