"""Datasette over the database, configured by metadata.yml and the templates beside it."""

from __future__ import annotations

import sqlite3
import urllib.parse
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from datasette.app import Datasette
from datasette.database import Database, Results

from pipelines.db import COMBINED_FACETS
from pipelines.web import NAME
from pipelines.web.facets import known_count, newest_first

# Shipped inside the package, so a wheel installed anywhere serves the same pages as a checkout.
WEB = files(__package__ or "pipelines.web")
TEMPLATES = Path(str(WEB / "templates"))

# Chosen for a log of a few hundred thousand responses on a small machine (see
# benchmarks/search.py): a search with every default facet must finish, and a runaway
# query must not hold one of the three SQL threads for long.
SETTINGS = {
    "sql_time_limit_ms": 3000,
    "facet_time_limit_ms": 1500,  # the four default facets over all 200,000 rows of the benchmark take ~0.3 s
    "suggest_facets": False,  # suggestions cost a query per column on every table page
    "default_page_size": 50,
    "allow_download": False,
    # The rows, the count and the facets each re-read what a search matched; with SQLite's default
    # 2 MB cache that is read again from the file each time (measured with Datasette's own facets:
    # a 3% search at 200,000 rows took 116 ms of SQL, 66 with this).
    "cache_size_kb": 65536,
}


def make_datasette(db_path: str | Path, settings: dict | None = None, immutable: bool = False) -> Datasette:
    """A Datasette for one database file with foilog's metadata, templates and plugin.

    The file is opened read-only (`mode=ro`), so the nightly crawl can write to it while it
    is served; `immutable` opens a published copy that never changes with `immutable=1`,
    which lets SQLite skip locking altogether.
    """
    metadata = load_metadata()
    ds = Datasette(metadata=metadata, settings={**SETTINGS, **(settings or {})}, template_dir=str(TEMPLATES))
    ds.remove_database("_memory")  # Datasette adds one when started without files
    ds.add_database(QuotedDatabase(ds, path=str(Path(db_path).resolve()), is_mutable=not immutable), name=NAME)
    return ds


class QuotedDatabase(Database):  # type: ignore[misc]
    """Datasette's read-only database, its path quoted in the URI: "a#b/foilog.db" would otherwise open
    "a" as a new, empty database (everything after "#" or "?" is not the path)."""

    def connect(self, write: bool = False) -> sqlite3.Connection:
        if write or self.is_memory or self.memory_name:
            return super().connect(write)
        mode = "mode=ro" if self.is_mutable else "immutable=1"
        conn = sqlite3.connect(f"file:{urllib.parse.quote(self.path)}?{mode}", uri=True, check_same_thread=False)
        self._all_file_connections.append(conn)
        return conn

    async def execute(self, sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Results:
        # A search page's count of its matches, already counted by its facet pass (pipelines/web/facets.py).
        if (count := await known_count(self, sql, params)) is not None:
            return Results([(count,)], False, [("count(*)", None, None, None, None, None, None)])
        return await super().execute(await newest_first(self, sql, params), params, *args, **kwargs)


def serve(db_path: str | Path, host: str, port: int, immutable: bool = False) -> None:
    """Serve until interrupted; print "Listening on URL" once the socket accepts requests."""
    import uvicorn

    class Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets)
            if self.started:  # so that an operator, or a script, knows when pages can be asked for
                print(f"Listening on http://{host}:{port}/  (Ctrl-C to stop)", flush=True)

    config = uvicorn.Config(make_datasette(db_path, immutable=immutable).app(), host=host, port=port, log_level="warning")
    Server(config).run()


def load_metadata() -> dict[str, Any]:
    """metadata.yml, with the disclosures table's default facets from the one list of them."""
    metadata = yaml.safe_load((WEB / "metadata.yml").read_text(encoding="utf-8"))
    table = metadata["databases"][NAME]["tables"]["disclosures"]
    table["facets"] = [column if kind == "column" else {kind: column} for column, kind in COMBINED_FACETS.items()]
    return metadata
