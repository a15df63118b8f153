"""The Freedom of Information Act 2000 provisions a letter relies on to withhold or refuse."""

from __future__ import annotations

import re

from parsers.catalogue import CATALOGUE
from parsers.records import Citation

_PART = r"\(\s*[0-9]{1,2}[A-Z]?\s*\)|\(\s*[a-z]{1,4}\s*\)"
_PARTS = rf"(?:\s*(?:{_PART}))*"
# "Section 31(1)(a)", "Sections 24 and 31", "s40(2)", "S.12", "section 40(2) and (3A)(a)"
_CITE = re.compile(
    rf"\b(?:sections?|ss?\.?)\s*(?P<first>\d{{1,2}}[A-Z]?{_PARTS})"
    rf"(?P<more>(?:\s*(?:,|&|\band\b|\bor\b|/)\s*(?:(?:sections?|s\.?)\s*)?(?:\d{{1,2}}[A-Z]?{_PARTS}|(?:{_PART})+))*)",
    re.I,
)
_ONE = re.compile(rf"\d{{1,2}}[A-Z]?{_PARTS}|(?:{_PART})+", re.I)
_OTHER_ACT = re.compile(
    r"^\W*(?:of|under)\s+(?:the\s+)?(?!freedom of information)(?:[A-Z][\w']*\s+){1,6}(?:Act|Regulations)\b"
    r"|^\W*(?:of|under)\s+(?:the\s+)?(?:DPA|GDPR|UK GDPR|EIR|PACE|RIPA)\b"
)
# "Section 21 does not apply", "Section 30 is not engaged" (just after the citation) and
# "we are not relying on section 21" (just before it). A sentence such as "the duty does
# not apply by virtue of Section 23(5)" still cites 23(5).
_NEGATED_AFTER = re.compile(
    r"^[\s,]*(?:of the (?:Freedom of Information )?Act(?: \(?2000\)?)?[\s,]*)?(?:(?:does|do|did|will|would|is|are|has|have|was|were)"
    r"\s+not|cannot|can ?not)\s+(?:be\s+|been\s+)?(?:apply|applied|applicable|engaged?|relied|cited|used|relevant)\b",
    re.I,
)
_NEGATED_BEFORE = re.compile(
    r"(?:\bnot\s+(?:be\s+|being\s+)?(?:rely(?:ing)?|relied)\s+(?:up)?on|\bno longer (?:rely(?:ing)? on|applying|citing)|"
    r"\bnot (?:applying|citing|engaging))\s*$",
    re.I,
)


def extract_exemptions(text: str) -> list[Citation]:
    """Every exemption the text relies on, once per code, most specific form, in order.

    >>> [c.code for c in extract_exemptions("Section 24(2) and 31(3) apply. Section 17 notice.")]
    ['s24(2)', 's31(3)']
    """
    found: list[Citation] = []
    for match in _CITE.finditer(text):
        if _OTHER_ACT.search(text[match.end():match.end() + 80]) or _negated(text, match):
            continue
        base: list[str] = []
        for piece in _ONE.findall(match.group(0)[match.start("first") - match.start():]):
            parts = re.findall(r"\(\s*([0-9A-Za-z]+)\s*\)", piece)
            head = re.match(r"\d{1,2}[A-Z]?", piece)
            if head:
                base = [head.group(0).upper(), *parts]
            elif base:
                base = _graft(base, parts)
            else:
                continue
            section = base[0]
            if section in CATALOGUE:
                code = "s" + section + "".join(f"({p})" for p in base[1:])
                if all(c.code != code for c in found):
                    found.append(Citation(code=code, section=section))
    codes = [c.code for c in found]
    # "Section 12" beside "Section 12(1)" is one citation, in its most specific form.
    return [c for c in found if not any(o.startswith(c.code + "(") for o in codes)]


def _graft(base: list[str], parts: list[str]) -> list[str]:
    """Attach "(b)" to s31(1)(a) as s31(1)(b); "(3A)(a)" to s40(2) as s40(3A)(a)."""
    level = _level(parts[0])
    kept = [base[0]] + [p for p in base[1:] if _level(p) < level]
    return kept + parts


def _level(part: str) -> int:
    if part[0].isdigit():
        return 1
    if re.fullmatch(r"[ivx]+", part) and part not in ("i", "v", "x"):
        return 3
    return 2


def _negated(text: str, match: re.Match[str]) -> bool:
    """Whether the text right around a citation says it is not relied on."""
    return bool(_NEGATED_AFTER.match(text[match.end():match.end() + 80])
                or _NEGATED_BEFORE.search(text[max(0, match.start() - 60):match.start()]))
