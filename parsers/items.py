"""List items, whatever marks them: one detector for requests and answers alike.

A marker is any of the forms letters print: digits with or without punctuation ("1",
"1.", "1)", "1,", "(1)", "1a."), `Q`/`A` prefixes ("Q1", "Question 1:", "A1",
"Answer 1:"), bullets, letters ("a.", "(b)", "A") and roman numerals ("ii."). Which markers
are items is decided by sequence, not by form: an item continues the count ("12 months" in
the middle of question 3 is not question 12), and a list whose every item is printed "1."
lost its counter and is counted afresh.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parsers.dates import MONTHS

_MONTH_NEXT = "|".join(m[:3] for m in MONTHS)
# Digits, optionally after a Q/A word, optionally with one sub-letter; then punctuation followed
# by a space (so "1,102 bicycles" and "1.5 million" are numbers, not markers) or a space alone.
_NUMBERED = re.compile(
    r"^(?:(?P<word>Q(?:uestion)?|A(?:nswer)?|Part)\s*)?(?P<open>\()?(?P<num>\d{1,2})(?P<sub>[a-z])?"
    r"(?P<punct>\)|[.:,](?=\s)|\s*-(?=\s)|(?=\s))\s*(?=\S)",
    re.I,
)
# "Question 2" or "Answer 2" alone on its line, the text on the lines below.
_LABEL_ALONE = re.compile(r"^(?P<word>Q(?:uestion)?|A(?:nswer)?)\s*(?P<num>\d{1,2})(?P<sub>[a-z])?\s*[.:)-]?\s*$", re.I)
_LETTERED = re.compile(r"^(?:\((?P<p>[a-z]|[ivx]{1,4})\)|(?P<l>[a-z]|[ivx]{1,4})[.)]|(?P<u>[A-H])[.)]?(?=\s+[A-Z0-9]))\s+(?=\S)")
_BULLET = re.compile(r"^-\s+(?=\S)")
_NOT_AN_ITEM = re.compile(rf"^(?:{_MONTH_NEXT})", re.I)  # "1 January 2020" is a date, not item 1


@dataclass(frozen=True)
class Marker:
    kind: str  # "q" (Q1, Question 1), "a" (A1, Answer 1), "number", "letter" or "bullet"
    num: int  # 0 unless numbered
    sub: str  # "a" in "1a."
    form: str  # the marker's shape ("1.", "(1)", "Q1"): a list keeps one form
    label: str  # the marker as printed, for sub-items kept in their question's text
    rest: str  # the line after the marker

    @property
    def number(self) -> str:
        return f"{self.num}{self.sub}"


def marker(line: str) -> Marker | None:
    """The list marker a line starts with, if any.

    >>> marker("Q3 There are 600 cameras.").number, marker("(2) How many?").form, marker("1,102 bicycles")
    ('3', '(1)', None)
    """
    bullet = _BULLET.match(line)
    if bullet:  # "- 1 How many ...": a numbered item that a word processor also bulleted
        inner = marker(line[bullet.end():])
        return inner if inner and inner.kind != "bullet" else Marker("bullet", 0, "", "-", "-", line[bullet.end():])
    alone = _LABEL_ALONE.match(line)
    if alone:
        kind = "q" if alone["word"][0] in "qQ" else "a"
        return Marker(kind, int(alone["num"]), (alone["sub"] or "").lower(), kind + "1", line.strip(), "")
    found = _NUMBERED.match(line)
    if found and not _NOT_AN_ITEM.match(line[found.end():]):
        word = (found["word"] or "").lower()
        kind = "q" if word.startswith("q") else "a" if word.startswith("a") else "number"
        punct = found["punct"].strip()
        form = (word[:1] or "") + ("(" if found["open"] else "") + "1" + punct
        return Marker(kind, int(found["num"]), (found["sub"] or "").lower(), form, found.group(0).strip(), line[found.end():])
    found = _LETTERED.match(line)
    if found:
        label = found.group(0).strip()
        return Marker("letter", 0, "", "a", label, line[found.end():])
    return None


@dataclass
class Item:
    number: str
    marker: Marker | None
    lines: list[str]


@dataclass(frozen=True)
class Run:
    """The lines that start the items of one numbered list, as (line index, marker)."""

    starts: list[tuple[int, Marker]]
    renumbered: bool  # every item printed the same number: counted afresh
    stray: int = 0  # markers of the same form, near the count, that do not continue it ("Q1", "Q3": Q2 was misread)

    @property
    def kind(self) -> str:
        return self.starts[0][1].kind if self.starts else ""

    def __len__(self) -> int:
        return len(self.starts)


def runs(lines: list[str], kinds: tuple[str, ...] = ("number", "q")) -> list[Run]:
    """For each marker form in the lines, the run of items it makes: a count from 1, each item
    continuing the one before ("1a", "1b", "2a" continue a count, and a list may begin at a
    sub-question); a form whose every item is "1" makes a run counted afresh."""
    marks = [(i, m) for i, l in enumerate(lines) if " | " not in l and (m := marker(l)) and m.kind in kinds]
    found = []
    for form in dict.fromkeys(m.form for _, m in marks):
        same = [(i, m) for i, m in marks if m.form == form]
        run = _run(same)
        ones = [(i, m) for i, m in same if m.num == 1 and not m.sub]
        if len(ones) >= 2 and len(ones) > len(run):  # every item "1.": a list that lost its counter
            found.append(Run(ones, True))
        elif run:
            stray = sum(1 for i, m in same if (i, m) not in run and 1 < m.num <= len(run) + 2)
            found.append(Run(run, False, stray))
    return found


def _run(marks: list[tuple[int, Marker]]) -> list[tuple[int, Marker]]:
    """The items among markers of one form: the count from 1, each continuing the one before."""
    run: list[tuple[int, Marker]] = []
    last: Marker | None = None
    for i, m in marks:
        if last is None:
            ok = m.num == 1
        else:
            ok = m.num == last.num + 1 or (m.num == last.num and m.sub > last.sub and bool(m.sub))
        if ok:
            run.append((i, m))
            last = m
    return run


def longest(found: list[Run]) -> Run:
    return max(found, key=len, default=Run([], False))


def split_items(lines: list[str], run: Run) -> tuple[list[str], list[Item]]:
    """(the lines before the first item, the items with their lines)."""
    starts = run.starts
    if not starts:
        return lines, []
    items = []
    for k, (i, m) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(lines)
        number = str(k + 1) if run.renumbered else m.number
        items.append(Item(number, m, [m.rest, *lines[i + 1:end]]))
    return lines[:starts[0][0]], items


_INLINE = re.compile(r"(?:(?<=\s)|^)(?:\((?P<p>\d{1,2})\)|(?P<q>Q)(?P<qn>\d{1,2})\b[.:)]?|(?P<n>\d{1,2})[.):]?)\s+(?=\S)")


def inline_items(paragraph: str, want: int | None = None) -> tuple[str, list[str]] | None:
    """A paragraph whose items ran together ("1 Gender 2 Religion 3 Nationality", "(1) ... (2) ..."),
    as (the lead-in before item 1, the items' texts); None when it holds no such list.

    With `want` (how many answers the letter labels), any count of that length 1..want
    counts; without it, a list needs bracketed or Q markers and two items, or three bare
    numbers each followed by a capital letter, so that prose with numbers in it stays whole.

    >>> inline_items("Please give 1 Gender 2 Religion 3 Nationality")
    ('Please give', ['Gender', 'Religion', 'Nationality'])
    >>> inline_items("between 1 January and 2 February") is None
    True
    """
    chosen: list[re.Match[str]] = []
    strong = True
    for found in _INLINE.finditer(paragraph):
        value = int(found["p"] or found["qn"] or found["n"])
        after = paragraph[found.end():]
        if value != len(chosen) + 1 or _NOT_AN_ITEM.match(after):
            continue
        if found["n"] and want is None and not after[:1].isupper() and after[:1] not in "\"'":
            continue
        strong = strong and not found["n"]
        chosen.append(found)
        if want and len(chosen) == want:
            break
    enough = len(chosen) == want if want else (len(chosen) >= 2 if strong else len(chosen) >= 3)
    if not enough:
        return None
    ends = [m.start() for m in chosen[1:]] + [len(paragraph)]
    return paragraph[:chosen[0].start()].strip(), [paragraph[m.end():e].strip() for m, e in zip(chosen, ends)]
