"""One writer at a time: a run takes an exclusive lock beside the database, or leaves at once."""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
from collections.abc import Iterator
from pathlib import Path

from pipelines import FoilogError
from pipelines.db import now


class Locked(FoilogError):
    """Another run holds the lock; nothing was touched."""


@contextlib.contextmanager
def run_lock(db_path: str | Path) -> Iterator[None]:
    """Hold `<db>.lock` for the block. The kernel drops the lock when the process dies (even
    by SIGKILL), so a crashed run never leaves a stale lock behind."""
    path = Path(f"{db_path}.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown process"
            raise Locked(f"another foilog run holds {path} ({holder}); this one has changed nothing") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} on {socket.gethostname()} since {now()}")
        handle.flush()
        yield
    finally:
        handle.close()
