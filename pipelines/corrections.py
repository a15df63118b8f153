"""Corrections by hand (`corrections.yml`): an operator's fix of a misread letter, applied on every index build.

A correction is keyed by the response's reference or by a document's URL, and replaces the
fields it names over whatever the parser read, whichever parser version read it. The file is
the record: `foilog correct` appends to it, so comments and earlier entries stay as written,
and a later entry for the same key wins field by field. A bad entry is reported in one line
naming it, and the others still apply.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils
import yaml

from parsers.catalogue import CATALOGUE
from parsers.dates import parse_date
from parsers.outcome import OUTCOMES
from parsers.references import as_reference
from pipelines import BadInput

log = logging.getLogger(__name__)

FILENAME = "corrections.yml"
FIELDS = ("outcome", "exemptions", "letter_date", "received_date", "correct_as_of", "questions")
_CODE = re.compile(r"^s(?P<section>\d{1,2}[A-Z]?)(?:\([0-9A-Za-z]+\))*$")
_SETTING = "corrections_file"


class _Loader(yaml.SafeLoader):
    """YAML without implicit timestamps: a date stays the text written, so "2022-04-31" is a bad
    entry of its own rather than an error that loses the whole file."""


_Loader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _yaml(text: str) -> object:
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader


@dataclass
class Corrections:
    by_key: dict[str, dict[str, object]] = field(default_factory=dict)  # "ref:000739/19" or "url:https://..." -> fields
    problems: list[str] = field(default_factory=list)

    def find(self, reference: str | None, urls: list[str]) -> dict[str, object] | None:
        """The correction for a response: by its reference, else by any of its URLs."""
        if reference and f"ref:{reference}" in self.by_key:
            return self.by_key[f"ref:{reference}"]
        return next((self.by_key[f"url:{u}"] for u in urls if f"url:{u}" in self.by_key), None)


def resolve(given: str | None, sources_file: str | None) -> Path | None:
    """The corrections file a command names: as given; else beside the user's sources file
    (given, or ./sources.yml); else None, for the one recorded with the database."""
    if given:
        return Path(given)
    if sources_file:
        return Path(sources_file).parent / FILENAME
    return Path(FILENAME) if Path("sources.yml").is_file() else None


def recorded_path(db: sqlite_utils.Database) -> Path | None:
    """The corrections file the database's index builds use (the last one a run was given)."""
    if "settings" not in db.table_names():
        return None
    row = next(db.query("select value from settings where key = ?", [_SETTING]), None)
    return Path(row["value"]) if row else None


def remember(db: sqlite_utils.Database, path: Path) -> None:
    """Record which corrections file the database's index builds use."""
    db.table("settings").upsert({"key": _SETTING, "value": str(path.resolve())}, pk="key")


def recorded(db: sqlite_utils.Database) -> Corrections:
    """The corrections of the file recorded with the database (none when no file was ever used)."""
    path = recorded_path(db)
    return load(path) if path else Corrections()


def load(path: Path) -> Corrections:
    """Every valid entry of a corrections file; a missing file holds none, a broken one is one problem.
    Each problem is logged as one line."""
    found = _read(path)
    for problem in found.problems:
        log.warning("%s", problem)
    return found


