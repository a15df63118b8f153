"""Datasette over a built database: search, facets, canned queries, feeds, the disclosure page, safety."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest
from datasette.app import Datasette
from selectolax.lexbor import LexborHTMLParser

from pipelines.db import COMBINED_FACETS
from pipelines.web.serve import make_datasette
from tests.conftest import rows, serving


@pytest.fixture(scope="module")
def ds(built: Path) -> Datasette:
    """Datasette over the built database, in process."""
    return make_datasette(built / "foilog.db")


def page(ds: Datasette, path: str) -> httpx.Response:
    return asyncio.run(ds.client.get(path))


def copy_of(built: Path, tmp_path: Path) -> Path:
    """A copy of the built database that a test may change."""
    db = tmp_path / "foilog.db"
    shutil.copy(built / "foilog.db", db)
    return db


def test_datasette_search_and_facets(ds: Datasette, expected: list[dict]) -> None:
    def get(path: str) -> dict:
        response = page(ds, path)
        assert response.status_code == 200, response.text[:300]
        return response.json()

    found = get("/foilog/disclosures.json?_search=dog+food&_shape=objects")
    assert [r["reference"] for r in found["rows"]] == ["002402/19"]
    facets = get("/foilog/disclosures.json?_extra=facet_results&_size=0")["facet_results"]
    outcome_counts = {r["value"]: r["count"] for r in facets["outcome"]["results"]}
    want: dict[str, int] = {}
    for e in expected:
        want[e["outcome"]] = want.get(e["outcome"], 0) + 1
    assert outcome_counts == want
    assert len(want) == 5, "the sample holds all five outcomes"
    sections = {r["value"]: r["count"] for r in facets["exemption_sections"]["results"]}
    assert sections["s31"] == sum(any(c.startswith("s31") for c in e["exemptions"]) for e in expected)


def test_foilog_serve_answers_over_http(built: Path) -> None:
    with serving(built / "foilog.db") as origin:
        response = httpx.get(f"{origin}/foilog/disclosures.json?_search=taser&_shape=objects")
        assert response.status_code == 200
        assert [r["reference"] for r in response.json()["rows"]] == ["000345/22"]
        home = httpx.get(f"{origin}/")
        assert "Norfolk and Suffolk" in home.text and "Open Government Licence" in home.text


def test_canned_search_ranks_highlights_and_explains_a_malformed_query(ds: Datasette, built: Path) -> None:
    found = [r["reference"] for r in page(ds, "/foilog/search.json?q=cameras&_shape=objects").json()["rows"]]
    in_title = {r["reference"] for r in rows(built / "foilog.db", "select reference from disclosures where title like '%camera%'")}
    # Responses with the word in their title rank above those with it only in questions or answers.
    assert len(in_title) >= 2 and "001044/24" in found and "001044/24" not in in_title
    assert set(found[: len(in_title)]) == in_title
    highlighted = page(ds, "/foilog/search?q=drones").text
    assert "<mark>" in highlighted and "\ue000" not in highlighted
    bad = page(ds, "/foilog/search?q=%22unbalanced")
    assert bad.status_code == 400 and "unterminated string" in bad.text
    refusals = page(ds, "/foilog/refusals_by_exemption.json?_shape=objects").json()["rows"]
    assert {"code", "name", "force", "year", "responses"} <= set(refusals[0])
    assert sum(r["responses"] for r in refusals if r["code"] == "s12") == 1
    latest = page(ds, "/foilog/latest.json?_shape=objects").json()["rows"]
    assert latest[0]["reference"] == "002431/24"
    questions = page(ds, "/foilog/question_search.json?words=dog+food&_shape=objects").json()["rows"]
    assert [q["reference"] for q in questions] == ["002402/19"]


def test_text_from_a_scraped_document_is_escaped_in_every_page(built: Path, tmp_path: Path) -> None:
    db = copy_of(built, tmp_path)
    conn = sqlite3.connect(db)
    (target,) = conn.execute("select id from disclosures where reference = '002402/19'").fetchone()
    evil = "<script>alert('x')</script> dogs"
    conn.execute("update disclosures set title = ? where id = ?", (evil, target))
    conn.execute("update disclosures_fts set title = ? where rowid = ?", (evil, target))
    conn.execute("update questions set answer = ? where disclosure_id = ?", (evil, target))
    conn.commit()
    conn.close()
    served = make_datasette(db)
    for path in ("/foilog/disclosures", f"/foilog/disclosures/{target}", "/foilog/search?q=dogs",
                 "/foilog/questions", "/foilog/question_search?words=dogs"):
        html = page(served, path).text
        assert "<script>alert(" not in html, path
        assert "&lt;script&gt;alert(" in html, path


def test_atom_feeds_for_new_responses_and_for_any_search(ds: Datasette, expected: list[dict]) -> None:
    atom = "{http://www.w3.org/2005/Atom}"
    latest = page(ds, "/foilog/feed_latest.atom")
    assert latest.status_code == 200 and latest.headers["content-type"].startswith(("application/atom+xml", "application/xml"))
    entries = ET.fromstring(latest.text).findall(f"{atom}entry")
    assert len(entries) == len(expected)
    search = page(ds, "/foilog/feed_search.atom?q=%22dog+food%22")
    (entry,) = ET.fromstring(search.text).findall(f"{atom}entry")
    assert entry.find(f"{atom}title").text == "FOI 002402/19: Police dogs"


def test_table_search_takes_phrases_prefixes_and_columns_and_explains_bad_syntax(ds: Datasette) -> None:
    def refs(query: str) -> set[str]:
        response = page(ds, f"/foilog/disclosures.json?_search={query}&_shape=objects")
        assert response.status_code == 200, response.text
        return {r["reference"] for r in response.json()["rows"]}

    assert refs("%22dog+food%22") == {"002402/19"}
    assert "002402/19" in refs("dog*") and refs("title:dogs") == {"002402/19"}
    bad = page(ds, "/foilog/disclosures.json?_search=%22unbalanced")
    assert bad.status_code == 400 and bad.json()["error"] == "unterminated string"


def test_disclosure_page_shows_each_question_with_its_answer_the_exemptions_and_provenance(
        ds: Datasette, built: Path, expected: list[dict]) -> None:
    db = built / "foilog.db"
    joint = next(e for e in expected if len(e["sources"]) == 2 and e["exemptions"])
    (disclosure,) = rows(db, "select * from disclosures where reference = ?", (joint["reference"],))
    response = page(ds, f"/foilog/disclosures/{disclosure['id']}")
    assert response.status_code == 200
    html = LexborHTMLParser(response.text)
    article = html.css_first("article.disclosure")
    assert article is not None, "the disclosure template was not used"
    assert joint["reference"] in html.css_first("title").text() and joint["title"] in article.css_first("h1").text()
    questions = rows(db, "select question, answer from questions where disclosure_id = ? order by position", (disclosure["id"],))
    shown = [(s.css_first(".question").text(), s.css_first(".answer").text()) for s in article.css("section.qa")]
    assert len(shown) == joint["question_count"] == len(questions)
    for (question, answer), row in zip(shown, questions):
        assert question == row["question"]
        assert answer == (row["answer"] or "Answered with the request as a whole (see the letter).")
    citations = {li.css_first("strong").text(): li for li in article.css("ul.citations li")}
    assert sorted(citations) == sorted(joint["exemptions"])
    for cited_as, li in citations.items():
        (exemption,) = rows(db, "select name, url from exemptions where code = ?", (cited_as.split("(")[0],))
        link = li.css_first("a")
        assert link.text() == exemption["name"] and link.attributes["href"] == exemption["url"]
    assert article.css_first("a.source").attributes["href"] == disclosure["url"]
    links = {a.attributes["href"] for a in article.css("a.document-link")}
    assert {u.split("/", 3)[-1] for u in links} >= {u.lstrip("/") for u in joint["urls"]}
    (document,) = rows(db, "select sha256, fetched_at from documents where id = ?", (disclosure["document_id"],))
    assert document["sha256"] in article.text() and document["fetched_at"] in article.text()
    assert not article.css(".mark"), "neither removed nor revised"


def test_disclosure_page_marks_removed_and_revised_responses_and_links_only_to_web_addresses(built: Path, tmp_path: Path) -> None:
    db = copy_of(built, tmp_path)
    with sqlite3.connect(db) as conn:
        (target,) = conn.execute("select id from disclosures order by id limit 1").fetchone()
        conn.execute("update disclosures set removed_at = '2026-02-03T04:05:06+00:00', revised_at = '2026-01-02T00:00:00+00:00',"
                     " url = 'javascript:alert(1)' where id = ?", (target,))
    article = LexborHTMLParser(page(make_datasette(db), f"/foilog/disclosures/{target}").text).css_first("article")
    marks = [m.text() for m in article.css(".mark")]
    assert any("Removed" in m and "2026-02-03" in m for m in marks) and any("Revised on 2026-01-02" in m for m in marks)
    assert all(not a.attributes.get("href", "").startswith("javascript") for a in article.css("a"))
    assert "javascript:alert(1)" in article.text(), "shown as text"


def test_every_table_and_column_people_see_has_a_description(ds: Datasette) -> None:
    listing = page(ds, "/foilog.json").json()
    visible = [t["name"] for t in listing["tables"] if not t["hidden"]] + [v["name"] for v in listing["views"]]
    assert {"disclosures", "questions", "exemptions", "exemption_citations", "question_answers"} <= set(visible)
    undescribed = []
    for name in visible:
        meta = ds.table_metadata("foilog", name)
        if not meta.get("description"):
            undescribed.append(name)
        columns = page(ds, f"/foilog/{name}.json?_size=0").json()["columns"]
        undescribed += [f"{name}.{c}" for c in columns if not meta.get("columns", {}).get(c)]
    assert undescribed == []
    assert ds.table_metadata("foilog", "exemptions")["label_column"] == "name"


def test_served_read_only_with_no_way_to_write(built: Path, tmp_path: Path) -> None:
    db = copy_of(built, tmp_path)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    for immutable in (False, True):
        served = make_datasette(db, immutable=immutable)
        database = served.get_database("foilog")
        assert database.is_mutable is not immutable
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            asyncio.run(database.execute("delete from disclosures"))
        refused = page(served, "/foilog.json?sql=delete+from+disclosures")
        assert refused.status_code == 400 and "Statement must be a SELECT" in refused.text
        assert page(served, "/foilog/disclosures.json?_search=drones").status_code == 200
        plugins = {p["name"] for p in page(served, "/-/plugins.json").json()}
        assert plugins <= {"foilog", "datasette-atom"}, plugins  # nothing that writes
        assert not [q for q in served.metadata("queries", database="foilog").values() if q.get("write")]
        settings = page(served, "/-/settings.json").json()
        assert settings["sql_time_limit_ms"] <= 5000 and settings["facet_time_limit_ms"] <= settings["sql_time_limit_ms"]
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_home_page_leads_with_a_ranked_search_and_results_link_to_responses(ds: Datasette, built: Path) -> None:
    form = LexborHTMLParser(page(ds, "/").text).css_first("form.foilog-search")
    assert form.attributes["action"] == "/foilog/search" and form.css_first("input[name=q]") is not None
    results = LexborHTMLParser(page(ds, "/foilog/search?q=drones").text)
    ids = {r["reference"]: r["id"] for r in rows(built / "foilog.db", "select id, reference from disclosures")}
    links = [(a.text(), a.attributes["href"]) for a in results.css("td.col-reference a")]
    assert len(links) >= 2
    assert links == [(reference, f"/foilog/disclosures/{ids[reference]}") for reference, _ in links]


def test_the_plugin_leaves_other_databases_alone(tmp_path: Path) -> None:
    """Installed, the plugin is active in any Datasette in the environment, not only foilog serve."""
    db = tmp_path / "other.db"
    with sqlite3.connect(db) as conn:
        conn.execute("create table t (id integer primary key, reference text, tags text)")
        conn.execute("""insert into t values (1, 'ref', '["s31"]')""")
    other = Datasette(files=[str(db)])
    facets = page(other, "/other/t?_facet_array=tags")
    assert facets.status_code == 200 and "s31 Law" not in facets.text
    query = page(other, "/other?sql=select+1+as+id,+'ref'+as+reference")
    assert query.status_code == 200 and "/disclosures/" not in query.text


def test_the_table_search_and_the_ranked_search_link_to_each_other(ds: Datasette) -> None:
    table = LexborHTMLParser(page(ds, "/foilog/disclosures?_search=%22body+worn%22").text)
    assert table.css_first("a.rank-this-search").attributes["href"] == "/foilog/search?q=%22body+worn%22"
    assert LexborHTMLParser(page(ds, "/foilog/disclosures").text).css_first("a.rank-this-search") is None
    ranked = LexborHTMLParser(page(ds, "/foilog/search?q=%22body+worn%22").text)
    assert ranked.css_first("a.facet-this-search").attributes["href"] == "/foilog/disclosures?_search=%22body+worn%22"
    assert ranked.css_first("a.feed-this-search").attributes["href"] == "/foilog/feed_search.atom?q=%22body+worn%22"


DEFAULT_FACETS = "&".join(f"_facet={c}" if kind == "column" else f"_facet_{kind}={c}" for c, kind in COMBINED_FACETS.items())


def facets_of(served: Datasette, path: str) -> tuple[dict, list[str]]:
    """A table page's facets, comparable across databases, and the facet SQL it ran."""
    response = page(served, path + ("&" if "?" in path else "?") + "_trace=1")
    assert response.status_code == 200, response.text[:300]
    body = response.json()

    def link(url: str) -> tuple:  # the same link whatever the database is called and however its facets were asked for
        parts = httpx.URL(url)
        return parts.path.split("/", 2)[2], [p for p in parts.params.multi_items() if not p[0].startswith("_facet")]

    facets = {name: (f["type"], f["truncated"], [(r["value"], r["label"], r["count"], r["selected"], link(r["toggle_url"]))
                                                  for r in f["results"]])
              for name, f in body["facet_results"].items()}
    sql = [t["sql"] for t in body["_trace"]["traces"] if t.get("database") in ("foilog", "other")]
    return facets, [s for s in sql if " as value" in s or s.startswith(COMBINED)]


