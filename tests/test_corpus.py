"""The labelled corpus: every letter's fields exactly, every broken file handled, the accuracy report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.evaluate import evaluate, sandboxed, token_f1, tokens
from tests.conftest import ROOT, foilog

CORPUS = ROOT / "tests" / "corpus"
LETTERS = sorted(p for p in CORPUS.iterdir() if not p.name.endswith(".json") and not p.name.startswith("broken-"))
BROKEN = sorted(p for p in CORPUS.iterdir() if p.name.startswith("broken-") and not p.name.endswith(".json"))


def truth(path: Path) -> dict:
    return json.loads(path.with_name(path.name + ".json").read_text())


def test_the_corpus_has_every_kind_of_letter_asked_for() -> None:
    labels = [truth(p) for p in LETTERS]
    assert len(LETTERS) >= 60 and len(BROKEN) == 10
    assert sum(1 for p in LETTERS if p.suffix == ".html") >= 20
    assert sum(1 for t in labels if t["ocr"]) == 8
    assert {t["outcome"] for t in labels} == {"disclosed", "partially_disclosed", "refused", "not_held",
                                             "neither_confirm_nor_deny"}
    codes = {c for t in labels for c in t["exemptions"]}
    assert {"s12", "s21", "s40", "s31", "s23", "s24"} <= {c.split("(")[0] for c in codes}
    assert {"s40(2)", "s31(3)", "s24(2)", "s23(5)"} <= codes
    assert any(t["letter_date"] is None for t in labels), "a date line without its day"
    assert any(len(t["forces"]) == 2 for t in labels)


@pytest.fixture(scope="module")
def parsed() -> dict[Path, dict]:
    """Each corpus file parsed once, for the per-file tests and the report."""
    return dict(zip(LETTERS + BROKEN, sandboxed(LETTERS + BROKEN)))


@pytest.mark.parametrize("path", LETTERS, ids=[p.name for p in LETTERS])
def test_letter(path: Path, parsed: dict[Path, dict]) -> None:
    want = truth(path)
    got = parsed[path]
    assert "error" not in got, got.get("error")
    for key in ("reference", "forces", "letter_date", "received_date", "correct_as_of", "outcome", "ocr"):
        assert got[key] == want[key], key
    assert sorted(e["code"] for e in got["exemptions"]) == sorted(want["exemptions"])
    assert [q["number"] for q in got["questions"]] == [q["number"] for q in want["questions"]]
    for g, w in zip(got["questions"], want["questions"]):
        if want["ocr"]:  # OCR may misread a character; the words must still match
            assert token_f1(w["text"], g["text"]) >= 0.9 and token_f1(w["answer"], g["answer"]) >= 0.9, w["number"]
        else:
            assert tokens(g["text"]) == tokens(w["text"]), f"question {w['number']}"
            assert tokens(g["answer"]) == tokens(w["answer"]), f"answer {w['number']}"
            assert (g["answer"] is None) == (w["answer"] is None)


@pytest.mark.parametrize("path", BROKEN, ids=[p.name for p in BROKEN])
def test_broken_file_is_refused_or_flagged(path: Path, parsed: dict[Path, dict]) -> None:
    got = parsed[path]
    assert not got.get("crash"), got
    if truth(path)["expect"] == "error":
        assert got["error"]
    else:
        assert "error" not in got and got["warnings"]


def test_generator_writes_the_committed_labels(tmp_path: Path) -> None:
    from tools.make_corpus import build

    build(tmp_path)
    made = {p.name: p.read_text() for p in tmp_path.glob("*.json")}
    committed = {p.name: p.read_text() for p in CORPUS.glob("*.json")}
    assert made == committed, "run `python -m tools.make_corpus` and commit tests/corpus"


def test_the_corpus_meets_the_accuracy_targets(parsed: dict[Path, dict]) -> None:
    report = evaluate(CORPUS, parse=parsed.__getitem__).summary()
    assert report["letters"] == len(LETTERS)
    assert report["reference"] >= 0.99
    for field in ("letter_date", "received_date", "correct_as_of", "forces"):
        assert report[field] >= 0.97, field
    assert report["outcome"] >= 0.95 and report["question_count"] >= 0.95
    assert report["exemption_f1_section"] >= 0.98 and report["exemption_f1_code"] >= 0.95
    assert report["question_text_f1"] >= 0.9 and report["answer_text_f1"] >= 0.9
    assert report["boilerplate_leaks"] == 0
    assert report["broken_handled"] == "10/10"
    assert int(str(report["scanned_reference_and_outcome"]).split("/")[0]) >= 7


def test_evaluate_command_prints_the_report(tmp_path: Path) -> None:
    names = ["letter-01.pdf", "letter-02.pdf", "platform-01.html", "broken-empty.pdf", "broken-random.pdf"]
    for name in names:
        for path in (CORPUS / name, CORPUS / f"{name}.json"):
            (tmp_path / path.name).write_bytes(path.read_bytes())
    text = foilog("evaluate", str(tmp_path), "--verbose")
    assert text.returncode == 0, text.stderr
    assert "confusion matrix" in text.stdout and "exemption_f1_code" in text.stdout
    report = json.loads(foilog("evaluate", str(tmp_path), "--json").stdout)
    assert report["letters"] == 3 and report["broken_handled"] == "2/2" and report["reference"] == 1.0
    assert foilog("evaluate", str(tmp_path / "..")).returncode == 2, "a folder with no labelled file is bad input"


def test_a_file_that_takes_too_long_is_given_up_and_the_run_goes_on(tmp_path: Path) -> None:
    from pipelines import parse
    from pipelines.files import FileStore
    from pipelines.sandbox import Limits

    store = FileStore(tmp_path)
    slow = store.put((CORPUS / "broken-300-pages.pdf").read_bytes())
    good = store.put((CORPUS / "letter-02.pdf").read_bytes())
    limits = Limits(cpu_seconds=1, wall_seconds=120)  # the 300 pages take several seconds of CPU
    results = {o.sha256: o for o in parse.parse_files([(slow, "pdf"), (good, "pdf")], store, workers=1, limits=limits)}
    assert results[slow].error == "used more than 1s of CPU and was stopped" and results[slow].result is None
    assert json.loads(results[good].result or "")["reference"] == truth(CORPUS / "letter-02.pdf")["reference"]
