"""One document's bytes to a Letter: picks the text extractor by what the bytes are."""

from __future__ import annotations

from dataclasses import replace

from parsers import ParseError, html, ocr, pdf
from parsers.letter import parse_letter
from parsers.records import Letter
from parsers.references import reference_from_name
from parsers.sniff import sniff
from parsers.text import clean_lines


def parse_document(data: bytes, filename: str | None = None, reader: pdf.Reader = "auto") -> Letter:
    """Parse a PDF letter or a platform detail page; raise ParseError for anything else.

    A file named .pdf must hold a PDF: an HTML error page saved under a PDF's name is
    an error, not an empty letter. reader "pdfplumber" reads a PDF's pages with pdfplumber
    alone, the reference that the usual reading is measured against.
    """
    kind = sniff(data)
    if not data:
        raise ParseError("empty file")
    if filename and filename.lower().endswith(".pdf") and kind != "pdf":
        raise ParseError(f"not a PDF: the file holds {kind}")
    warnings: list[str] = []
    if kind == "pdf":
        pages = pdf.extract_text(data, reader=reader)
        texts = pages.texts
        if pages.truncated:
            warnings.append(f"read the first {len(pages.texts)} of {pages.total} pages")
    elif kind == "html":
        problem = html.html_problem(data)
        if problem:
            raise ParseError(f"page refused: {problem}")
        text, how = html.decode_html(data)
        if how == "fallback":
            warnings.append("no charset declared and not UTF-8: read as windows-1252")
        texts = [html.extract_text(text)]
    else:
        raise ParseError(f"not a letter: {kind} content is not parsed")
    lines = clean_lines(texts)
    scanned = kind == "pdf" and not any(line.strip() for line in lines)
    if scanned:  # pages that are images only: a scanned letter
        lines = clean_lines(ocr.ocr_pdf(data))
        if not any(line.strip() for line in lines):
            raise ParseError("no text found, even by OCR")
        # OCR misreads characters ("12th" as "2nd", "Q2" as "@2") in ways no check can see.
        warnings.append("read by OCR from page images: figures, dates and numbers may be misread")
    elif not any(lines):
        raise ParseError("no text in the document")
    letter = parse_letter(lines, ocr=scanned)
    named = reference_from_name(filename) if filename and letter.reference is None else None
    if named:
        letter = replace(letter, reference=named)
        warnings.append(f"reference {named} taken from the file name")
    return replace(letter, warnings=letter.warnings + tuple(warnings)) if warnings else letter
