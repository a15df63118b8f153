"""Datasette's column and array facets, with the disclosures table's default facets counted in one pass.

Datasette counts each facet with its own statement, and each statement re-reads every row
the page matched: seven passes over 60,000 rows for a common word in 200,000 responses,
and the array facets also de-duplicate whole rows. Here the default facets of
`disclosures` are counted together: one statement reads each match's facet keys (one for
each group of FACET_GROUPS) from the narrow covering index, the keys are tallied with
numpy, and each value's count is the sum over the few hundred or thousand
`facet_combinations` the tallies name. It also re-runs the search once instead of seven
times. On a page with only column filters and a search (or neither), that statement starts
as soon as they are known and runs beside Datasette's statement for the rows; it counts the
matches too, so the page's count is taken from it (known_count) instead of a pass of its
own. A search alone that matches many rows reads its pages newest first from an index
(newest_first).

Results are the same as Datasette's own facets, value for value (tests/test_datasette.py
compares them). Any other facet, table or database goes to Datasette's own code, as does a
page where some matched row has no facet keys yet (a database not re-indexed since the
columns were added).
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import json
import re
import sqlite3
import urllib.parse
import weakref
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy
from datasette import facets
from datasette.filters import Filters, search_filters
from datasette.tracer import trace
from datasette.utils import escape_sqlite, path_with_removed_args, sqlite_timelimit
from datasette.views.base import ureg

from pipelines.db import COMBINED_FACETS, FACET_GROUPS
from pipelines.web import NAME

TABLE = "disclosures"

# One computation per page, shared by the column and the array facet instances of its request.
_counting: weakref.WeakKeyDictionary[Any, _Counting] = weakref.WeakKeyDictionary()
# Databases seen to have the facet keys and facet_combinations; columns and tables are never dropped.
_ready: weakref.WeakSet[Any] = weakref.WeakSet()


def _column(config: dict) -> str:
    return config.get("column") or config["simple"]


async def _combined_columns(ds: Any, database: str, table: str, request: Any) -> list[str]:
    """The facets of this page, of either type, that facet_combinations can count."""
    if database != NAME or table != TABLE:
        return []
    db = ds.get_database(database)
    if db not in _ready:
        if not set(FACET_GROUPS) <= set(await db.table_columns(TABLE)) or not await db.table_exists("facet_combinations") \
                or "facet_group" not in await db.table_columns("facet_combinations"):
            return []  # served --immutable without the migration that `foilog serve` runs
        _ready.add(db)
    configs = facets.load_facet_configs(request, ds.table_metadata(database, table))
    return list(dict.fromkeys(_column(c["config"]) for kind in ("column", "array") for c in configs.get(kind, [])
                              if COMBINED_FACETS.get(_column(c["config"])) == kind))


# Each column's values and counts (all of them, most first), or None for each when the
# statement timed out; {} when some matched row has no facet keys (counted by Datasette).
Counts = dict[str, list[tuple[Any, int]] | None]
# How many rows matched (None when the statement timed out), and the counts.
Counted = tuple[int | None, Counts]


@dataclass(frozen=True)
class _Counting:
    """One page's count of its default facets: of which rows (the page's SQL, without order or limit), and the result."""

    sql: str
    params: dict
    columns: tuple[str, ...]
    result: asyncio.Future[Counted]
    db: Any  # for known_count: the database, and the count statement Datasette's table page builds for these rows
    count_sql: str


# The counting a table page started (start_counting), in the context of the request's task: what its count
# statement, a little later in the same task, is answered from.
_page: contextvars.ContextVar[_Counting | None] = contextvars.ContextVar("foilog_page_counting", default=None)


async def known_count(db: Any, sql: str, params: Any) -> int | None:
    """The page's count of its matches when sql is the count statement of the rows being counted; else None.

    The facet pass counts the matches anyway; the count statement of Datasette's table page was
    a third pass over them, run after the rows: 102 ms of a national common word's 437.
    """
    counting = _page.get()
    if counting is None or counting.db is not db or sql != counting.count_sql or dict(params or {}) != counting.params:
        return None
    await asyncio.wait([counting.result])
    if counting.result.cancelled() or counting.result.exception() is not None:
        return None  # Datasette counts, and reports any error, itself
    return counting.result.result()[0]


# Datasette's statement for a search page's rows in the default order (metadata.yml's sort_desc): its search
# (datasette.filters), then on a next page the clause that starts after the last row, ties by id.
_NEWEST = re.compile(r"select (?P<columns>.+) from disclosures where (?P<search>id in \(select rowid from disclosures_fts "
                     r"where disclosures_fts match (?::search|escape_fts\(:search\))\))(?P<rest> and .+)? "
                     r"order by letter_date desc(?:, id)? limit (?P<limit>\d+)", re.DOTALL)
# Read newest first, a page stops at its last row; sorted, it reads and sorts every match. The first costs
# at most a pass over the date index (73 ms at 430,000 responses, for a word found in none of them), the
# second about 1.8 microseconds a match (237 ms for 128,841): the index is the cheaper at any share over
# a tenth, even if every match were among the oldest.
NEWEST_FIRST_SHARE = 10
NEWEST_INDEX = "idx_disclosures_letter_date_id"  # pipelines/db.py: (letter_date desc, id)


async def newest_first(db: Any, sql: str, params: Any) -> str:
    """The statement for a search page's rows, read newest first from the date index where it matches many.

    Datasette's statement finds the matches by id and sorts them all; SQLite's planner takes
    that way whatever the search, knowing nothing of how many rows it matches. Here the
    matches are counted up to a tenth of the table (a few ms), and if there are that many,
    the id is kept out of the planner's sight (+id), so that the (letter_date desc, id) index
    is read in its order. The rows are the same, in the same order: ties by id, as the sort
    left them and as Datasette's next page takes them.
    """
    found = _NEWEST.fullmatch(sql)
    if not found or not isinstance(params, dict) or "search" not in params:
        return sql
    matches = found["search"].removeprefix("id in (").removesuffix(")")

    def many(conn: sqlite3.Connection) -> bool:
        if not conn.execute("select 1 from sqlite_master where type = 'index' and name = ?", [NEWEST_INDEX]).fetchone():
            return False  # served --immutable without the migration: the older date index would order ties the other way
        enough = (conn.execute("select max(id) from disclosures").fetchone()[0] or 0) // NEWEST_FIRST_SHARE
        with sqlite_timelimit(conn, db.ds.setting("sql_time_limit_ms")):
            return enough > 0 and conn.execute(f"select count(*) from ({matches} limit :enough)",
                                               {"search": params["search"], "enough": enough}).fetchone()[0] >= enough

    try:
        if not await db.execute_fn(many):
            return sql
    except sqlite3.OperationalError:
        return sql  # a malformed search, or one that ran out of time: Datasette's own statement reports it
    return (f"select {found['columns']} from disclosures where +{found['search']}{found['rest'] or ''} "
            f"order by letter_date desc, id limit {found['limit']}")


async def _count(ds: Any, database: str, sql: str, params: dict, columns: list[str]) -> Counted:
    """The counts of the columns' values over the rows of sql, from the rows' facet keys."""
    groups = {group: [c for c in members if c in columns] for group, members in FACET_GROUPS.items()}
    groups = {group: members for group, members in groups.items() if members}
    # Each group's keys as one string, with how many there are: one row back, not one per match.
    # Fetched row by row, the keys took 165 ms for a common word against 110 as strings, and
    # Python took the GIL back for each of 60,000 matches, which stalled the page's statements
    # running beside this one (their time-limit checks need it).
    keys_sql = f"select count(*), {', '.join(f'group_concat({g}), count({g})' for g in groups)} from ({sql})"
    combos = f"select key, {', '.join(columns)} from facet_combinations"
    limit_ms = ds.setting("facet_time_limit_ms")

    def tally(conn: sqlite3.Connection) -> tuple[int, list[dict[int, int]] | None, dict[int, tuple]]:
        cursor = conn.cursor()
        cursor.row_factory = None
        with sqlite_timelimit(conn, limit_ms):
            matched, *found = cursor.execute(keys_sql, params).fetchone()
        if any(n < matched for n in found[1::2]):
            return matched, None, {}  # a row not re-indexed since the facet keys were added
        # Counted here, not in SQL, where each group's keys would be sorted first; by numpy, which took
        # 9 ms for a national common word's 3 x 128,841 keys, against 72 for a Counter of the split strings.
        tallies = [_tally(keys) for keys in found[::2]]
        return matched, tallies, {row[0]: row for row in cursor.execute(combos)}

    db = ds.get_database(database)
    try:
        with trace("sql", database=database, sql=keys_sql, params=params):
            matched, tallies, values = await db.execute_fn(tally)
    except sqlite3.OperationalError as exc:
        if exc.args == ("interrupted",):
            return None, dict.fromkeys(columns)
        raise
    if tallies is None:
        return matched, {}
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
                    for item in _items(value):
                        counts[item] += n
                else:
                    counts[value] += n
            counted[column] = sorted(counts.items(), key=_ranked)
    return matched, counted


def _tally(keys: str | None) -> dict[int, int]:
    """How many times each key is in a comma-separated list of them."""
    if not keys:
        return {}
    counts = numpy.bincount(numpy.fromstring(keys, dtype=numpy.int64, sep=","))
    found = numpy.flatnonzero(counts)
    return dict(zip(found.tolist(), counts[found].tolist()))


@functools.lru_cache(maxsize=1 << 16)
def _items(value: str) -> frozenset:
    """An array facet's distinct values in one combination: parsed once, not once for every page."""
    return frozenset(json.loads(value))


