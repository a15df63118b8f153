"""Dates as letters print them: "20th May 2019", "2 July 2019", "3rd of April, 2019", "29/11/2016"."""

from __future__ import annotations

import datetime as dt
import re

MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august",
     "september", "october", "november", "december"], start=1)}
_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|" \
         r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
# A day is optional so that "March 2017" is recognised as a date (and read as null). Numeric
# forms are day first, as in the UK, with one separator throughout: "29/11/2016", "24.02.14".
DATE = re.compile(
    rf"\b(?:(?P<day>\d{{1,2}})\s*(?:st|nd|rd|th)?\s+(?:of\s+)?)?(?P<month>{_MONTH})\.?,?\s+(?P<year>(?:19|20)\d\d)\b"
    r"|(?<![\d/.])(?P<nday>\d{1,2})(?P<sep>[/.])(?P<nmonth>\d{1,2})(?P=sep)(?P<nyear>(?:19|20)\d\d|\d\d)(?![\d/]|\.\d)",
    re.I,
)
_ISO = re.compile(r"(?<!\d)((?:19|20)\d\d)-(\d\d)-(\d\d)(?!\d)")


def parse_date(text: str) -> str | None:
    """Read the first date in text as ISO, or None (a date without a day is None).

    >>> parse_date("20th May 2019"), parse_date("on 2 July 2019"), parse_date("March 2017")
    ('2019-05-20', '2019-07-02', None)
    >>> parse_date("received 29/11/2016"), parse_date("24.02.14"), parse_date("Dated: 03 Mar 2017"), parse_date("31/02/2016")
    ('2016-11-29', '2014-02-24', '2017-03-03', None)
    """
    iso = _ISO.search(text)
    match = DATE.search(text)
    if iso and (not match or iso.start() < match.start()):
        return _iso(int(iso[1]), int(iso[2]), int(iso[3]))
    return date_from_match(match) if match else None


def date_from_match(match: re.Match[str]) -> str | None:
    """The ISO form of a DATE match, or None when it has no day or is impossible."""
    if match["nday"]:
        year = int(match["nyear"])
        return _iso(year if year > 99 else 2000 + year, int(match["nmonth"]), int(match["nday"]))
    if not match["day"]:
        return None
    month = next(n for name, n in MONTHS.items() if name.startswith(match["month"].lower()[:3]))
    return _iso(int(match["year"]), month, int(match["day"]))


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None
