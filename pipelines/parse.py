"""The parse stage: each stored file parsed once per parser version, failures recorded."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

import sqlite_utils

from parsers import ParseError
from parsers.document import PARSER_VERSION, parse_document
from pipelines.db import now
from pipelines.files import FileStore

log = logging.getLogger(__name__)

# Kinds of file that hold no letter: recorded as parsed, with nothing to read.
NOT_LETTERS = ("zip", "text", "binary")


@dataclass
class ParseCounts:
    parsed: int = 0
    failed: int = 0


def parse_pending(db: sqlite_utils.Database, store: FileStore, *, reparse: bool = False) -> ParseCounts:
    """Parse every stored document whose content has no parse by the current parser version."""
    counts = ParseCounts()
    conditions = ["d.sha256 is not null", "d.status != 'withdrawn'"]
    if not reparse:
        conditions.append("(p.sha256 is null or p.parser_version != :version)")
    pending = list(db.query(
        "select distinct d.sha256, d.kind from documents d left join parses p on p.sha256 = d.sha256 "
        f"where {' and '.join(conditions)}", {"version": PARSER_VERSION}))
    for row in pending:
        sha256 = row["sha256"]
        result, error = None, None
        data = store.get(sha256)
        if data is None:
            error = "file missing from the store"
        elif row["kind"] in NOT_LETTERS:
            pass  # an attachment such as a spreadsheet: kept and linked, not read as a letter
        else:
            try:
                result = json.dumps(parse_document(data).to_json())
            except ParseError as exc:
                error = str(exc)
            except Exception as exc:  # a parser bug on one file must not stop the run
                log.exception("parser crashed on %s", sha256)
                error = f"parser crashed: {type(exc).__name__}: {exc}"
        with db.atomic():
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
