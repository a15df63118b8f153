"""The trends page's data (/charts): each chart's SQL, run when the page is asked for.

The SQL lives here once: the page draws each chart from its rows, prints them as a table,
and links to the same SQL for anyone who wants to change it. A joint letter counts for
each force it answers for.
"""

from __future__ import annotations

from typing import Any

# Each is answered from an index that holds every column it reads (pipelines/db.py), not from the
# wide rows: benchmarks/research.py times them at 200,000 responses.
CHARTS = {
    "refusals": """select f.value as force, d.year, e.code, count(distinct d.id) as responses
from disclosure_exemptions e join disclosures d on d.id = e.disclosure_id, json_each(d.forces) f
where d.year is not null
group by f.value, d.year, e.code order by f.value, e.code, d.year""",
    "outcomes": """select year, coalesce(outcome, 'none') as outcome, count(*) as responses
from disclosures where year is not null
group by year, outcome order by year, outcome""",
    # Five working days a bar, the last for 46 and more; 20 ends a bar, so "late" is every bar after it.
    "times": """select max(min((response_working_days - 1) / 5, 9), 0) as bucket, count(*) as responses, sum(late) as late
from disclosures where response_working_days is not null
group by 1 order by 1""",
}


async def chart_data(db: Any) -> dict[str, dict[str, Any]]:
    """{name: {"sql", "rows", and what the chart is drawn from}} for every chart."""
    out: dict[str, dict[str, Any]] = {}
    for name, sql in CHARTS.items():
        out[name] = {"sql": sql, "rows": [dict(r) for r in (await db.execute(sql)).rows]}
    refusals = out["refusals"]
    years = sorted({r["year"] for r in refusals["rows"]})
    counts: dict[str, dict[str, dict[int, int]]] = {}
    for r in refusals["rows"]:
        counts.setdefault(r["force"], {}).setdefault(r["code"], {})[r["year"]] = r["responses"]
    refusals.update(years=years, most=max((r["responses"] for r in refusals["rows"]), default=1),
                    forces=[{"force": force, "codes": [{"code": code, "counts": [by_year.get(y, 0) for y in years]}
                                                        for code, by_year in sorted(codes.items(), key=lambda c: (len(c[0]), c[0]))]}
                            for force, codes in counts.items()])
    per_year: dict[int, list[dict[str, Any]]] = {}
    for r in out["outcomes"]["rows"]:
        per_year.setdefault(r["year"], []).append(r)
    out["outcomes"]["years"] = [{"year": year, "total": sum(p["responses"] for p in parts), "parts": parts}
                                for year, parts in sorted(per_year.items())]
    out["times"]["tallest"] = max((r["responses"] for r in out["times"]["rows"]), default=1)
    return out
