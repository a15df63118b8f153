"""Datasette's column and array facets, with the disclosures table's default facets counted in one pass.

Datasette counts each facet with its own statement, and each statement re-reads every row
the page matched: four passes over 60,000 rows for a common word in 200,000 responses,
and the array facet also de-duplicates whole rows. Here the default facets of
`disclosures` (force, outcome, year, exemption_sections) are counted together: one pass
counts the matches by `facet_key` over the narrow (id, facet_key) index, then each value's
count is the sum over the few thousand `facet_combinations` that have it. One statement
serves both facet types, so it also re-runs the search once instead of four times.

Results are the same as Datasette's own facets, value for value (tests/test_datasette.py
compares them). Any other facet, table or database goes to Datasette's own code, as does a
page where some matched row has no facet_key yet (a database not re-indexed since the
column was added).
"""

from __future__ import annotations

import asyncio
import urllib.parse
import weakref
from typing import Any

from datasette import facets
from datasette.database import QueryInterrupted
from datasette.utils import escape_sqlite, path_with_removed_args

from pipelines.db import COMBINED_FACETS
from pipelines.web import NAME

TABLE = "disclosures"

# One computation per page, shared by the column and the array facet instances of its request.
_counting: weakref.WeakKeyDictionary[Any, asyncio.Future] = weakref.WeakKeyDictionary()
# Databases seen to have facet_key and facet_combinations; columns and tables are never dropped.
_ready: weakref.WeakSet[Any] = weakref.WeakSet()


def _column(config: dict) -> str:
    return config.get("column") or config["simple"]


async def _combined_columns(facet: facets.Facet) -> list[str]:
    """The facets of this page, of either type, that facet_combinations can count."""
    if facet.database != NAME or facet.table != TABLE:
        return []
    db = facet.ds.get_database(facet.database)
    if db not in _ready:
        if "facet_key" not in await db.table_columns(TABLE) or not await db.table_exists("facet_combinations"):
            return []  # served --immutable without the migration that `foilog serve` runs
        _ready.add(db)
    configs = facets.load_facet_configs(facet.request, facet.metadata)
    return list(dict.fromkeys(_column(c["config"]) for kind in ("column", "array") for c in configs.get(kind, [])
                              if COMBINED_FACETS.get(_column(c["config"])) == kind))


Counts = dict[str, list[tuple[Any, int]] | None]


async def _count(facet: facets.Facet, columns: list[str]) -> Counts:
    """Each column's values and counts (facet_size + 1 of them, most first), or None for each
    when the statement timed out; {} when some matched row has no facet_key (counted by Datasette)."""
    limit = facet.get_facet_size() + 1  # one more than shown tells whether the list was truncated

    def ranked(column: str, counted: str) -> str:
        return f"select * from (select '{column}' as facet, value, count from ({counted}) order by count desc, value limit {limit})"

    plain = [escape_sqlite(c) for c in columns if COMBINED_FACETS[c] == "column"]
    ctes = [f"matched as materialized (select facet_key, count(*) as n from ({facet.sql}) group by facet_key)",
            "combos as materialized (select c.*, m.n from matched m join facet_combinations c on c.key = m.facet_key)"]
    if plain:  # a few hundred rows, however many combinations matched
        ctes.append(f"plain as materialized (select {', '.join(plain)}, sum(n) as n from combos group by {', '.join(plain)})")
    branches = ["select null as facet, null as value, n as count from matched where facet_key is null"]
    for column in columns:
        col = escape_sqlite(column)
        if COMBINED_FACETS[column] == "column":
            branches.append(ranked(column, f"select {col} as value, sum(n) as count from plain where {col} is not null group by {col}"))
        else:  # each distinct array is split once; a value counts once per row, as Datasette counts it
            branches.append(ranked(column, f"""select value, sum(n) as count from (
                select distinct a.array, a.n, j.value from (select {col} as array, sum(n) as n from combos group by {col}) a,
                json_each(a.array) j) group by value"""))
    sql = f"with {', '.join(ctes)} {' union all '.join(branches)}"
    try:
        rows = await facet.ds.execute(facet.database, sql, facet.params, truncate=False,
                                      custom_time_limit=facet.ds.setting("facet_time_limit_ms"))
    except QueryInterrupted:
        return dict.fromkeys(columns)
    counted: Counts = {column: [] for column in columns}
    for facet_name, value, count in rows.rows:
        if facet_name is None:  # rows with no facet_key among the matches
            return {}
        counted[facet_name].append((value, count))  # type: ignore[union-attr]
    return counted


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
