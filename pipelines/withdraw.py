"""Withdrawal: forget a document everywhere (files, rows, search index) and never fetch it again.

In 2023 the forces found personal data hidden in files they had published; an archive of
their logs must be able to forget a document completely, keeping only the fact that it
did (what, when, why), never the content.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from parsers.references import as_reference
from pipelines import BadInput
from pipelines.db import now
from pipelines.files import FileStore
from pipelines.index import build_disclosures


@dataclass
class Withdrawn:
    urls: list[str]
    files: int


def withdraw(db: sqlite_utils.Database, store: FileStore, target: str, reason: str) -> Withdrawn:
    """Withdraw the documents of a reference ("001310/19", "FOI 002402-19") or of one URL."""
    reference = as_reference(target)
    if reference:
        doc_ids = [r["id"] for r in db.query(
            "select d.id from documents d join disclosures s on s.id = d.disclosure_id where s.reference = ?", [reference])]
    else:
        doc_ids = [r["document_id"] for r in db.query("select document_id from document_urls where url = ?", [target])]
    if not doc_ids:
        raise BadInput(f"nothing to withdraw: no document found for {target!r}")
    marks = ",".join("?" * len(doc_ids))
    urls = [r["url"] for r in db.query(f"select url from document_urls where document_id in ({marks})", doc_ids)]
    shas = {r["sha256"] for r in db.query(
        f"select sha256 from documents where id in ({marks}) union select sha256 from document_versions "
        f"where document_id in ({marks})", doc_ids + doc_ids) if r["sha256"]}
    if reference is None:
        found = list(db.query(f"select distinct s.reference from disclosures s join documents d on d.disclosure_id = s.id "
                              f"where d.id in ({marks})", doc_ids))
        reference = found[0]["reference"] if found else None
    at = now()
    with db.atomic():
        db.table("withdrawals").insert_all(
            {"reference": reference, "url": url, "reason": reason, "withdrawn_at": at} for url in urls)
        url_marks = ",".join("?" * len(urls))
        db.execute(f"delete from fetches where url in ({url_marks}) or final_url in ({url_marks})", urls + urls)
        db.execute(f"delete from document_urls where document_id in ({marks})", doc_ids)
        db.execute(f"delete from document_versions where document_id in ({marks})", doc_ids)
        sha_marks = ",".join("?" * len(shas))
        db.execute(f"delete from parses where sha256 in ({sha_marks})", list(shas))
        db.execute(f"delete from documents where id in ({marks})", doc_ids)
        build_disclosures(db)  # the disclosure goes, or is rebuilt from what is left of it
    removed = 0
    for sha256 in shas:  # files last: a crash before here leaves files that no row points to, never the reverse
        if not list(db.query("select 1 from documents where sha256 = ? limit 1", [sha256])):
            store.path(sha256).unlink(missing_ok=True)
            removed += 1
    return Withdrawn(urls=urls, files=removed)


def reinstate(db: sqlite_utils.Database, target: str) -> int:
    """Reverse a withdrawal (by reference or URL): the next crawl fetches those URLs again."""
    reference = as_reference(target)
    if reference:
        rows = db.execute("delete from withdrawals where reference = ?", [reference])
    else:
        rows = db.execute("delete from withdrawals where url = ?", [target])
    db.conn.commit()
    if not rows.rowcount:
        raise BadInput(f"no withdrawal found for {target!r}")
    return rows.rowcount


def withdrawn_urls(db: sqlite_utils.Database) -> set[str]:
    """URLs the crawler must never fetch again."""
    return {r["url"] for r in db.query("select url from withdrawals")}
