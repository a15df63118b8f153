"""The index stage: group parsed documents into disclosures, write their rows and the search index."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field

import sqlite_utils

from parsers.audit import redact
from parsers.outcome import classify_answer
from pipelines import corrections as hand
from pipelines.clusters import build_clusters
from pipelines.db import COMBINED_FACETS, now
from pipelines.similar import link_similar
from pipelines.working_days import is_late, working_days

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


def build_disclosures(db: sqlite_utils.Database, corrections: hand.Corrections | None = None) -> int:
    """Rebuild disclosures, questions, citations and search rows from the parses; return the count.

    A disclosure is one response: the documents of one listing entry, merged with every
    other entry that carries the same reference (a joint letter on both forces' logs).
    Ids stay stable by key, and the whole rebuild is one transaction, so a reader never
    sees half an index. Corrections by hand (default: the file recorded with the database)
    are put over what the parser read.
    """
    fixes = corrections if corrections is not None else hand.recorded(db)
    entries = _entries(db)
    groups: dict[str, list[_Entry]] = {}
    for entry in entries.values():
        letter = _best_letter(entry.documents.values())
        reference = (letter or {}).get("reference") or entry.reference
        groups.setdefault(reference or f"url:{entry.url}", []).append(entry)

    with db.atomic():
        record_revision_diffs(db)
        existing = {r["key"]: r["id"] for r in db.query("select key, id from disclosures")}
        facet_keys = {tuple(r[c] for c in COMBINED_FACETS): r["key"] for r in db.table("facet_combinations").rows}
        at = now()
        for key, group in groups.items():
            _save_disclosure(db, build_rows(key, group, at, fixes), existing.get(key), facet_keys)
        for key, stale_id in existing.items():
            if key not in groups:
                _delete_disclosure(db, stale_id)
        db.execute("delete from facet_combinations where key not in (select facet_key from disclosures where facet_key is not null)")
        link_citations(db)
        link_similar(db)
        build_clusters(db)
    # Statistics let SQLite see that the narrow (id, facet_key) index answers a search's count
    # and facets without reading the wide rows (0.6 s at 200,000 responses).
    db.execute("ANALYZE disclosures")
    return len(groups)


def link_citations(db: sqlite_utils.Database) -> None:
    """Link each response to the earlier ones its letter cites by reference, on either force's log."""
    db.execute("delete from disclosure_links where kind = 'cited'")
    db.execute("""
        insert or ignore into disclosure_links (earlier_id, later_id, kind, detail)
        select e.id, d.id, 'cited', 'the letter cites FOI ' || c.value
        from disclosures d, json_each(d.cited_references) c join disclosures e on e.reference = c.value
        where e.id != d.id""")


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


def _entries(db: sqlite_utils.Database) -> dict[str, _Entry]:
    rows = db.query("""
        select d.id, d.kind, d.status, d.first_seen_at, d.fetched_at, d.sha256, d.removed_at, p.result, p.text as attachment_text, u.captured_at,
               u.url, u.force, u.entry_url, u.title, u.listing_reference, u.published_date,
               (select max(v.replaced_at) from document_versions v where v.document_id = d.id) as revised_at
        from documents d
        join document_urls u on u.document_id = d.id
        left join parses p on p.sha256 = d.sha256
        where d.status in ('parsed', 'fetched', 'failed', 'held') and d.sha256 is not null
          -- a web archive's capture that a newer capture of the same URL replaced is history, not the response
          and (u.original_url is null or not exists (
               select 1 from document_urls n where n.original_url = u.original_url and n.captured_at > u.captured_at
               and n.sha256 is not null and n.error is null))
        order by d.id, u.first_seen_at
    """)
    entries: dict[str, _Entry] = {}
    for row in rows:
        entry = entries.setdefault(row["entry_url"], _Entry(url=row["entry_url"], first_seen_at=row["first_seen_at"]))
        if row["url"] == row["entry_url"] or entry.title is None:
            entry.title = row["title"] or entry.title
            entry.reference = row["listing_reference"] or entry.reference
            entry.published_date = row["published_date"] or entry.published_date
        entry.first_seen_at = min(entry.first_seen_at, row["first_seen_at"])
        if row["force"]:
            entry.forces.add(row["force"])
        # A held letter (a file inside it, a redaction not applied) is not read until it is released.
        letter = json.loads(row["result"]) if row["result"] and row["status"] != "held" else None
        entry.documents[row["id"]] = {**row, "letter": letter}
        entry.removed_at[row["id"]] = row["removed_at"]
        entry.revised_at = max(filter(None, [entry.revised_at, row["revised_at"]]), default=None)
    return entries


def _best_letter(documents: object) -> dict | None:
    """The document that reads most like the response letter: a reference, then most questions."""
    candidates = [d for d in documents if d["letter"]]  # type: ignore[attr-defined]
    if not candidates:
        return None
    # Of a web archive's captures, the newest: a letter revised after it was first captured.
    best = min(candidates, key=lambda d: (d["letter"]["reference"] is None, -len(d["letter"]["questions"]),
                                          KIND_PREFERENCE.get(d["kind"], 9), -int(re.sub(r"\D", "", d.get("captured_at") or "") or 0),
                                          d["id"]))
    return {**best["letter"], "document_id": best["id"]}


@dataclass(frozen=True)
class DisclosureRows:
    """Every row one disclosure is written as, decided from its entries alone (build_rows)."""

    row: dict[str, object]  # the disclosures row, without its facet_key
    questions: list[dict[str, object]]
    citations: list[dict[str, object]]
    search: tuple[str, str, str, str]  # the search index's title, questions, answers and attachments
    documents: list[int]  # the documents that belong to it


def build_rows(key: str, group: list[_Entry], updated_at: str, corrections: hand.Corrections | None = None) -> DisclosureRows:
    """One disclosure's rows from the entries that share its key: the best letter's fields (with
    any correction by hand put over them), the listings' titles and dates, and the earliest URL.
    Pure: no database."""
    group = sorted(group, key=lambda e: (e.first_seen_at, e.url))
    letter = _best_letter(d for e in group for d in e.documents.values()) or {}
    forces = letter.get("forces") or sorted({f for e in group for f in e.forces})
    reference = letter.get("reference") or next((e.reference for e in group if e.reference), None)
    reasons = _review_reasons(letter, reference)
    urls = [e.url for e in group] + [d["url"] for e in group for d in e.documents.values() if d.get("url")]
    fix = corrections.find(reference, urls) if corrections else None
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
                    "outcome": classify_answer(q["answer"]) if q["answer"] else None} for i, q in enumerate(questions)],
        citations=[{"code": f"s{c['section']}", "cited_as": c["code"], "questions": json.dumps(c.get("questions", []))}
                   for c in citations],
        search=(title or "", "\n".join(q["text"] for q in questions), "\n".join(q["answer"] for q in questions if q["answer"]),
                "\n".join(dict.fromkeys(_searchable(d) for e in group for d in e.documents.values() if d.get("attachment_text")))),
        documents=[d for e in group for d in e.documents],
    )


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


