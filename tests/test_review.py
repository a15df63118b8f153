"""Honest confidence and corrections by hand: what needs a look, `foilog review`, `foilog correct`, corrections.yml."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from pipelines import BadInput
from pipelines.corrections import append, load
from pipelines.web.serve import make_datasette
from tests.conftest import foilog, rows


@pytest.fixture
def db(built: Path, tmp_path: Path) -> Path:
    """A copy of the built database (its files stay where the build recorded them)."""
    copy = tmp_path / "foilog.db"
    shutil.copy(built / "foilog.db", copy)
    return copy


def _one(db: Path, reference: str) -> sqlite3.Row:
    return rows(db, "select * from disclosures where reference = ?", (reference,))[0]


def test_a_reading_that_did_not_add_up_is_flagged_with_its_reasons(db: Path) -> None:
    flagged = rows(db, "select reference, review_reasons from disclosures where needs_review = 1")
    # The sample prints one letter's date line as a month and year only: the parser says so.
    assert [(r["reference"], json.loads(r["review_reasons"])) for r in flagged] == [("003370/22", ["no letter date found"])]
    assert all(json.loads(r["review_reasons"]) == [] for r in rows(db, "select review_reasons from disclosures where needs_review = 0"))
    assert {r["forces"] for r in rows(db, "select forces from disclosures")} >= {'["Norfolk"]', '["Suffolk"]', '["Norfolk", "Suffolk"]'}


def test_review_lists_what_needs_a_look_worst_first(db: Path, tmp_path: Path) -> None:
    with sqlite3.connect(db) as conn:  # a second response whose reading went wrong in two ways
        conn.execute("""update disclosures set needs_review = 1,
            review_reasons = '["the request has 1 questions but the answers are labelled 1-3", "no letter date found"]'
            where id = (select min(id) from disclosures where needs_review = 0)""")
    listed = [json.loads(line) for line in foilog("review", "--db", str(db), "--json").stdout.splitlines()]
    assert [len(r["review_reasons"]) for r in listed] == [2, 1]
    assert listed[1]["reference"] == "003370/22" and listed[1]["url"].startswith("http://127.0.0.1")
    text = foilog("review", "--db", str(db), "--limit", "1").stdout
    assert "labelled 1-3" in text and "2 response(s) need review; the worst 1 shown" in text


def test_a_correction_is_written_applied_kept_through_a_reparse_and_shown(db: Path, tmp_path: Path) -> None:
    corrections = tmp_path / "corrections.yml"
    before = _one(db, "003370/22")
    done = foilog("correct", "003370/22", "--outcome", "refused", "--exemptions", "s12(1)", "--letter-date", "2022-05-03",
                  "--note", "a cost refusal in words", "--db", str(db), "--corrections", str(corrections), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "applied to the response" in done.stdout
    assert list(load(corrections).by_key) == ["ref:003370/22"]
    row = _one(db, "003370/22")
    assert (row["outcome"], row["exemption_sections"], row["letter_date"]) == ("refused", '["s12"]', "2022-05-03")
    assert (row["corrected"], row["needs_review"], row["correction_note"]) == (1, 0, "a cost refusal in words")
    assert before["outcome"] != "refused" and row["id"] == before["id"]
    assert [r["cited_as"] for r in rows(db, "select cited_as from disclosure_exemptions where disclosure_id = ?", (row["id"],))] == ["s12(1)"]

    # Every document parsed again, as a new parser version would, and no --corrections given: the recorded file applies.
    again = foilog("parse", "--db", str(db), "--reparse", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert (_one(db, "003370/22")["outcome"], _one(db, "003370/22")["corrected"]) == ("refused", 1)

    served = make_datasette(db)
    html = asyncio.run(served.client.get(f"/foilog/disclosures/{row['id']}")).text
    assert "Corrected by hand" in html and "a cost refusal in words" in html
    facets = asyncio.run(served.client.get("/foilog/disclosures.json?_size=0")).json()["facet_results"]
    assert {v["value"]: v["count"] for v in facets["needs_review"]["results"]} == {0: 18}


def test_a_bad_entry_gets_one_line_naming_it_and_the_rest_still_apply(db: Path, tmp_path: Path) -> None:
    corrections = tmp_path / "corrections.yml"
    corrections.write_text("""# kept by hand
corrections:
  - reference: 003370/22
    outcome: refusd
  - reference: 003370/22
    exemptions: [s12]
    colour: red
  - url: not-a-url
    outcome: refused
  - reference: 003370/22
    received_date: 2022-04-31
  - reference: 003370/22
    outcome: not_held
    note: searches found nothing
""")
    done = foilog("parse", "--db", str(db), "--corrections", str(corrections), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    problems = [line for line in done.stderr.splitlines() if "corrections.yml" in line]
    assert len(problems) == 4 and "Traceback" not in done.stderr
    for n, words in ((1, "outcome 'refusd'"), (2, "unknown field 'colour'"), (3, "not an http(s) URL"), (4, "not a date")):
        assert any(f"entry {n}" in p and words in p for p in problems), (n, problems)
    row = _one(db, "003370/22")
    assert (row["outcome"], row["corrected"], row["correction_note"]) == ("not_held", 1, "searches found nothing")


def test_a_corrections_file_that_is_not_yaml_is_one_line_and_the_build_goes_on(db: Path, tmp_path: Path) -> None:
    corrections = tmp_path / "corrections.yml"
    corrections.write_text("corrections: [unclosed\n")
    done = foilog("parse", "--db", str(db), "--corrections", str(corrections), cwd=tmp_path)
    assert done.returncode == 0 and "not valid YAML" in done.stderr and "Traceback" not in done.stderr
    assert rows(db, "select count(*) as n from disclosures where corrected = 1")[0]["n"] == 0


def test_correct_refuses_bad_values_in_one_line_and_writes_nothing(db: Path, tmp_path: Path) -> None:
    corrections = tmp_path / "corrections.yml"
    for args, words in ((["12", "--outcome", "refused"], "neither a reference"),
                        (["003370/22", "--exemptions", "s99"], "not a code of a known section"),
                        (["003370/22", "--letter-date", "3 May 2022"], "not a date written YYYY-MM-DD"),
                        (["003370/22"], "nothing to correct")):
        done = foilog("correct", *args, "--db", str(db), "--corrections", str(corrections))
        assert done.returncode == 2 and words in done.stderr and len(done.stderr.strip().splitlines()) == 1, (args, done.stderr)
    assert not corrections.exists()


def test_appending_keeps_the_file_as_written(tmp_path: Path) -> None:
    path = tmp_path / "corrections.yml"
    path.write_text("# reviewed by the desk\ncorrections:\n  - reference: 000739/19  # cost letter\n    outcome: refused\n")
    append(path, {"url": "https://example.org/a.pdf", "outcome": "not_held", "questions": [{"number": "1", "text": "How many?", "answer": None}]})
    text = path.read_text()
    assert text.startswith("# reviewed by the desk\n") and "# cost letter" in text
    assert sorted(load(path).by_key) == ["ref:000739/19", "url:https://example.org/a.pdf"]
    with pytest.raises(BadInput, match="give a reference or a url"):
        append(path, {"outcome": "refused"})
