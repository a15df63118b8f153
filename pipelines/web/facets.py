"""Datasette's column and array facets, with the disclosures table's default facets counted in one pass.

Datasette counts each facet with its own statement, and each statement re-reads every row
the page matched: seven passes over 60,000 rows for a common word in 200,000 responses,
and the array facets also de-duplicate whole rows. Here the default facets of
`disclosures` are counted together: one statement reads each match's facet keys (one for
each group of FACET_GROUPS) from the narrow covering index, the keys are tallied in
Python, and each value's count is the sum over the few hundred or thousand
`facet_combinations` the tallies name. It also re-runs the search once instead of seven
times.

Results are the same as Datasette's own facets, value for value (tests/test_datasette.py
compares them). Any other facet, table or database goes to Datasette's own code, as does a
page where some matched row has no facet keys yet (a database not re-indexed since the
columns were added).
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import urllib.parse
import weakref
from collections import Counter
from typing import Any

from datasette import facets
from datasette.tracer import trace
from datasette.utils import path_with_removed_args, sqlite_timelimit

from pipelines.db import COMBINED_FACETS, FACET_GROUPS
from pipelines.web import NAME

TABLE = "disclosures"

# One computation per page, shared by the column and the array facet instances of its request.
_counting: weakref.WeakKeyDictionary[Any, asyncio.Future] = weakref.WeakKeyDictionary()
# Databases seen to have the facet keys and facet_combinations; columns and tables are never dropped.
_ready: weakref.WeakSet[Any] = weakref.WeakSet()


def _column(config: dict) -> str:
    return config.get("column") or config["simple"]


async def _combined_columns(facet: facets.Facet) -> list[str]:
    """The facets of this page, of either type, that facet_combinations can count."""
    if facet.database != NAME or facet.table != TABLE:
        return []
    db = facet.ds.get_database(facet.database)
    if db not in _ready:
        if not set(FACET_GROUPS) <= set(await db.table_columns(TABLE)) or not await db.table_exists("facet_combinations") \
                or "facet_group" not in await db.table_columns("facet_combinations"):
            return []  # served --immutable without the migration that `foilog serve` runs
        _ready.add(db)
    configs = facets.load_facet_configs(facet.request, facet.metadata)
    return list(dict.fromkeys(_column(c["config"]) for kind in ("column", "array") for c in configs.get(kind, [])
                              if COMBINED_FACETS.get(_column(c["config"])) == kind))


Counts = dict[str, list[tuple[Any, int]] | None]


async def _count(facet: facets.Facet, columns: list[str]) -> Counts:
    """Each column's values and counts (facet_size + 1 of them, most first), or None for each
    when the statement timed out; {} when some matched row has no facet keys (counted by Datasette)."""
    limit = facet.get_facet_size() + 1  # one more than shown tells whether the list was truncated
    groups = {group: [c for c in members if c in columns] for group, members in FACET_GROUPS.items()}
    groups = {group: members for group, members in groups.items() if members}
    sql = f"select {', '.join(groups)} from ({facet.sql})"
    combos = f"select key, {', '.join(columns)} from facet_combinations"
    limit_ms = facet.ds.setting("facet_time_limit_ms")

    def tally(conn: sqlite3.Connection) -> tuple[list[Counter[int]], dict[int, tuple]]:
        # Plain tuples, not Datasette's sqlite3.Row: at 130,000 matches the rows alone took 200 ms more.
        cursor = conn.cursor()
        cursor.row_factory = None
        with sqlite_timelimit(conn, limit_ms):
            keys = cursor.execute(sql, facet.params).fetchall()
        # Counted here, not in SQL: a Counter over each group's keys is one pass in C, where
        # SQLite would sort the matches once for each group.
        tallies = [Counter(column) for column in zip(*keys)] if keys else [Counter() for _ in groups]
        return tallies, {row[0]: row for row in cursor.execute(combos)}

    db = facet.ds.get_database(facet.database)
    try:
        with trace("sql", database=facet.database, sql=sql, params=facet.params):
            tallies, values = await db.execute_fn(tally)
    except sqlite3.OperationalError as exc:
        if exc.args == ("interrupted",):
            return dict.fromkeys(columns)
        raise
    if any(None in tally for tally in tallies):
        return {}  # a row not re-indexed since the facet keys were added
    counted: Counts = {}
    for members, tally in zip(groups.values(), tallies):
        for column in members:
            index = columns.index(column) + 1
            counts: Counter[Any] = Counter()
            array = COMBINED_FACETS[column] == "array"
            for key, n in tally.items():
                value = values[key][index]
                if value is None:
                    continue
                if array:  # a value counts once per row, as Datasette counts it
                    for item in set(json.loads(value)):
                        counts[item] += n
                else:
                    counts[value] += n
            counted[column] = sorted(counts.items(), key=_ranked)[:limit]
    return counted


def _ranked(item: tuple[Any, int]) -> tuple[int, Any]:
    """Most first, then by value, as Datasette orders a facet's values."""
    return -item[1], item[0]


