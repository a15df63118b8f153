"""The parser version: a digest of the parsers' own source and of the libraries that read the bytes.

Stored with every parse, so any change to what the parsers return (a rule, a regular
expression, a pdfplumber upgrade) re-parses the stored files on the next run, without
anyone having to remember to bump a number.
"""

from __future__ import annotations

import hashlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

# What reads the bytes before our rules do; their releases change the text we get.
READERS = ("pdfplumber", "pdfminer.six", "pypdfium2", "selectolax", "python-calamine", "xlrd", "olefile", "python-docx", "lxml")


def source_version(folder: Path, readers: tuple[str, ...] = READERS) -> str:
    """A digest of every module under folder and of the readers' versions.

    >>> source_version(Path(__file__).parent).startswith("src-")
    True
    """
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.py")):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for name in readers:
        try:
            digest.update(f"{name}=={version(name)}\0".encode())
        except PackageNotFoundError:
            digest.update(f"{name} missing\0".encode())
    return "src-" + digest.hexdigest()[:16]


PARSER_VERSION = source_version(Path(__file__).parent)
