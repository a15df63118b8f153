"""PDF bytes to page texts: the only I/O edge of the letter parser.

Lines are rebuilt from words rather than taken from a reader's plain text, to keep two
things plain text loses: paragraph breaks (a blank line where the vertical gap is wide)
and table cells (" | " between cells of rows that line up in columns), so that a table
reads as rows instead of a run of numbers.

Two readers give the words. PDFium (pypdfium2, in C) gives every character's box, and
foilog reads a letter's page in about 8 ms; pdfplumber (pdfminer, in Python) takes about
100 ms (benchmarks/parse.py). Words are built from PDFium's characters by pdfplumber's own
rules (a new word at a space, at a gap of more than 3 pt, or on a line more than 3 pt
away; ligatures expanded), so a page reads the same either way. pdfplumber still reads
each page whose measured signals say the two could differ (the reasons `_pdfium_words`
and `_layout` give):
- PDFium found no characters (pdfminer may still find a text layer, before OCR is tried);
- a character PDFium could not map to Unicode (pdfminer's "(cid:N)" is what the cleaning
  rules know), or a character not upright (pdfplumber orders rotated text its own way);
- overlapping text, or text drawn out of order close to its neighbours;
- a decision within a margin of its threshold, where the tenths of a point by which the
  readers' boxes differ could tip it: a gap between letters near the word gap, a line's
  offset near the line tolerance, a gap near a table cell's, a line spacing near a
  paragraph break's.
Where the readers still differ, PDFium is the one that is right: it reads a bullet glyph
as "\u2022" where pdfminer writes "(cid:127)" (the cleaning rules make both "-"), and a
word drawn twice over itself to look bold once, where pdfminer reads "BBoolldd".
"""

from __future__ import annotations

import copy
import ctypes
import io
import logging
import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfminer.pdfparser import PDFSyntaxError
from pdfplumber.utils.text import LIGATURES

from parsers import ParseError

Word = dict[str, Any]  # a word: text, x0, x1, top, bottom (points from the page's top left)
Reader = Literal["auto", "pdfplumber"]

# pdfminer logs every odd object it meets; those are not our errors to print.
logging.getLogger("pdfminer").setLevel(logging.ERROR)

PDF_MAGIC = b"%PDF-"
MAX_PAGES = 120  # a letter is rarely over 20 pages; past this a file is a data dump
CELL_GAP = 14.0  # points between words that separate table cells, not words
WORD_GAP = 3.0  # pdfplumber's x_tolerance: a wider gap between letters starts a word
LINE_GAP = 3.0  # pdfplumber's y_tolerance, and ours for words on one line
PARAGRAPH = 1.6  # a line this many times the usual spacing below the last starts a paragraph
# How far a decision must be from its threshold for PDFium's boxes to decide it. Measured
# over 120,000 pairs of neighbouring characters in the corpus and in Chromium's PDFs
# (benchmarks/parse.py): a gap between letters differs between the readers by at most
# 0.62 pt, a rise from one letter to the next by at most 0.08.
X_MARGIN = 0.75
Y_MARGIN = 0.25
# A first token like these before a wide gap is a list label or bullet, not a table cell.
_LABEL = re.compile(r"^(?:[-\u2022*o]|\(cid:\d+\)|[\ue000-\uf8ff]|Q?\d{1,2}[a-z]?[.):]?|\(?[a-zA-Z][.)]|\(?[ivx]+[.)])$")


@dataclass(frozen=True)
class Pages:
    """The text of each page read, how many pages the file has, and why pdfplumber read the pages it did."""

    texts: list[str]
    total: int
    doubts: dict[int, str] = field(default_factory=dict)  # page index: the signal that sent it to pdfplumber

    @property
    def truncated(self) -> bool:
        return self.total > len(self.texts)


def extract_text(data: bytes, max_pages: int = MAX_PAGES, reader: Reader = "auto") -> Pages:
    """Return the text of each page of a PDF, in order (at most max_pages pages).

    reader "pdfplumber" reads every page with pdfplumber, as the reference the fast path
    is measured against. A file PDFium cannot open at all goes to pdfplumber whole, whose
    error names the fault if it cannot either.
    """
    if not data.lstrip()[:5].startswith(PDF_MAGIC):
        raise ParseError("not a PDF (no %PDF- header)")
    if reader == "auto":
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            if "password" in str(exc).lower():
                raise ParseError("encrypted PDF") from exc
        else:
            try:
                return _read_fast(document, data, max_pages)
            finally:
                document.close()
    return _guarded(lambda: _read_plumber(data, max_pages))


