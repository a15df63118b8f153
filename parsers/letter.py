"""A response letter's text to its fields: reference, dates, forces, questions, exemptions, outcome.

Structure is read from general cues (parsers.sections cuts the letter, parsers.items finds
list items of any form), and the request is reconciled with the answers: the answer labels
are evidence of how many questions there were. Every check that does not hold is reported
as a warning, so a doubtful reading is flagged rather than trusted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from parsers.dates import DATE, date_from_match
from parsers.exemptions import extract_exemptions
from parsers.forces import forces_named
from parsers.items import Run, inline_items, longest, marker, runs, split_items
from parsers.outcome import COST_LIMIT, answer_kind, classify_outcome
from parsers.records import Citation, Letter, Question
from parsers.references import cited_references, extract_reference
from parsers.sections import CORRECT_AS_OF, LEAD, split_letter

_ANSWER_WORD = re.compile(r"^\s*(?:-\s*)?(?:(?:answer|response|reply|a)\s*[:.-]\s*|answer\s*$)", re.I)
# How a request item that is a question or an ask begins; a list of names or places does not.
_ASKS = re.compile(
    r"^(?:how|what|when|where|which|who|whom|whose|why|is|are|was|were|do|does|did|has|have|had|can|could|will|would|"
    r"please|provide|list|give|state|confirm|supply|send|copies|copy|a copy|details|any|all|the number|the total|number of)\b",
    re.I,
)


def parse_letter(lines: list[str], *, ocr: bool = False) -> Letter:
    """Read every field of a letter from its clean lines (see parsers.text.clean_lines)."""
    text = "\n".join(lines)
    warnings: list[str] = []
    parts = split_letter(text)
    if parts.request is None:
        warnings.append("no request section found")
    elif not parts.heading:
        warnings.append("no response heading found")
    found = read_structure(parts.request, parts.response)
    warnings += found.notes
    paired, whole = found.questions, found.whole
    exemptions = tuple(_with_questions(extract_exemptions(parts.after_request), paired))
    if not any(c.section == "12" for c in exemptions) and COST_LIMIT.search(parts.after_request):
        exemptions = (Citation("s12", "12"), *exemptions)  # refused on cost in words alone: that is section 12
        warnings.append("a cost-limit refusal that names no section: cited as s12")
    reference = extract_reference(text)
    if reference is None:
        warnings.append("no reference found in the letter")
    outcome = classify_outcome(paired, whole, exemptions) if (paired or whole) else None
    warnings += _checks(paired, whole, exemptions, outcome)
    letter_date, received = extract_letter_date(text), extract_received_date(text)
    if letter_date is None:
        warnings.append("no letter date found")
    if received is None:
        warnings.append("no received date found")
    response_at = text.find(parts.response) if parts.response else -1
    response_at = response_at if response_at >= 0 else len(text)
    return Letter(
        reference=reference,
        forces=extract_forces(text[:response_at] + parts.response[:600]),
        letter_date=letter_date,
        received_date=received,
        correct_as_of=_first_date(CORRECT_AS_OF, text),
        questions=paired,
        exemptions=exemptions,
        outcome=outcome,
        ocr=ocr,
        warnings=tuple(warnings),
        cited_references=cited_references(text, reference),
    )


def _checks(questions: tuple[Question, ...], whole: str | None, exemptions: tuple[Citation, ...], outcome: str | None) -> list[str]:
    """What did not add up once the letter was read."""
    notes = []
    if outcome is None or (whole is None and questions and not any(q.answer for q in questions)):
        notes.append("no answer found")
    answered = [q for q in questions if q.answer]
    if answered and len(answered) < len(questions):
        notes.append("no answer found for question " + ", ".join(q.number for q in questions if not q.answer))
    for q in answered:
        if answer_kind(q.answer or "") == "unclear":
            notes.append(f"the answer to question {q.number} could not be classified")
    if whole is not None and answer_kind(whole) == "unclear" and not exemptions:
        notes.append("the response could not be classified")
    if outcome in ("refused", "neither_confirm_nor_deny") and not exemptions:
        notes.append(f"the outcome ({outcome}) was inferred without a citation")
    if not questions:
        notes.append("no questions found")
    if any(not q.text for q in questions):
        notes.append("a question with no text")
    return notes


@dataclass
class Structure:
    questions: tuple[Question, ...]
    whole: str | None  # one block answering the request as a whole
    notes: list[str] = field(default_factory=list)


def read_structure(request: str | None, response: str) -> Structure:
    """The questions with their answers, the request reconciled with the answer labels."""
    every = [l for l in _label_lines(response) if not CORRECT_AS_OF.search(l)]
    lines = _without_leads(every)
    asked, notes = request_questions(request or "")
    labels = _answer_labels(lines, len(asked))
    if len(labels) >= 2 and len(labels) != len(asked) and request:
        again, again_notes = request_questions(request, want=len(labels))
        if len(again) == len(labels):
            asked, notes = again, again_notes + [f"the request was read as {len(labels)} questions, "
                                                 f"as the answers are labelled {_span(labels)}"]
    if len(asked) == 1 and len(labels) >= 2 and labels.kind == "number":
        labels = Run([], False)  # one question, and the request does not split: a numbered list in its answer
    if not asked and labels:  # the questions are printed only in the response, each before its answer
        questions = _questions_in_response(lines, labels)
        return Structure(questions, None, notes + ["the questions were read from the response"])
    if len(labels) >= 2 and len(labels) != len(asked):
        notes.append(f"the request has {len(asked)} questions but the answers are labelled {_span(labels)}")
    answers = _by_labels(lines, labels, asked) or _by_repeated_questions(lines, asked)
    if not answers and len(asked) >= 2:
        answers = _by_order(lines, asked)
        if answers:
            notes.append("answers paired with the questions in order, having no labels")
    body = _join(lines) or _join(every) or None  # a lead sentence that is the whole answer ("... and holds no information")
    if answers:
        return Structure(tuple(Question(q.number, q.text, answers.get(q.number)) for q in asked), None, notes)
    if len(asked) == 1 and body:
        return Structure((Question(asked[0].number, asked[0].text, body),), None, notes)
    return Structure(tuple(asked), body, notes)


def _without_leads(lines: list[str]) -> list[str]:
    """The lines without the lead sentence ("... has located the following information as relevant to
    your request."), however it wraps: the lines before and after it that belong to its sentence go too."""
    drop: set[int] = set()
    for i, line in enumerate(lines):
        if not LEAD.search(line):
            continue
        drop.add(i)
        j = i
        while j > 0 and j - 1 not in drop and lines[j - 1].strip() and not re.search(r"[.:;?!]$", lines[j - 1].strip()) \
                and not marker(lines[j - 1]) and i - j < 2:
            j -= 1
            drop.add(j)
        k = i
        while not re.search(r"[.:;?!]$", lines[k].strip()) and k + 1 < len(lines) and lines[k + 1].strip() \
                and not marker(lines[k + 1]) and k - i < 2:
            k += 1
            drop.add(k)
    return [l for i, l in enumerate(lines) if i not in drop]


def _span(labels: Run) -> str:
    return f"1-{len(labels)}" if labels.renumbered else f"{labels.starts[0][1].number}-{labels.starts[-1][1].number}"


# "Q1 There are 5. Q2 None are held.": answers whose line breaks were lost, cut at each Q or A label.
_INLINE_LABEL = re.compile(r"(?<=[.!?:;)]) +(?=(?:Q|A|Answer |Question )\d{1,2}[a-z]?\b[.:)-]? +\S)")


def _label_lines(response: str) -> list[str]:
    return [piece for line in response.splitlines() for piece in (_INLINE_LABEL.split(line) if " " in line else [line])]


def request_questions(request: str, want: int | None = None) -> tuple[list[Question], list[str]]:
    """The request's items, and notes on how they were read; `want` is how many the answers label."""
    lines = [l for l in (_strip_quotes(l) for l in request.splitlines()) if l]
    found = runs(lines)
    run = next((r for r in found if len(r) == want), None) if want else None
    run = run or longest(found)
    notes = []
    if run.renumbered:
        notes.append(f"the request's items were all numbered 1: counted 1-{len(run)}")
    if run.stray:
        notes.append("the request's numbering is out of sequence: an item may have been misread")
    _, items = split_items(lines, run)
    if items and (not want or len(items) == want):
        return [Question(i.number, _item_text(i.lines), None) for i in items], notes
    return _unnumbered(lines, want), []


def _unnumbered(lines: list[str], want: int | None) -> list[Question]:
    """A request without numbered items: bullets, items run together in one paragraph, or one question."""
    bullets = [i for i, l in enumerate(lines) if (m := marker(l)) and m.kind == "bullet"]
    if bullets:
        groups = split_items(lines, Run([(i, marker(lines[i])) for i in bullets], True))[1]  # type: ignore[misc]
        asks = sum(1 for g in groups if _asks(_join(g.lines)))
        if want == len(groups) or (not want and asks * 2 >= len(groups)):
            # a lead-in sentence before the bullets is not a question
            return [Question(g.number, _item_text(g.lines), None) for g in groups]
        lead = lines[:bullets[0]]
        body = _join(lead) + "\n" + "\n".join(_join(g.lines) for g in groups)
        return [Question("1", body.strip().strip('"').strip(), None)]
    whole = " ".join(lines).strip()
    inline = inline_items(whole, want if want and want >= 2 else None)
    if inline:
        return [Question(str(n), t.strip('"').strip(), None) for n, t in enumerate(inline[1], start=1)]
    if want and want >= 2:  # questions that lost their numbers: one a sentence ending "?"
        asked = [s.strip() for s in re.findall(r"[^?]+\?", whole)]
        if len(asked) == want:
            return [Question(str(n), s.strip('"').strip(), None) for n, s in enumerate(asked, start=1)]
    return [Question("1", _join(lines).strip('"').strip(), None)] if whole else []


def _asks(text: str) -> bool:
    return "?" in text or bool(_ASKS.match(text))


def _item_text(lines: list[str]) -> str:
    """An item's text: its wrapped lines re-joined, each sub-item on a line with its label (a bullet without its glyph)."""
    pieces: list[list[str]] = [[]]
    for line in lines:
        found = marker(line)
        if found and found.kind in ("letter", "bullet") and pieces[-1]:
            pieces.append([f"{found.label} {found.rest}" if found.kind == "letter" else found.rest])
        else:
            pieces[-1].append(line)
    return "\n".join(_join(p) for p in pieces if p).strip('"').strip()


def _answer_labels(lines: list[str], asked: int) -> Run:
    """The run of labels that starts the answers ("Q1", "A1", "Answer 1", "1."): one as long as the
    request if there is one, else the longest Q or A run, else a numbered run that opens the response."""
    found = runs(lines, ("q", "a", "number"))
    same = [r for r in found if len(r) == asked]
    if same:
        return min(same, key=lambda r: (r.kind == "number", r.starts[0][0]))
    labelled = [r for r in found if r.kind != "number"]
    if labelled:
        return longest(labelled)
    first = next((i for i, l in enumerate(lines) if l.strip()), 0)
    return longest([r for r in found if r.starts[0][0] <= first + 2])


def _by_labels(lines: list[str], labels: Run, questions: list[Question]) -> dict[str, str]:
    """Answers that start with their question's label, in order. As many labels as questions pair
    in order; otherwise a label pairs with the question of its number.

    A label followed by the question printed again (then "Answer:", or not) keeps only the answer.
    """
    if not labels.starts or not questions:
        return {}
    _, items = split_items(lines, labels)
    numbers = [q.number for q in questions]
    if len(items) == len(questions):
        pairs = list(zip(numbers, items))
    else:
        pairs, pointer = [], 0
        for item in items:
            if item.number in numbers[pointer:]:
                pointer = numbers.index(item.number, pointer) + 1
                pairs.append((item.number, item))
    texts = {q.number: q.text for q in questions}
    answers = {number: _answer_text(item.lines, texts[number]) for number, item in pairs}
    return {n: a for n, a in answers.items() if a}


def _answer_text(block: list[str], question: str) -> str:
    while len(block) > 1 and not block[0].strip():
        block = block[1:]
    if _opens_with(block[0], question):
        marker_at = next((j for j, l in enumerate(block) if _ANSWER_WORD.match(l)), None)
        if marker_at is not None:
            return _join([_ANSWER_WORD.sub("", block[marker_at], count=1)] + block[marker_at + 1:])
        return _join(_after_question(block, question))
    return _join(block)


def _after_question(block: list[str], question: str) -> list[str]:
    """The lines after a question printed again (its first line's words, however wrapped)."""
    wanted, seen, j = len(_words(question.split("\n")[0])), 0, 0
    while j < len(block) and seen < wanted:
        seen += len(_words(block[j]))
        j += 1
    return block[j:]


def _questions_in_response(lines: list[str], labels: Run) -> tuple[Question, ...]:
    """Each labelled item of the response is a question, up to its first line ending "?" (else its
    first line), then the answer."""
    out = []
    for item in split_items(lines, labels)[1]:
        ends = next((j for j in range(len(item.lines)) if item.lines[j].rstrip().endswith("?")), 0)
        out.append(Question(item.number, _join(item.lines[:ends + 1]).strip('"'), _join(item.lines[ends + 1:]) or None))
    return tuple(out)


def _by_repeated_questions(lines: list[str], questions: list[Question]) -> dict[str, str]:
    """Answers that follow their question printed again, often with "Answer:" before them."""
    starts: list[tuple[int, Question]] = []
    pointer = 0
    for i, line in enumerate(lines):
        if pointer < len(questions) and _opens_with(line, questions[pointer].text):
            starts.append((i, questions[pointer]))
            pointer += 1
    if not starts or (len(starts) < len(questions) and not any(_ANSWER_WORD.match(l) for l in lines)):
        return {}
    answers: dict[str, str] = {}
    for k, (start, question) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(lines)
        answer = _answer_text(lines[start:end], question.text)  # after "Answer:", or once the question's words are printed
        if answer:
            answers[question.number] = answer
    return answers


# A paragraph that speaks of the request as a whole, or of the Act's sections, answers no one question.
_WHOLE = re.compile(r"\b(?:your|this|the) (?:request|application)\b|\bsections? \d", re.I)


def _by_order(lines: list[str], questions: list[Question]) -> dict[str, str]:
    """Answers printed in request order without labels: one paragraph each, when the paragraphs
    and the questions agree in number and none refuses or withholds."""
    paragraphs = [p for p in _join(lines).split("\n") if p]
    # A refusal's paragraphs (the refusal, its reasons, the advice) answer the request as a whole.
    if len(paragraphs) != len(questions) or any(answer_kind(p) not in ("disclosed", "attachment", "not_held") or _WHOLE.search(p)
                                                 for p in paragraphs):
        return {}
    return {q.number: p for q, p in zip(questions, paragraphs)}


def _with_questions(citations: list[Citation], questions: tuple[Question, ...]) -> list[Citation]:
    """Each citation with the questions whose answers cite it (none when cited for the whole request)."""
    cited = {q.number: {c.code for c in extract_exemptions(q.answer)} for q in questions if q.answer}
    return [replace(c, questions=tuple(n for n, codes in cited.items() if c.cited_by(codes))) for c in citations]


def extract_forces(text: str) -> tuple[str, ...]:
    """The forces a letter answers for, by short name in alphabetical order (Norfolk, Suffolk).

    Read from the sentence that says who received the request, else the first force
    phrase (parsers/forces.py): a letterhead or review address may name another force.
    """
    received = re.search(r"[^.\n]*\breceived by\b[^.]*", text, re.I)
    return (received and forces_named(received.group(0))) or forces_named(text)


def extract_letter_date(text: str) -> str | None:
    """The date printed at the head of the letter (a month and year alone give None)."""
    for line in text.splitlines()[:40]:
        if re.search(r"\breceived\b|\bI write\b|sought access", line, re.I):
            break
        match = DATE.search(line)
        # The date line holds little else, or ends an address or phone line; a longer line with a date is prose.
        if match and (len(line) <= len(match.group(0)) + 25 or _ends_line(match, line)):
            return date_from_match(match)
    return None


def _ends_line(match: re.Match[str], line: str) -> bool:
    return not line[match.end():].strip(" .") and bool(re.search(r"\d{4,}|\b[A-Z]{1,2}\d", line[:match.start()]))


_ABOUT_THE_REQUEST = re.compile(r"\b(?:request|application|e-?mail|letter|enquiry|FOI)\b", re.I)


def extract_received_date(text: str) -> str | None:
    """The date in the sentence that says when the request was received; other "received" dates
    ("received royal assent on ...") are not the request's.

    >>> extract_received_date("The Act received royal assent on 30 November 2000. Your request was received on 29/11/2016.")
    '2016-11-29'
    """
    for anchor in re.finditer(r"\breceived\b", text, re.I):
        # The sentence's part before the word, on the word's own line: the line above may be a heading.
        start = max(text.rfind(". ", 0, anchor.start()) + 1, text.rfind("\n", 0, anchor.start()) + 1)
        # A sentence runs over line breaks (and OCR's blank lines), to a full stop or a colon ending its line.
        ends = [i for i in (text.find(". ", anchor.end()), text.find(".\n", anchor.end()), text.find(":\n", anchor.end())) if i >= 0]
        after = text[anchor.start():min(ends + [anchor.end() + 300])]
        before = text[start:anchor.start()]  # "On 2 May 2024 we received your request"
        if _ABOUT_THE_REQUEST.search(before + after):
            found = DATE.search(after) or DATE.search(before)
            if found:
                return date_from_match(found)
    return None


def _first_date(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    if not match:
        return None
    return date_from_match(DATE.search(match.group(0)))  # type: ignore[arg-type]


def _opens_with(line: str, question: str) -> bool:
    """Whether a line starts by repeating a question (its first words, in order)."""
    # The first sentence of its first line: a clarification may follow it.
    head = _words(re.split(r"(?<=[?.:])\s", question.split("\n")[0], maxsplit=1)[0])[:6]
    line = line.strip().strip('"')
    found = marker(line)
    return len(head) >= 3 and _words(found.rest if found else line)[:len(head)] == head


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _join(lines: list[str]) -> str:
    """Re-join wrapped lines into paragraphs; a blank line, a list item or a table row starts a new line."""
    out: list[str] = []
    fresh = True  # the next line starts a paragraph
    for line in (l.strip() for l in lines):
        if not line:
            fresh = True
            continue
        found = marker(line)
        starts_item = bool(found and found.kind in ("letter", "bullet")) or " | " in line
        if out and not fresh and not starts_item and not re.search(r"[.:;?!]$", out[-1]) and " | " not in out[-1]:
            out[-1] += " " + line
        else:
            out.append(line)
        fresh = False
    return "\n".join(out).strip()


def _strip_quotes(line: str) -> str:
    return line.strip().strip('"').strip()
