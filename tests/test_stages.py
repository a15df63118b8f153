"""The pure halves of the stages: what a fetch or a group of entries is written as, decided without a database."""

from __future__ import annotations

import json

import pytest

from pipelines.crawl import Plan, plan_document


@pytest.mark.parametrize(("known", "sha256", "holder", "plan"), [
    (None, None, None, Plan("failed", "insert")),
    ({"sha256": None, "document_id": 4}, None, None, Plan("failed", "known", mark_failed=True)),
    ({"sha256": "a", "document_id": 4}, None, None, Plan("failed", "known")),  # the good copy stays
    ({"sha256": "a", "document_id": 4}, "a", 4, Plan("unchanged", "known")),
    ({"sha256": "a", "document_id": 4}, "b", 7, Plan("changed", "holder", keep_version=True)),
    ({"sha256": None, "document_id": 4}, "b", 7, Plan("duplicate", "holder", drop_placeholder=True)),
    (None, "b", 7, Plan("duplicate", "holder")),
    ({"sha256": "a", "document_id": 4}, "b", None, Plan("changed", "known", write_fields=True, keep_version=True)),
    ({"sha256": None, "document_id": 4}, "b", None, Plan("new", "known", write_fields=True)),
    (None, "b", None, Plan("new", "insert", write_fields=True)),
])
def test_what_a_fetch_is_stored_as(known: dict | None, sha256: str | None, holder: int | None, plan: Plan) -> None:
    assert plan_document(known, sha256, holder) == plan


def test_a_disclosure_is_built_from_its_best_letter_and_its_listings() -> None:
    """build_rows, the pure half of the index stage: a joint letter on both logs, one copy with no letter."""
    from pipelines.index import _Entry, build_rows

    letter = {"reference": "000456/24", "forces": ["Norfolk", "Suffolk"], "letter_date": "2024-03-12", "received_date": None,
              "correct_as_of": None, "outcome": "partially_disclosed",
              "questions": [{"number": "1", "text": "How many drones?", "answer": "Twelve."},
                            {"number": "2", "text": "What did they cost?", "answer": "That is exempt under section 43."}],
              "exemptions": [{"code": "s43(2)", "section": 43, "questions": ["2"]}, {"code": "s31(1)(a)", "section": 31}]}
    norfolk = _Entry(url="https://a.example/n/", title="Drones", published_date="2024-03-20", first_seen_at="2024-03-21",
                     forces={"Norfolk"}, removed_at={1: "2024-06-01"},
                     documents={1: {"id": 1, "kind": "html", "letter": None}, 2: {"id": 2, "kind": "pdf", "letter": letter}})
    suffolk = _Entry(url="https://a.example/s/", title=None, reference="000456/24", published_date="2024-03-19",
                     first_seen_at="2024-03-22", forces={"Suffolk"}, removed_at={3: None},
                     documents={3: {"id": 3, "kind": "pdf", "letter": {**letter, "questions": letter["questions"][:1]}}})
    rows = build_rows("000456/24", [suffolk, norfolk], "2026-12-01T00:00:00+00:00")
    assert rows.row["url"] == "https://a.example/n/", "the first found"
    assert rows.row["force"] == "Norfolk and Suffolk" and rows.row["reference_from"] == "letter"
    assert rows.row["document_id"] == 2, "the letter with most questions"
    assert rows.row["published_date"] == "2024-03-19" and rows.row["year"] == 2024
    assert rows.row["exemption_sections"] == '["s31", "s43"]' and rows.row["removed_at"] is None, "one copy is still listed"
    assert [(q["number"], q["outcome"]) for q in rows.questions] == [("1", "disclosed"), ("2", "refused")]
    assert [c["cited_as"] for c in rows.citations] == ["s43(2)", "s31(1)(a)"]
    assert rows.search == ("Drones", "How many drones?\nWhat did they cost?", "Twelve.\nThat is exempt under section 43.", "")
    assert sorted(rows.documents) == [1, 2, 3]
    listing_only = build_rows("url:x", [_Entry(url="x", reference="000111/23", first_seen_at="t", removed_at={9: "2024-01-02"},
                                               documents={9: {"id": 9, "kind": "zip", "letter": None}})], "now")
    assert listing_only.row["reference_from"] == "listing" and listing_only.row["title"] == "FOI 000111/23"
    assert listing_only.row["removed_at"] == "2024-01-02" and listing_only.row["outcome"] is None


def test_a_disclosure_needs_review_for_its_parser_warnings_unless_corrected_by_hand() -> None:
    from pipelines.corrections import Corrections, check_entry
    from pipelines.index import _Entry, build_rows

    letter = {"reference": None, "forces": ["Suffolk"], "letter_date": None, "received_date": "2024-02-01", "outcome": "disclosed",
              "questions": [{"number": "1", "text": "How many?", "answer": "Not applicable."}], "exemptions": [],
              "warnings": ["no reference found in the letter", "the answer to question 1 could not be classified"]}
    entry = _Entry(url="https://a.example/s/1/", reference="000456/24", first_seen_at="t",
                   documents={1: {"id": 1, "kind": "pdf", "url": "https://a.example/s/1.pdf", "letter": letter}})
    row = build_rows("000456/24", [entry], "now").row
    # The listing gives the reference, so its absence from the letter is no reason; the unclassified answer is.
    assert (row["needs_review"], row["review_reasons"]) == (1, '["the answer to question 1 could not be classified"]')
    assert (row["corrected"], row["forces"]) == (0, '["Suffolk"]')

    fixes = Corrections(dict([check_entry({"url": "https://a.example/s/1.pdf", "outcome": "not_held", "exemptions": [],
                                           "note": "nothing was held"})]))
    fixed = build_rows("000456/24", [entry], "now", fixes)
    assert (fixed.row["outcome"], fixed.row["corrected"], fixed.row["needs_review"]) == ("not_held", 1, 0)
    assert fixed.row["correction_note"] == "nothing was held" and fixed.row["review_reasons"] == row["review_reasons"]
    nothing = build_rows("url:x", [_Entry(url="x", first_seen_at="t", documents={9: {"id": 9, "kind": "zip", "letter": None}})], "now")
    assert json.loads(nothing.row["review_reasons"]) == ["no letter could be read from the documents"]
