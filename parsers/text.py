"""Make extracted text clean before any field is read from it."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

# Glyphs that PDF and Word exports use for list bullets, private-use ones included.
_BULLETS = "\u2022\u25cf\u25aa\u25a0\u25e6\u2023\u2043\u00b7\u2219\uf0b7\uf0a7\uf076\uf0d8\uf0fc"
_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2009": " ",
        "\u200b": "",
        "\u00ad": "",
        "\ufeff": "",
        **{c: "-" for c in _BULLETS},
    }
)
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_PAGE_LINE = re.compile(r"^\s*(page\s+\d+\s*(of\s+\d+)?|\d+\s+of\s+\d+|-\s*\d+\s*-)\s*$", re.I)
# "Reference N o:", "Reference N^o:", "Reference Nº:" -> "Reference No:"
_NUMERO = re.compile(r"\b(Reference)\s+N\s*(?:\^|º|°)?\s*o\b\.?\s*:?", re.I)
_DIGITS = re.compile(r"\d+")
# A URL cut at a line end: "https://.../foi-000456-23-pre" + "viously-published/".
_URL_END = re.compile(r"(?:https?://|www\.)\S+$")
_URL_MORE = re.compile(r"^[\w~%]*[/_.=?&-][\w/_.~%=?&-]*(?=\s|$)")  # a path piece: no spaces, some URL punctuation
_O_BULLET = re.compile(r"^o\s+(?=[A-Z0-9(\"'])")
_MARKDOWN = re.compile(r"\*\*|__")
# pdfminer prints a glyph it cannot map as "(cid:N)": at a line start that is a bullet.
_CID_BULLET = re.compile(r"^([ \t]*)\(cid:\d+\)[ \t]*", re.M)
_CID = re.compile(r"\(cid:\d+\)")


def normalise(text: str) -> str:
    """Fold typography to plain ASCII forms the field readers expect.

    >>> normalise("\u201cCCTV\u201d \u2013 Reference N o: FOI")
    '"CCTV" - Reference No: FOI'
    """
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    text = _PRIVATE_USE.sub("-", text)
    text = _CID.sub("", _CID_BULLET.sub(r"\1- ", text))
    text = _MARKDOWN.sub("", text)
    return _NUMERO.sub(r"\1 No:", text)


def clean_lines(pages: list[str]) -> list[str]:
    """Turn page texts into one list of clean lines.

    Page-number lines and running headers or footers (a line printed at the top or bottom
    of most pages) are removed; words hyphenated over a line end are re-joined; "o" bullets
    become "-" bullets.
    """
    pages = [normalise(p) for p in pages]
    running = _running_lines(pages)
    lines: list[str] = []
    for page in pages:
        for raw in page.splitlines():
            line = " ".join(raw.split())
            if not line:
                lines.append("")  # a blank line is a paragraph break
                continue
            if _PAGE_LINE.match(line) or line in running:
                continue
            line = _O_BULLET.sub("- ", line)
            if lines and lines[-1] and _URL_END.search(lines[-1]) and _URL_MORE.match(line):
                lines[-1] += line  # a URL re-joined
                continue
            if lines and lines[-1] and re.search(r"[a-z]-$", lines[-1]) and line[:1].islower():
                lines[-1] = lines[-1][:-1] + line
                continue
            lines.append(line)
    return lines


def _running_lines(pages: list[str]) -> set[str]:
    """Lines that stand among the first or last two lines of most pages."""
    if len(pages) < 2:
        return set()
    counts: Counter[str] = Counter()
    edges: list[list[str]] = []
    for page in pages:
        lines = [" ".join(l.split()) for l in page.splitlines() if l.strip()]
        edges.append(lines[:2] + lines[-2:])
        # Digits are masked so that "Page 2" and "Page 3" count as one footer.
        counts.update({_DIGITS.sub("#", l) for l in edges[-1]})
    need = max(2, (len(pages) + 1) // 2)
    common = {key for key, n in counts.items() if n >= need and len(key) > 3}
    return {l for lines in edges for l in lines if _DIGITS.sub("#", l) in common}
