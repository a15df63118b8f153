"""Hostile and broken input: a document that spins, bloats or crashes is stopped and recorded; the rest go on.

Every case is generated here: a PDF whose page tree refers to itself (pdfminer resolves it
forever), a blank 14,400 pt square page (10 GB if rendered for OCR at 250 dpi), and workers
that spin, stall, crash or are killed from outside.
"""

from __future__ import annotations

import ctypes
import faulthandler
import os
import signal
import time
from pathlib import Path

from pipelines.sandbox import Died, Limits, Sandbox
from tests.conftest import foilog
from tools.tinypdf import huge_page_pdf, many_operators_pdf, self_referencing_pdf, tiny_pdf

# CPU limits small for speed; wall clocks long, so that on a loaded machine the CPU limit is still what stops a spin.
QUICK = Limits(cpu_seconds=2, wall_seconds=120, memory_mb=1024)


def behave(how: str) -> str:
    """A job for the sandbox: answer, or misbehave as named."""
    if how == "spin":
        while True:
            pass
    if how == "stall":
        time.sleep(60)  # a worker stuck waiting (on a dead NFS mount, say): only the wall clock catches it
    if how == "crash":
        faulthandler.disable()  # pytest's handler would print the dump of an expected crash into the test log
        ctypes.string_at(0)
    if how == "killed":
        os.kill(os.getpid(), signal.SIGKILL)  # as the machine's OOM killer would
    if how == "bloat":
        try:
            bytearray(3 * 1024**3)
        except MemoryError:
            return "refused by the memory limit"
        return "allocated 3 GB"
    return f"answered {how}"


def test_each_death_is_named_and_the_next_job_gets_a_fresh_worker() -> None:
    jobs = ["a", "spin", "b", "crash", "c", "killed", "d", "bloat"]
    results = dict(Sandbox(behave, workers=2, limits=Limits(cpu_seconds=1, wall_seconds=120, memory_mb=1024)).run(jobs))
    # A stall spends no CPU: only the wall clock stops it, whatever the load.
    results |= dict(Sandbox(behave, workers=1, limits=Limits(cpu_seconds=1, wall_seconds=3)).run(["stall", "e"]))
    assert set(results) == {*jobs, "stall", "e"}
    assert [results[j] for j in "abcde"] == [f"answered {j}" for j in "abcde"]
    assert results["bloat"] == "refused by the memory limit"
    spin, stall, crash, killed = (results[j] for j in ("spin", "stall", "crash", "killed"))
    assert isinstance(spin, Died) and spin.own_fault and "more than 1s of CPU" in spin.reason
    assert isinstance(stall, Died) and not stall.own_fault and "longer than 3s (wall clock)" in stall.reason
    assert isinstance(crash, Died) and crash.own_fault and "SIGSEGV" in crash.reason
    assert isinstance(killed, Died) and not killed.own_fault and "killed from outside" in killed.reason


def test_a_self_referencing_pdf_is_stopped_by_its_cpu_limit_and_the_next_file_is_read(tmp_path: Path) -> None:
    from pipelines.parse import extract_files

    loop, good = tmp_path / "loop.pdf", tmp_path / "good.pdf"
    loop.write_bytes(self_referencing_pdf())
    good.write_bytes(tiny_pdf(["14th July 2021", "Freedom of Information Request Reference No: FOI 004417/21"]))
    records = list(extract_files([str(loop), str(good)], QUICK))
    assert records[0] == {"file": str(loop), "error": "used more than 2s of CPU and was stopped"}
    assert records[1]["file"] == str(good) and records[1]["reference"] == "004417/21"


def test_a_huge_blank_page_is_refused_before_it_is_rendered(tmp_path: Path) -> None:
    huge = tmp_path / "huge.pdf"
    huge.write_bytes(huge_page_pdf())
    result = foilog("extract", str(huge))
    assert result.returncode == 2
    assert '"error": "page 1 is too large to read by OCR (14400 x 14400 pt)"' in result.stdout


def test_extract_reads_a_device_with_no_end_only_to_the_size_cap(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from pipelines import parse

    monkeypatch.setattr(parse, "MAX_FILE_BYTES", 1024 * 1024)
    (record,) = parse.extract_files(["/dev/zero"], QUICK)
    assert record == {"file": "/dev/zero", "error": "larger than the 1 MB limit"}


def test_the_parse_stage_records_a_spinning_file_and_never_tries_it_again(tmp_path: Path) -> None:
    import sqlite_utils

    from pipelines.files import FileStore
    from pipelines.parse import parse_pending

    db = sqlite_utils.Database(tmp_path / "f.db")
    from pipelines.db import ensure_db_shape

    ensure_db_shape(db)
    store = FileStore(tmp_path / "files")
    loop = store.put(self_referencing_pdf())
    good = store.put(tiny_pdf(["Freedom of Information Request Reference No: FOI 000001/24"]))
    db.table("documents").insert_all([{"id": 1, "sha256": loop, "kind": "pdf", "status": "fetched"},
                                      {"id": 2, "sha256": good, "kind": "pdf", "status": "fetched"}], pk="id")
    counts = parse_pending(db, store, workers=2, limits=QUICK)
    assert (counts.parsed, counts.failed, counts.retried) == (1, 1, 0)
    assert [tuple(r) for r in db.execute("select id, status, error from documents order by id").fetchall()] == [
        (1, "failed", "used more than 2s of CPU and was stopped"), (2, "parsed", None)]
    again = parse_pending(db, store, workers=2, limits=QUICK)
    assert (again.parsed, again.failed, again.retried) == (0, 0, 0), "recorded: not tried again by this parser version"


def test_a_page_of_a_million_operators_is_stopped_within_its_limits(tmp_path: Path) -> None:
    from pipelines.parse import extract_files

    page = tmp_path / "operators.pdf"
    page.write_bytes(many_operators_pdf())
    (record,) = extract_files([str(page)], Limits(cpu_seconds=3, wall_seconds=120, memory_mb=512))
    assert record["error"] in ("used more than 3s of CPU and was stopped", "needs more memory than a document may use"), record
    assert "unreadable" not in record["error"]
