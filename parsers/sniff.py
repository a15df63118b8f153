"""What a file is, by its first bytes, without loading any parser (the crawler asks this of every body)."""

from __future__ import annotations


def sniff(data: bytes) -> str:
    """What the bytes are, by their first bytes, not by what the server said: pdf, html, zip, text, binary."""
    head = data[:1024].lstrip().lower()
    if head.startswith(b"%pdf-"):
        return "pdf"
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head or b"<body" in head:
        return "html"
    if data[:4] == b"PK\x03\x04":
        return "zip"  # XLSX and DOCX are zip containers
    try:
        data[:4096].decode("utf-8")
        return "text"
    except UnicodeDecodeError:
        return "binary"
