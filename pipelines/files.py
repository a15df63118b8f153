"""Downloaded files, content-addressed by sha256 under data/files/."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


class FileStore:
    """Files named by the sha256 of their bytes: data/files/ab/cd/abcd...; never a partial file."""

    PARTIAL = ".partial-"

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes, sha256: str | None = None) -> str:
        """Store bytes (once) and return their sha256 (pass it when already known).

        Written to a temporary name in the target folder, flushed to disk, checked against
        the sha256, and only then renamed: a crash leaves at most a ".partial-" file, never a
        short or wrong file under its final name.
        """
        sha256 = sha256 or hashlib.sha256(data).hexdigest()
        target = self.path(sha256)
        if target.exists() and target.stat().st_size == len(data):
            return sha256
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=self.PARTIAL)
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
        for path in self.root.rglob(self.PARTIAL + "*"):
            path.unlink(missing_ok=True)
            removed += 1
        return removed