COMBINED = "select count(*), group_concat(facet_"  # the one statement that reads the matches for every default facet


@pytest.mark.parametrize("query", ["", "_search=cameras", "_search=drones&force=Norfolk", "exemption_sections__arraycontains=s31",
                                   "_facet_size=2", "outcome=refused&_search=information", "_search=nosuchwordanywhere"])
def test_default_facets_are_counted_in_one_statement_with_datasettes_own_results(built: Path, tmp_path: Path, query: str) -> None:
    ours = make_datasette(built / "foilog.db", settings={"trace_debug": True})
    other = tmp_path / "other.db"
    shutil.copy(built / "foilog.db", other)
    # Datasette's own facet classes, over the same file and table settings, with the facets asked for in the URL.
    table = {k: v for k, v in ours.table_metadata("foilog", "disclosures").items() if k != "facets"}
    stock = Datasette(files=[str(other)], metadata={"databases": {"other": {"tables": {"disclosures": table}}}},
                      settings={"trace_debug": True, "suggest_facets": False})
    counted, statements = facets_of(ours, f"/foilog/disclosures.json?{query}")
    expected, stock_statements = facets_of(stock, f"/other/disclosures.json?{query}&{DEFAULT_FACETS}")
    assert counted == expected
    assert set(counted) == {"force", "forces", "outcome", "year", "exemption_sections", "needs_review", "late"} \
        == set(COMBINED_FACETS)
    assert len(statements) == 1 and statements[0].startswith(COMBINED), statements
    assert len(stock_statements) == len(COMBINED_FACETS)


