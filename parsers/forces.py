"""Which police forces a letter answers for: "<Name> Constabulary", "<Name> Police", "<Name> Police
Service", and joint letters ("Norfolk and Suffolk Constabularies").

A force is known by its short name, the one a facet shows ("Norfolk", "Thames Valley"). The
territorial forces of England and Wales, and the national ones, are known by name, so that
"Avon and Somerset Constabulary" is one force and "Norfolk and Suffolk Constabularies" two;
any other capitalised name before "Constabulary" is read as a force too.
"""

from __future__ import annotations

import re

# The short names of the 43 territorial forces of England and Wales, and of the national forces.
KNOWN = (
    "Avon and Somerset", "Bedfordshire", "Cambridgeshire", "Cheshire", "City of London", "Cleveland", "Cumbria",
    "Derbyshire", "Devon and Cornwall", "Dorset", "Durham", "Dyfed-Powys", "Essex", "Gloucestershire",
    "Greater Manchester", "Gwent", "Hampshire and Isle of Wight", "Hampshire", "Hertfordshire", "Humberside", "Kent",
    "Lancashire", "Leicestershire", "Lincolnshire", "Merseyside", "Metropolitan", "Norfolk", "North Wales",
    "North Yorkshire", "Northamptonshire", "Northumbria", "Nottinghamshire", "South Wales", "South Yorkshire",
    "Staffordshire", "Suffolk", "Surrey", "Sussex", "Thames Valley", "Warwickshire", "West Mercia", "West Midlands",
    "West Yorkshire", "Wiltshire", "British Transport", "Civil Nuclear", "Ministry of Defence",
)
_SUFFIX = r"(?:Constabular(?:y|ies)|Police\s+Services?|Police(?:\s+Forces?)?)"
# "Police" that begins another body's name is not a force's: the Police and Crime Commissioner, the Police Act.
_NOT_A_FORCE = r"(?!\s+(?:and\s+Crime|Reform|Act|Federation|Chiefs|Regulations|Pensions|Staff|Officers?|Station))"
_NAME = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in sorted(KNOWN, key=len, reverse=True))
_KNOWN = re.compile(rf"\b((?:{_NAME})(?:\s*(?:,|and|&)\s*(?:{_NAME}))*)\s+{_SUFFIX}{_NOT_A_FORCE}", re.I)
# Any other name: capitalised words (with "of" and "and" between them) before "Constabulary".
_WORD = r"[A-Z][a-z'-]+"
_OTHER = re.compile(rf"\b((?:{_WORD})(?:\s+(?:of|and|&)\s+{_WORD}|\s+{_WORD})*)\s+Constabular(?:y|ies)\b")
# Words that end a run of capitalised words before a force's name rather than belong to it.
_NOT_NAMES = frozenset("The Dear Sir Madam Both Your Our This A An From To For By And Of Regards Yours".split())
_AND_THEN = re.compile(r"\s+(?:and|&)\s+(?:the\s+)?", re.I)
_SPLIT = re.compile(r"\s*(?:,|\band\b|&)\s*", re.I)
_CANONICAL = {re.sub(r"\s+", " ", n.lower()): n for n in KNOWN}


def forces_named(text: str) -> tuple[str, ...]:
    """The forces the first force phrase in text names, as short names in alphabetical order (so Norfolk, Suffolk).

    >>> forces_named("received by the Suffolk and Norfolk Constabularies"), forces_named("Avon and Somerset Constabulary")
    (('Norfolk', 'Suffolk'), ('Avon and Somerset',))
    >>> forces_named("Thames Valley Police received your request"), forces_named("the Police and Crime Commissioner")
    (('Thames Valley',), ())
    """
    match = _KNOWN.search(text)
    if match:
        names = set(_known_names(match.group(1)))
        # "Kent Police and Essex Police": a joint letter whose forces are named in full, one after the other.
        after = _AND_THEN.match(text, match.end())
        if after and (second := _KNOWN.match(text, after.end())):
            names.update(_known_names(second.group(1)))
        return tuple(sorted(names))
    other = _OTHER.search(text)
    if not other:
        return ()
    words = other.group(1).split()
    cut = max((i + 1 for i, w in enumerate(words) if w in _NOT_NAMES), default=0)  # "Dear Sir The Loamshire"
    return (" ".join(words[cut:]),) if words[cut:] else ()


def _known_names(phrase: str) -> list[str]:
    """"Norfolk and Suffolk" as two forces, "Devon and Cornwall" as one: the longest known names, left to right."""
    flat = re.sub(r"\s+", " ", phrase.strip()).lower()
    if flat in _CANONICAL:
        return [_CANONICAL[flat]]
    names, parts = [], _SPLIT.split(flat)
    i = 0
    while i < len(parts):
        for j in range(len(parts), i, -1):  # the longest run of parts that is a known name
            joined = " and ".join(parts[i:j])
            if joined in _CANONICAL:
                names.append(_CANONICAL[joined])
                i = j
                break
        else:
            i += 1
    return names
