"""Audit benchmark: time per typical attachment, and what a bomb or a huge sheet costs before it is refused.

    python benchmarks/audit.py [--out benchmarks/results/audit.json]

Each case is audited in this process, timed, with the peak of Python's allocations traced
(tracemalloc); `foilog audit` adds its worker's start-up (about 0.6 s a command, not a file).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from parsers import ParseError  # noqa: E402
from parsers.audit import audit  # noqa: E402
from tools.workbooks import Sheet, Workbook, docx, xlsx, zip_bomb  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "audit.json")
    args = parser.parse_args()
    rows = [["Month", "District", "Offence", "Count"]] + [[f"M{i % 12}", f"D{i % 9}", f"Offence {i % 40}", i] for i in range(1000)]
    cases = {
        "typical_workbook_3_sheets_12000_cells": xlsx(Workbook([Sheet("Summary", rows[:200]), Sheet("By district", rows),
                                                                  Sheet("Raw", rows, state="hidden")], pivot_records=rows, author="A")),
        "typical_word_file": docx([f"Paragraph {i} with figures {i * 3}." for i in range(300)], inserted="x", author="B"),
        "sheet_of_1000000_cells": xlsx(Workbook([Sheet("Big", [[i, i * 2, "x", i % 7] for i in range(250_000)])])),
        "zip_bomb_1_GiB": zip_bomb(),
    }
    results: dict[str, object] = {"machine": f"{platform.machine()}, {platform.system()}, Python {platform.python_version()}"}
    for name, data in cases.items():
        tracemalloc.start()
        started = time.perf_counter()
        try:
            kind, findings = audit(data, name)
            outcome: dict[str, object] = {"kind": kind, "findings": [f.kind for f in findings]}
        except ParseError as exc:
            outcome = {"error": str(exc)}
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        results[name] = {"bytes": len(data), "audit_ms": round(seconds * 1000, 1), "peak_python_memory_mb": round(peak / 1e6, 1), **outcome}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