@pytest.mark.parametrize("query, early", [("_search=information", True), ("", True), ("_search=information&_sort=year", True),
                                          ("_search=information&force=Norfolk", True), ("outcome=disclosed&year__gte=2020", True),
                                          ("exemption_sections__arraycontains=s31&_search=the", True),
                                          ("_search=information&_where=year+>+2000", False), ("_search=information&_nofacet=1", False)])
def test_a_search_page_counts_its_facets_and_its_matches_beside_its_rows(built: Path, query: str, early: bool) -> None:
    served = make_datasette(built / "foilog.db", settings={"trace_debug": True})
    body = page(served, f"/foilog/disclosures.json?{query}&_trace=1").json()
    traces = [t for t in body["_trace"]["traces"] if t.get("database") == "foilog"]
    combined = [t for t in traces if t["sql"].startswith(COMBINED)]
    counts = [t for t in traces if t["sql"].startswith("select count(*) from disclosures")]
    rows_sql = next(t for t in traces if t["sql"].startswith("select id, [key]"))
    where = rows_sql["sql"].split(" from disclosures ", 1)[1].split(" order by ")[0]
    with sqlite3.connect(built / "foilog.db") as conn:
        want = conn.execute(f"select count(*) from disclosures {where}", rows_sql["params"] or {}).fetchone()[0]
    assert body["filtered_table_rows_count"] == want > 0
    if "_nofacet" in query:
        assert combined == [] and body["facet_results"] == {} and len(counts) == 1
        return
    assert len(combined) == 1 and body["facet_results"]["force"]["results"]
    # Where the page has only column filters and a search, the facet statement begins before the rows and its count is
    # the page's; where it has another (_where), Datasette counts the matches itself, after the rows, and then the facets.
    if early:
        assert counts == [] and combined[0]["start"] < rows_sql["start"]
    else:
        assert len(counts) == 1 and counts[0]["start"] < combined[0]["start"]


