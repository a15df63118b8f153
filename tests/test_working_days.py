"""Response times in working days, against cases counted by hand on a calendar."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest

from pipelines.working_days import is_late, is_working_day, working_days


@pytest.mark.parametrize(("received", "letter", "days", "why"), [
    ("2023-01-16", "2023-01-16", 0, "answered the day it came"),
    ("2023-01-16", "2023-01-17", 1, "the next day is day one"),
    ("2023-01-13", "2023-01-16", 1, "Friday to Monday: the weekend does not count"),
    ("2023-01-14", "2023-01-16", 1, "received on a Saturday: Monday is day one"),
    ("2023-01-14", "2023-02-10", 20, "received on a Saturday, answered on the twentieth working day"),
    ("2023-01-14", "2023-02-13", 21, "and one day later"),
    ("2023-04-06", "2023-04-11", 1, "Easter 2023: Good Friday 7 April and Easter Monday 10 April"),
    ("2023-03-31", "2023-04-28", 18, "four weeks across Easter 2023"),
    ("2022-12-23", "2023-01-04", 5, "Christmas 2022: Boxing Day, Christmas Day observed on the 27th, New Year on 2 January"),
    ("2023-12-22", "2023-12-27", 1, "Christmas 2023 on a Monday and Boxing Day on the Tuesday"),
    ("2022-06-01", "2022-06-07", 2, "2022: spring bank holiday moved to Thursday 2 June, the Platinum Jubilee on Friday 3 June"),
    ("2022-09-16", "2022-09-20", 1, "2022: the Queen's state funeral, Monday 19 September"),
    ("2023-05-05", "2023-05-09", 1, "2023: the Coronation bank holiday, Monday 8 May"),
    ("2022-05-30", "2022-06-30", 21, "June 2022: 23 weekdays after the 30th, less 2 and 3 June"),
    ("2021-12-01", "2022-12-01", 251, "a year: 261 weekdays less 27 and 28 December 2021 and the 8 weekday holidays of 2022 to December"),
])
def test_working_days_counted_by_hand(received: str, letter: str, days: int, why: str) -> None:
    assert working_days(received, letter) == days, why


def test_what_cannot_be_counted_is_null_never_a_guess() -> None:
    assert working_days(None, "2023-01-16") is None
    assert working_days("2023-01-16", None) is None
    assert working_days("2023-01", "2023-01-16") is None  # a month, not a day
    assert working_days("2023-01-17", "2023-01-16") is None  # a letter before its request is a misreading
    assert is_late(None) is None and is_late(20) == 0 and is_late(21) == 1


def test_the_count_agrees_with_walking_the_calendar_day_by_day() -> None:
    start = dt.date(2021, 12, 20)
    for length in range(0, 400, 7):
        for offset in range(7):
            received = start + dt.timedelta(days=offset)
            letter = received + dt.timedelta(days=length + offset)
            walked = sum(is_working_day(received + dt.timedelta(days=n)) for n in range(1, (letter - received).days + 1))
            assert working_days(received.isoformat(), letter.isoformat()) == walked


def test_response_times_are_columns_facets_and_a_canned_query(built: Path) -> None:
    import asyncio

    from pipelines.web.serve import make_datasette
    from tests.conftest import rows

    db = built / "foilog.db"
    timed = rows(db, "select reference, received_date, letter_date, response_working_days, late from disclosures")
    assert any(r["response_working_days"] is not None for r in timed)
    for r in timed:
        assert r["response_working_days"] == working_days(r["received_date"], r["letter_date"])
        assert r["late"] == is_late(r["response_working_days"])
    served = make_datasette(db)
    facets = asyncio.run(served.client.get("/foilog/disclosures.json?_size=0")).json()["facet_results"]
    assert "late" in facets and "response_working_days" not in facets  # late by default; the days one click away
    asked = asyncio.run(served.client.get("/foilog/disclosures.json?_size=0&_facet=response_working_days")).json()["facet_results"]
    days = {r["value"]: r["count"] for r in asked["response_working_days"]["results"]}
    assert days == {v: sum(1 for r in timed if r["response_working_days"] == v) for v in days} and days
    stats = asyncio.run(served.client.get("/foilog/response_times.json?_shape=objects")).json()["rows"]
    by_force_year: dict[tuple[str, int], list[int]] = {}
    for r in rows(db, "select f.value as force, d.year, d.response_working_days as days from disclosures d, json_each(d.forces) f "
                      "where d.response_working_days is not null"):
        by_force_year.setdefault((r["force"], r["year"]), []).append(r["days"])
    assert {(s["force"], s["year"]) for s in stats} == set(by_force_year)
    for s in stats:
        days = sorted(by_force_year[(s["force"], s["year"])])
        assert s["responses"] == len(days)
        assert s["median_working_days"] == days[math.ceil(0.5 * len(days)) - 1]  # nearest rank
        assert s["p90_working_days"] == days[math.ceil(0.9 * len(days)) - 1]
        assert s["late"] == sum(d > 20 for d in days)
