"""Shared fixtures: the bundled mirror on a local port, the CLI as a subprocess, rendered letters."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from pipelines.demo import SAMPLE
from pipelines.demo.mirror import mirror_sources, serve_mirror

ROOT = Path(__file__).resolve().parent.parent
# A letter of this project's own words in the shape of a real joint response (see its test).
SEED_TEXT = ROOT / "tests" / "fixtures" / "seed-shaped-letter.txt"


def foilog(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a fresh process, as a user or cron would."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "pipelines", *args], cwd=cwd or ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(db: Path) -> Iterator[str]:
    """`foilog serve` on a database, as a user starts it, until the block ends; yields its origin."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "pipelines", "serve", "--db", str(db), "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until_listening(proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def wait_until_listening(proc: subprocess.Popen[str], seconds: float = 60) -> None:
    """Until `foilog serve` says it is listening: its own word, read from its output, not a guess."""
    import selectors

    assert proc.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        said = ""
        while "Listening on" not in said:
            assert selector.select(timeout=seconds), f"foilog serve said nothing for {seconds:g} s"
            line = proc.stdout.readline()
            assert line, f"foilog serve ended: {proc.stderr.read() if proc.stderr else ''}"
            said += line


@pytest.fixture(scope="session")
def expected() -> list[dict]:
    return json.loads((SAMPLE / "expected.json").read_text())


@pytest.fixture(scope="session")
def mirror():
    """The bundled sample served over real HTTP on 127.0.0.1."""
    with serve_mirror(SAMPLE / "site") as origin:
        yield origin


def write_sources(path: Path, origin: str, **settings: object) -> Path:
    """A sources file for both forces' logs on a local mirror, with extra settings on every source."""
    path.write_text(yaml.safe_dump({"sources": [{**s, **settings} for s in mirror_sources(origin)]}, sort_keys=False))
    return path


def assert_paced(arrivals: list[float], per_second: float, window: int = 5) -> None:
    """Requests that arrived at a server no faster than per_second: no window of `window` gaps shorter
    than that many intervals (10% slack), and no single gap under half of one.

    Timed at the server, one request that a busy machine delays arrives late and the next one
    close behind it, though the client spaced them; over a window that evens out, and a crawler
    that ignores its limit, or keeps half of it, still fails.
    """
    interval = 1 / per_second
    times = sorted(arrivals)
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert len(gaps) > 2 * window, f"too few requests to judge the pace: {len(times)}"
    assert min(gaps) >= interval / 2, f"two requests {min(gaps):.3f} s apart, under half of 1/{per_second} s"
    spans = [times[i + window] - times[i] for i in range(len(times) - window)]
    assert min(spans) >= window * interval * 0.9, f"{window} gaps in {min(spans):.3f} s, faster than {per_second} a second"


def rows(db: Path, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, mirror: str) -> Path:
    """`foilog run` over the bundled mirror: a folder with foilog.db and the file archive. Read, never change it."""
    tmp = tmp_path_factory.mktemp("built")
    result = foilog("run", "--sources", str(write_sources(tmp / "sources.yml", mirror)), "--db", str(tmp / "foilog.db"),
                    "--data-dir", str(tmp / "files"))
    assert result.returncode == 0, result.stderr
    assert "18 disclosures" in result.stdout
    return tmp


@pytest.fixture
def sources_file(tmp_path: Path, mirror: str) -> Path:
    return write_sources(tmp_path / "sources.yml", mirror)


@pytest.fixture(scope="session")
def seed_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seed-shaped letter rendered to a multi-page PDF with letterhead and footers."""
    from tools.letters import render_pdf

    path = tmp_path_factory.mktemp("seed") / "foi-004417-21.pdf"
    path.write_bytes(render_pdf(SEED_TEXT.read_text(), letterhead="Norfolk and Suffolk Constabularies - Freedom of Information"))
    return path