@pytest.mark.parametrize("copies, newest_first", [(0, True), (1000, False)])
def test_a_search_that_matches_many_reads_its_rows_newest_first_in_the_order_every_page_follows(
        built: Path, tmp_path: Path, copies: int, newest_first: bool) -> None:
    db = copy_of(built, tmp_path)
    with sqlite3.connect(db) as conn:
        # Ties on the date, which the pages must keep in Datasette's order: by id, as its next page takes them.
        conn.execute("update disclosures set letter_date = '2024-03-01' where id % 3 = 0")
        # With copies, the search matches under a tenth of the table, and the matches are sorted as Datasette sorts them.
        conn.execute("""with recursive n(i) as (select 1 union all select i + 1 from n where i < ?)
            insert into disclosures (key, title, letter_date) select d.key || '-' || n.i, d.title, d.letter_date from disclosures d, n
            where ? > 0""", [copies, copies])
        matches = "select rowid from disclosures_fts where disclosures_fts match 'the'"
        want = [i for (i,) in conn.execute(f"select id from disclosures where id in ({matches}) order by letter_date desc, id")]
    assert len(want) >= 10 and len({d for (d,) in conn.execute(f"select letter_date from disclosures where id in ({matches})")}) < len(want)
    served = make_datasette(db, settings={"trace_debug": True})
    body = page(served, "/foilog/disclosures.json?_search=the&_size=4&_trace=1").json()
    rows_sql = next(t["sql"] for t in body["_trace"]["traces"] if t["sql"].startswith("select id, [key]"))
    assert ("where +id in (" in rows_sql and rows_sql.endswith("order by letter_date desc, id limit 5")) is newest_first
    seen = [r[0] for r in body["rows"]]
    while body.get("next_url"):  # each next page from where the one before left off, by Datasette's keyset
        after = httpx.URL(body["next_url"])
        body = page(served, f"{after.path}?{after.query.decode()}").json()
        rows_sql = next(t["sql"] for t in body["_trace"]["traces"] if t["sql"].startswith("select id, [key]"))
        assert ("where +id in (" in rows_sql and " and (" in rows_sql) is newest_first
        seen += [r[0] for r in body["rows"]]
    assert seen == want


