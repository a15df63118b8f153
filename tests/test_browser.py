"""What a reader does, in a real browser: Debian's chromium driven by Playwright against `foilog serve`.

Screenshots of every page visited are saved under test-artifacts/screenshots (or
$FOILOG_ARTIFACTS/screenshots) for a person to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, rows, serving

CHROMIUM = os.environ.get("FOILOG_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("FOILOG_ARTIFACTS", ROOT / "test-artifacts")) / "screenshots"
# Headless as root in a container: no sandbox, no GPU, and none of the background calls
# home that a closed network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def site(built: Path) -> Iterator[str]:
    with serving(built / "foilog.db") as origin:
        yield origin


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"chromium not found at {CHROMIUM} (python3 bootstrap.py test installs it)"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 900})
        try:
            yield context
        finally:
            context.close()


def shoot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def facet_counts(page, column: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    counts = {}
    for item in page.locator(f"#facet-{column} li").all_inner_texts():
        match = re.match(r"(s\w+)\b.*?(?:·\s*)?([\d,]+)\s*✖?$", item.strip())
        if match:
            counts[match.group(1)] = int(match.group(2).replace(",", ""))
    return counts


def test_a_reader_searches_narrows_by_exemption_and_reads_a_response(site: str, browser, built: Path) -> None:  # type: ignore[no-untyped-def]
    db = built / "foilog.db"
    page = browser.new_page()
    page.goto(site + "/")
    assert "Norfolk and Suffolk" in page.title()
    shoot(page, "1-home")

    # Search from the home page: ranked results with the matching words highlighted.
    page.fill("input#q", "cameras")
    page.click("form.foilog-search input[type=submit]")
    page.wait_for_url(re.compile(r"/foilog/search\?q=cameras"))
    marks = page.locator("td.col-snippet mark").all_inner_texts()
    assert marks and all(m.lower().startswith("camera") for m in marks), marks
    matching = rows(db, "select count(*) as n from disclosures_fts where disclosures_fts match 'cameras'")[0]["n"]
    assert page.locator("table.rows-and-columns tbody tr").count() == matching
    shoot(page, "2-search")

    # Count the same matches by exemption, then narrow to one: the counts follow.
    page.click("a.facet-this-search")
    page.wait_for_url(re.compile(r"/foilog/disclosures\?_search=cameras"))
    before = facet_counts(page, "exemption_sections")
    assert before, "no exemption facet on the search's table page"
    section = max(before, key=lambda s: (before[s], s))
    assert page.locator(f"#facet-exemption_sections a:has-text('{section} ')").first.inner_text().startswith(section + " ")
    total_before = page.locator("table.rows-and-columns tbody tr").count()
    page.locator("#facet-exemption_sections a", has_text=re.compile(rf"^{section} ")).first.click()
    page.wait_for_url(re.compile(rf"exemption_sections__arraycontains={section}"))
    after_rows = page.locator("table.rows-and-columns tbody tr").count()
    assert after_rows == before[section] < total_before
    force_counts = [int(t.rsplit(" ", 1)[-1].replace(",", "")) for t in page.locator("#facet-force li").all_inner_texts()]
    assert sum(force_counts) == before[section]
    assert f"{section} " in page.locator("#facet-exemption_sections").inner_text()
    shoot(page, "3-facet")

    # Open a response: each question with its answer, its exemptions and a link to the original.
    page.locator("table.rows-and-columns tbody tr td.col-id a").first.click()
    page.wait_for_selector("article.disclosure")
    disclosure_id = int(page.url.rstrip("/").rsplit("/", 1)[-1])
    (row,) = rows(db, "select * from disclosures where id = ?", (disclosure_id,))
    questions = rows(db, "select question, answer from questions where disclosure_id = ? order by position", (disclosure_id,))
    assert page.locator("section.qa .question").all_inner_texts() == [q["question"] for q in questions]
    shown_answers = page.locator("section.qa .answer").all_inner_texts()
    assert [a for a in shown_answers if not a.startswith("Answered with the request")] == [q["answer"] for q in questions if q["answer"]]
    assert section in " ".join(page.locator("ul.citations li").all_inner_texts())
    assert page.locator("a.source").get_attribute("href") == row["url"]
    shoot(page, "4-disclosure")
    page.close()


def test_the_trends_page_draws_each_chart_beside_its_numbers_and_its_sql(site: str, browser: object, built: Path) -> None:
    """Rendered in chromium from the sample, with no request leaving the server (the page works offline)."""
    page = browser.new_page()  # type: ignore[attr-defined]
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(f"{site}/charts")
    shoot(page, "charts")
    assert all(url.startswith(site) for url in asked), asked
    db = built / "foilog.db"
    for chart, count_sql in (("refusals", "select count(*) as n from (select distinct f.value, d.year, e.code from disclosure_exemptions e "
                                          "join disclosures d on d.id = e.disclosure_id, json_each(d.forces) f where d.year is not null)"),
                             ("outcomes", "select count(*) as n from (select distinct year, outcome from disclosures where year is not null)"),
                             ("response-times", "select count(distinct max(min((response_working_days - 1) / 5, 9), 0)) as n "
                                                "from disclosures where response_working_days is not null")):
        section = page.locator(f"#{chart}")
        assert section.locator("svg rect").count() > 0
        assert section.locator("table tr").count() - 1 == rows(db, count_sql)[0]["n"]  # a row for each value drawn
        sql_page = browser.new_page()  # type: ignore[attr-defined]
        sql_page.goto(site + section.locator("a", has_text="This chart's SQL").get_attribute("href"))
        assert sql_page.locator("table.rows-and-columns tbody tr").count() == rows(db, count_sql)[0]["n"], f"the {chart} SQL did not run"
        sql_page.close()
    late = rows(db, "select count(*) as n from disclosures where late = 1")[0]["n"]
    assert page.locator("#response-times rect.late").count() > 0 and late > 0
    page.close()
