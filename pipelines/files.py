"""Downloaded files, content-addressed by sha256 under data/files/."""

from __future__ import annotations

import hashlib
import os
import tempfile
import uuid
from pathlib import Path

import sqlite_utils

from pipelines import FoilogError


class FileStore:
    """Files named by the sha256 of their bytes: data/files/ab/cd/abcd...; never a partial file."""

    PARTIAL = ".partial-"
    STAGING = ".partial"  # where files are written before they are renamed into place

    def __init__(self, root: str | Path, create: bool = True):
        self.root = Path(root)
        if create:
            self.root.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes, sha256: str | None = None) -> str:
        """Store bytes (once) and return their sha256 (pass it when already known).

        Written to a temporary name in the staging folder, flushed to disk, checked against
        the sha256, and only then renamed into place (one file system, so the rename is
        atomic): a crash leaves at most a ".partial-" file there, never a short or wrong file
        under its final name. One staging folder, because looking for what a crash left in
        every folder of the store took 10 s a run at 430,000 files.
        """
        sha256 = sha256 or hashlib.sha256(data).hexdigest()
        target = self.path(sha256)
        if target.exists() and target.stat().st_size == len(data):
            return sha256
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = self.root / self.STAGING
        staging.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=staging, prefix=self.PARTIAL)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            if hashlib.sha256(Path(tmp).read_bytes()).hexdigest() != sha256:
                raise OSError(f"verification failed writing {sha256}")
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return sha256

    def get(self, sha256: str) -> bytes | None:
        try:
            return self.path(sha256).read_bytes()
        except FileNotFoundError:
            return None

    def remove_partials(self) -> int:
        """Delete what an interrupted run left half-written; return how many."""
        removed = 0
        for path in (self.root / self.STAGING).glob(self.PARTIAL + "*"):
            path.unlink(missing_ok=True)
            removed += 1
        return removed


class TooLarge(OSError):
    """A file over the size a reader accepts."""


def read_capped(path: str | Path, limit: int) -> bytes:
    """A file's bytes, refusing past `limit` (also for what has no size, such as /dev/zero or a pipe)."""
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"larger than the {limit // (1024 * 1024)} MB limit")
    return data


MARK = ".foilog-database"  # in a data directory: the id of the database whose files it holds


class StoreMismatch(FoilogError):
    """The data directory does not hold this database's files; nothing was recorded."""


def bind_store(db: sqlite_utils.Database, db_path: str | Path, data_dir: str | Path | None = None) -> FileStore:
    """The file store that belongs to a database: the one recorded with it, or `data_dir` when given.

    A new database records its directory (by default `files/` beside it) and marks the
    directory with the database's id, so every later command finds the files without being
    told, and a directory holding another database's files, or none of this one's, is refused
    before anything is written. An older database with no record is bound to the given
    directory once that directory is seen to hold its files.
    """
    settings = db.table("settings")
    recorded = {r["key"]: r["value"] for r in settings.rows}
    database_id = recorded.get("database_id") or uuid.uuid4().hex
    chosen = Path(data_dir or recorded.get("data_dir") or Path(db_path).parent / "files").resolve()
    marked = (chosen / MARK).read_text().strip() if (chosen / MARK).is_file() else None
    if marked and marked != database_id:
        raise StoreMismatch(f"{chosen} holds the files of another database, not {db_path}")
    if not marked:
        stored = [r["sha256"] for r in db.query("select distinct sha256 from documents where sha256 is not null limit 20")]
        if stored and not all(FileStore(chosen, create=False).path(sha).exists() for sha in stored):
            where = f" (recorded: {recorded['data_dir']})" if recorded.get("data_dir") else ""
            raise StoreMismatch(f"{chosen} does not hold the files of {db_path}{where}; pass the right --data-dir")
    store = FileStore(chosen)
    if not marked:
        (chosen / MARK).write_text(database_id + "\n")
    if recorded.get("database_id") != database_id or not _holds(recorded.get("data_dir"), database_id):
        with db.atomic():
            settings.upsert_all([{"key": "database_id", "value": database_id}, {"key": "data_dir", "value": str(chosen)}], pk="key")
    return store


def _holds(directory: str | None, database_id: str) -> bool:
    """Whether a recorded directory still holds the database's files (it may have been moved)."""
    mark = Path(directory) / MARK if directory else None
    return bool(mark and mark.is_file() and mark.read_text().strip() == database_id)
