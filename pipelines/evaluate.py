"""Per-field accuracy of the parser over a folder of files, each beside its expected JSON (`NAME.json`).

Expected JSON holds the `foilog extract` fields, or {"expect": "error" | "warning"} for a
file that must be refused or flagged. Exemptions may be codes or extract-style objects.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from parsers.outcome import OUTCOMES
from parsers.pdf import Reader
from pipelines.parse import extract_files

DATES = ("letter_date", "received_date", "correct_as_of")
# The fields a letter must get right, per shape; a letter wrong on any should carry a warning.
TARGETS = ("question_count", "question_numbers", "outcome", "letter_date", "received_date", "exemptions")
BOILERPLATE = re.compile(r"will be published|further queries|right to request a review|information commissioner|"
                         r"wycliffe house|if you are (?:unhappy|dissatisfied)|full copy of the freedom of information act",
                         re.I)


@dataclass
class Report:
    letters: int = 0
    correct: Counter[str] = field(default_factory=Counter)
    question_f1: list[float] = field(default_factory=list)
    answer_f1: list[float] = field(default_factory=list)
    exemption_counts: dict[str, Counter[str]] = field(default_factory=lambda: {"section": Counter(), "code": Counter()})
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    leaks: list[str] = field(default_factory=list)
    scanned: int = 0
    scanned_right: int = 0
    broken: int = 0
    broken_handled: int = 0
    failures: dict[str, list[str]] = field(default_factory=dict)
    shapes: dict[str, Counter[str]] = field(default_factory=dict)  # per shape: letters, and letters right on each target field
    missed: int = 0  # letters wrong on a target field
    missed_flagged: int = 0  # ... of which the parser warned about


    def accuracy(self, name: str) -> float:
        return self.correct[name] / self.letters if self.letters else 0.0

    def f1(self, level: str) -> float:
        c = self.exemption_counts[level]
        denominator = 2 * c["tp"] + c["fp"] + c["fn"]
        return 2 * c["tp"] / denominator if denominator else 1.0

    def summary(self) -> dict[str, object]:
        mean = lambda xs: round(sum(xs) / len(xs), 4) if xs else None  # noqa: E731
        return {
            "letters": self.letters,
            "reference": round(self.accuracy("reference"), 4),
            **{d: round(self.accuracy(d), 4) for d in DATES},
            "forces": round(self.accuracy("forces"), 4),
            "question_count": round(self.accuracy("question_count"), 4),
            "question_numbers": round(self.accuracy("question_numbers"), 4),
            "question_text_f1": mean(self.question_f1),
            "answer_text_f1": mean(self.answer_f1),
            "exemption_f1_section": round(self.f1("section"), 4),
            "exemption_f1_code": round(self.f1("code"), 4),
            "outcome": round(self.accuracy("outcome"), 4),
            "outcome_confusion": {f"{e} -> {g}": n for (e, g), n in sorted(self.confusion.items(), key=str) if e != g},
            "boilerplate_leaks": len(self.leaks),
            "scanned_reference_and_outcome": f"{self.scanned_right}/{self.scanned}",
            "broken_handled": f"{self.broken_handled}/{self.broken}",
            "misses_flagged": f"{self.missed_flagged}/{self.missed}",
            "by_shape": {shape: {"letters": c["letters"], **{f: round(c[f] / c["letters"], 4) for f in TARGETS}}
                         for shape, c in sorted(self.shapes.items())},
        }


def tokens(text: str | None) -> list[str]:
    return re.findall(r"\w+", (text or "").lower())


def token_f1(expected: str | None, got: str | None) -> float:
    """Token-overlap F1 of two texts; two nulls agree."""
    if expected is None and got is None:
        return 1.0
    a, b = Counter(tokens(expected)), Counter(tokens(got))
    overlap = sum((a & b).values())
    if not overlap:
        return 0.0 if (a or b) else 1.0
    precision, recall = overlap / sum(b.values()), overlap / sum(a.values())
    return 2 * precision * recall / (precision + recall)


def sandboxed(targets: list[Path], reader: Reader = "auto") -> Iterator[dict]:
    """What `foilog extract` gives for each file, parsed in a limited worker (a file
    that hangs or bloats the parser is scored as an error, and cannot stop the report)."""
    for record in extract_files([str(t) for t in targets], reader=reader):
        record.pop("file", None)
        error = str(record.get("error", ""))
        yield {**record, "crash": True} if error.startswith(("parser crashed", "the parser crashed")) else record


def evaluate(folder: Path, parse: Callable[[Path], dict] | None = None, reader: Reader = "auto") -> Report:
    """Parse every file that has an expected JSON beside it (in limited workers, unless `parse` is
    given) and score each field; reader "pdfplumber" reads PDFs with pdfplumber alone."""
    report = Report()
    targets = [t.with_suffix("") for t in sorted(folder.glob("*.json")) if t.with_suffix("").exists()]
    results = map(parse, targets) if parse else sandboxed(targets, reader)
    for target, got in zip(targets, results):
        truth = json.loads(target.with_name(target.name + ".json").read_text())
        if "expect" in truth:
            report.broken += 1
            handled = not got.get("crash") and ("error" in got or bool(got.get("warnings")))
            report.broken_handled += handled
            if not handled:
                report.failures.setdefault(target.name, []).append(f"not handled: {got.get('error') or 'no warning'}")
            continue
        score(report, target.name, truth, got)
    return report


def score(report: Report, name: str, truth: dict, got: dict) -> None:
    report.letters += 1
    wrong = report.failures.setdefault(name, [])
    if "error" in got:
        wrong.append(f"error: {got['error']}")
        got = {}
    for key in ("reference", *DATES, "forces", "outcome"):
        if got.get(key) == truth.get(key):
            report.correct[key] += 1
        else:
            wrong.append(f"{key}: expected {truth.get(key)!r}, got {got.get(key)!r}")
    report.confusion[(truth.get("outcome"), got.get("outcome"))] += 1
    want_q, got_q = truth.get("questions", []), got.get("questions", [])
    if len(want_q) == len(got_q):
        report.correct["question_count"] += 1
    else:
        wrong.append(f"question_count: expected {len(want_q)}, got {len(got_q)}")
    by_number = {q["number"]: q for q in got_q}
    for i, q in enumerate(want_q):
        match = by_number.get(q["number"]) or (got_q[i] if i < len(got_q) else {})
        qf, af = token_f1(q["text"], match.get("text")), token_f1(q["answer"], match.get("answer"))
        report.question_f1.append(qf)
        report.answer_f1.append(af)
        if qf < 0.9:
            wrong.append(f"question {q['number']} text F1 {qf:.2f}")
        if af < 0.9:
            wrong.append(f"answer {q['number']} F1 {af:.2f}: expected {str(q['answer'])[:60]!r}, got {str(match.get('answer'))[:60]!r}")
    for q in got_q:
        if q.get("answer") and BOILERPLATE.search(q["answer"]):
            report.leaks.append(f"{name} Q{q['number']}")
            wrong.append(f"boilerplate in answer {q['number']}")
    want_codes = {_code(e) for e in truth.get("exemptions", [])}
    got_codes = {_code(e) for e in got.get("exemptions", [])}
    for level, a, b in (("code", want_codes, got_codes),
                        ("section", {c.split("(")[0] for c in want_codes}, {c.split("(")[0] for c in got_codes})):
        counts = report.exemption_counts[level]
        counts["tp"] += len(a & b)
        counts["fp"] += len(b - a)
        counts["fn"] += len(a - b)
    if want_codes != got_codes:
        wrong.append(f"exemptions: expected {sorted(want_codes)}, got {sorted(got_codes)}")
    right = {"question_count": len(want_q) == len(got_q),
             "question_numbers": [q["number"] for q in want_q] == [q.get("number") for q in got_q],
             "outcome": got.get("outcome") == truth.get("outcome"), "exemptions": want_codes == got_codes,
             **{d: got.get(d) == truth.get(d) for d in ("letter_date", "received_date")}}
    report.correct["question_numbers"] += right["question_numbers"]
    shape = report.shapes.setdefault(str(truth.get("shape") or name.split("-")[0]), Counter())
    shape["letters"] += 1
    shape.update(f for f, ok in right.items() if ok)
    if not all(right.values()):
        report.missed += 1
        report.missed_flagged += bool(got.get("warnings"))
    if truth.get("ocr"):
        report.scanned += 1
        report.scanned_right += got.get("reference") == truth.get("reference") and got.get("outcome") == truth.get("outcome")
    if not wrong:
        del report.failures[name]


def _code(exemption: object) -> str:
    return exemption["code"] if isinstance(exemption, dict) else str(exemption)  # type: ignore[index]


def format_report(report: Report, verbose: bool = False) -> str:
    """The report as aligned text lines, with the failing fields of each file when verbose."""
    lines = [f"{key:32} {value}" for key, value in report.summary().items() if key not in ("outcome_confusion", "by_shape")]
    lines.append("accuracy by shape:")
    lines.append(f"  {'shape':38} {'n':>3} " + " ".join(f"{f[:10]:>10}" for f in TARGETS))
    for shape, row in report.summary()["by_shape"].items():  # type: ignore[union-attr]
        lines.append(f"  {shape:38} {row['letters']:>3} " + " ".join(f"{row[f]:>10.2f}" for f in TARGETS))
    confusion = report.summary()["outcome_confusion"]
    lines.append("outcome confusion (expected -> got):" + ("" if confusion else " none"))
    lines += [f"  {pair:50} {n}" for pair, n in confusion.items()]  # type: ignore[union-attr]
    lines.append("confusion matrix rows = expected, columns = got:")
    names = list(OUTCOMES) + ["None"]
    lines.append(" " * 26 + " ".join(f"{n[:8]:>8}" for n in names))
    for e in names:
        row = [report.confusion[(e if e != "None" else None, g if g != "None" else None)] for g in names]
        if any(row):
            lines.append(f"  {e:24}" + " ".join(f"{n:>8}" for n in row))
    if verbose:
        for name, problems in sorted(report.failures.items()):
            lines.append(f"{name}:")
            lines += [f"  - {p}" for p in problems]
    return "\n".join(lines)
