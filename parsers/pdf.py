"""PDF bytes to page texts with pdfplumber: the only I/O edge of the letter parser.

Lines are rebuilt from pdfplumber's words rather than taken from `extract_text()`, at
about the same cost, to keep two things `extract_text()` loses: paragraph breaks (a blank
line where the vertical gap is wide) and table cells (" | " between cells of rows that
line up in columns), so that a table reads as rows instead of a run of numbers.
"""

from __future__ import annotations

import io
import logging
import re
import statistics
from dataclasses import dataclass
from typing import Any

import pdfplumber
from pdfminer.pdfparser import PDFSyntaxError

from parsers import ParseError

Word = dict[str, Any]  # pdfplumber's word: text, x0, x1, top, bottom

# pdfminer logs every odd object it meets; those are not our errors to print.
logging.getLogger("pdfminer").setLevel(logging.ERROR)

PDF_MAGIC = b"%PDF-"
MAX_PAGES = 120  # a letter is rarely over 20 pages; past this a file is a data dump
CELL_GAP = 14.0  # points between words that separate table cells, not words
# A first token like these before a wide gap is a list label or bullet, not a table cell.
_LABEL = re.compile(r"^(?:[-\u2022*o]|\(cid:\d+\)|[\ue000-\uf8ff]|Q?\d{1,2}[a-z]?[.):]?|\(?[a-zA-Z][.)]|\(?[ivx]+[.)])$")


@dataclass(frozen=True)
class Pages:
    """The text of each page read, and how many pages the file has."""

    texts: list[str]
    total: int

    @property
    def truncated(self) -> bool:
        return self.total > len(self.texts)


def extract_text(data: bytes, max_pages: int = MAX_PAGES) -> Pages:
    """Return the text of each page of a PDF, in order (at most max_pages pages).

    Each page is closed as soon as it is read: pdfplumber otherwise keeps every page's
    objects (several MB a page) until the document is closed.
    """
    if not data.lstrip()[:5].startswith(PDF_MAGIC):
        raise ParseError("not a PDF (no %PDF- header)")
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            texts = []
            total = len(pdf.pages)
            for page in pdf.pages[:max_pages]:
                texts.append(layout(page.extract_words()))
                page.close()
            return Pages(texts, total)
    except ParseError:
        raise
    except PDFSyntaxError as exc:
        raise ParseError(f"broken PDF: {exc}") from exc
    except MemoryError:
        raise  # the worker's memory limit: its own message, not "unreadable"
    except Exception as exc:  # pdfminer raises many types for damaged or encrypted files
        name = type(exc).__name__
        if "Password" in name or "Encrypt" in name:
            raise ParseError("encrypted PDF") from exc
        raise ParseError(f"unreadable PDF ({name}: {exc})".strip()) from exc


def page_images(data: bytes, resolution: int = 300, max_pages: int = 20) -> list[object]:
    """Each page rendered as a PIL image, for OCR of scanned letters.

    A page is rendered at no more than MAX_PIXELS (a 14,400 pt square page at 250 dpi would
    take 10 GB): larger pages at a lower resolution, down to MIN_RESOLUTION, and a page too
    large even then is an error, not a render.
    """
    images: list[object] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages[:max_pages], start=1):
            dpi = fitting_resolution(float(page.width), float(page.height), resolution)
            if dpi is None:
                raise ParseError(f"page {number} is too large to read by OCR ({page.width:.0f} x {page.height:.0f} pt)")
            images.append(page.to_image(resolution=dpi).original)
            page.close()
    return images


MAX_PIXELS = 40_000_000  # an A4 page at 250 dpi is 6 million
MIN_RESOLUTION = 100  # below this, letters' type is too small for OCR


def fitting_resolution(width_pt: float, height_pt: float, resolution: int) -> int | None:
    """The resolution at which a page renders within MAX_PIXELS, or None below MIN_RESOLUTION.

    >>> fitting_resolution(595, 842, 250), fitting_resolution(1684, 2384, 250), fitting_resolution(14400, 14400, 250)
    (250, 227, None)
    """
    pixels = width_pt * height_pt * (resolution / 72) ** 2
    if pixels <= MAX_PIXELS:
        return resolution
    fitted = int(resolution * (MAX_PIXELS / pixels) ** 0.5)
    return fitted if fitted >= MIN_RESOLUTION else None


def layout(words: list[Word]) -> str:
    """Words (with x0, x1, top, bottom) to lines; blank lines at paragraph gaps; " | " between table cells."""
    lines = _cluster(words)
    if not lines:
        return ""
    rows = [_cells(line) for line in lines]
    tops = [line[0]["top"] for line in lines]
    heights = [line[0]["bottom"] - line[0]["top"] for line in lines]
    spacing = statistics.median([b - a for a, b in zip(tops, tops[1:])] or [max(heights)])
    out: list[str] = []
    for i, cells in enumerate(rows):
        if i and tops[i] - tops[i - 1] > 1.6 * spacing:
            out.append("")
        tabular = len(cells) > 1 and ((i and len(rows[i - 1]) > 1) or (i + 1 < len(rows) and len(rows[i + 1]) > 1))
        out.append(" | ".join(cells) if tabular else " ".join(cells))
    return "\n".join(out)


def _cluster(words: list[Word]) -> list[list[Word]]:
    """Group words into lines by their top, each line sorted left to right."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(word["top"] - lines[-1][0]["top"]) <= 3:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [sorted(line, key=lambda w: w["x0"]) for line in lines]


def _cells(line: list[Word]) -> list[str]:
    """A line's words grouped into cells at wide gaps; a short label before a gap is no cell."""
    cells = [[line[0]["text"]]]
    for previous, word in zip(line, line[1:]):
        wide = word["x0"] - previous["x1"] > CELL_GAP
        label = len(cells) == 1 and len(cells[0]) == 1 and bool(_LABEL.match(cells[0][0]))
        if wide and not label:
            cells.append([word["text"]])
        else:
            cells[-1].append(word["text"])
    return [" ".join(cell) for cell in cells]
