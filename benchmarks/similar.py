"""Similarity-links benchmark: the first comparison of a whole archive, 100 new responses, and a night with none.

    python benchmarks/similar.py [--responses 5000] [--out benchmarks/results/similar.json]

Responses are one to three questions drawn from tools/similar_pairs.py with their topic
varied, so many are near-duplicates of each other: more links, and more candidates per
response, than a real archive has. Each step runs in one transaction, as in the index stage.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.db import open_db  # noqa: E402
from pipelines.similar import link_similar  # noqa: E402
from tools.similar_pairs import DIFFERENT, SAME  # noqa: E402

TOPICS = ["drones", "tasers", "dogs", "horses", "fleet", "overtime", "ANPR", "speed", "hate", "fraud", "burglary", "knife",
          "gun", "cannabis", "theft", "arson", "robbery", "stalking", "bail", "CCTV"]


def add(db: object, first: int, count: int, rng: random.Random) -> None:
    questions = [q for a, b in SAME + DIFFERENT for q in a + b]
    conn = db.conn  # type: ignore[attr-defined]
    for i in range(first, first + count):
        asked = [rng.choice(questions).replace("drones", rng.choice(TOPICS)) for _ in range(rng.randint(1, 3))]
        conn.execute("insert into disclosures (id, key, title, letter_date) values (?, ?, 't', ?)", (i, f"k{i}", f"20{rng.randint(15, 24)}-01-01"))
        conn.executemany("insert into questions (disclosure_id, number, position, question) values (?, ?, ?, ?)",
                         [(i, str(n + 1), n, q) for n, q in enumerate(asked)])
        conn.execute("insert into disclosures_fts (rowid, title, questions, answers, attachments) values (?, 't', ?, '', '')", (i, "\n".join(asked)))


def timed(db: object) -> tuple[int, float]:
    started = time.perf_counter()
    with db.atomic():  # type: ignore[attr-defined]
        compared = link_similar(db)  # type: ignore[arg-type]
    return compared, round(time.perf_counter() - started, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--responses", type=int, default=5000)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "similar.json")
    args = parser.parse_args()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "similar.db")
        with db.atomic():
            add(db, 1, args.responses, rng)
        first = timed(db)
        links = db.execute("select count(*) from disclosure_links").fetchone()[0]
        with db.atomic():
            add(db, args.responses + 1, 100, rng)
        hundred = timed(db)
        none = timed(db)
    result = {"machine": f"{platform.machine()}, {platform.system()}, Python {platform.python_version()}", "responses": args.responses,
              "first_comparison": {"compared": first[0], "seconds": first[1], "links": links},
              "100_new": {"compared": hundred[0], "seconds": hundred[1]}, "none_new": {"compared": none[0], "seconds": none[1]}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
