"""A response letter's text to its fields: reference, dates, forces, questions, exemptions, outcome."""

from __future__ import annotations

import re
from dataclasses import replace

from parsers.dates import DATE, date_from_match
from parsers.exemptions import extract_exemptions
from parsers.outcome import COST_LIMIT, classify_outcome
from parsers.records import Citation, Letter, Question
from parsers.references import extract_reference

FORCES = ("Norfolk", "Suffolk")

_FORCES = re.compile(r"\b(Norfolk|Suffolk)(?:\s+(?:and|&)\s+(Norfolk|Suffolk))?\s+Constabular(?:y|ies)", re.I)

_REQUEST_START = re.compile(
    r"(?:sought access to the following(?: information)?|following information|"
    r"you (?:asked|requested)(?: for)?(?: the following)?|your request (?:was|read)(?: as follows)?)"
    r"[^\n:]*:?[ \t]*\n?"
    # or a heading of its own: "Request", "Your request:", "Information requested"
    r"|^[ \t]*(?:your |the )?(?:request|information requested)[ \t]*:?[ \t]*\n",
    re.I | re.M,
)
_RESPONSE_START = re.compile(r"^[ \t]*(?:-\s*)?(?:our\s+)?response(?:\s+to\s+your\s+request)?\s*:?[ \t]*$", re.I | re.M)
# Where the answer text ends and the closing boilerplate begins.
_BOILERPLATE = re.compile(
    r"^[ \t]*(?:-\s*)?(?:this (?:response|letter) will be published|should you have any (?:further )?(?:queries|questions)|"
    r"a full copy of the freedom of information|your right to request a review|"
    r"if you are (?:unhappy|dissatisfied)|the information commissioner|"
    r"(?:norfolk|suffolk)(?: and (?:norfolk|suffolk))? constabular(?:y|ies) (?:is|are) not responsible for the content|"
    r"yours (?:sincerely|faithfully))",
    re.I | re.M,
)
_CORRECT_AS_OF = re.compile(rf"correct as (?:of|at)\s+(?:the\s+)?(?:{DATE.pattern})", re.I)
_LEAD = re.compile(
    r"(?:have|has) (?:located|considered|now considered|completed)|following information (?:as )?relevant|"
    r"(?:please find|find below) (?:our|the) response|response (?:provided )?below is correct",
    re.I,
)
_QUESTION_LABEL = re.compile(r"^(?:Q(?:uestion)?\s*)?(?P<num>\d{1,2})(?P<sub>[a-z])?(?:\s*[.):]\s*|\s+)(?=\S)", re.I)
_ANSWER_LABEL = re.compile(
    r"^(?:(?:Q(?:uestion)?\s*(?P<q>\d{1,2}[a-z]?)\b\s*[.:)-]?|(?P<n>\d{1,2}[a-z]?)\s*[.)])\s*"
    r"|(?:Answer|Response)\s+(?P<a>\d{1,2}[a-z]?)\s*[.:-]\s*|A(?P<aa>\d{1,2}[a-z]?)\b\s*[.:)-]?\s*)",
    re.I,
)
_SUB_ITEM = re.compile(r"^(?:\(?(?P<l>[A-Za-z]|i{1,3}|iv|vi{0,3}|ix|x)[.)]\s+|(?P<u>[A-F])\s+(?=[A-Z]))")
_INLINE_NUMBER = re.compile(r"\((\d{1,2})\)\s*")
_BULLET = re.compile(r"^-\s+")
_ANSWER_WORD = re.compile(r"^\s*(?:-\s*)?(?:answer|response|reply|a)\s*[:.-]\s*", re.I)


