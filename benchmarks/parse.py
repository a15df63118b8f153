"""Parse benchmark over the labelled corpus (tests/corpus) and Chromium-printed letters: speed,
agreement of the two PDF readers, field accuracy with each, parallel speed-up, peak memory.

    python benchmarks/parse.py [--out benchmarks/results/parse.json] [--printed 40]

- per page, side by side on the letter corpus: pypdfium2's own text (`get_text_range`),
  foilog's reading of the page (PDFium's characters, pdfplumber for pages in doubt),
  pdfplumber alone (the reference), bare pdfplumber `extract_text()`, and the whole parse;
- for each corpus: pages read by PDFium, the signals that sent the others to pdfplumber,
  and documents whose cleaned lines are the same with either reader;
- every field's accuracy with each reader, on the corpus and on the printed letters
  (`tools/printed.py`: TrueType fonts, ligatures, justified lines, ruled tables);
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
from collections import Counter
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from parsers import ParseError  # noqa: E402
from parsers.document import parse_document  # noqa: E402
from parsers.pdf import extract_text  # noqa: E402
from parsers.text import clean_lines  # noqa: E402
from pipelines.evaluate import evaluate  # noqa: E402
from pipelines.files import FileStore  # noqa: E402
from pipelines.parse import extract_record, parse_files  # noqa: E402

CORPUS = ROOT / "tests" / "corpus"


def bare(data: bytes) -> int:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.close()
        return len(pdf.pages)


def pdfium_text(data: bytes) -> int:
    """pypdfium2's own reading of every page's text layer: what the fast path is held to."""
    document = pdfium.PdfDocument(data)
    try:
        for page in document:
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
        return len(document)
    finally:
        document.close()


def agreement(files: list[Path]) -> dict[str, object]:
    """How the two readers compare on these PDFs."""
    pages = by_pdfium = same = 0
    doubts: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    for path in files:
        data = path.read_bytes()
        read = {}
        for reader in ("auto", "pdfplumber"):
            try:
                read[reader] = extract_text(data, reader=reader)  # type: ignore[arg-type]
            except ParseError:
                pass
        if len(read) < 2:
            refused["by both" if not read else f"by {'pdfplumber alone' if 'auto' in read else 'foilog'} only"] += 1
            continue
        fast, reference = read["auto"], read["pdfplumber"]
        pages += len(fast.texts)
        by_pdfium += len(fast.texts) - len(fast.doubts)
        doubts.update(fast.doubts.values())
        same += clean_lines(fast.texts) == clean_lines(reference.texts)
    return {"files": len(files), "refused": dict(refused), "pages": pages, "pages_read_by_pdfium": by_pdfium,
            "pages_read_by_pdfplumber": dict(doubts.most_common()), "documents_with_the_same_lines": same}


def fields(folder: Path) -> dict[str, dict[str, object]]:
    """Each field's score over folder with each reader, side by side."""
    scores = {reader: evaluate(folder, parse=lambda p, r=reader: extract_record(str(p), r)).summary()  # type: ignore[misc]
              for reader in ("auto", "pdfplumber")}
    return {key: {"foilog": scores["auto"][key], "pdfplumber_alone": scores["pdfplumber"][key]}
            for key in scores["auto"] if isinstance(scores["auto"][key], (int, float))}


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
    parser.add_argument("--printed", type=int, default=40, help="letters to print with Chromium (0: none)")
    args = parser.parse_args()
    files = [p.read_bytes() for p in sorted(CORPUS.glob("letter-*.pdf"))]
    pages = sum(bare(d) for d in files)
    per_page = lambda seconds: round(seconds * 1000 / pages, 2)  # noqa: E731
    t_pdfium = best_of(5, lambda: [pdfium_text(d) for d in files])
    t_read = best_of(5, lambda: [extract_text(d) for d in files])
    t_plumber_read = best_of(3, lambda: [extract_text(d, reader="pdfplumber") for d in files])
    t_bare = best_of(3, lambda: [bare(d) for d in files])
    t_ours = best_of(3, lambda: [parse_document(d) for d in files])
    t_ours_plumber = best_of(3, lambda: [parse_document(d, reader="pdfplumber") for d in files])
    out: dict[str, object] = {
        "machine": f"{platform.machine()}, {platform.system()}, Python {platform.python_version()}, {os.cpu_count()} cores",
        "files": len(files), "pages": pages,
        "ms_per_page": {
            "pypdfium2_get_text_range": per_page(t_pdfium),
            "foilog_read": per_page(t_read),
            "pdfplumber_read": per_page(t_plumber_read),
            "bare_pdfplumber_extract_text": per_page(t_bare),
            "whole_parse": per_page(t_ours),
            "whole_parse_with_pdfplumber_alone": per_page(t_ours_plumber),
        },
        "foilog_read_to_pypdfium2_text": round(t_read / t_pdfium, 2),
        "whole_parse_to_pypdfium2_text": round(t_ours / t_pdfium, 2),
        "whole_parse_speedup_over_pdfplumber_alone": round(t_ours_plumber / t_ours, 2),
        "pages_per_second_one_core": round(pages / t_ours, 1),
    }

    printed = Path(tempfile.mkdtemp(prefix="foilog-printed-"))
    try:
        if args.printed:
            from tools.printed import build

            build(printed, args.printed)
        pdfs = sorted(p for p in CORPUS.glob("*.pdf") if not p.name.startswith("broken-"))
        groups = {"letters": [p for p in pdfs if p.name.startswith("letter-")],
                  "shapes": [p for p in pdfs if p.name.startswith("shape-")],
                  "scanned": [p for p in pdfs if p.name.startswith("scanned-")],
                  "broken": sorted(CORPUS.glob("broken-*.pdf")),
                  "chromium_printed": sorted(printed.glob("*.pdf"))}
        out["agreement"] = {name: agreement(group) for name, group in groups.items() if group}
        out["fields"] = {"tests/corpus": fields(CORPUS)}
        if args.printed:
            out["fields"]["chromium_printed"] = fields(printed)  # type: ignore[index]
    finally:
        shutil.rmtree(printed, ignore_errors=True)

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
