"""The typed records the parsers return: a letter, its questions and the provisions it cites."""

from __future__ import annotations

from dataclasses import dataclass, field

from parsers.catalogue import CATALOGUE


@dataclass(frozen=True)
class Citation:
    """One provision cited, in its most specific printed form."""

    code: str  # "s31(1)(a)"
    section: str  # "31"
    questions: tuple[str, ...] = ()  # the questions whose answers cite it, where the letter says

    @property
    def name(self) -> str:
        return CATALOGUE[self.section][0]

    def to_json(self) -> dict[str, object]:
        number: int | str = int(self.section) if self.section.isdigit() else self.section
        out: dict[str, object] = {"code": self.code, "section": number, "name": self.name}
        if self.questions:
            out["questions"] = list(self.questions)
        return out

    def cited_by(self, codes: set[str]) -> bool:
        """Whether a list of codes cites this provision, in this form or a shorter or longer one."""
        return any(c == self.code or self.code.startswith(c + "(") or c.startswith(self.code + "(") for c in codes)


@dataclass(frozen=True)
class Question:
    """One request item and, when the letter pairs them, its answer."""

    number: str
    text: str
    answer: str | None

    def to_json(self) -> dict[str, object]:
        return {"number": self.number, "text": self.text, "answer": self.answer}


@dataclass(frozen=True)
class Letter:
    """Every field `foilog extract` reports for one letter."""

    reference: str | None
    forces: tuple[str, ...]
    letter_date: str | None
    received_date: str | None
    correct_as_of: str | None
    questions: tuple[Question, ...]
    exemptions: tuple[Citation, ...]
    outcome: str | None
    ocr: bool = False
    warnings: tuple[str, ...] = field(default=())
    cited_references: tuple[str, ...] = field(default=())  # earlier requests the letter refers to

    def to_json(self) -> dict[str, object]:
        return {
            "reference": self.reference,
            "forces": list(self.forces),
            "letter_date": self.letter_date,
            "received_date": self.received_date,
            "correct_as_of": self.correct_as_of,
            "questions": [q.to_json() for q in self.questions],
            "exemptions": [c.to_json() for c in self.exemptions],
            "outcome": self.outcome,
            "ocr": self.ocr,
            "warnings": list(self.warnings),
            "cited_references": list(self.cited_references),
        }
