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
(`similarity_checked` holds a digest of the questions it was compared with and its signature),
against the responses whose MinHash shares a band with it (`similarity_bands`, kept in the
database as each response is compared), not against every response.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import time
from collections.abc import Iterable, Iterator
from importlib.metadata import version
from typing import Any

import sqlite_utils

log = logging.getLogger(__name__)

THRESHOLD = 70
# A first comparison of a large archive takes about 4 ms a response (benchmarks/index.py, 200,000): a
# build spends at most this long on it, so the nightly job is never held up, and goes on next time.
BUDGET_S = 120.0
CANDIDATES = 100  # the responses sharing most bands that are scored for each
# MinHash LSH (datasketch's MinHash): 32 bands of 4 values. A pair at the threshold (Dice 70, Jaccard
# 0.54) shares a band with probability 0.94, one at Dice 80 with 0.99, and two unrelated requests
# (Jaccard 0.1) with 0.003, so a response is scored against a few dozen others, not the archive.
BANDS, ROWS = 32, 4
# Bands stored by another version of this scheme would not meet new ones: all are compared again.
BANDS_VERSION = f"datasketch {version('datasketch')} affine32 seed 1, {BANDS}x{ROWS}"

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
        stem = _stem(word)
        words.add(_SYNONYMS.get(stem, stem))
    return " ".join(sorted(words))


@functools.lru_cache(maxsize=1 << 16)  # a few thousand words make up most requests
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


def link_similar(db: sqlite_utils.Database, changed: Iterable[int] = (), budget_s: float = BUDGET_S) -> int:
    """Compare each response not compared yet, or rewritten (changed) since, whose questions are not the ones it
    was compared with, for at most budget_s seconds (the rest are compared by the next build); return how many."""
    started = time.monotonic()
    _same_bands(db)
    ids = sorted(set(changed) | {r[0] for r in db.execute(
        "select d.id from disclosures d where not exists (select 1 from similarity_checked s where s.disclosure_id = d.id)")})
    # Those whose questions are not the ones compared, without their text: held for each, a first comparison
    # of 200,000 held 300 MB. It is read again a batch at a time as they are compared.
    todo = [disclosure_id for disclosure_id, _, questions, checked in _questions(db, ids) if checked != _hash(questions)]
    done = 0
    with db.atomic():
        for chunk in range(0, len(todo), 500):
            # Read before the batch is compared: comparing writes to the tables the reading joins.
            for disclosure_id, at, questions, _ in list(_questions(db, todo[chunk:chunk + 500])):
                if time.monotonic() - started > budget_s:
                    log.info("similar requests: %d responses left to compare, on the next run", len(todo) - done)
                    return done
                done += 1
                _compare(db, disclosure_id, at, questions)
    return done


def _hash(questions: str) -> str:
    return hashlib.sha256(questions.encode()).hexdigest()[:16]


def _questions(db: sqlite_utils.Database, ids: list[int]) -> Iterator[tuple[int, str, str, str | None]]:
    """Each response's id, date, questions (one a line) and the digest of those it was compared with, in id order."""
    for chunk in range(0, len(ids), 500):
        marks = ",".join(map(str, ids[chunk:chunk + 500]))
        yield from db.execute(
            "select d.id, coalesce(d.letter_date, d.published_date, d.first_seen_at, ''), group_concat(q.question, char(10)), "
            f"s.questions_hash from disclosures d join questions q on q.disclosure_id = d.id left join similarity_checked s on "
            f"s.disclosure_id = d.id where d.id in ({marks}) group by d.id order by d.id")


