"""Datasette over the database, configured by metadata.yml."""

from __future__ import annotations

from pathlib import Path

import yaml
from datasette.app import Datasette

METADATA = Path(__file__).resolve().parent.parent / "metadata.yml"
SETTINGS = {
    "sql_time_limit_ms": 3000,
    "facet_time_limit_ms": 1000,
    "suggest_facets": False,  # suggestions cost a query per column on every table page
    "default_page_size": 50,
    "allow_download": False,
}


def make_datasette(db_path: str | Path) -> Datasette:
    """A Datasette for one database file, opened read-only, with foilog's metadata.

    The metadata names the database "foilog"; a file with another name gets the same.
    """
    db_path = Path(db_path)
    metadata = yaml.safe_load(METADATA.read_text()) if METADATA.exists() else {}
    databases = metadata.get("databases", {})
    if "foilog" in databases and db_path.stem != "foilog":
        databases[db_path.stem] = databases.pop("foilog")
    return Datasette(files=[str(db_path)], metadata=metadata, settings=SETTINGS)


def serve(db_path: str | Path, host: str, port: int) -> None:
    """Serve until interrupted."""
    import uvicorn

    uvicorn.run(make_datasette(db_path).app(), host=host, port=port, log_level="warning")
