"""PDF bytes to page texts with pdfplumber: the only I/O edge of the letter parser."""

from __future__ import annotations

import io
import logging

import pdfplumber
from pdfminer.pdfparser import PDFSyntaxError

from parsers import ParseError

# pdfminer logs every odd object it meets; those are not our errors to print.
logging.getLogger("pdfminer").setLevel(logging.ERROR)

PDF_MAGIC = b"%PDF-"


def extract_text(data: bytes) -> list[str]:
    """Return the text of each page of a PDF, in order.

    Each page is closed as soon as it is read: pdfplumber otherwise keeps every page's
    objects (several MB a page) until the document is closed.
    """
    if not data.lstrip()[:5].startswith(PDF_MAGIC):
        raise ParseError("not a PDF (no %PDF- header)")
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = []
            for page in pdf.pages:
                pages.append(page.extract_text() or "")
                page.close()
            return pages
    except ParseError:
        raise
    except PDFSyntaxError as exc:
        raise ParseError(f"broken PDF: {exc}") from exc
    except Exception as exc:  # pdfminer raises many types for damaged or encrypted files
        name = type(exc).__name__
        if "Password" in name or "Encrypt" in name:
            raise ParseError("encrypted PDF") from exc
        raise ParseError(f"unreadable PDF ({name}: {exc})".strip()) from exc