def _compare(db: sqlite_utils.Database, disclosure_id: int, at: str, questions: str) -> None:
    """Link a response to those whose questions read alike, and keep its signature and bands for later ones."""
    forget(db, disclosure_id)
    mine = signature(questions.split("\n"))
    keys = bands(mine)
    for other, other_at, value in _alike(db, disclosure_id, mine, keys):
        first, second = (disclosure_id, other) if (at, disclosure_id) <= (other_at, other) else (other, disclosure_id)
        db.execute("insert or replace into disclosure_links (earlier_id, later_id, kind, score, detail) "
                   "values (?, ?, 'similar', ?, ?)", [first, second, round(value, 1), "the questions read alike"])
    db.execute("insert into similarity_checked (disclosure_id, questions_hash, signature) values (?, ?, ?)",
               [disclosure_id, _hash(questions), mine])
    db.conn.executemany("insert or ignore into similarity_bands (band, disclosure_id) values (?, ?)",
                        [(key, disclosure_id) for key in keys])


def _same_bands(db: sqlite_utils.Database) -> None:
    kept = db.execute("select value from settings where key = 'similarity_bands'").fetchone()
    if kept and kept[0] == BANDS_VERSION:
        return
    with db.atomic():
        db.execute("delete from similarity_bands")
        db.execute("delete from similarity_checked")
        db.execute("insert or replace into settings (key, value) values ('similarity_bands', ?)", [BANDS_VERSION])


def forget(db: sqlite_utils.Database, disclosure_id: int) -> None:
    """Take a response out of the comparison: its links by reading alike, its signature and its bands."""
    kept = db.execute("select signature from similarity_checked where disclosure_id = ?", [disclosure_id]).fetchone()
    if kept:
        db.conn.executemany("delete from similarity_bands where band = ? and disclosure_id = ?",
                            [(key, disclosure_id) for key in bands(kept[0])])
        db.execute("delete from similarity_checked where disclosure_id = ?", [disclosure_id])
    db.execute("delete from disclosure_links where kind = 'similar' and (earlier_id = ? or later_id = ?)", [disclosure_id, disclosure_id])


@functools.lru_cache(maxsize=1)
def _scheme() -> tuple[Any, Any]:
    """datasketch's MinHash and the scheme's permutations, made once. Imported here, not at the top:
    datasketch brings scipy, about a second at every start, and most nights compare nothing."""
    from datasketch import MinHash

    return MinHash, MinHash(num_perm=BANDS * ROWS, seed=1, scheme="affine32").permutations


def bands(mine: str) -> list[int]:
    """The signature's MinHash, cut into BANDS bands of ROWS values, each hashed to a 32-bit key. Two signatures
    whose words overlap by a Jaccard index j share some band with probability 1 - (1 - j**ROWS) ** BANDS."""
    words = mine.split()
    if not words:
        return []
    minhash_type, permutations = _scheme()
    minhash = minhash_type(num_perm=BANDS * ROWS, permutations=permutations, scheme="affine32")
    minhash.update_batch([w.encode() for w in words])
    values = minhash.hashvalues.reshape(BANDS, ROWS)
    return [int.from_bytes(hashlib.blake2b(bytes([band]) + values[band].tobytes(), digest_size=4).digest(), "big", signed=True)
            for band in range(BANDS)]


def _alike(db: sqlite_utils.Database, disclosure_id: int, mine: str, keys: list[int]) -> list[tuple[int, str, float]]:
    """Other responses whose questions score at least THRESHOLD, of those that share a band with this one
    (most shared first: a near-duplicate shares several, a chance collision one)."""
    if not keys:
        return []
    candidates = db.execute(f"""
        select s.disclosure_id, coalesce(d.letter_date, d.published_date, d.first_seen_at, ''), s.signature
        from (select disclosure_id, count(*) as shared from similarity_bands where band in ({','.join(map(str, keys))})
              and disclosure_id != ? group by disclosure_id order by shared desc limit ?) b
        join similarity_checked s on s.disclosure_id = b.disclosure_id join disclosures d on d.id = b.disclosure_id""",
                            [disclosure_id, CANDIDATES]).fetchall()
    return [(other, other_at, value) for other, other_at, theirs in candidates if (value := score(mine, theirs)) >= THRESHOLD]