def parse_letter(lines: list[str], *, ocr: bool = False) -> Letter:
    """Read every field of a letter from its clean lines (see parsers.text.clean_lines)."""
    text = "\n".join(lines)
    warnings: list[str] = []
    request, response, after_request = _split(text)
    if request is None:
        warnings.append("no request section found")
    questions = _parse_questions(request or "")
    answers, whole = _parse_answers(response, questions)
    paired = tuple(Question(q.number, q.text, answers.get(q.number)) for q in questions)
    if len(paired) == 1 and paired[0].answer is None and whole:
        paired = (Question(paired[0].number, paired[0].text, whole),)
        whole = None
    exemptions = tuple(_with_questions(extract_exemptions(after_request), paired))
    if not any(c.section == "12" for c in exemptions) and COST_LIMIT.search(after_request):
        exemptions = (Citation("s12", "12"), *exemptions)  # refused on cost in words alone: that is section 12
        warnings.append("a cost-limit refusal that names no section: cited as s12")
    reference = extract_reference(text)
    if reference is None:
        warnings.append("no reference found in the letter")
    return Letter(
        reference=reference,
        forces=extract_forces(text[: text.find(response) if response else len(text)] + response[:600]),
        letter_date=extract_letter_date(text),
        received_date=extract_received_date(text),
        correct_as_of=_first_date(_CORRECT_AS_OF, text),
        questions=paired,
        exemptions=exemptions,
        outcome=classify_outcome(paired, whole, exemptions) if (paired or whole) else None,
        ocr=ocr,
        warnings=tuple(warnings),
    )


def _with_questions(citations: list[Citation], questions: tuple[Question, ...]) -> list[Citation]:
    """Each citation with the questions whose answers cite it (none when cited for the whole request)."""
    cited = {q.number: {c.code for c in extract_exemptions(q.answer)} for q in questions if q.answer}
    return [replace(c, questions=tuple(n for n, codes in cited.items() if c.cited_by(codes))) for c in citations]


def extract_forces(text: str) -> tuple[str, ...]:
    """The forces a letter answers for, Norfolk first.

    Read from the sentence that says who received the request, else the first
    "X Constabulary" phrase: a letterhead or review address may name another force.
    """
    received = re.search(r"[^.\n]*\breceived by\b[^.]*", text, re.I)
    match = (received and _FORCES.search(received.group(0))) or _FORCES.search(text)
    if not match:
        return ()
    named = {g.capitalize() for g in match.groups() if g}
    return tuple(f for f in FORCES if f in named)


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


def _split(text: str) -> tuple[str | None, str, str]:
    """(request text, response text, everything after the request up to the boilerplate).

    The response starts at its heading ("Response to your Request"); a letter without one
    starts it at the "correct as of" line or the lead sentence, whichever comes first.
    """
    start = _REQUEST_START.search(text)
    after = start.end() if start else 0
    heading = _RESPONSE_START.search(text, after)
    if heading:
        response_start, response_body = heading.start(), heading.end()
    else:
        marks = [m.start() for m in (_line_of(_CORRECT_AS_OF, text, after), _line_of(_LEAD, text, after)) if m]
        response_start = response_body = min(marks) if marks else -1
    end_match = _BOILERPLATE.search(text, max(after, response_body))
    end = end_match.start() if end_match else len(text)
    if response_start < 0:
        return (text[after:end] if start else None), "", text[after:end]
    return (text[after:response_start] if start else None), text[response_body:end], text[response_start:end]


def _line_of(pattern: re.Pattern[str], text: str, pos: int) -> re.Match[str] | None:
    """The first line at or after pos on which pattern occurs, as a match of the whole line."""
    found = pattern.search(text, pos)
    if not found:
        return None
    line_start = text.rfind("\n", 0, found.start()) + 1
    return re.compile(r"[^\n]*").match(text, line_start)


def _parse_questions(request: str) -> list[Question]:
    lines = [_strip_quotes(l) for l in request.splitlines()]
    lines = [l for l in lines if l]
    has_numbers = any(_QUESTION_LABEL.match(_BULLET.sub("", l)) for l in lines)
    items: list[list[str]] = []  # [number, text...]
    expected = 1
    for line in lines:
        bullet = bool(_BULLET.match(line))
        content = _BULLET.sub("", line)
        label = _QUESTION_LABEL.match(content)
        if label:
            num, sub = int(label["num"]), (label["sub"] or "").lower()
            if num == expected or (sub and num == expected - 1):
                items.append([f"{num}{sub}", content[label.end():]])
                expected = num + 1
                continue
        sub_item = _SUB_ITEM.match(content)
        if items and (sub_item or (bullet and has_numbers)):
            mark = (sub_item["l"] or sub_item["u"]) if sub_item else ""
            rest = content[sub_item.end():] if sub_item else content
            items[-1].append(f"{mark} {rest}".strip())
        elif bullet and not has_numbers:
            items.append([str(len(items) + 1), content])
        elif items:
            items[-1].append(content)
        else:
            items.append(["", content])  # preamble before the first item, or a lone question
    preamble = [i for i in items if i[0] == ""]
    numbered = [i for i in items if i[0] != ""]
    if not numbered:
        whole = " ".join(" ".join(i[1:]) for i in preamble).strip()
        inline = _split_inline(whole)
        if inline:
            return inline
        return [Question("1", whole, None)] if whole else []
    return [Question(i[0], _join(i[1:]).strip('"').strip(), None) for i in numbered]