def test_facets_asked_for_beyond_the_defaults_are_counted_by_datasette(built: Path, tmp_path: Path) -> None:
    ours = make_datasette(built / "foilog.db", settings={"trace_debug": True})
    counted, statements = facets_of(ours, "/foilog/disclosures.json?_facet=question_count&_facet_array=exemption_codes")
    assert {"question_count", "exemption_codes", "force", "exemption_sections"} <= set(counted)
    want = {r["question_count"]: r["n"] for r in rows(built / "foilog.db", "select question_count, count(*) as n from disclosures group by 1")}
    assert {value: count for value, _, count, _, _ in counted["question_count"][2]} == want
    assert len(statements) == 3 and sum(s.startswith(COMBINED) for s in statements) == 1


def test_facets_fall_back_to_datasette_where_facet_keys_are_missing(built: Path, tmp_path: Path) -> None:
    """A database not re-indexed since the facet keys were added, or served --immutable without the migration."""
    db = copy_of(built, tmp_path)
    expected, _ = facets_of(make_datasette(db, settings={"trace_debug": True}), "/foilog/disclosures.json?_search=information")
    with sqlite3.connect(db) as conn:
        conn.execute("update disclosures set facet_place = null where id = (select min(rowid) from disclosures_fts where disclosures_fts match 'information')")
    counted, statements = facets_of(make_datasette(db, settings={"trace_debug": True}), "/foilog/disclosures.json?_search=information")
    assert counted == expected and len(statements) == 1 + len(COMBINED_FACETS)  # the combined one found the gap; Datasette's own counted
    with sqlite3.connect(db) as conn:
        conn.execute("drop table facet_combinations")
        conn.execute("pragma wal_checkpoint(truncate)")  # an immutable file is read without its WAL
    counted, statements = facets_of(make_datasette(db, immutable=True, settings={"trace_debug": True}), "/foilog/disclosures.json?_search=information")
    assert counted == expected and len(statements) == len(COMBINED_FACETS)