def _read(path: Path) -> Corrections:
    found = Corrections()
    if not path.is_file():
        return found
    try:
        document = _yaml(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        found.problems.append(f"{path}: not valid YAML ({str(exc).splitlines()[0]}); no correction applied")
        return found
    entries = document.get("corrections") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        if document:
            found.problems.append(f"{path}: expected a list under 'corrections:'; no correction applied")
        return found
    for n, entry in enumerate(entries, start=1):
        try:
            key, fields = check_entry(entry)
        except BadInput as exc:
            found.problems.append(f"{path}: entry {n}{_name(entry)}: {exc}; skipped")
            continue
        found.by_key.setdefault(key, {}).update(fields)
    return found


def _name(entry: object) -> str:
    if isinstance(entry, dict) and (entry.get("reference") or entry.get("url")):
        return f" ({entry.get('reference') or entry.get('url')})"
    return ""


def check_entry(entry: object) -> tuple[str, dict[str, object]]:
    """An entry's key and its corrected fields in the parser's own form; BadInput says what is wrong."""
    if not isinstance(entry, dict):
        raise BadInput("an entry must be a mapping of reference or url to the fields to correct")
    unknown = set(entry) - {"reference", "url", "note", *FIELDS}
    if unknown:
        raise BadInput(f"unknown field {sorted(unknown)[0]!r} (fields: {', '.join(FIELDS)}, note)")
    if bool(entry.get("reference")) == bool(entry.get("url")):
        raise BadInput("give a reference or a url, not both")
    if entry.get("reference"):
        reference = as_reference(str(entry["reference"]))
        if reference is None:
            raise BadInput(f"reference {entry['reference']!r} is not of the form NNNNNN/YY")
        key = f"ref:{reference}"
    else:
        url = str(entry["url"])
        if not url.startswith(("http://", "https://")):
            raise BadInput(f"url {url!r} is not an http(s) URL")
        key = f"url:{url}"
    fields: dict[str, object] = {}
    if "outcome" in entry:
        if entry["outcome"] not in OUTCOMES:
            raise BadInput(f"outcome {entry['outcome']!r} is not one of {', '.join(OUTCOMES)}")
        fields["outcome"] = entry["outcome"]
    if "exemptions" in entry:
        fields["exemptions"] = [_citation(c) for c in _as_list(entry["exemptions"])]
    for name in ("letter_date", "received_date", "correct_as_of"):
        if name in entry:
            value = entry[name]
            iso = None if value is None else parse_date(str(value))
            if value is not None and iso != str(value):
                raise BadInput(f"{name} {value!r} is not a date written YYYY-MM-DD (or null)")
            fields[name] = iso
    if "questions" in entry:
        fields["questions"] = [_question(q, i) for i, q in enumerate(_as_list(entry["questions"]), start=1)]
    if not fields:
        raise BadInput(f"nothing to correct (fields: {', '.join(FIELDS)})")
    fields["note"] = str(entry.get("note") or "")
    return key, fields


def _as_list(value: object) -> list[object]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list):
        raise BadInput(f"expected a list, got {value!r}")
    return value


def _citation(code: object) -> dict[str, object]:
    text = str(code).replace(" ", "")
    found = _CODE.match(text)
    if not found or found["section"] not in CATALOGUE:
        raise BadInput(f"exemption {code!r} is not a code of a known section such as s12(1) or s40(2)")
    section = found["section"]
    return {"code": text, "section": int(section) if section.isdigit() else section, "name": CATALOGUE[section][0]}


def _question(question: object, position: int) -> dict[str, object]:
    if not isinstance(question, dict) or not question.get("text"):
        raise BadInput(f"question {position} needs at least a text (and a number and an answer)")
    return {"number": str(question.get("number") or position), "text": str(question["text"]),
            "answer": None if question.get("answer") is None else str(question["answer"])}


def apply(letter: dict[str, object], fields: dict[str, object]) -> dict[str, object]:
    """The parser's reading with the corrected fields put over it."""
    return {**letter, **{k: v for k, v in fields.items() if k in FIELDS}}


def append(path: Path, entry: dict[str, object]) -> None:
    """Add an entry to the file (created if missing), keeping what is there as written."""
    check_entry(entry)
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    broken = [p for p in _read(path).problems if p.endswith("; no correction applied")]
    if broken:  # a bad entry may stay beside a new one; a file that does not parse may not grow
        raise BadInput(broken[0].removesuffix("; no correction applied"))
    document = _yaml(text) if text.strip() else None
    block = yaml.safe_dump([entry], sort_keys=False, allow_unicode=True, width=1000)
    if text and not text.endswith("\n"):
        text += "\n"
    if document is None:
        text = (text or "# Corrections by hand, applied on every index build (see `foilog correct --help`).\n") + "corrections:\n"
    elif isinstance(document, dict) and "corrections" not in document:
        text += "corrections:\n"
    text += "".join(f"  {line}\n" for line in block.splitlines())
    parsed = _yaml(text)
    if not isinstance(parsed, dict) or not isinstance(parsed.get("corrections"), list) or parsed["corrections"][-1] != entry:
        raise BadInput(f"{path}: could not append to it; is 'corrections:' the file's last top-level key?")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