def _read_fast(document: pdfium.PdfDocument, data: bytes, max_pages: int) -> Pages:
    total = len(document)
    texts: list[str] = []
    doubts: dict[int, str] = {}
    for index in range(min(total, max_pages)):
        try:
            page = document[index]
        except pdfium.PdfiumError:
            words: list[Word] | str = "a page PDFium cannot load"
        else:
            try:
                words = _pdfium_words(page)
            finally:
                page.close()
        text, near = ("", 0.0) if isinstance(words, str) else _layout(words)
        if isinstance(words, str) or near < 1:
            doubts[index] = words if isinstance(words, str) else "layout decision near its threshold"
        texts.append(text)
    if doubts:
        try:
            plumbed = _guarded(lambda: _read_plumber(data, max_pages, list(doubts)))
        except ParseError:  # PDFium read what pdfminer cannot: its reading is better than none
            return Pages(texts, total, {i: f"{why}; pdfplumber could not read the file" for i, why in doubts.items()})
        for index, text in zip(doubts, plumbed.texts):
            texts[index] = text
    return Pages(texts, total, doubts)


def _guarded(read: Callable[[], Pages]) -> Pages:
    """pdfplumber's read, its many exception types turned into one ParseError."""
    try:
        return read()
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


def _read_plumber(data: bytes, max_pages: int, only: list[int] | None = None) -> Pages:
    """pdfplumber's words for each page (or the pages in only), laid out.

    Each page is closed as soon as it is read: pdfplumber otherwise keeps every page's
    objects (several MB a page) until the document is closed.
    """
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        texts = []
        total = len(pdf.pages)
        for index in range(min(total, max_pages)) if only is None else only:
            page = pdf.pages[index]
            texts.append(_layout(page.extract_words())[0])
            page.close()
        return Pages(texts, total, dict.fromkeys(range(len(texts)), "read by pdfplumber alone"))


class _Run:
    """Characters drawn one after another at one height, each close after the last: part of a word."""

    __slots__ = ("text", "x0", "x1", "top", "bottom", "last_x0", "spaced", "piece")

    def __init__(self, ch: str, x0: float, x1: float, top: float, bottom: float, spaced: bool, piece: tuple[float, float] | None = None):
        self.text, self.x0, self.x1, self.top, self.bottom, self.last_x0 = [ch], x0, x1, top, bottom, x0
        self.spaced = spaced  # a space was drawn between the run before this one and this one
        self.piece = piece  # (baseline, size) of a ligature's letters, whose height is found from their line


