"""The bundled sample: regenerable from its script, and every letter parsed to its labels."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from parsers.document import parse_document
from tests.conftest import SAMPLE

EXPECTED = json.loads((SAMPLE / "expected.json").read_text())
LETTER_FILES = [(e["reference"], url) for e in EXPECTED for url in e["urls"]]


def test_generator_reproduces_the_committed_sample(tmp_path: Path) -> None:
    from tools.make_sample import build

    build(tmp_path)
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(SAMPLE) for p in SAMPLE.rglob("*") if p.is_file())
    assert made == committed
    changed = [p for p in made if (tmp_path / p).read_bytes() != (SAMPLE / p).read_bytes()]
    assert changed == [], "run `python -m tools.make_sample` and commit the result"


def test_sample_covers_both_templates_all_outcomes_and_a_joint_letter() -> None:
    assert len(EXPECTED) >= 16
    assert {e["outcome"] for e in EXPECTED} == {
        "disclosed", "partially_disclosed", "refused", "not_held", "neither_confirm_nor_deny"}
    assert any(len(e["forces"]) == 2 and len(e["sources"]) > 1 for e in EXPECTED)


@pytest.mark.parametrize(("reference", "url"), LETTER_FILES, ids=[f"{r}:{u.rsplit('/', 2)[-2 if u.endswith('/') else -1]}" for r, u in LETTER_FILES])
def test_sample_document_parses_to_its_labels(reference: str, url: str) -> None:
    path = SAMPLE / "site" / url.lstrip("/").replace("%20", " ")
    if url.endswith("/"):
        path = path / "index.html"
    letter = parse_document(path.read_bytes()).to_json()
    label = next(e for e in EXPECTED if e["reference"] == reference)
    if letter["questions"] == [] and "attached" in path.read_text(errors="replace"):
        # A platform page whose body only points at its attached letter.
        assert letter["reference"] in (reference, None)
        return
    got = {"reference": letter["reference"], "forces": letter["forces"], "letter_date": letter["letter_date"],
           "received_date": letter["received_date"], "correct_as_of": letter["correct_as_of"],
           "question_count": len(letter["questions"]), "exemptions": [c["code"] for c in letter["exemptions"]],
           "outcome": letter["outcome"]}
    want = {k: label[k] for k in got}
    assert got == want
