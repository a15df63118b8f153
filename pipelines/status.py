"""What the last runs did, and which sources look broken, for `foilog status`."""

from __future__ import annotations

import datetime as dt
import sqlite3
import urllib.parse
from pathlib import Path


def _connect(db_path: str | Path) -> sqlite3.Connection:
    # status never writes; the path is quoted, or a "#" in it would end the file name
    conn = sqlite3.connect(f"file:{urllib.parse.quote(str(Path(db_path).resolve()))}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


def last_runs(db_path: str | Path, limit: int = 10) -> list[dict[str, object]]:
    """The newest runs first."""
    conn = _connect(db_path)
    try:
        if not conn.execute("select 1 from sqlite_master where name = 'crawl_runs'").fetchone():
            return []
        return [dict(r) for r in conn.execute("select * from crawl_runs order by id desc limit ?", [limit])]
    finally:
        conn.close()


def source_health(db_path: str | Path, *, failed_runs: int = 3, quiet_days: int = 30,
                  today: dt.date | None = None) -> list[dict[str, object]]:
    """Each crawled source with the signs that it is broken, by the runs it has had.

    - its listing used to yield entries and yields none now (the site changed shape);
    - its listing pages could not be fetched at all in the last `failed_runs` runs in a row
      (one missing document is a recorded failure, not a broken source);
    - no entry first found by foilog for `quiet_days` days (by when foilog found it, not
      by the date printed on it).
    """
    today = today or dt.datetime.now(dt.UTC).date()
    conn = _connect(db_path)
    try:
        if not conn.execute("select 1 from sqlite_master where name = 'source_runs'").fetchone():
            return []
        sources = [r["source"] for r in conn.execute("select distinct source from source_runs order by source")]
        health = []
        for source in sources:
            runs = conn.execute("select * from source_runs where source = ? order by run_id desc", [source]).fetchall()
            problems = []
            latest = runs[0]
            if latest["entries"] == 0 and latest["pages_failed"] == 0 and any(r["entries"] for r in runs[1:]):
                before = next(r["entries"] for r in runs[1:] if r["entries"])
                problems.append(f"its listing yields no entries now ({before} before): has the site changed shape?")
            streak = 0
            for run in runs:
                if run["pages"] and run["pages_failed"] == run["pages"]:
                    streak += 1
                else:
                    break
            if streak >= failed_runs:
                problems.append(f"its listing could not be fetched in the last {streak} runs")
            if latest["forbidden"]:
                problems.append(f"{latest['forbidden']} of {latest['requests']} requests in its last run answered 403 Forbidden"
                                + (": the site may answer only browsers; set 'transport: browser' for this source"
                                   if (latest["transport"] or "http") == "http" else ", even to the browser"))
            if latest["complete"] == 0 and latest["pages_failed"] == 0:
                problems.append(f"its last walk stopped at max_pages ({latest['pages']} listing pages): "
                                "removals were not decided (raise max_pages)")
            newest = conn.execute("select max(first_seen_at) from document_urls where source = ?", [source]).fetchone()[0]
            if newest:
                days = (today - dt.date.fromisoformat(newest[:10])).days
                if days >= quiet_days:
                    problems.append(f"no new entry for {days} days (the last first found {newest[:10]})")
            failing = conn.execute("""select count(*), max(failures), min(coalesce(last_checked_on, substr(last_checked_at, 1, 10)))
                                      from document_urls
                                      where source = ? and error is not null and removed_at is null""", [source]).fetchone()
            health.append({"source": source, "ok": not problems, "problems": problems,
                           "last_run": latest["run_id"], "entries": latest["entries"],
                           # URLs failing now, each asked again after 1, 2, 4 ... days (not a broken source)
                           "failing_urls": failing[0], "longest_failing_streak": failing[1] or 0,
                           "failing_since": failing[2]})
        return health
    finally:
        conn.close()


def held_documents(db_path: str | Path) -> list[dict[str, object]]:
    """Attachments the audit held back, waiting for a person's decision (foilog release or withdraw)."""
    conn = _connect(db_path)
    try:
        if not conn.execute("select 1 from sqlite_master where name = 'documents'").fetchone():
            return []
        return [dict(r) for r in conn.execute("""
            select d.sha256, d.url, d.fetched_at, p.audit from documents d left join parses p on p.sha256 = d.sha256
            where d.status = 'held' order by d.fetched_at""")]
    finally:
        conn.close()