def _split_inline(paragraph: str) -> list[Question]:
    """"(1) How many ... (2) What ..." in one paragraph: one question per number."""
    marks = list(_INLINE_NUMBER.finditer(paragraph))
    numbers = [int(m[1]) for m in marks]
    if len(marks) < 2 or numbers != list(range(1, len(marks) + 1)):
        return []
    ends = [m.start() for m in marks[1:]] + [len(paragraph)]
    return [Question(str(n), paragraph[m.end():e].strip(), None) for n, m, e in zip(numbers, marks, ends)]


def _parse_answers(response: str, questions: list[Question]) -> tuple[dict[str, str], str | None]:
    """Answers by question number, or (when the letter pairs none) the whole block."""
    lines = [l for l in response.splitlines() if not _CORRECT_AS_OF.search(l)]
    answers = _by_labels(lines, questions) or _by_repeated_questions(lines, questions)
    if answers:
        return answers, None
    body = [l for l in lines if not _LEAD.search(l)]
    return {}, _join(body if any(body) else lines) or None


def _by_labels(lines: list[str], questions: list[Question]) -> dict[str, str]:
    """Answers that start with their question's label ("Q3", "3.", "Question 3:"), in order.

    A label followed by the question printed again and then "Answer:" or "Response:"
    keeps only what follows that word.
    """
    numbers = [q.number for q in questions]
    blocks: dict[str, list[str]] = {}
    current: str | None = None
    pointer = 0
    for line in lines:
        content = _BULLET.sub("", line)
        label = _ANSWER_LABEL.match(content)
        if label:
            num = (label["q"] or label["n"] or label["a"] or label["aa"]).lower()
            if num in numbers[pointer:]:
                pointer = numbers.index(num, pointer) + 1
                current = num
                blocks[current] = [content[label.end():]]
                continue
        if current:
            blocks[current].append(line)
    texts = {q.number: q.text for q in questions}
    for number, block in blocks.items():
        marker = next((j for j, l in enumerate(block) if _ANSWER_WORD.match(l)), None)
        if marker is not None and _opens_with(block[0], texts[number]):
            blocks[number] = [_ANSWER_WORD.sub("", block[marker], count=1)] + block[marker + 1:]
    return {n: _join(b) for n, b in blocks.items() if _join(b)}


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
        block = lines[start:end]
        marker = next((j for j, l in enumerate(block) if _ANSWER_WORD.match(l)), None)
        if marker is not None:
            body = [_ANSWER_WORD.sub("", block[marker], count=1)] + block[marker + 1:]
        else:  # no "Answer:": the answer starts once the question's words have been printed
            wanted, seen, j = len(_words(question.text.split("\n")[0])), 0, 0
            while j < len(block) and seen < wanted:
                seen += len(_words(block[j]))
                j += 1
            body = block[j:]
        if _join(body):
            answers[question.number] = _join(body)
    return answers


def _opens_with(line: str, question: str) -> bool:
    """Whether a line starts by repeating a question (its first words, in order)."""
    head = _words(question)[:6]
    return len(head) >= 3 and _words(_QUESTION_LABEL.sub("", _BULLET.sub("", line.strip().strip('"'))))[:len(head)] == head


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
        starts_item = bool(_BULLET.match(line) or _SUB_ITEM.match(line) or " | " in line)
        if out and not fresh and not starts_item and not re.search(r"[.:;?!]$", out[-1]) and " | " not in out[-1]:
            out[-1] += " " + line
        else:
            out.append(line)
        fresh = False
    return "\n".join(out).strip()


def _strip_quotes(line: str) -> str:
    return line.strip().strip('"').strip()
