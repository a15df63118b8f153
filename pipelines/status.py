"""What the last runs did, for `foilog status`."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def last_runs(db_path: str | Path, limit: int = 10) -> list[dict[str, object]]:
    """The newest runs first, read without writing to the database."""
    conn = sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        if not conn.execute("select 1 from sqlite_master where name = 'crawl_runs'").fetchone():
            return []
        rows = conn.execute("select * from crawl_runs order by id desc limit ?", [limit]).fetchall()
        return [dict(r) for r in rows]
    finally:
        conn.close()
