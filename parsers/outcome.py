"""The outcome of a request, from how each question was answered and what was cited."""

from __future__ import annotations

import re
from collections.abc import Iterable

from parsers.records import Citation, Question

OUTCOMES = ("disclosed", "partially_disclosed", "refused", "not_held", "neither_confirm_nor_deny")

_NCND = re.compile(r"neither\s+confirm(?:s|ing)?\s+nor\s+den(?:y|ies)|\bNCND\b", re.I)
_NOT_HELD = re.compile(
    r"\bno (?:relevant |recorded |such )?(?:information|data|records?|figures) (?:is |are |was |were )?(?:held|recorded|kept)|"
    r"\b(?:information|data|records?) (?:is|are|was|were) not (?:held|recorded|kept)|\bnot held\b|"
    r"\b(?:does|do|did) not (?:hold|record|keep)\b|\bhold(?:s)? no (?:relevant |recorded )?(?:information|data|records?)|"
    r"\bhave no (?:relevant |recorded )?(?:information|data|records?)\b|"
    # "This is not recorded", "no record is kept", "not captured on our systems"
    r"\b(?:is|are|was|were) not (?:recorded|captured|collated)\b|\bno records? (?:is|are|was|were) (?:kept|held|maintained)\b|"
    r"\bnot (?:captured|recorded|held) (?:on|in|by) (?:our|the|any)\b",
    re.I,
)
_REFUSED = re.compile(
    r"\bexempt(?:ion)?s?\b|refusal notice|\bwithheld\b|(?:has|have) (?:therefore )?not been (?:provided|disclosed|released)|"
    r"\b(?:will not|cannot|can ?not|could not|would not) be (?:provided|disclosed|released)|"
    r"\bunable to (?:provide|disclose|release)|"
    r"\bcosts? limit|appropriate limit|\bvexatious|\bin excess of (?:the )?(?:\u00a3|GBP ?)450",
    re.I,
)
# A cost-limit refusal in words, whether or not it names section 12 ("would exceed the
# appropriate limit of \u00a3450", "more than 18 hours", "the costs limit").
COST_LIMIT = re.compile(
    r"(?:exceed\w*|in excess of|more than|beyond)\s+(?:the\s+)?(?:\w+\s+){0,3}?"
    r"(?:appropriate limit|costs? limit|(?:\u00a3|GBP ?)450\b|18 hours\b)"
    r"|\b(?:appropriate|costs?) limit\b[^.]{0,80}\b(?:exceed\w*|in excess|applies|been reached)",
    re.I,
)
# Every match of _NCND, or of _REFUSED, contains one of its words. Python's re tries each
# alternative at every position, and most answers contain none of the words, so looking for
# them first makes the tests several times cheaper (they run for every answer of every
# letter on every index build).
_NCND_WORDS = ("neither", "ncnd")
_REFUSED_WORDS = ("exempt", "refusal notice", "withheld", "not been", "be provided", "be disclosed", "be released",
                  "unable to", "cost limit", "costs limit", "appropriate limit", "vexatious", "450")
_COST_WORDS = ("limit", "450", "18 hours")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n")


def _found(pattern: re.Pattern[str], words: tuple[str, ...], text: str, lowered: str) -> bool:
    return any(word in lowered for word in words) and pattern.search(text) is not None


_ATTACHMENT = re.compile(r"\b(?:attached|enclosed|attachment|spreadsheet)\b", re.I)
# An answer with none of the outcome words is taken as disclosed when it gives something: a
# figure, a table, a link, or a sentence of some length with no negative in it.
_GIVES = re.compile(r"\d|https?://|www\.| \| ")
_NEGATIVE = re.compile(r"\b(?:no|not|none|neither|nor|never|unable|cannot|nil|n/a)\b|n't\b", re.I)
KINDS = {"neither_confirm_nor_deny": "neither_confirm_nor_deny", "cost_limit": "refused", "refused": "refused",
         "not_held": "not_held", "attachment": "disclosed", "disclosed": "disclosed", "unclear": "disclosed"}


def answer_kind(answer: str) -> str:
    """How one answer answers: neither_confirm_nor_deny, cost_limit, refused, not_held, attachment,
    disclosed, or unclear (no outcome words, nothing given: read as disclosed, and flagged).

    >>> answer_kind("Please see the attached spreadsheet."), answer_kind("It would exceed the costs limit.")
    ('attachment', 'cost_limit')
    >>> answer_kind("Not applicable."), answer_kind("The supplier is Motorola Solutions.")
    ('unclear', 'disclosed')
    """
    lowered = answer.lower()
    if _found(_NCND, _NCND_WORDS, answer, lowered):
        return "neither_confirm_nor_deny"
    if _found(COST_LIMIT, _COST_WORDS, answer, lowered):
        return "cost_limit"
    if _found(_REFUSED, _REFUSED_WORDS, answer, lowered):
        return "refused"
    # "No information held. It is kept by the council." is not held; "Norfolk: 12. Suffolk:
    # not held." gives figures: what the answer leads with decides.
    if _NOT_HELD.search(_SENTENCE_END.split(answer.strip(), maxsplit=1)[0]):
        return "not_held"
    if _ATTACHMENT.search(answer):
        return "attachment"
    if _GIVES.search(answer) or (len(answer.split()) >= 4 and not _NEGATIVE.search(answer)):
        return "disclosed"
    return "unclear"


def classify_answer(answer: str) -> str:
    """One answer as disclosed, refused, not_held or neither_confirm_nor_deny.

    >>> classify_answer("No relevant information held"), classify_answer("There are 600 cameras.")
    ('not_held', 'disclosed')
    """
    return KINDS[answer_kind(answer)]


def classify_outcome(questions: Iterable[Question], whole: str | None, exemptions: Iterable[Citation]) -> str:
    """The outcome by the rules of INTERFACE.md.

    A cost-limit or vexatious refusal decides the whole request, whatever figures it
    volunteers. A block answering the request as a whole (every answer null) is read as
    one answer. Otherwise the per-question results combine: all alike gives that result;
    anything disclosed beside anything else is partial; nothing disclosed is a refusal.
    """
    sections = {c.section for c in exemptions}
    if sections & {"12", "14"}:
        return "refused"
    answers = [q.answer for q in questions if q.answer]
    if not answers:
        if whole is None:
            return "refused" if sections else "disclosed"
        result = classify_answer(whole)
        return "refused" if result == "disclosed" and sections else result
    results = {classify_answer(a) for a in answers}
    if len(results) == 1:
        return results.pop()
    if "disclosed" in results:
        return "partially_disclosed"
    return "refused" if "refused" in results else "partially_disclosed"
