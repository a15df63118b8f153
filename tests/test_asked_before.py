"""Asked before: responses linked to the earlier ones their letters cite, shown both ways on their pages."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
from pathlib import Path

from parsers.letter import parse_letter
from pipelines.db import open_db
from pipelines.index import build_disclosures
from pipelines.web.serve import make_datasette
from tests.conftest import rows


def test_a_letter_names_the_earlier_requests_it_cites_but_not_itself() -> None:
    text = ("Freedom of Information Request Reference No: FOI 000122/23\n\n"
            "I write in connection with your request for information received on the 20th December 2022.\n"
            "You asked:\n1. How many cyber attacks were recorded?\n\nResponse to your Request\n"
            "1. This information was previously released under FOI 001876-22 and is available via the "
            "Suffolk Constabulary Disclosure Log; see also our response FOI 003125/20.\n")
    letter = parse_letter(text.splitlines())
    assert letter.reference == "000122/23" and letter.cited_references == ("001876/22", "003125/20")
    assert letter.to_json()["cited_references"] == ["001876/22", "003125/20"]  # kept with the parse, for the index


def test_foilog_extract_prints_the_interface_keys_and_no_others(tmp_path: Path) -> None:
    from tests.conftest import foilog
    from tools.audit_cases import pdf

    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf("Freedom of Information Request Reference No: FOI 000122/23\nAs released under FOI 001876/22."))
    record = json.loads(foilog("extract", str(path)).stdout)
    assert set(record) == {"file", "reference", "forces", "letter_date", "received_date", "correct_as_of", "questions",
                           "exemptions", "outcome", "ocr", "warnings"}


def test_a_cited_response_is_linked_both_ways_and_shown_on_both_pages(built: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "foilog.db"
    shutil.copy(built / "foilog.db", db_path)
    later = rows(db_path, "select d.id, d.document_id from disclosures d where reference = '000122/23'")[0]
    earlier = rows(db_path, "select id from disclosures where reference = '001876/22'")[0]["id"]
    with sqlite3.connect(db_path) as conn:  # the letter of 000122/23, as if it had cited 001876/22 and a request not held here
        (sha256, result) = conn.execute("select p.sha256, p.result from parses p join documents d on d.sha256 = p.sha256 "
                                        "where d.id = ?", (later["document_id"],)).fetchone()
        conn.execute("update parses set result = ? where sha256 = ?",
                     (json.dumps({**json.loads(result), "cited_references": ["001876/22", "009999/15"]}), sha256))
    db = open_db(db_path)
    build_disclosures(db)
    links = rows(db_path, "select earlier_id, later_id, kind, detail from disclosure_links")
    assert [tuple(r) for r in links] == [(earlier, later["id"], "cited", "the letter cites FOI 001876/22")]

    served = make_datasette(db_path)
    page = asyncio.run(served.client.get(f"/foilog/disclosures/{later['id']}")).text
    assert "<h2>Asked before</h2>" in page and f'href="/foilog/disclosures/{earlier}"' in page
    assert "FOI 001876/22: Firearms licence waiting times" in page and "2022-06-30, Norfolk" in page
    back = asyncio.run(served.client.get(f"/foilog/disclosures/{earlier}")).text
    assert "<h2>Asked again later</h2>" in back and f'href="/foilog/disclosures/{later["id"]}"' in back


def test_the_labelled_pairs_are_told_apart_at_the_threshold() -> None:
    from pipelines.similar import THRESHOLD
    from tools.similar_pairs import precision_recall, scored

    precision, recall = precision_recall(scored(), THRESHOLD)
    assert precision >= 0.95 and recall == 1.0, (precision, recall)


def test_requests_that_read_alike_are_linked_once_and_compared_again_only_when_they_change(built: Path, tmp_path: Path) -> None:
    from pipelines.similar import link_similar

    db_path = tmp_path / "foilog.db"
    shutil.copy(built / "foilog.db", db_path)
    db = open_db(db_path)
    total = db.execute("select count(*) from disclosures").fetchone()[0]
    assert db.execute("select count(*) from similarity_checked").fetchone()[0] == db.execute(
        "select count(distinct disclosure_id) from questions").fetchone()[0]  # the run compared every response once
    assert link_similar(db) == 0  # and nothing changed since
    # A later request for another year, worded differently, of one already held.
    source = rows(db_path, "select id, reference from disclosures where reference = '001876/22'")[0]
    asked = [r["question"] for r in rows(db_path, "select question from questions where disclosure_id = ? order by position", (source["id"],))]
    copy = db.table("disclosures").insert({"key": "copy", "reference": "000999/24", "title": "Asked again", "letter_date": "2024-05-01"}).last_pk
    db.table("questions").insert_all({"disclosure_id": copy, "number": str(i + 1), "position": i,
                                      "question": "Please provide " + q[0].lower() + q[1:].replace("2021", "2023")} for i, q in enumerate(asked))
    db.execute("insert into disclosures_fts (rowid, title, questions, answers, attachments) values (?, 'Asked again', ?, '', '')",
               [copy, "\n".join(asked)])
    assert link_similar(db) == 1  # only the new response is compared
    links = rows(db_path, "select earlier_id, later_id, kind, score from disclosure_links where kind = 'similar'")
    assert (source["id"], copy) in {(r["earlier_id"], r["later_id"]) for r in links}
    assert total + 1 == db.execute("select count(*) from disclosures").fetchone()[0]


def test_a_request_asked_of_both_forces_is_one_cluster_shown_side_by_side(built: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "foilog.db"
    shutil.copy(built / "foilog.db", db_path)
    first = rows(db_path, "select id, force from disclosures where reference = '001876/22'")[0]
    joint = rows(db_path, "select id from disclosures where force = 'Norfolk and Suffolk'")[0]["id"]
    db = open_db(db_path)
    asked = [r["question"] for r in rows(db_path, "select question from questions where disclosure_id = ? order by position", (first["id"],))]
    # The same request sent to Suffolk, which refused it, and asked of Norfolk again a year later.
    for key, force, date, outcome in (("to-suffolk", "Suffolk", "2022-07-04", "refused"), ("again", "Norfolk", "2023-06-01", "disclosed")):
        new = db.table("disclosures").insert({"key": key, "reference": None, "title": f"Asked of {force}", "force": force,
                                              "forces": json.dumps([force]), "letter_date": date, "outcome": outcome,
                                              "exemption_sections": '["s31"]' if outcome == "refused" else "[]"}).last_pk
        db.table("questions").insert_all({"disclosure_id": new, "number": str(i + 1), "position": i, "question": q} for i, q in enumerate(asked))
        db.execute("insert into disclosures_fts (rowid, title, questions, answers, attachments) values (?, ?, ?, '', '')",
                   [new, f"Asked of {force}", "\n".join(asked)])
    from pipelines.clusters import build_clusters
    from pipelines.similar import link_similar

    link_similar(db)
    assert build_clusters(db) == 1
    members = rows(db_path, "select cluster_id, disclosure_id from cluster_members")
    assert {m["cluster_id"] for m in members} == {first["id"]} and len(members) == 3
    assert joint not in {m["disclosure_id"] for m in members}  # a joint letter is one response, not a cluster

    served = make_datasette(db_path)
    side = asyncio.run(served.client.get(f"/foilog/cluster.json?cluster={first['id']}&_shape=objects")).json()["rows"]
    assert [(r["force"], r["outcome"], r["exemption_sections"]) for r in side] == [
        ("Norfolk", rows(db_path, "select outcome from disclosures where id = ?", (first["id"],))[0]["outcome"],
         rows(db_path, "select exemption_sections from disclosures where id = ?", (first["id"],))[0]["exemption_sections"]),
        ("Suffolk", "refused", '["s31"]'), ("Norfolk", "disclosed", "[]")]
    listed = asyncio.run(served.client.get("/foilog/round_robins.json?_shape=objects")).json()["rows"]
    assert listed[0]["cluster"] == first["id"] and listed[0]["responses"] == 3
    page = asyncio.run(served.client.get(f"/foilog/disclosures/{first['id']}")).text
    assert f'/foilog/cluster?cluster={first["id"]}' in page and "One of 3 responses to the same request" in page
    board = asyncio.run(served.client.get("/foilog/round_robins")).text
    assert f'<a href="/foilog/cluster?cluster={first["id"]}">{first["id"]}</a>' in board


def test_a_build_compares_for_at_most_its_budget_and_the_next_one_goes_on(built: Path, tmp_path: Path) -> None:
    from pipelines.similar import link_similar

    db_path = tmp_path / "foilog.db"
    shutil.copy(built / "foilog.db", db_path)
    db = open_db(db_path)
    db.execute("delete from similarity_checked")
    pending = db.execute("select count(distinct disclosure_id) from questions").fetchone()[0]
    assert link_similar(db, budget_s=-1) == 0  # out of time before the first: nothing is marked compared
    assert link_similar(db) == pending and link_similar(db) == 0