def _pdfium_words(page: pdfium.PdfPage) -> list[Word] | str:
    """The page's words from PDFium's characters by pdfplumber's rules, or why they are in doubt.

    Boxes are put in pdfminer's terms, which measure a character from its font's descent
    to one font size above it: PDFium's loose box has the descent, and the size is the
    font's scaled by the character's matrix. Size, matrix and Unicode mapping belong to a
    run of text, so they are read again only where the loose box's height changes or a
    line starts: each call into PDFium costs about a microsecond, and a page has thousands
    of characters. For the same reason characters are gathered into runs as they are read,
    and pdfplumber's rules then work on runs (`_words`).
    """
    c = pdfium_c
    textpage = c.FPDFText_LoadPage(page.raw)
    try:
        count = c.FPDFText_CountChars(textpage)
        if count <= 0:
            return "no characters"
        units = (ctypes.c_ushort * (count + 1))()
        if c.FPDFText_GetText(textpage, 0, count, units) != count + 1:
            return "text outside UCS-2"  # or characters left out of PDFium's text: rare, and pdfplumber's
        # PDFium marks a hyphen that ends a line as U+FFFE; pdfminer reads the hyphen drawn.
        text = bytes(units)[: 2 * count].decode("utf-16-le", "surrogatepass").replace("\ufffe", "-")
        height = page.get_height()
        box, matrix, origin_x, origin_y = c.FS_RECTF(), c.FS_MATRIX(), ctypes.c_double(), ctypes.c_double()
        box_ref, matrix_ref = ctypes.byref(box), ctypes.byref(matrix)
        descent_at: dict[float, float] = {}  # a line's baseline: how far below it its letters' boxes reach
        loose, generated = c.FPDFText_GetLooseCharBox, c.FPDFText_IsGenerated
        near_low, near_high = _NEAR_WORD
        runs: list[_Run] = []
        run: _Run | None = None  # the run being read; its growing edge is kept in locals, for speed
        run_top = run_x1 = run_last = 0.0
        spaced = False
        run_height, size, below, piece = -1.0, 0.0, 0.0, None
        for i, ch in enumerate(text):
            if ch.isspace():  # as pdfplumber tells a space
                if not generated(textpage, i):  # PDFium's own spaces and line ends: pdfminer has none
                    if run is not None:
                        run.x1, run.last_x0, run = run_x1, run_last, None
                    spaced = True
                elif ch == "\n":
                    run_height = -1.0  # a new line may start a new run of text
                continue
            loose(textpage, i, box_ref)
            bottom = box.bottom
            if box.top - bottom != run_height:
                run_height = box.top - bottom
                c.FPDFText_GetMatrix(textpage, i, matrix_ref)
                if matrix.b or matrix.c:
                    return "text not upright"
                if c.FPDFText_HasUnicodeMapError(textpage, i) == 1:
                    return "glyphs without Unicode"
                size = c.FPDFText_GetFontSize(textpage, i) * abs(matrix.d)
                below = height - size
                c.FPDFText_GetCharOrigin(textpage, i, ctypes.byref(origin_x), ctypes.byref(origin_y))
                # A glyph read as several letters ("fi") gives each a slice of the glyph's
                # own outline, not a loose box: one that neither starts at its origin nor
                # reaches below the baseline.
                if abs(bottom - origin_y.value) < 0.01 and abs(box.left - origin_x.value) > 0.01:
                    piece = (origin_y.value, size)
                else:
                    piece = None
                    descent_at.setdefault(round(origin_y.value, 2), origin_y.value - bottom)
            top = below - bottom
            x0, x1 = box.left, box.right
            if run is not None and top == run_top and x0 >= run_last:
                gap = x0 - run_x1
                if gap <= near_high:
                    if gap > near_low:
                        return "letter gap near the word gap"
                    run.text.append(ch)
                    run_last = x0
                    if x1 > run_x1:
                        run_x1 = x1
                    continue
            if run is not None:
                run.x1, run.last_x0 = run_x1, run_last
            run = _Run(ch, x0, x1, top, height - bottom, spaced, piece)
            runs.append(run)
            run_top, run_x1, run_last, spaced = top, x1, x0, False
        if run is not None:
            run.x1, run.last_x0 = run_x1, run_last
    finally:
        c.FPDFText_ClosePage(textpage)
    for run in runs:
        if run.piece:
            baseline, size = run.piece
            descent = descent_at.get(round(baseline, 2))
            if descent is None:
                return "a ligature alone on its line"
            run.bottom = height - (baseline - descent)
            run.top = run.bottom - size
    return _words(runs)


