"""Attachment benchmark: audit and visible text per file, and what a bomb or a huge sheet costs before it is refused.

    python benchmarks/audit.py [--out benchmarks/results/audit.json]

Each case runs in a fresh process, which reads the file, notes its peak resident memory,
then audits it and reads its text, twice for a small file (`first_ms` pays for the readers'
first use, `steady_ms` is what a worker that has examined files before takes) (parsers.audit.examine, what the parse stage runs for an
attachment). Peak memory is the whole process's high-water mark (VmHWM), so calamine's
and lxml's own allocations count, and `added_mb` is how far the examination raised it.
`foilog audit` adds its worker's start-up (about 0.6 s a command, not a file).
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import string
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.workbooks import Sheet, Workbook, docx, xlsx, zip_bomb  # noqa: E402

CHILD = """
import json, sys, time
sys.path.insert(0, sys.argv[2])
from parsers import ParseError
from parsers.audit import examine
def high_water_kb():  # VmHWM starts afresh at exec; ru_maxrss would carry the parent's over
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
data = open(sys.argv[1], "rb").read()
before = high_water_kb()
started = time.perf_counter()
try:
    kind, findings, text = examine(data)
    out = {"kind": kind, "findings": sorted({f.kind for f in findings}), "text_chars": len(text or "")}
except ParseError as exc:
    out = {"error": str(exc)}
seconds = time.perf_counter() - started
peak = high_water_kb()
if "error" not in out and len(data) < 10_000_000:  # a worker examines many files: the second look is the steady state
    again = time.perf_counter()
    examine(data)
    out["steady_ms"] = round((time.perf_counter() - again) * 1000, 1)
print(json.dumps({"first_ms": round(seconds * 1000, 1), "peak_mb": round(peak / 1024, 1), "added_mb": round((peak - before) / 1024, 1), **out}))
"""


def large_workbook(target_mb: int = 50) -> bytes:
    """A workbook of about target_mb: case narratives in free text, the kind of column that makes an FOI extract large."""
    rng = random.Random(1)
    words = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9))) for _ in range(20000)]
    rows = [["Reference", "Narrative", "Count"]]
    for i in range(118_000):
        rows.append([f"CR/{i:06d}", " ".join(rng.choices(words, k=95)), i % 97])
    data = xlsx(Workbook([Sheet("Extract", rows), Sheet("Summary", [["Count"], [len(rows) - 1]])]))
    return data


def xls_book() -> bytes:
    import io

    import xlwt

    book = xlwt.Workbook()
    for name in ("Summary", "By district", "By month"):
        grid = book.add_sheet(name)
        for r in range(1000):
            for c, value in enumerate((f"M{r % 12}", f"D{r % 9}", f"Offence {r % 40}", r)):
                grid.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def compare_readers(books: dict[str, bytes], repeat: int) -> dict[str, dict[str, float | None]]:
    """Milliseconds to read every cell value: python-calamine (what foilog uses), openpyxl's read-only mode
    (when installed), and a walk of the sheet XML with the standard library."""
    import io
    import xml.etree.ElementTree as ET
    import zipfile

    from python_calamine import CalamineWorkbook

    def calamine(data: bytes) -> None:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()

    def openpyxl_read_only(data: bytes) -> None:
        import openpyxl

        for sheet in openpyxl.load_workbook(io.BytesIO(data), read_only=True).worksheets:
            for _ in sheet.iter_rows(values_only=True):
                pass

    def element_tree(data: bytes) -> None:
        package = zipfile.ZipFile(io.BytesIO(data))
        for part in (n for n in package.namelist() if n.startswith("xl/worksheets/")):
            for _, element in ET.iterparse(package.open(part)):
                if element.tag.endswith("}row"):
                    [c.findtext("{*}v") for c in element]
                    element.clear()

    readers = {"python-calamine": calamine, "openpyxl read-only": openpyxl_read_only, "ElementTree walk": element_tree}
    out: dict[str, dict[str, float | None]] = {}
    for label, data in books.items():
        out[label] = {}
        for name, reader in readers.items():
            try:
                best = min(_timed(reader, data) for _ in range(repeat))
                out[label][name] = round(best * 1000, 1)
            except ImportError:
                out[label][name] = None  # not installed: foilog does not depend on it
        print("readers", label, json.dumps(out[label]), flush=True)
    return out


def _timed(reader: object, data: bytes) -> float:
    import time

    started = time.perf_counter()
    reader(data)  # type: ignore[operator]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "audit.json")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each case; the fastest is kept")
    args = parser.parse_args()
    rows = [["Month", "District", "Offence", "Count"]] + [[f"M{i % 12}", f"D{i % 9}", f"Offence {i % 40}", i] for i in range(1000)]
    cases = {
        "typical_workbook_3_sheets_12000_cells": xlsx(Workbook([Sheet("Summary", rows[:200]), Sheet("By district", rows),
                                                                  Sheet("Raw", rows, state="hidden")], pivot_records=rows, author="A")),
        "typical_xls_3_sheets_12000_cells": xls_book(),
        "typical_word_file": docx([f"Paragraph {i} with figures {i * 3}." for i in range(300)], inserted="x", author="B",
                                  table=[["Year", "Count"], *[[str(2000 + i), str(i)] for i in range(20)]]),
        "workbook_50_MB": large_workbook(),
        "sheet_of_1000000_cells": xlsx(Workbook([Sheet("Big", [[i, i * 2, "x", i % 7] for i in range(250_000)])])),
        "zip_bomb_1_GiB": zip_bomb(),
    }
    results: dict[str, object] = {"machine": f"{platform.machine()}, {platform.system()}, Python {platform.python_version()}"}
    results["cell_readers_ms"] = compare_readers({"typical_workbook_3_sheets_12000_cells": cases["typical_workbook_3_sheets_12000_cells"],
                                                  "sheet_of_1000000_cells": cases["sheet_of_1000000_cells"]}, args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in cases.items():
            path = Path(tmp) / name
            path.write_bytes(data)
            runs = [json.loads(subprocess.run([sys.executable, "-c", CHILD, str(path), str(ROOT)], capture_output=True, text=True,
                                              check=True).stdout) for _ in range(args.repeat)]
            best = min(runs, key=lambda r: r["first_ms"])
            results[name] = {"bytes": len(data), **best, "peak_mb": max(r["peak_mb"] for r in runs),
                             "added_mb": max(r["added_mb"] for r in runs)}
            print(name, json.dumps(results[name]), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