def _ranked(item: tuple[Any, int]) -> tuple[int, Any]:
    """Most first, then by value, as Datasette orders a facet's values."""
    return -item[1], item[0]


# The query string's special arguments (Datasette's: starting with "_", without "__") under which a
# table page's rows are those of its column filters and its search, and its facets are counted.
_PLAIN_ARGS = frozenset({"_search", "_searchmode", "_sort", "_sort_desc", "_size", "_facet", "_facet_array", "_facet_size",
                         "_labels", "_trace", "_nosuggest", "_col", "_nocol", "_timelimit"})


def _is_filter(arg: str) -> bool:
    """A column filter (outcome=refused, year__gte=2020), as Datasette's table page tells them from its own arguments."""
    return not (arg.startswith("_") and "__" not in arg)


async def start_counting(request: Any, database: str, table: str, ds: Any) -> None:
    """Start counting a table page's default facets, and its matches, while Datasette reads its rows.

    Datasette runs a table page's statements one after another, each over every match; this
    one runs beside them, on another core. It is counted for the rows Datasette's own facets
    would count: those of the page's column filters and its search, built here as its table
    page builds them. combined_counts uses it only if the page's facet SQL and parameters
    turn out to be exactly those, and counts afresh if not; the page's count statement is
    answered from it (known_count) only if it is the one Datasette builds for the same rows.
    """
    if request in _counting or request.url_vars.get("format") not in (None, "json") \
            or not {arg for arg in request.args if not _is_filter(arg)} <= _PLAIN_ARGS:
        return
    columns = await _combined_columns(ds, database, table, request)
    if not columns:
        return
    db = ds.get_database(database)
    # The WHERE clause Datasette's table page builds (datasette.views.table): its column filters, then
    # ?_search= (datasette.filters); and its SQL without order or limit.
    filtered = sorted((arg, value) for arg in request.args if _is_filter(arg) for value in request.args.getlist(arg))
    try:
        clauses, params = Filters(filtered, ds.table_metadata(database, table).get("units", {}), ureg).build_where_clauses(table)
    except Exception:  # noqa: BLE001 - a filter Datasette will refuse, with its own message
        return
    found = await search_filters(request, database, table, ds)()
    clauses, params = [*clauses, *found.where_clauses], {**params, **found.params}
    where = f"where {' and '.join(clauses)} " if clauses else ""
    selected = ", ".join(escape_sqlite(c) for c in await db.table_columns(table))
    sql = f"select {selected} from {escape_sqlite(table)} {where}"
    counting = _counting[request] = _start(ds, database, sql, params, columns,
                                           count_sql=f"select count(*) from {escape_sqlite(table)} {where}")
    _page.set(counting)
    # A page that fails before its facets (a malformed search) never asks for the result: its error is Datasette's to report.
    counting.result.add_done_callback(lambda done: done.cancelled() or done.exception())


def _start(ds: Any, database: str, sql: str, params: dict, columns: list[str], count_sql: str = "") -> _Counting:
    return _Counting(sql, dict(params), tuple(columns), asyncio.ensure_future(_count(ds, database, sql, params, columns)),
                     ds.get_database(database), count_sql)


async def combined_counts(facet: facets.Facet) -> Counts:
    """This page's combined facet counts, computed once for all its facet instances."""
    columns = await _combined_columns(facet.ds, facet.database, facet.table, facet.request)
    if not columns:
        return {}
    counting = _counting.get(facet.request)
    if counting is None or (counting.sql, counting.params, counting.columns) != (facet.sql, dict(facet.params), tuple(columns)):
        if counting is not None:
            counting.result.cancel()  # counted for other rows than this page's: not used
        counting = _counting[facet.request] = _start(facet.ds, facet.database, facet.sql, facet.params, columns)
    return (await counting.result)[1]


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
