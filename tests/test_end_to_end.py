"""`foilog run` against the bundled mirror over real HTTP, into a real SQLite file, read by Datasette."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, foilog, free_port


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, mirror: str) -> Path:
    import yaml

    from pipelines.mirror import mirror_sources

    tmp = tmp_path_factory.mktemp("e2e")
    (tmp / "sources.yml").write_text(yaml.safe_dump({"sources": mirror_sources(mirror)}))
    result = foilog("run", "--sources", str(tmp / "sources.yml"), "--db", str(tmp / "foilog.db"),
                    "--data-dir", str(tmp / "files"))
    assert result.returncode == 0, result.stderr
    assert "18 disclosures" in result.stdout
    return tmp


def rows(db: Path, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_every_sample_letter_is_one_disclosure_with_its_fields(built: Path, expected: list[dict]) -> None:
    found = {r["reference"]: r for r in rows(built / "foilog.db", "select * from disclosures")}
    assert sorted(found) == sorted(e["reference"] for e in expected)
    for e in expected:
        row = found[e["reference"]]
        assert row["outcome"] == e["outcome"], e["reference"]
        assert row["force"] == " and ".join(e["forces"]), e["reference"]
        assert row["letter_date"] == e["letter_date"], e["reference"]
        assert row["question_count"] == e["question_count"], e["reference"]
        assert json.loads(row["exemption_codes"]) == e["exemptions"], e["reference"]
        assert row["title"] == e["title"]


def test_joint_letter_is_one_row_with_every_url_and_both_sources(built: Path, expected: list[dict]) -> None:
    joint = [e for e in expected if len(e["sources"]) > 1 and {"norfolk-drupal", "suffolk-drupal"} <= set(e["sources"])]
    assert joint, "the sample must hold a letter published on both forces' logs"
    reference = joint[0]["reference"]
    db = built / "foilog.db"
    assert len(rows(db, "select id from disclosures where reference = ?", (reference,))) == 1
    urls = rows(db, """select u.url, u.source from document_urls u join documents d on d.id = u.document_id
                      join disclosures s on s.id = d.disclosure_id where s.reference = ?""", (reference,))
    assert {u["source"] for u in urls} == set(joint[0]["sources"])
    assert len(rows(db, "select id from documents where disclosure_id = (select id from disclosures where reference = ?)",
                    (reference,))) == 1, "the same bytes on both logs are one document"


def test_duplicate_urls_collapse_and_offsite_links_are_never_fetched(built: Path, mirror: str) -> None:
    db = built / "foilog.db"
    dup = rows(db, "select document_id, count(*) n from document_urls where url like '%drone_deployments%' group by 1")
    assert [r["n"] for r in dup] == [2], "the _0 copy is a second URL of one document"
    fetched = [r["url"] for r in rows(db, "select url from fetches")]
    assert all(u.startswith(mirror) for u in fetched)
    assert len([u for u in fetched if u.endswith("000871-20_-_drone_deployments.pdf")]) == 1, "a link listed twice is fetched once"
    assert {r["status"] for r in rows(db, "select distinct status from documents")} == {"parsed"}


def test_questions_and_answers_are_rows(built: Path) -> None:
    qs = rows(built / "foilog.db", """select q.number, q.question, q.answer from questions q
                                    join disclosures d on d.id = q.disclosure_id where d.reference = '002402/19' order by position""")
    assert [q["number"] for q in qs] == ["1", "2", "3"]
    assert "police dogs" in qs[0]["question"]
    assert qs[2]["answer"] == "The cost of dog food in 2018 was GBP 11,450."


def test_run_records_itself(built: Path) -> None:
    db = built / "foilog.db"
    run = rows(db, "select * from crawl_runs")[-1]
    documents = rows(db, "select count(*) n from documents")[0]["n"]
    urls = rows(db, "select count(*) n from document_urls")[0]["n"]
    assert run["status"] == "completed"
    assert run["new"] == documents and run["failed"] == 0
    assert run["duplicate"] == urls - documents > 0
    assert run["pages"] > 0 and run["finished_at"] >= run["started_at"]


def test_datasette_search_and_facets(built: Path, expected: list[dict]) -> None:
    from pipelines.serve import make_datasette

    ds = make_datasette(built / "foilog.db")

    async def get(path: str) -> dict:
        response = await ds.client.get(path)
        assert response.status_code == 200, response.text[:300]
        return response.json()

    import asyncio

    found = asyncio.run(get("/foilog/disclosures.json?_search=dog+food&_shape=objects"))
    assert [r["reference"] for r in found["rows"]] == ["002402/19"]
    facets = asyncio.run(get("/foilog/disclosures.json?_extra=facet_results&_size=0"))["facet_results"]
    outcome_counts = {r["value"]: r["count"] for r in facets["outcome"]["results"]}
    want: dict[str, int] = {}
    for e in expected:
        want[e["outcome"]] = want.get(e["outcome"], 0) + 1
    assert outcome_counts == want
    assert len(want) == 5, "the sample holds all five outcomes"
    sections = {r["value"]: r["count"] for r in facets["exemption_sections"]["results"]}
    assert sections["s31"] == sum(any(c.startswith("s31") for c in e["exemptions"]) for e in expected)


def test_foilog_serve_answers_over_http(built: Path) -> None:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "pipelines", "serve", "--db", str(built / "foilog.db"),
                             "--port", str(port)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/foilog/disclosures.json?_search=taser&_shape=objects")
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                assert time.monotonic() < deadline, "foilog serve did not start"
                time.sleep(0.2)
        assert response.status_code == 200
        assert [r["reference"] for r in response.json()["rows"]] == ["000345/22"]
        home = httpx.get(f"http://127.0.0.1:{port}/")
        assert "Norfolk and Suffolk" in home.text and "Open Government Licence" in home.text
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_canned_search_ranks_highlights_and_explains_a_malformed_query(built: Path) -> None:
    import asyncio

    from pipelines.serve import make_datasette

    ds = make_datasette(built / "foilog.db")

    async def get(path: str):  # type: ignore[no-untyped-def]
        return await ds.client.get(path)

    found = [r["reference"] for r in asyncio.run(get("/foilog/search.json?q=cameras&_shape=objects")).json()["rows"]]
    in_title = {r["reference"] for r in rows(built / "foilog.db", "select reference from disclosures where title like '%camera%'")}
    # Responses with the word in their title rank above those with it only in questions or answers.
    assert len(in_title) >= 2 and "001044/24" in found and "001044/24" not in in_title
    assert set(found[: len(in_title)]) == in_title
    page = asyncio.run(get("/foilog/search?q=drones")).text
    assert "<mark>" in page and "\ue000" not in page
    bad = asyncio.run(get("/foilog/search?q=%22unbalanced"))
    assert bad.status_code == 400 and "unterminated string" in bad.text
    refusals = asyncio.run(get("/foilog/refusals_by_exemption.json?_shape=objects")).json()["rows"]
    assert {"code", "name", "force", "year", "responses"} <= set(refusals[0])
    assert sum(r["responses"] for r in refusals if r["code"] == "s12") == 1
    latest = asyncio.run(get("/foilog/latest.json?_shape=objects")).json()["rows"]
    assert latest[0]["reference"] == "002431/24"
    questions = asyncio.run(get("/foilog/question_search.json?words=dog+food&_shape=objects")).json()["rows"]
    assert [q["reference"] for q in questions] == ["002402/19"]


def test_text_from_a_scraped_document_is_escaped_in_every_page(built: Path, tmp_path: Path) -> None:
    import asyncio
    import shutil

    from pipelines.serve import make_datasette

    db = tmp_path / "foilog.db"
    shutil.copy(built / "foilog.db", db)
    conn = sqlite3.connect(db)
    (target,) = conn.execute("select id from disclosures where reference = '002402/19'").fetchone()
    evil = "<script>alert('x')</script> dogs"
    conn.execute("update disclosures set title = ? where id = ?", (evil, target))
    conn.execute("update disclosures_fts set title = ? where rowid = ?", (evil, target))
    conn.execute("update questions set answer = ? where disclosure_id = ?", (evil, target))
    conn.commit()
    conn.close()
    ds = make_datasette(db)
    for path in ("/foilog/disclosures", f"/foilog/disclosures/{target}", "/foilog/search?q=dogs",
                 "/foilog/questions", "/foilog/question_search?words=dogs"):
        html = asyncio.run(ds.client.get(path)).text
        assert "<script>alert(" not in html, path
        assert "&lt;script&gt;alert(" in html, path


def test_atom_feeds_for_new_responses_and_for_any_search(built: Path, expected: list[dict]) -> None:
    import asyncio
    import xml.etree.ElementTree as ET

    from pipelines.serve import make_datasette

    ds = make_datasette(built / "foilog.db")
    atom = "{http://www.w3.org/2005/Atom}"
    latest = asyncio.run(ds.client.get("/foilog/feed_latest.atom"))
    assert latest.status_code == 200 and latest.headers["content-type"].startswith(("application/atom+xml", "application/xml"))
    entries = ET.fromstring(latest.text).findall(f"{atom}entry")
    assert len(entries) == len(expected)
    search = asyncio.run(ds.client.get("/foilog/feed_search.atom?q=%22dog+food%22"))
    (entry,) = ET.fromstring(search.text).findall(f"{atom}entry")
    assert entry.find(f"{atom}title").text == "FOI 002402/19: Police dogs"


def test_table_search_takes_phrases_prefixes_and_columns_and_explains_bad_syntax(built: Path) -> None:
    import asyncio

    from pipelines.serve import make_datasette

    ds = make_datasette(built / "foilog.db")

    def refs(query: str) -> set[str]:
        response = asyncio.run(ds.client.get(f"/foilog/disclosures.json?_search={query}&_shape=objects"))
        assert response.status_code == 200, response.text
        return {r["reference"] for r in response.json()["rows"]}

    assert refs("%22dog+food%22") == {"002402/19"}
    assert "002402/19" in refs("dog*") and refs("title:dogs") == {"002402/19"}
    bad = asyncio.run(ds.client.get("/foilog/disclosures.json?_search=%22unbalanced"))
    assert bad.status_code == 400 and bad.json()["error"] == "unterminated string"


def test_views_join_citations_and_questions_to_their_responses(built: Path, expected: list[dict]) -> None:
    db = built / "foilog.db"
    citations = rows(db, "select reference, cited_as, name, kind, legislation_url from exemption_citations")
    assert len(citations) == sum(len(e["exemptions"]) for e in expected)
    s12 = next(c for c in citations if c["cited_as"].startswith("s12"))
    assert s12["kind"] == "procedural" and s12["legislation_url"].endswith("/section/12")
    assert len(rows(db, "select * from question_answers")) == sum(e["question_count"] for e in expected)
