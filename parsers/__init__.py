"""Pure parsers: bytes or text in, typed records out. No network, no database."""

from __future__ import annotations


class ParseError(Exception):
    """A document that cannot be read; the message names the problem in one line."""