def test_combined_facets_that_run_out_of_time_are_reported_as_timed_out(built: Path, tmp_path: Path) -> None:
    db = copy_of(built, tmp_path)
    with sqlite3.connect(db) as conn:  # 18,000 more responses, so that counting takes longer than a millisecond
        conn.execute("""with recursive n(i) as (select 1 union all select i + 1 from n where i < 1000)
            insert into disclosures (key, title, force, outcome, year, exemption_sections, facet_place, facet_result, facet_exemptions)
            select d.key || '-' || n.i, d.title, d.force, d.outcome, d.year, d.exemption_sections, d.facet_place, d.facet_result,
                   d.facet_exemptions
            from disclosures d, n""")
    served = make_datasette(db, settings={"facet_time_limit_ms": 1})
    body = page(served, "/foilog/disclosures.json?_size=1").json()
    assert body["facet_results"] == {} and body["filtered_table_rows_count"] == 18 * 1001
    notice = LexborHTMLParser(page(served, "/foilog/disclosures?_size=1").text).css_first(".facets-timed-out")
    assert notice is not None and sorted(notice.text().split(":")[1].replace(",", " ").split()) == sorted(COMBINED_FACETS)


def test_serving_stays_within_bounds_and_answers_bad_requests_as_such(ds: Datasette, capsys: pytest.CaptureFixture[str],
                                                                      caplog: pytest.LogCaptureFixture) -> None:

    empty = page(ds, "/foilog/feed_search.atom?q=zzzznothingmatches")
    assert empty.status_code == 200, "a followed search with no answers yet is an empty feed, not an error"
    feed = ET.fromstring(empty.content)
    assert feed.tag == "{http://www.w3.org/2005/Atom}feed" and not feed.findall("{http://www.w3.org/2005/Atom}entry")
    assert page(ds, "/foilog/feed_search.atom?q=drones").content.count(b"<entry>") >= 1
    assert page(ds, "/foilog/disclosures?_sort=nosuch").status_code == 400
    assert page(ds, "/foilog/disclosures.json?_sort_desc=nosuch").json()["error"] == "Cannot sort table by nosuch"
    posted = asyncio.run(ds.client.post("/foilog/search", data={"q": "drones"}))
    assert posted.status_code == 405 and posted.headers["allow"] == "GET, HEAD, OPTIONS"
    blob = page(ds, "/foilog.json?sql=select+length(hex(randomblob(200000000)))")
    assert blob.status_code == 400 and "too big" in blob.json()["error"]
    capsys.readouterr()
    caplog.clear()
    with caplog.at_level("WARNING", logger="foilog.serve"):
        assert page(ds, "/foilog.json?sql=selec+1").status_code == 400
    assert [r.getMessage() for r in caplog.records if r.name == "foilog.serve"] == [
        "GET /foilog.json?sql=selec+1 -> 400 DatasetteError: Statement must be a SELECT"]
    printed = capsys.readouterr()
    assert "Traceback" not in printed.out + printed.err and "locals" not in printed.out + printed.err


def test_a_database_path_with_a_hash_is_served_not_replaced_by_an_empty_file(built: Path, tmp_path: Path) -> None:
    folder = tmp_path / "case #12?"
    folder.mkdir()
    db = folder / "foilog.db"
    shutil.copy(built / "foilog.db", db)
    served = make_datasette(db)
    assert page(served, "/foilog/disclosures.json?_size=1").json()["rows"], "the real file, with its rows"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case #12?"], "no other file was created"
