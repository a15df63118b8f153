"""A letter's text cut into its parts: header, request, response and closing boilerplate.

Letters mark their parts in many ways or not at all, so every cut has fallbacks: the
response starts at any of the heading forms, else at the "correct as of" line or the
lead sentence, else where the answers' labels begin; the request may even follow the
response heading ("In Response: / Your request read as follows: ...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parsers.dates import DATE
from parsers.items import marker

REQUEST_START = re.compile(
    # ("... has located the following information as relevant to your request" opens a response)
    r"(?:sought access to the following(?: information)?|(?<!located the )following information(?! (?:as |is )?relevant)|"
    r"you (?:asked|requested)(?: for)?(?: the following)?|your request (?:was|read)(?: as follows)?)"
    r"[^\n:]*:?[ \t]*\n?"
    # or a heading of its own: "Request", "Your request:", "Information requested"
    r"|^[ \t]*(?:your |the )?(?:request|information requested)[ \t]*:?[ \t]*\n",
    re.I | re.M,
)
# "Response to your Request", "Our Response", "In Response:", "RESPONSE", "REASONS FOR DECISION",
# "Answers"; or "Response - " inline before the first sentence, whose body starts after the dash.
RESPONSE_START = re.compile(
    r"^[ \t]*(?:-\s*)?(?:(?:our|in|the|my)\s+)?(?:response|reply|decision)(?:\s+to\s+your\s+(?:request|e-?mail|enquiry))?"
    r"\s*:?[ \t]*$"
    r"|^[ \t]*reasons?\s+for\s+(?:the\s+|our\s+)?decision\s*:?[ \t]*$"
    r"|^[ \t]*response\s+-\s+(?=\S)",
    re.I | re.M,
)
_ANSWERS_HEADING = re.compile(r"^[ \t]*(?:our\s+)?(?:answers?|replies)\s*:?[ \t]*$", re.I | re.M)
# Where the answer text ends and the closing boilerplate begins.
BOILERPLATE = re.compile(
    r"^[ \t]*(?:-\s*)?(?:this (?:response|letter) will be published|should you have any (?:further )?(?:queries|questions)|"
    r"a full copy of the freedom of information|your right to request a review|"
    r"if you are (?:unhappy|dissatisfied)|the information commissioner|"
    r"(?:norfolk|suffolk)(?: and (?:norfolk|suffolk))? constabular(?:y|ies) (?:is|are) not responsible for the content|"
    r"yours (?:sincerely|faithfully))",
    re.I | re.M,
)
CORRECT_AS_OF = re.compile(rf"correct as (?:of|at)\s+(?:the\s+)?(?:{DATE.pattern})", re.I)
# The sentence that opens a response ("... has located the following information"), or says
# before the heading that information is held: it belongs to no question.
LEAD = re.compile(
    r"(?:have|has) (?:located|considered|now considered|completed)|following information (?:as )?relevant|"
    r"(?:please find|find below) (?:our|the) (?:response|answers?)|response (?:provided )?below is correct|"
    r"(?<!not )\bholds? (?:some |the )?information (?:relevant|in relation) to (?:your|this) request",
    re.I,
)

_HOLDS_NONE = re.compile(r"\b(?:does|do) not hold (?:any )?(?:the )?information (?:relevant|in relation) to (?:your|this) request", re.I)


@dataclass(frozen=True)
class Sections:
    request: str | None  # None: no request cue at all
    response: str  # the answers, from after the response heading to the boilerplate
    after_request: str  # everything from the end of the request to the boilerplate: where citations count
    heading: bool  # whether a response heading was found


def split_letter(text: str) -> Sections:
    start = REQUEST_START.search(text)
    after = start.end() if start else 0
    heading = RESPONSE_START.search(text, after)
    earlier = RESPONSE_START.search(text, 0, start.start()) if start else None
    if start and earlier and not heading:
        return _request_after_heading(text, start)
    if heading is None:
        heading = _ANSWERS_HEADING.search(text, after)
    if heading and start and not text[after:heading.start()].strip():
        # Nothing between the cue and the heading: the request is printed after the heading ("Your request: ...").
        again = REQUEST_START.search(text, heading.end())
        if again:
            return _request_after_heading(text, again)
    if heading:
        return _sections(text, start, after, heading.start(), heading.end(), True)
    marks = [m.start() for m in (_line_of(CORRECT_AS_OF, text, after), _line_of(LEAD, text, after)) if m]
    if start and not marks:
        marks = [_answers_start(text, after)] if _answers_start(text, after) < len(text) else []
    if not marks:
        end = _end(text, after)
        return Sections(text[after:end] if start else None, "", text[after:end], False)
    return _sections(text, start, after, min(marks), min(marks), False)


def _request_after_heading(text: str, cue: re.Match[str]) -> Sections:
    """A request printed after the response heading: the answers start at an "Answers" line or where the count starts again."""
    response_start = min(_answers_start(text, cue.end()), _end(text, cue.end()))
    body = _line_end(text, response_start) if _ANSWERS_HEADING.match(text, response_start) else response_start
    return _sections(text, cue, cue.end(), response_start, body, True)


def _sections(text: str, start: re.Match[str] | None, after: int, response_start: int, body: int, heading: bool) -> Sections:
    end = _end(text, max(after, body))
    request = text[after:response_start] if start else None
    response = text[body:end]
    if request:  # "Norfolk Constabulary holds (or does not hold) information relevant to your request." ends the request
        lead = _line_of(LEAD, request, 0) or _line_of(_HOLDS_NONE, request, 0)
        if lead and lead.start() > 0:
            said = request[lead.start():]
            request, response_start = request[:lead.start()], after + lead.start()
            if _HOLDS_NONE.search(said):  # it answers the request: part of the response
                response = said.rstrip("\n") + "\n" + response
    return Sections(request, response, text[response_start:end], heading)


def _end(text: str, pos: int) -> int:
    found = BOILERPLATE.search(text, pos)
    return found.start() if found else len(text)


def _answers_start(text: str, pos: int) -> int:
    """Where answers begin after a request: an "Answers" line, or the first line where a list
    that began at 1 begins at 1 again."""
    heading = _ANSWERS_HEADING.search(text, pos)
    limit = heading.start() if heading else len(text)
    seen_one = False
    offset = pos
    for line in text[pos:limit].splitlines(keepends=True):
        found = marker(line.strip().strip('"'))
        if found and found.num == 1 and not found.sub and found.kind != "letter":
            if seen_one:
                return offset
            seen_one = True
        offset += len(line)
    return limit


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end + 1


def _line_of(pattern: re.Pattern[str], text: str, pos: int) -> re.Match[str] | None:
    """The first line at or after pos on which pattern occurs, as a match of the whole line."""
    found = pattern.search(text, pos)
    if not found:
        return None
    line_start = text.rfind("\n", 0, found.start()) + 1
    return re.compile(r"[^\n]*").match(text, line_start)
