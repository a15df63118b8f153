"""Round-robins: the same request sent to both forces, or sent again later, gathered into one cluster.

A cluster is a connected group of responses in `disclosure_links` (cited, or read alike),
so a request asked of Norfolk, of Suffolk and again a year later is one cluster of three.
A joint letter is one response already (one row for both forces), never a cluster of its
own. A cluster's id is its earliest member's, so it stays put while members join it.
"""

from __future__ import annotations

import sqlite_utils


def build_clusters(db: sqlite_utils.Database) -> int:
    """Rewrite `cluster_members` from the links; return how many clusters there are."""
    parent: dict[int, int] = {}

    def root(node: int) -> int:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]  # path halving keeps the walk short
            node = parent[node]
        return node

    for earlier, later in db.execute("select earlier_id, later_id from disclosure_links"):
        a, b = root(earlier), root(later)
        if a != b:
            parent[max(a, b)] = min(a, b)
    members: dict[int, list[int]] = {}
    for node in parent:
        members.setdefault(root(node), []).append(node)
    nodes, dates = sorted(parent), {}
    for start in range(0, len(nodes), 500):  # only the linked responses' dates: most responses are in no cluster
        dates.update(db.execute("select id, coalesce(letter_date, published_date, first_seen_at, '') from disclosures "
                                f"where id in ({','.join(map(str, nodes[start:start + 500]))})").fetchall())
    rows = []
    for group in members.values():
        first = min(group, key=lambda i: (dates.get(i, ""), i))
        rows += [(first, member) for member in group]
    with db.atomic():
        db.execute("delete from cluster_members")
        db.conn.executemany("insert into cluster_members (cluster_id, disclosure_id) values (?, ?)", rows)
    return len(members)
