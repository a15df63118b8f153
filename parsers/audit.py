"""What a reader of an attachment cannot see: `foilog audit`'s findings for one file's bytes.

Office files are zip packages of XML parts, and hidden content is a matter of which parts
exist and what they say, so the package is read directly rather than through a
spreadsheet library, which would skip the parts it does not model (a pivot cache's stored
records, an embedded workbook). The package's declared sizes are checked before anything
is decompressed (a zip bomb is refused), and every part read is capped.

Findings are `{"kind", "where", "detail"}`; a file with none is "clean".
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass

from parsers import ParseError

MAX_UNPACKED = 200 * 1024 * 1024  # the whole package, decompressed
MAX_RATIO = 200  # decompressed to compressed, for any part: a bomb, not a spreadsheet
MAX_PART = 32 * 1024 * 1024

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_CP = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"

# Visible values that look like personal data.
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PHONE = re.compile(r"(?<![\d-])(?:\+44\s?7\d{3}|07\d{3}|0[12]\d{2,3})[\s-]?\d{3}[\s-]?\d{3,4}(?![\d-])")
_NINO = re.compile(r"\b(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b")


@dataclass(frozen=True)
class Finding:
    kind: str
    where: str
    detail: str

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "where": self.where, "detail": self.detail}


def audit(data: bytes, name: str = "") -> tuple[str, list[Finding]]:
    """(the file's kind, its findings); ParseError for a file that cannot be audited."""
    if data[:4] == b"PK\x03\x04":
        package = open_package(data)
        names = set(package.namelist())
        if "xl/workbook.xml" in names:
            return "xlsx", _xlsx(package, names)
        if "word/document.xml" in names:
            return "docx", _docx(package, names)
        if "content.xml" in names and "mimetype" in names:
            kind = package.read("mimetype")[:100].decode("ascii", errors="replace")
            if kind.endswith("opendocument.spreadsheet"):
                return "ods", _opendocument(package, names)
            if kind.endswith("opendocument.text"):
                return "odt", _opendocument(package, names)
        raise ParseError("a zip package that is neither a workbook nor a text document: not audited")
    if name.lower().endswith((".csv", ".txt")) or _looks_like_text(data):
        text = data[:MAX_PART].decode("utf-8", errors="replace")
        return "csv", _personal(text, "the file")
    raise ParseError("not a file foilog audits (XLSX, ODS, DOCX, ODT or CSV; XLS is not read yet)")


def open_package(data: bytes) -> zipfile.ZipFile:
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ParseError(f"a broken zip package ({exc})") from None
    infos = package.infolist()
    unpacked = sum(i.file_size for i in infos)
    if unpacked > MAX_UNPACKED:
        raise ParseError(f"refused: the package would unpack to {unpacked:,} bytes (limit {MAX_UNPACKED:,})")
    for info in infos:
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 1024 * 1024:
            raise ParseError(f"refused: part {info.filename} would unpack to {info.file_size:,} bytes "
                             f"from {info.compress_size:,} (a zip bomb?)")
        if info.file_size > MAX_PART:
            raise ParseError(f"not audited: part {info.filename} holds {info.file_size:,} bytes, over the "
                             f"{MAX_PART:,} a part may have (keep the file held for a person to check)")
    return package


def part_xml(package: zipfile.ZipFile, part: str) -> ET.Element:
    try:
        with package.open(part) as handle:
            body = handle.read(MAX_PART + 1)
        if len(body) > MAX_PART:
            raise ParseError(f"refused: part {part} is larger than declared")
        return ET.fromstring(body)
    except (ET.ParseError, zipfile.BadZipFile, KeyError, OSError, RuntimeError) as exc:
        raise ParseError(f"part {part} could not be read ({exc})") from None


def part_rels(package: zipfile.ZipFile, names: set[str], part: str) -> dict[str, str]:
    folder, _, file = part.rpartition("/")
    rels = f"{folder}/_rels/{file}.rels"
    if rels not in names:
        return {}
    out = {}
    for rel in part_xml(package, rels).iter(f"{_PKG_REL}Relationship"):
        target = rel.get("Target", "")
        out[rel.get("Id", "")] = target.lstrip("/") if target.startswith("/") else f"{folder}/{target}"
    return out


def _xlsx(package: zipfile.ZipFile, names: set[str]) -> list[Finding]:
    findings: list[Finding] = []
    workbook = part_xml(package, "xl/workbook.xml")
    targets = part_rels(package, names, "xl/workbook.xml")
    hidden_sheets: set[str] = set()
    for sheet in workbook.iter(f"{MAIN}sheet"):
        title, state = sheet.get("name", "?"), sheet.get("state", "visible")
        part = targets.get(sheet.get(f"{REL}id", ""), "")
        root = part_xml(package, part) if part in names else None
        rows = sum(1 for _ in root.iter(f"{MAIN}row")) if root is not None else 0
        if state in ("hidden", "veryHidden"):
            hidden_sheets.add(title)
            findings.append(Finding("very_hidden_sheet" if state == "veryHidden" else "hidden_sheet", f"sheet '{title}'",
                                    f"state {state}, {rows:,} rows"))
            continue
        if root is None:
            continue
        hidden_rows = [r for r in root.iter(f"{MAIN}row") if r.get("hidden") in ("1", "true")]
        if hidden_rows:
            findings.append(Finding("hidden_rows", f"sheet '{title}'", f"{len(hidden_rows):,} hidden rows"))
        hidden_cols = sum(int(c.get("max", 0)) - int(c.get("min", 0)) + 1 for c in root.iter(f"{MAIN}col")
                          if c.get("hidden") in ("1", "true"))
        if hidden_cols:
            findings.append(Finding("hidden_columns", f"sheet '{title}'", f"{hidden_cols:,} hidden columns"))
        findings += _personal(" ".join(t.text or "" for t in root.iter() if t.tag in (f"{MAIN}v", f"{MAIN}t")), f"sheet '{title}'")
    for name in workbook.iter(f"{MAIN}definedName"):
        points = name.text or ""
        if name.get("hidden") in ("1", "true") or any(f"{s}!" in points or f"'{s}'!" in points for s in hidden_sheets):
            findings.append(Finding("hidden_name", f"defined name '{name.get('name')}'", f"refers to {points[:80]}"))
    if "xl/sharedStrings.xml" in names:
        strings = " ".join(t.text or "" for t in part_xml(package, "xl/sharedStrings.xml").iter(f"{MAIN}t"))
        findings += _personal(strings, "the workbook's text")
    for part in sorted(n for n in names if re.fullmatch(r"xl/pivotCache/pivotCacheRecords\d+\.xml", n)):
        records = sum(1 for _ in part_xml(package, part).iter(f"{MAIN}r"))
        number = re.sub(r"\D", "", part.rsplit("/", 1)[1])
        definition = f"xl/pivotCache/pivotCacheDefinition{number}.xml"
        fields = sum(1 for _ in part_xml(package, definition).iter(f"{MAIN}cacheField")) if definition in names else 0
        findings.append(Finding("pivot_cache", f"pivot cache {number}", f"source records kept in the file: {records:,} rows, {fields} fields"))
    for part in sorted(n for n in names if re.fullmatch(r"xl/comments\d*\.xml", n)):
        count = sum(1 for _ in part_xml(package, part).iter(f"{MAIN}comment"))
        if count:
            findings.append(Finding("comment", part, f"{count:,} comments"))
    findings += _common(package, names, "xl")
    return findings


def _docx(package: zipfile.ZipFile, names: set[str]) -> list[Finding]:
    findings: list[Finding] = []
    document = part_xml(package, "word/document.xml")
    inserted = sum(1 for _ in document.iter(f"{W}ins"))
    deleted = sum(1 for _ in document.iter(f"{W}del"))
    if inserted or deleted:
        findings.append(Finding("tracked_change", "the document", f"{inserted:,} insertions and {deleted:,} deletions not accepted"))
    vanished = sum(1 for _ in document.iter(f"{W}vanish"))
    if vanished:
        findings.append(Finding("hidden_text", "the document", f"{vanished:,} runs of text formatted as hidden"))
    if "word/comments.xml" in names:
        count = sum(1 for _ in part_xml(package, "word/comments.xml").iter(f"{W}comment"))
        if count:
            findings.append(Finding("comment", "word/comments.xml", f"{count:,} comments"))
    findings += _personal(" ".join(t.text or "" for t in document.iter(f"{W}t")), "the document's text")
    findings += _common(package, names, "word")
    return findings


TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_META = "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}"
_CONFIG = "{urn:oasis:names:tc:opendocument:xmlns:config:1.0}"


def _opendocument(package: zipfile.ZipFile, names: set[str]) -> list[Finding]:
    """An ODS or ODT file: the same findings from OpenDocument's parts."""
    findings: list[Finding] = []
    content = part_xml(package, "content.xml")
    hidden_tables = ods_hidden_tables(package, names)
    for table in content.iter(f"{TABLE}table"):
        title = table.get(f"{TABLE}name", "?")
        rows = list(table.iter(f"{TABLE}table-row"))
        if title in hidden_tables:
            findings.append(Finding("hidden_sheet", f"sheet '{title}'", f"state hidden, {len(rows):,} rows"))
            continue
        hidden_rows = sum(int(r.get(f"{TABLE}number-rows-repeated", "1")) for r in rows
                          if r.get(f"{TABLE}visibility") in ("collapse", "filter"))
        if hidden_rows:
            findings.append(Finding("hidden_rows", f"sheet '{title}'", f"{hidden_rows:,} hidden rows"))
        hidden_cols = sum(int(c.get(f"{TABLE}number-columns-repeated", "1")) for c in table.iter(f"{TABLE}table-column")
                          if c.get(f"{TABLE}visibility") in ("collapse", "filter"))
        if hidden_cols:
            findings.append(Finding("hidden_columns", f"sheet '{title}'", f"{hidden_cols:,} hidden columns"))
    notes = sum(1 for _ in content.iter(f"{OFFICE}annotation"))
    if notes:
        findings.append(Finding("comment", "content.xml", f"{notes:,} comments"))
    changes = sum(1 for _ in content.iter(f"{TEXT}changed-region"))
    if changes:
        findings.append(Finding("tracked_change", "the document", f"{changes:,} tracked changes not accepted"))
    hidden_text = sum(1 for e in content.iter() if e.tag in (f"{TEXT}hidden-paragraph", f"{TEXT}hidden-text")
                      or e.get(f"{TEXT}display") == "none")
    if hidden_text:
        findings.append(Finding("hidden_text", "the document", f"{hidden_text:,} runs of text formatted as hidden"))
    visible = " ".join(t for table in content.iter(f"{TABLE}table") if table.get(f"{TABLE}name") not in hidden_tables
                       for t in table.itertext())
    findings += _personal(visible or " ".join(content.itertext()), "the document's text")
    embedded = sorted(n for n in names if n.startswith("Object ") or n.startswith("ObjectReplacements/"))
    if embedded:
        findings.append(Finding("embedded_object", "the package", f"{len(embedded)} embedded parts"))
    if "meta.xml" in names:
        meta = part_xml(package, "meta.xml")
        people = {label: (meta.findtext(f".//{tag}") or "").strip() for label, tag in (("author", f"{_META}initial-creator"),
                                                                                       ("last edited by", f"{_DC}creator"))}
        named = ", ".join(f"{label} {who!r}" for label, who in people.items() if who)
        if named:
            findings.append(Finding("metadata", "document properties", named))
    return findings


def ods_hidden_tables(package: zipfile.ZipFile, names: set[str]) -> set[str]:
    """Sheets that settings.xml hides (OpenDocument keeps a sheet's visibility there or in its style)."""
    hidden: set[str] = set()
    if "settings.xml" in names:
        for entry in part_xml(package, "settings.xml").iter(f"{_CONFIG}config-item-map-entry"):
            for item in entry.iter(f"{_CONFIG}config-item"):
                if item.get(f"{_CONFIG}name") == "TableVisible" and (item.text or "").strip() == "false":
                    hidden.add(entry.get(f"{_CONFIG}name", "?"))
    return hidden


def _common(package: zipfile.ZipFile, names: set[str], root: str) -> list[Finding]:
    findings = []
    embedded = sorted(n for n in names if n.startswith(f"{root}/embeddings/"))
    if embedded:
        findings.append(Finding("embedded_object", f"{root}/embeddings", f"{len(embedded)} embedded: " + ", ".join(n.rsplit("/", 1)[1] for n in embedded[:5])))
    links = sorted(n for n in names if n.startswith(f"{root}/externalLinks/") and n.endswith(".xml"))
    if links:
        findings.append(Finding("external_link", f"{root}/externalLinks", f"{len(links)} links to other workbooks"))
    if "docProps/core.xml" in names:
        core = part_xml(package, "docProps/core.xml")
        people = {label: (core.findtext(tag) or "").strip() for label, tag in (("author", f"{_DC}creator"), ("last edited by", f"{_CP}lastModifiedBy"))}
        named = ", ".join(f"{label} {who!r}" for label, who in people.items() if who)
        if named:
            findings.append(Finding("metadata", "document properties", named))
    return findings


def _personal(text: str, where: str) -> list[Finding]:
    found = []
    for label, pattern in (("e-mail addresses", _EMAIL), ("phone numbers", _PHONE), ("National Insurance numbers", _NINO)):
        hits = pattern.findall(text)
        if hits:
            found.append(Finding("personal_data", where, f"{len(hits):,} {label}"))
    return found


def _looks_like_text(data: bytes) -> bool:
    sample = data[:4096]
    return bool(sample) and b"\x00" not in sample and sum(32 <= b < 127 or b in b"\r\n\t" for b in sample) > 0.95 * len(sample)
