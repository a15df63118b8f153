"""Stages, database, command line: moves records from the crawlers to the parsers to SQLite."""


class FoilogError(Exception):
    """A failure the command line reports in one line; exit_code 2 is bad input, 1 a failed run."""

    exit_code = 1


class BadInput(FoilogError):
    exit_code = 2
