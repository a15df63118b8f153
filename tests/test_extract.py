"""`foilog extract`: a letter in the seed's shape rendered to a real PDF, and bad input beside good.

The letter (tests/fixtures/seed-shaped-letter.txt) is this project's own text, laid out as the
real joint response FOI 001310/19 is: a numbered request with lettered sub-items, "Q1".."Q5"
answers, a refusal block with the section 1 and 17 recitals inside an answer, a section 21
refusal for part of another, and the review and Information Commissioner boilerplate.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import foilog


def test_seed_letter_fields(seed_pdf: Path) -> None:
    result = foilog("extract", str(seed_pdf))
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    record = json.loads(line)
    assert record["file"] == str(seed_pdf)
    assert record["reference"] == "004417/21"
    assert record["forces"] == ["Norfolk", "Suffolk"]
    assert record["letter_date"] == "2021-07-14"
    assert record["received_date"] == "2021-06-02"
    assert record["correct_as_of"] == "2021-06-21"
    assert [q["number"] for q in record["questions"]] == ["1", "2", "3", "4", "5"]
    codes = {e["code"] for e in record["exemptions"]}
    assert codes == {"s21(1)", "s24(1)", "s31(1)"}
    assert not any(e["section"] in (1, 17) for e in record["exemptions"])
    assert record["outcome"] == "partially_disclosed"
    assert record["ocr"] is False


def test_seed_letter_answers_are_paired_and_stop_before_boilerplate(seed_pdf: Path) -> None:
    record = json.loads(foilog("extract", str(seed_pdf)).stdout)
    answers = {q["number"]: q["answer"] for q in record["questions"]}
    assert answers["1"].startswith("Norfolk operates 212 roadside plate reading cameras")
    assert answers["2"] == "No relevant information held"
    assert "Eastway Roadside Systems" in answers["4"]
    assert "Section 21(1)" in answers["5"]
    assert "Roadside cameras" in record["questions"][4]["text"], "sub-items A-F belong to question 5"
    for answer in answers.values():
        assert "Information Commissioner" not in answer and "will be published" not in answer
    # The running letterhead and "OFFICIAL Page N" footers are not part of any text.
    text = json.dumps(record)
    assert "OFFICIAL" not in text and "Freedom of Information\\n" not in text


def test_a_file_that_is_not_a_pdf_gets_an_error_line_and_the_rest_go_on(tmp_path: Path, seed_pdf: Path) -> None:
    bad = tmp_path / "letter.pdf"
    bad.write_text("<html><body>Service unavailable</body></html>")
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    result = foilog("extract", str(bad), str(seed_pdf), str(empty), str(tmp_path / "missing.pdf"))
    assert result.returncode == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["file"] for r in records] == [str(bad), str(seed_pdf), str(empty), str(tmp_path / "missing.pdf")]
    assert "error" in records[0] and "reference" not in records[0]
    assert records[1]["reference"] == "004417/21"
    assert records[2]["error"] == "empty file"
    assert "error" in records[3]
    errors = result.stderr.splitlines()
    assert len(errors) == 3 and all(line.startswith("error: ") for line in errors)
    assert "Traceback" not in result.stderr


def test_every_file_bad_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "random.bin"
    bad.write_bytes(bytes(range(256)) * 4)
    result = foilog("extract", str(bad))
    assert result.returncode == 2
    assert "error" in json.loads(result.stdout)
