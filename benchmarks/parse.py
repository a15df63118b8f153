"""Parse benchmark over the labelled corpus (tests/corpus): speed, parallel speed-up, peak memory.

    python benchmarks/parse.py [--out benchmarks/results/parse.json]

- pages a second on one core for our whole parse, and its time beside bare pdfplumber
  `extract_text()` (each page closed after use) over the same pages, in the same run;
- the speed-up of the parse stage on all cores over one core;
- the peak memory of a whole process parsing the 300-page document.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pdfplumber

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from parsers.document import parse_document  # noqa: E402
from pipelines.files import FileStore  # noqa: E402
from pipelines.parse import parse_files  # noqa: E402

CORPUS = ROOT / "tests" / "corpus"


def bare(data: bytes) -> int:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.close()
        return len(pdf.pages)


def best_of(runs: int, work) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def peak_rss_mb(code: str) -> float:
    """Peak resident memory of a fresh Python process running code, in MB.

    Read from VmHWM in /proc: getrusage's ru_maxrss survives exec and would count the
    benchmark's own memory at the fork.
    """
    report = "\nprint([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1])"
    done = subprocess.run([sys.executable, "-c", code + report], cwd=ROOT, check=True, capture_output=True, text=True)
    return round(int(done.stdout.split()[-1]) / 1024, 1)  # kB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "parse.json")
    args = parser.parse_args()
    files = [p.read_bytes() for p in sorted(CORPUS.glob("letter-*.pdf"))]
    pages = sum(bare(d) for d in files)
    t_bare = best_of(3, lambda: [bare(d) for d in files])
    t_ours = best_of(3, lambda: [parse_document(d) for d in files])
    out: dict[str, object] = {
        "machine": f"{platform.machine()}, {platform.system()}, Python {platform.python_version()}, {os.cpu_count()} cores",
        "files": len(files), "pages": pages,
        "bare_extract_text_s": round(t_bare, 2), "whole_parse_s": round(t_ours, 2),
        "ratio_whole_parse_to_bare_extract_text": round(t_ours / t_bare, 2),
        "pages_per_second_one_core": round(pages / t_ours, 1),
    }

    tmp = Path(tempfile.mkdtemp(prefix="foilog-parse-bench-"))
    try:
        store = FileStore(tmp)
        jobs = []
        for copy in range(8):  # enough files that the pool's start-up is a small share, as in a real run
            for i, data in enumerate(files):
                sha = f"{copy:02d}{i:062d}"
                path = store.path(sha)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
                jobs.append((sha, "pdf"))
        t1 = best_of(1, lambda: list(parse_files(jobs, store, workers=1)))  # one sandboxed worker
        t_all = best_of(1, lambda: list(parse_files(jobs, store, workers=os.cpu_count())))
        out["parallel"] = {"files": len(jobs), "one_worker_s": round(t1, 2), "all_cores_s": round(t_all, 2),
                           "cores": os.cpu_count(), "speedup": round(t1 / t_all, 2)}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    big = CORPUS / "broken-300-pages.pdf"
    out["peak_memory_mb"] = {
        "python_with_parsers_imported": peak_rss_mb("import parsers.document"),
        "foilog_parse_of_300_page_pdf": peak_rss_mb(
            f"from parsers.document import parse_document; parse_document(open({str(big)!r}, 'rb').read())"),
        "all_300_pages_read_with_pages_closed": peak_rss_mb(
            f"from parsers.pdf import extract_text; extract_text(open({str(big)!r}, 'rb').read(), max_pages=300)"),
        "all_300_pages_read_without_closing": peak_rss_mb(
            "import pdfplumber\n"
            f"pdf = pdfplumber.open({str(big)!r})\n"
            "[p.extract_text() for p in pdf.pages]"),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
