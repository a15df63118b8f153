"""How long a force took: working days in England and Wales from the request's receipt to the letter.

Section 10 of the Act gives 20 working days, and a working day is any day but a Saturday,
a Sunday, Christmas Day, Good Friday or a bank holiday in England and Wales (s10(6)). The
day of receipt is not counted: the first working day after it is day one, so a request
received on a Saturday has the Monday as its day one (the Information Commissioner's
reading). Bank holidays, the one-off ones of 2022 and 2023 included, come from the
`holidays` package rather than a list of our own.
"""

from __future__ import annotations

import datetime as dt
import functools

import holidays

LIMIT = 20  # working days, section 10(1)


@functools.cache
def _bank_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday, and neither a bank holiday in England and Wales, Christmas Day nor Good Friday.

    >>> is_working_day(dt.date(2022, 6, 3))  # the Platinum Jubilee
    False
    """
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def working_days(received: str | None, letter: str | None) -> int | None:
    """Working days after the day of receipt up to and including the letter's date; None when either
    date is unknown or the letter is dated before the request was received (a misreading, not a time).

    >>> working_days("2023-04-06", "2023-04-11")  # Good Friday and Easter Monday do not count
    1
    >>> working_days(None, "2023-04-11") is None
    True
    """
    try:
        start, end = dt.date.fromisoformat(received or ""), dt.date.fromisoformat(letter or "")
    except ValueError:
        return None
    if end < start:
        return None
    # Whole weeks hold five weekdays each; only the bank holidays among them and the days left over need looking at.
    weeks, rest = divmod((end - start).days, 7)
    count = weeks * 5 + sum(1 for n in range(1, rest + 1) if (start + dt.timedelta(days=weeks * 7 + n)).weekday() < 5)
    years = range(start.year, end.year + 1)
    count -= sum(1 for year in years for day in _bank_holidays(year) if start < day <= end and day.weekday() < 5)
    return count


def is_late(days: int | None) -> int | None:
    """1 when the letter came after the 20 working days of section 10, 0 when within them, None when unknown."""
    return None if days is None else int(days > LIMIT)