def _save_disclosure(db: sqlite_utils.Database, rows: DisclosureRows, disclosure_id: int | None,
                     facet_keys: dict[tuple, int]) -> None:
    """Write one disclosure's rows, replacing what its id held."""
    row = dict(rows.row)
    values = tuple(row[c] for c in COMBINED_FACETS)
    if values not in facet_keys:
        facet_keys[values] = db.table("facet_combinations").insert(dict(zip(COMBINED_FACETS, values))).last_pk
    row["facet_key"] = facet_keys[values]
    table = db.table("disclosures")
    if disclosure_id is None:
        disclosure_id = table.insert(row).last_pk
    else:
        table.update(disclosure_id, row)
    _clear_children(db, disclosure_id)
    db.table("questions").insert_all({"disclosure_id": disclosure_id, **q} for q in rows.questions)
    db.table("disclosure_exemptions").insert_all({"disclosure_id": disclosure_id, **c} for c in rows.citations)
    db.execute("insert into disclosures_fts (rowid, title, questions, answers, attachments) values (?, ?, ?, ?, ?)",
               [disclosure_id, *rows.search])
    db.execute(f"update documents set disclosure_id = ? where id in ({','.join('?' * len(rows.documents))})",
               [disclosure_id, *rows.documents])


def _clear_children(db: sqlite_utils.Database, disclosure_id: int) -> None:
    for table in ("questions", "disclosure_exemptions"):
        db.execute(f"delete from {table} where disclosure_id = ?", [disclosure_id])
    db.execute("delete from disclosures_fts where rowid = ?", [disclosure_id])


def _delete_disclosure(db: sqlite_utils.Database, disclosure_id: int) -> None:
    _clear_children(db, disclosure_id)
    db.execute("update documents set disclosure_id = null where disclosure_id = ?", [disclosure_id])
    db.execute("delete from disclosure_links where earlier_id = ? or later_id = ?", [disclosure_id, disclosure_id])
    db.execute("delete from similarity_checked where disclosure_id = ?", [disclosure_id])
    db.execute("delete from disclosures where id = ?", [disclosure_id])
