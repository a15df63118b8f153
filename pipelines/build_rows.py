"""A process building rows beside a large index build: it builds the rows of each batch of responses
the build sends it, reading the database read-only, and sends them back (pipelines.index._prepared).

    python -m pipelines.build_rows DATABASE   (pickled batches in on stdin, built batches out on stdout)
"""

from __future__ import annotations

import os
import pickle
import sqlite3
import sys

import sqlite_utils

from pipelines.index import _prepare


def main(path: str) -> None:
    # Below the build that writes: where writing is the floor (every search row new), builders at
    # the same priority took the writer's CPU, and where it waits for rows they have the CPU anyway.
    os.nice(10)
    db = sqlite_utils.Database(sqlite3.connect(f"file:{path}?mode=ro", uri=True))
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            args = pickle.load(requests)
        except EOFError:  # the build has sent every batch
            return
        pickle.dump(_prepare(db, *args), replies, protocol=pickle.HIGHEST_PROTOCOL)
        replies.flush()


if __name__ == "__main__":
    main(sys.argv[1])
