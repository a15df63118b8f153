"""FOI references in the forces' house forms, normalised once: "FOI 002402-19" -> "002402/19"."""

from __future__ import annotations

import re

# "FOI 001310/19" (Norfolk-led), "FOI 002402-19" (Suffolk-led). Another force's scheme
# ("FOI 2019/00123", "FOI-123-19") must not match: the year is two digits, then no digit.
_REFERENCE = re.compile(
    r"\b(?:FOI|Reference\s+No:?|Ref(?:erence)?:)\s*(?:Ref(?:erence)?\s*(?:No)?:?\s*)?(?:FOI\s*)?"
    r"(?P<counter>\d{4,6})\s*[/-]\s*(?P<year>\d{2})(?![\d/])",
    re.I,
)
_FILE_REFERENCE = re.compile(r"(?<!\d)(?P<counter>\d{6})[-_/](?P<year>\d{2})(?!\d)")
_TITLE_REFERENCE = re.compile(r"^\s*(?:FOI\s*)?\d{4,6}\s*[/-]\s*\d{2}\b\s*[-:]?\s*", re.I)
_WHOLE = re.compile(r"^\s*(?:FOI\s*)?(?P<counter>\d{4,6})\s*[/-]\s*(?P<year>\d{2})\s*$", re.I)


def normalise(match: re.Match[str]) -> str:
    """A match with counter and year groups as NNNNNN/YY."""
    return f"{int(match['counter']):06d}/{match['year']}"


# A line that gives the letter's own reference: "Reference No: ...", "Our Ref: ...", "FOI Ref: ...".
_REFERENCE_LINE = re.compile(r"^[ \t]*(?:[\w ]{0,40}\bReference\s+No\b|(?:Our|FOI|Your)\s+Ref(?:erence)?\b)[^\n]*", re.I | re.M)
HEADER_LINES = 15


def extract_reference(text: str) -> str | None:
    """The letter's own reference, normalised: the first in the letter's head (its first lines),
    else one on a line that gives the reference; a number quoted in the body ("our earlier
    response FOI 001122/15") is another request's.

    >>> extract_reference("Reference No: FOI 002402-19"), extract_reference("FOI 2019/00123")
    ('002402/19', None)
    >>> extract_reference("\\n" * 20 + "This follows our earlier response FOI 001122/15.") is None
    True
    """
    head = "\n".join(text.split("\n", HEADER_LINES)[:HEADER_LINES])
    match = _REFERENCE.search(head)
    if match is None:
        match = next((m for line in _REFERENCE_LINE.finditer(text) if (m := _REFERENCE.search(line.group(0)))), None)
    return normalise(match) if match else None


def cited_references(text: str, own: str | None) -> tuple[str, ...]:
    """Other requests' references the letter prints ("previously released under FOI 003610-18"), in order, once each.

    >>> cited_references("Reference No: FOI 000122/23. As released under FOI 003610-18 (FOI 3610/18).", "000122/23")
    ('003610/18',)
    """
    found = dict.fromkeys(normalise(m) for m in _REFERENCE.finditer(text))
    found.pop(own or "", None)
    return tuple(found)


def reference_from_name(name: str) -> str | None:
    """A reference printed in a file name or link text: "003610-18_-_cctv.pdf" -> "003610/18"."""
    match = _REFERENCE.search(name) or _FILE_REFERENCE.search(name)
    return normalise(match) if match else None


def strip_reference(title: str) -> str:
    """A listing title without its leading reference: "FOI 000456/24 Drones" -> "Drones"."""
    return _TITLE_REFERENCE.sub("", title).strip()


def as_reference(text: str) -> str | None:
    """The whole text as a reference, normalised; None when it is anything else (a URL, say).

    >>> as_reference(" FOI 2402-19 "), as_reference("https://example.org/2402-19.pdf")
    ('002402/19', None)
    """
    match = _WHOLE.match(text)
    return normalise(match) if match else None
