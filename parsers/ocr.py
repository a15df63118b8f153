"""Text of scanned letters (pages that are images only) with Tesseract, Debian's tesseract-ocr."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess

from parsers import ParseError
from parsers.pdf import page_images

RESOLUTION = 250  # dpi: letters are 10-12 pt type; higher costs time, lower costs accuracy
PAGE_TIMEOUT = 120  # seconds a page may take before the file is given up

# Tesseract's usual misreadings of letters like these, mended before any field is read.
_FIXES = [
    (re.compile(r"^[*\u00ab\u00bbe\u00b7](?=\s+[A-Z0-9\"\u201c])", re.M), "-"),  # bullets read as *, «, e
    (re.compile(r"^\|(?=\s+[a-z])", re.M), "I"),  # "| write in connection"
    (re.compile(r"(?<![\w])[{|lI](\d)(?=(?:st|nd|rd|th)\b)"), r"1\1"),  # "{0th February" -> "10th"
    (re.compile(r"\bF[O0][I1l!|](?=\s)"), "FOI"),
    (re.compile(r"^(\W?)Q[@\u00a9](?=\d)", re.M), r"\1Q"),  # "Q@2" -> "Q2"
    (re.compile(r"\bN\s*[\u00b0\u00ba]\s*:"), "No:"),
]


_CITATION = re.compile(r"(?i)\b(sections?\s*\d{1,2}[A-Z]?)([(){}\[\]\w]*)")


def _mend_citation(match: re.Match[str]) -> str:
    """"Section 38(1}){a)" -> "Section 38(1)(a)": brackets read as braces, doubled."""
    parts = match.group(2).translate(str.maketrans("{[]}", "(())"))
    parts = re.sub(r"\)+", ")", re.sub(r"\(+", "(", parts))
    return match.group(1) + parts


def mend(text: str) -> str:
    r"""Undo common OCR confusions in a page's text.

    >>> mend("| write ... Reference N\u00b0: FO! 004162-17\n* How many")
    'I write ... Reference No: FOI 004162-17\n- How many'
    """
    for pattern, replacement in _FIXES:
        text = pattern.sub(replacement, text)
    return _CITATION.sub(_mend_citation, text)


def ocr_pdf(data: bytes, max_pages: int = 20) -> list[str]:
    """The text of each page, read by Tesseract; ParseError when it cannot be run."""
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        raise ParseError("no text layer: needs OCR, but tesseract is not installed (apt-get install tesseract-ocr)")
    texts = []
    for image in page_images(data, resolution=RESOLUTION, max_pages=max_pages):
        png = io.BytesIO()
        image.convert("L").save(png, format="PNG")  # type: ignore[attr-defined]
        try:
            done = subprocess.run([tesseract, "stdin", "stdout", "-l", "eng", "--psm", "3"], input=png.getvalue(),
                                  capture_output=True, timeout=PAGE_TIMEOUT, check=False,
                                  # Tesseract's own threads slow it down on small machines; files run in parallel instead.
                                  env={**os.environ, "OMP_THREAD_LIMIT": "1"})
        except subprocess.TimeoutExpired:
            raise ParseError(f"OCR took longer than {PAGE_TIMEOUT}s on a page") from None
        if done.returncode != 0:
            raise ParseError(f"tesseract failed: {done.stderr.decode(errors='replace').strip().splitlines()[-1:]}")
        texts.append(mend(done.stdout.decode("utf-8", errors="replace")))
    return texts
