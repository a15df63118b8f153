"""`foilog run` against the bundled mirror over real HTTP, into a real SQLite file, read by Datasette."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import rows


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


def test_views_join_citations_and_questions_to_their_responses(built: Path, expected: list[dict]) -> None:
    db = built / "foilog.db"
    citations = rows(db, "select reference, cited_as, name, kind, legislation_url from exemption_citations")
    assert len(citations) == sum(len(e["exemptions"]) for e in expected)
    s12 = next(c for c in citations if c["cited_as"].startswith("s12"))
    assert s12["kind"] == "procedural" and s12["legislation_url"].endswith("/section/12")
    assert len(rows(db, "select * from question_answers")) == sum(e["question_count"] for e in expected)


def test_each_answer_has_its_own_outcome_consistent_with_the_response(built: Path) -> None:
    db = built / "foilog.db"
    by_response: dict[str, tuple[str, list[str | None]]] = {}
    for row in rows(db, "select reference, outcome, answer_outcome, answer from question_answers"):
        assert (row["answer_outcome"] is None) == (row["answer"] is None), "an outcome exactly when there is an answer"
        by_response.setdefault(row["reference"], (row["outcome"], []))[1].append(row["answer_outcome"])
    partial = [answers for outcome, answers in by_response.values() if outcome == "partially_disclosed"]
    assert partial and all("disclosed" in a and set(a) - {"disclosed"} for a in partial)
    for outcome, answers in by_response.values():
        if outcome in ("disclosed", "not_held") and None not in answers:
            assert set(answers) == {outcome}