def _words(runs: list[_Run]) -> list[Word] | str:
    """pdfplumber's extract_words over runs in the stream's order; why not, where a split is
    within a margin of its tolerance, where runs on a line overlap (pdfplumber would interleave
    their characters), or where there are no words."""
    if not runs:
        return "no characters"
    tops = sorted({run.top for run in runs})
    line_of: dict[float, int] = {}
    line = 0
    previous = tops[0]
    for top in tops:  # pdfplumber's cluster_list: a line goes on while tops are within LINE_GAP of the last
        step = top - previous
        if _NEAR_LINE[0] < step < _NEAR_LINE[1]:
            return "line offset near the line tolerance"
        if step > LINE_GAP:
            line += 1
        line_of[top] = line
        previous = top
    order = sorted(range(len(runs)), key=lambda k: (line_of[runs[k].top], runs[k].x0))
    words: list[Word] = []
    word: _Run | None = None
    last, last_top = -1, 0.0  # the run read before, by its place in the stream and its top
    for k in order:
        run = runs[k]
        if word is not None and line_of[word.top] == line_of[run.top]:
            if run.x0 < word.last_x0:
                return "overlapping text"
            gap, rise = run.x0 - word.x1, abs(run.top - last_top)  # from the letter before, as pdfplumber measures
            if gap <= _NEAR_WORD[1] and k != last + 1:
                return "text drawn out of order"  # near enough to join: where its spaces fall is unknown
            if not run.spaced and (_NEAR_WORD[0] < gap < _NEAR_WORD[1] or _NEAR_LINE[0] < rise < _NEAR_LINE[1]):
                return "letter gap or rise near a tolerance"
            if not run.spaced and gap <= WORD_GAP and rise <= LINE_GAP:
                word.text += run.text
                word.x1, word.last_x0 = max(word.x1, run.x1), run.last_x0
                word.top, word.bottom = min(word.top, run.top), max(word.bottom, run.bottom)
                last, last_top = k, run.top
                continue
        if word is not None:
            words.append(_word(word))
        word = copy.copy(run)  # grown by the runs that join it; the run itself stays as read
        word.text = list(run.text)
        last, last_top = k, run.top
    if word is not None:
        words.append(_word(word))
    return words


_NEAR_WORD = (WORD_GAP - X_MARGIN, WORD_GAP + X_MARGIN)
_NEAR_LINE = (LINE_GAP - Y_MARGIN, LINE_GAP + Y_MARGIN)


def _word(run: _Run) -> Word:
    text = "".join(run.text)
    if not text.isascii():
        text = "".join(LIGATURES.get(ch, ch) for ch in text)
    return {"text": text, "x0": run.x0, "x1": run.x1, "top": run.top, "bottom": run.bottom}


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


def _layout(words: list[Word]) -> tuple[str, float]:
    """Words (with x0, x1, top, bottom) to lines, with blank lines at paragraph gaps and " | " between
    table cells; and how near its closest decision came to going the other way, in margins
    (X_MARGIN across, Y_MARGIN down): under 1, another reader's boxes could have tipped it."""
    lines, near = _cluster(words)
    if not lines:
        return "", near
    cells_near = [_cells(line) for line in lines]
    rows = [cells for cells, _ in cells_near]
    near = min([near, *(n for _, n in cells_near)])
    tops = [line[0]["top"] for line in lines]
    heights = [line[0]["bottom"] - line[0]["top"] for line in lines]
    spacing = statistics.median([b - a for a, b in zip(tops, tops[1:])] or [max(heights)])
    out: list[str] = []
    for i, cells in enumerate(rows):
        if i:
            step = tops[i] - tops[i - 1]
            near = min(near, abs(step - PARAGRAPH * spacing) / Y_MARGIN)
            if step > PARAGRAPH * spacing:
                out.append("")
        tabular = len(cells) > 1 and ((i and len(rows[i - 1]) > 1) or (i + 1 < len(rows) and len(rows[i + 1]) > 1))
        out.append(" | ".join(cells) if tabular else " ".join(cells))
    return "\n".join(out), near


def _cluster(words: list[Word]) -> tuple[list[list[Word]], float]:
    """Group words into lines by their top, each line sorted left to right; and the nearest call."""
    lines: list[list[Word]] = []
    near = float("inf")
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        offset = abs(word["top"] - lines[-1][0]["top"]) if lines else float("inf")
        near = min(near, abs(offset - LINE_GAP) / Y_MARGIN)
        if offset <= LINE_GAP:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [sorted(line, key=lambda w: w["x0"]) for line in lines], near


def _cells(line: list[Word]) -> tuple[list[str], float]:
    """A line's words grouped into cells at wide gaps (a short label before a gap is no cell); and the nearest call."""
    cells = [[line[0]["text"]]]
    near = float("inf")
    for previous, word in zip(line, line[1:]):
        gap = word["x0"] - previous["x1"]
        label = len(cells) == 1 and len(cells[0]) == 1 and bool(_LABEL.match(cells[0][0]))
        if not label:
            near = min(near, abs(gap - CELL_GAP) / X_MARGIN)
        if gap > CELL_GAP and not label:
            cells.append([word["text"]])
        else:
            cells[-1].append(word["text"])
    return [" ".join(cell) for cell in cells], near