async def combined_counts(facet: facets.Facet) -> Counts:
    """This page's combined facet counts, computed once for all its facet instances."""
    columns = await _combined_columns(facet)
    if not columns:
        return {}
    if facet.request not in _counting:
        _counting[facet.request] = asyncio.ensure_future(_count(facet, columns))
    return await _counting[facet.request]


class _Combined:
    """What the column and array facets share: take the combined counts, leave the rest to Datasette."""

    type: str
    _skip: frozenset[str] = frozenset()

    def get_configs(self) -> list[dict]:
        return [c for c in super().get_configs() if _column(c["config"]) not in self._skip]  # type: ignore[misc]

    async def facet_results(self) -> tuple[list[dict], list[str]]:
        counted = await combined_counts(self)  # type: ignore[arg-type]
        configs = [c for c in super().get_configs() if _column(c["config"]) in counted]  # type: ignore[misc]
        self._skip = frozenset(_column(c["config"]) for c in configs)
        try:
            results, timed_out = await super().facet_results()  # type: ignore[misc]
        finally:
            self._skip = frozenset()  # so that suggestions, if turned on, still see every facet
        for config in configs:
            column = _column(config["config"])
            if (values := counted[column]) is None:
                timed_out.append(column)
            else:
                results.append(await self._facet(column, config["source"], values))
        return results, timed_out

    async def _facet(self, column: str, source: str, counted: list[tuple[Any, int]]) -> dict:
        raise NotImplementedError


class ColumnFacet(_Combined, facets.ColumnFacet):
    async def _facet(self, column: str, source: str, counted: list[tuple[Any, int]]) -> dict:
        # The result datasette.facets.ColumnFacet.facet_results builds, with the same URLs.
        size = self.get_facet_size()
        rows = counted[:size]
        expanded = await self.ds.expand_foreign_keys(self.database, self.table, column, [v for v, _ in rows])
        column_qs = f"{column}__exact" if column.startswith("_") else column
        toggle = _Toggles(self)
        results = []
        for value, count in rows:
            selected = (column_qs, str(value)) in toggle.selected
            results.append({"value": value, "label": expanded.get((column, value), value), "count": count,
                            "toggle_url": toggle.url(self.ds.urls.path(toggle.path(column_qs, value, selected))),
                            "selected": selected})
        return {"name": column, "type": self.type, "hideable": source != "metadata",
                "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {"_facet": column})),
                "results": results, "truncated": len(counted) > size}


class ArrayFacet(_Combined, facets.ArrayFacet):
    async def _facet(self, column: str, source: str, counted: list[tuple[Any, int]]) -> dict:
        # The result datasette.facets.ArrayFacet.facet_results builds, with the same URLs.
        size = self.get_facet_size()
        key = f"{column}__arraycontains"
        toggle = _Toggles(self)
        results = []
        for value, count in counted[:size]:
            value = str(value)
            selected = (key, value) in toggle.selected
            results.append({"value": value, "label": value, "count": count,
                            "toggle_url": toggle.url(toggle.path(key, value, selected)), "selected": selected})
        return {"name": column, "type": self.type, "results": results, "hideable": source != "metadata",
                "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {"_facet_array": column})),
                "truncated": len(counted) > size}


class _Toggles:
    """Each value's link to add or remove it: what path_with_added_args, path_with_removed_args and
    absolute_url give, with the query string parsed once per facet instead of once per value."""

    def __init__(self, facet: facets.Facet) -> None:
        self.request = facet.request
        self.selected = set(facet.get_querystring_pairs())
        self.pairs = urllib.parse.parse_qsl(facet.request.query_string)
        self.origin = facet.ds.absolute_url(facet.request, "/")[:-1]

    def path(self, key: str, value: Any, selected: bool) -> str:
        pairs = ([p for p in self.pairs if p != (key, str(value))] if selected else [*self.pairs, (key, value)])
        query = urllib.parse.urlencode(pairs)
        return self.request.path + (f"?{query}" if query else "")

    def url(self, path: str) -> str:
        return self.origin + path


REPLACING = {facets.ColumnFacet: ColumnFacet, facets.ArrayFacet: ArrayFacet}
