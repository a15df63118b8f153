"""Asked before, by reading alike: requests whose questions say the same thing, however worded.

A request's signature is its questions' words with the asking removed ("please provide",
"could you tell me", "the force"), years and figures dropped (the same request for another
year is the same request), synonyms of the ask folded together ("how many" and "the number
of" are one ask, "spent" and "cost" another) and words stemmed, as a set. Two signatures
score the share of words they have in common (Dice's coefficient, 0 to 100), so word order
and question order do not matter. The scorer and THRESHOLD were chosen on the labelled set
in tools/similar_pairs.py, where at their best thresholds rapidfuzz's token-sort ratio had
F1 0.95 and its token-set ratio 0.93 against this score's 0.98: a one-word difference of
topic ("drones", "tasers") weighs little in a character-level ratio of short strings.

The work is incremental: each response is compared once for each version of its questions
(`similarity_checked` holds a digest of the questions it was compared with), against the
candidates SQLite's own full-text index offers for its words, not against every response.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time

import sqlite_utils

log = logging.getLogger(__name__)

THRESHOLD = 70
# A first comparison of a large archive takes about 5 ms a response (benchmarks/similar.py): a
# build spends at most this long on it, so the nightly job is never held up, and goes on next time.
BUDGET_S = 120.0
CANDIDATES = 30  # the best full-text matches scored for each response

_ASKING = frozenset("""
a about all also an and any are as at be been being broken by can could detail details do does down during each
every figure figures for force force's forces from give had has have how i if in into is it its kindly know like
me my of on or our per period please police constabulary provide provided record recorded request requested
requesting state supply tell that the their them there these they this those to total under us was we were what
when where which who whom would you your yours year years financial calendar between since last past latest
norfolk suffolk did made led got held
""".split())
_SYNONYMS = {
    "many": "count", "number": "count", "numbers": "count", "much": "cost", "spent": "cost", "spend": "cost",
    "expenditure": "cost", "costs": "cost", "budget": "cost", "policies": "policy", "guidance": "policy",
    "procedure": "policy", "procedures": "policy", "operational": "operation", "operated": "operate",
    "operates": "operate", "operating": "operate", "issued": "issue", "received": "receive", "reports": "report",
}
_WORD = re.compile(r"[a-z][a-z'-]*[a-z]|[a-z]")


def signature(questions: list[str]) -> str:
    """The questions' words that say what is asked, normalised, sorted and once each.

    >>> signature(["How many drones did you own in 2021?"]) == signature(["Please provide the number of drones owned in 2023."])
    True
    """
    words = set()
    for word in _WORD.findall(" ".join(questions).lower()):
        word = _SYNONYMS.get(word, word)
        if word in _ASKING or len(word) < 2:
            continue
        words.add(_SYNONYMS.get(_stem(word), _stem(word)))
    return " ".join(sorted(words))


def _stem(word: str) -> str:
    """A crude English stem, the same for both sides of a comparison: drones, drone; refused, refuse; stopped, stop."""
    for suffix, keep in (("ies", "y"), ("ches", "ch"), ("shes", "sh"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not (suffix == "s" and word.endswith("ss")):
            word = word[: -len(suffix)] + keep
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "ls":  # stopp -> stop
        word = word[:-1]
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


def score(a: str, b: str) -> float:
    """How alike two signatures are, 0 to 100: the share of their words they have in common (Dice's coefficient)."""
    first, second = set(a.split()), set(b.split())
    return 200.0 * len(first & second) / (len(first) + len(second)) if first and second else 0.0


def link_similar(db: sqlite_utils.Database, budget_s: float = BUDGET_S) -> int:
    """Compare each response whose questions have not been compared yet, for at most budget_s seconds
    (the rest are compared by the next build); return how many were compared."""
    started = time.monotonic()
    checked, known = {}, {}  # what was compared, and the signatures kept so a candidate is not read and normalised again
    for r in db.query("select disclosure_id, questions_hash, signature from similarity_checked"):
        checked[r["disclosure_id"]], known[r["disclosure_id"]] = r["questions_hash"], r["signature"]
    todo = []
    for row in db.query("select d.id, coalesce(d.letter_date, d.published_date, d.first_seen_at, '') as at, "
                        "group_concat(q.question, char(10)) as questions from disclosures d "
                        "join questions q on q.disclosure_id = d.id group by d.id"):
        digest = hashlib.sha256(row["questions"].encode()).hexdigest()[:16]
        if checked.get(row["id"]) != digest:
            todo.append((row["id"], row["at"], row["questions"], digest))
    known.update({disclosure_id: signature(questions.split("\n")) for disclosure_id, _, questions, _ in todo})
    done = 0
    for disclosure_id, at, questions, digest in todo:
        if time.monotonic() - started > budget_s:
            log.info("similar requests: %d responses left to compare, on the next run", len(todo) - done)
            break
        done += 1
        db.execute("delete from disclosure_links where kind = 'similar' and (earlier_id = ? or later_id = ?)", [disclosure_id, disclosure_id])
        for other, other_at, value in _alike(db, disclosure_id, questions, known):
            first, second = (disclosure_id, other) if (at, disclosure_id) <= (other_at, other) else (other, disclosure_id)
            db.execute("insert or replace into disclosure_links (earlier_id, later_id, kind, score, detail) values (?, ?, 'similar', ?, ?)",
                       [first, second, round(value, 1), "the questions read alike"])
        db.table("similarity_checked").upsert({"disclosure_id": disclosure_id, "questions_hash": digest, "signature": known[disclosure_id]},
                                              pk="disclosure_id")
    return done


def _alike(db: sqlite_utils.Database, disclosure_id: int, questions: str, known: dict[int, str]) -> list[tuple[int, str, float]]:
    """Other responses whose questions score at least THRESHOLD, from the full-text index's best candidates for
    the words that say what is asked (as printed: the index stems them its own way)."""
    words = sorted({w for w in _WORD.findall(questions.lower()) if w not in _ASKING and w not in _SYNONYMS and re.fullmatch(r"[a-z]{3,}", w)})
    if not words:
        return []
    query = "questions : (" + " OR ".join(f'"{w}"' for w in words) + ")"
    candidates = db.execute("""
        select f.rowid, coalesce(d.letter_date, d.published_date, d.first_seen_at, '') from disclosures_fts f
        join disclosures d on d.id = f.rowid
        where disclosures_fts match ? and f.rowid != ? order by bm25(disclosures_fts) limit ?""",
                            [query, disclosure_id, CANDIDATES]).fetchall()
    out = []
    for other, other_at in candidates:
        if other not in known:
            known[other] = signature([r[0] for r in db.execute("select question from questions where disclosure_id = ?", [other])])
        value = score(known[disclosure_id], known[other])
        if value >= THRESHOLD:
            out.append((other, other_at, value))
    return out
