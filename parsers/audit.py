"""What a reader of an attachment cannot see: `foilog audit`'s findings for one file's bytes.

Hidden content in an Office file is a matter of which parts of the package exist and what
they say, so the parts are read directly as well as through the readers of
parsers/attachments.py, which skip what they do not model (a pivot cache's stored records,
an embedded workbook). Values that look like personal data are looked for in what a reader
sees; whatever is hidden is reported whatever it holds.

Findings are `{"kind", "where", "detail"}`; a file with none is "clean".
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from typing import Any

from parsers import ParseError
from parsers.attachments import CELL, Attachment, read
from parsers.package import CP, DC, MAIN, META, OFFICE, TEXT, W, part_xml
from parsers.workbook import Sheet

# Visible values that look like personal data. Each begins with a character class, with its
# left edge checked after the match (_edges), which lets the regex engine skip ahead to
# candidates: five times faster on a large sheet than a leading lookbehind or \b.
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PHONE = re.compile(r"(?:\+44\s?7\d{3}|0(?:7\d{3}|[12]\d{2,3}))[\s-]?\d{3}[\s-]?\d{3,4}(?![\d-])")
_NINO = re.compile(r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b")
_NOT_NINO = ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ")  # prefixes never issued
# Mailboxes of a team, not of a person: a force's FOI unit prints its own in every response.
_ROLE_MAILBOXES = re.compile(r"(?i)(foi|freedom\W?of\W?information|information\W?(management|rights|governance|compliance)|"
                             r"data\W?protection|dpo|enquiries|enquiry|info|contact|press|media|complaints|records)\b")
PERSONAL = (("e-mail addresses", "e-mail address", _EMAIL), ("phone numbers", "phone number", _PHONE),
            ("National Insurance numbers", "National Insurance number", _NINO))
# A date of birth is personal data only beside a name: by the columns' headings, or printed with a name.
_DOB_HEADING = re.compile(r"\b(date\s+of\s+birth|d\.?\s?o\.?\s?b\.?|birth\s*date|born)\b", re.I)
_NAME_HEADING = re.compile(r"\b(name|surname|forename|first\s+name|last\s+name|full\s+name|given\s+names?)\b", re.I)
_DATE = r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)?\d{2}|\d{4}-\d{2}-\d{2}|\d{1,2}(?:st|nd|rd|th)?\s+[A-Z][a-z]+\s+(?:19|20)\d{2})"
_NAMED_DOB = re.compile(r"\b[A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+){1,2}\b[^.\n]{0,40}?\b(?i:DOB|D\.O\.B\.?|date\s+of\s+birth|born(?:\s+on)?)\b"
                        rf"[\s:.,-]*(?i:{_DATE})")
# What programs put in a file's author field when no person is named.
_NO_ONE = {"", "anonymous", "unknown", "author", "user", "administrator", "admin", "owner", "(anonymous)"}
# PDF annotation subtypes (PDFium's FPDF_ANNOT_*): what a person writes on a page (notes, free text, lines
# and shapes, highlights, stamps, ink; a note's popup is part of the note), a file attached to a page,
# and a redaction marked but not applied, under which the text is still in the file.
_PDF_COMMENTS = {1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
_PDF_FILE, _PDF_REDACT = 17, 28


@dataclass(frozen=True)
class Finding:
    kind: str
    where: str
    detail: str

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "where": self.where, "detail": self.detail}


def audit(data: bytes, name: str = "") -> tuple[str, list[Finding]]:
    """(the file's kind, its findings); ParseError for a file that cannot be audited."""
    kind, findings, _ = examine(data, name)
    return kind, findings


def examine(data: bytes, name: str = "") -> tuple[str, list[Finding], str | None]:
    """The file's kind, its findings, and the text a reader sees in it (None for a PDF, which is read as a letter)."""
    if data[:5] == b"%PDF-":
        return "pdf", _pdf(data), None
    try:
        attachment = read(data, name)
    except ParseError as exc:
        raise ParseError(str(exc).replace("not a file foilog reads as an attachment", "not a file foilog audits")) from None
    audits = {"xlsx": _xlsx, "xls": _xls, "ods": _opendocument, "odt": _opendocument, "docx": _docx, "csv": _visible}
    return attachment.kind, audits[attachment.kind](attachment), attachment.text


def _sheets(sheets: list[Sheet]) -> list[Finding]:
    findings = []
    for sheet in sheets:
        where = f"sheet '{sheet.name}'"
        if not sheet.visible:
            kind = "very_hidden_sheet" if sheet.state == "veryHidden" else "hidden_sheet"
            findings.append(Finding(kind, where, f"state {sheet.state}, {sheet.rows:,} rows"))
            continue
        if sheet.hidden_rows:
            findings.append(Finding("hidden_rows", where, f"{len(sheet.hidden_rows):,} hidden rows"))
        if sheet.hidden_columns:
            findings.append(Finding("hidden_columns", where, f"{len(sheet.hidden_columns):,} hidden columns"))
        if sheet.notes:
            findings.append(Finding("comment", where, f"{sheet.notes:,} comments"))
    return findings


def _visible(attachment: Attachment) -> list[Finding]:
    """Personal data in what a reader sees: each visible sheet, or the document's text."""
    findings = []
    for sheet in attachment.sheets:
        if sheet.visible:
            where = f"sheet '{sheet.name}'" if attachment.kind != "csv" else "the file"
            findings += personal([" ".join(row) for row in sheet.table], where) + _birth_dates(sheet.table, where)
    if attachment.lines:
        rows = [line.split(CELL) for line in attachment.lines if CELL in line]  # a document's tables, row by row
        findings += personal(attachment.lines, "the document's text") + _birth_dates(rows, "the document's tables")
    return findings


def personal(lines: list[str], where: str) -> list[Finding]:
    found = []
    for label, _, pattern in PERSONAL:
        # A cheap first look where one exists: each pattern costs about 35 ms a MB of text.
        text = "\n".join(line for line in lines if "@" in line) if label.startswith("e-mail") else "\n".join(lines)
        hits = _edges(pattern, text)
        if hits:
            found.append(Finding("personal_data", where, f"{hits:,} {label}"))
    text = "\n".join(line for line in lines if any(word in line.lower() for word in ("dob", "d.o.b", "birth", "born")))
    named = len(_NAMED_DOB.findall(text))
    if named:
        found.append(Finding("personal_data", where, f"{named:,} dates of birth beside names"))
    return found


def _edges(pattern: re.Pattern[str], text: str) -> int:
    """Matches that start at a word's edge (not inside a longer number or word), less NI prefixes never issued."""
    count = 0
    for match in pattern.finditer(text):
        before = text[match.start() - 1] if match.start() else " "
        if pattern is _NINO and match.group()[:2] in _NOT_NINO:
            continue
        if pattern is _EMAIL:
            count += not _ROLE_MAILBOXES.match(match.group())
        elif not (before.isalnum() or before in "-_"):
            count += 1
    return count


def _birth_dates(table: list[list[str]], where: str) -> list[Finding]:
    """A column headed as dates of birth in a table that also has a column of names."""
    for h, header in enumerate(table[:5]):  # the heading row may follow a title or two
        birth = [c for c, cell in enumerate(header) if _DOB_HEADING.search(cell) and len(cell) < 40]
        names = [c for c, cell in enumerate(header) if _NAME_HEADING.search(cell) and not _DOB_HEADING.search(cell) and len(cell) < 40]
        if birth and names:
            rows = sum(1 for row in table[h + 1:] if len(row) > birth[0] and row[birth[0]] and len(row) > names[0] and row[names[0]])
            if rows:
                return [Finding("personal_data", where, f"{rows:,} dates of birth beside names "
                                f"(columns '{header[names[0]]}' and '{header[birth[0]]}')")]
    return []


def redact(text: str) -> str:
    """The text with every value that looks like personal data masked: what a held file's search text may hold."""
    for _, one, pattern in PERSONAL:
        text = pattern.sub(f"[{one} withheld]", text)  # a little wider than the audit's count: a masked digit is no loss
    return text


def _xlsx(attachment: Attachment) -> list[Finding]:
    package, names = attachment.package, set(attachment.package.namelist())
    findings = _sheets(attachment.sheets) + _visible(attachment)
    hidden_sheets = {s.name for s in attachment.sheets if not s.visible}
    for name in part_xml(package, "xl/workbook.xml").iter(f"{MAIN}definedName"):
        points = name.text or ""
        # Excel hides names of its own (a filter's range, print titles): hidden, but over cells a reader sees.
        own = (name.get("name") or "").startswith("_xlnm.")
        if (name.get("hidden") in ("1", "true") and not own) or any(f"{s}!" in points or f"'{s}'!" in points for s in hidden_sheets):
            findings.append(Finding("hidden_name", f"defined name '{name.get('name')}'", f"refers to {points[:80]}"))
    for part in sorted(n for n in names if re.fullmatch(r"xl/pivotCache/pivotCacheRecords\d+\.xml", n)):
        records = _count(package, part, f"{MAIN}r")
        number = re.sub(r"\D", "", part.rsplit("/", 1)[1])
        definition = f"xl/pivotCache/pivotCacheDefinition{number}.xml"
        fields = sum(1 for _ in part_xml(package, definition).iter(f"{MAIN}cacheField")) if definition in names else 0
        findings.append(Finding("pivot_cache", f"pivot cache {number}", f"source records kept in the file: {records:,} rows, {fields} fields"))
    for part in sorted(n for n in names if re.fullmatch(r"xl/comments\d*\.xml", n)):
        count = sum(1 for _ in part_xml(package, part).iter(f"{MAIN}comment"))
        if count:
            findings.append(Finding("comment", part, f"{count:,} comments"))
    return findings + _office_parts(package, names, "xl")


def _count(package: zipfile.ZipFile, part: str, tag: str) -> int:
    """How many elements of a kind a part holds, streamed (a pivot cache's records can be larger than any sheet)."""
    from lxml import etree

    with package.open(part) as raw:
        count = 0
        try:
            for _, element in etree.iterparse(raw, events=("end",), tag=tag, resolve_entities=False, no_network=True, huge_tree=True):
                count += 1
                element.clear()
                while element.getprevious() is not None:
                    del element.getparent()[0]
        except etree.XMLSyntaxError as exc:
            raise ParseError(f"part {part} could not be read ({exc})") from None
    return count


def _xls(attachment: Attachment) -> list[Finding]:
    """A binary workbook: sheets and names from xlrd, and the compound file's own streams from olefile."""
    import olefile

    book: Any = attachment.package
    findings = _sheets(attachment.sheets) + _visible(attachment)
    hidden_sheets = {s.name for s in attachment.sheets if not s.visible}
    for name in getattr(book, "name_obj_list", []):
        if (name.hidden and not name.builtin) or any(s in str(getattr(name, "formula_text", "") or "") for s in hidden_sheets):
            findings.append(Finding("hidden_name", f"defined name '{name.name}'", "marked hidden" if name.hidden else "refers to a hidden sheet"))
    try:
        ole = olefile.OleFileIO(attachment.data)
    except Exception:  # noqa: BLE001 - xlrd has read it, so this is unlikely; its sheets are audited whatever happens here
        return findings + [Finding("unreadable_part", "the workbook's storage", "its streams could not be listed")]
    streams = ["/".join(s) for s in ole.listdir(streams=True, storages=True)]
    pivots = [s for s in streams if s.startswith("_SX_DB_CUR/")]
    for stream in pivots:
        records, fields = _sxdb(ole.openstream(stream).read(16))
        findings.append(Finding("pivot_cache", f"pivot cache {stream.rsplit('/', 1)[1]}",
                                f"source records kept in the file: {records:,} rows, {fields} fields"))
    embedded = sorted({s.split("/")[0] for s in streams if s.startswith("MBD")})  # each embedded object is a storage "MBD..."
    if embedded:
        findings.append(Finding("embedded_object", "the workbook's storage", f"{len(embedded)} embedded: " + ", ".join(embedded[:5])))
    if any(s.startswith(("_VBA_PROJECT_CUR", "_VBA_PROJECT")) for s in streams):
        findings.append(Finding("embedded_object", "the workbook's storage", "VBA macros"))
    meta = ole.get_metadata()
    people = {label: _decoded(getattr(meta, attr, None)) for label, attr in (("author", "author"), ("last edited by", "last_saved_by"))}
    named = _named(people)
    if named:
        findings.append(Finding("metadata", "document properties", named))
    return findings


def _sxdb(head: bytes) -> tuple[int, int]:
    """Records and fields of a pivot cache stream, from its first record (SXDB, 0x00C6; MS-XLS 2.4.275)."""
    if len(head) >= 14 and int.from_bytes(head[:2], "little") == 0x00C6:
        return int.from_bytes(head[4:8], "little"), int.from_bytes(head[14:16], "little") if len(head) >= 16 else 0
    return 0, 0


def _named(people: dict[str, str]) -> str:
    """ "author 'A. Analyst', last edited by 'B. Editor'" for the people a file's properties name."""
    return ", ".join(f"{label} {who!r}" for label, who in people.items() if who.strip().lower() not in _NO_ONE)


def _decoded(value: object) -> str:
    if isinstance(value, bytes):
        value = value.decode("cp1252", errors="replace")
    return str(value or "").strip("\x00 ").strip()


def _docx(attachment: Attachment) -> list[Finding]:
    package, names = attachment.package, set(attachment.package.namelist())
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
    return findings + _visible(attachment) + _office_parts(package, names, "word")


def _opendocument(attachment: Attachment) -> list[Finding]:
    """An ODS or ODT file: the same findings from OpenDocument's parts."""
    package, names = attachment.package, set(attachment.package.namelist())
    findings = _sheets(attachment.sheets)
    content = part_xml(package, "content.xml")
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
    findings += _visible(attachment)
    embedded = sorted(n for n in names if n.startswith("Object ") or n.startswith("ObjectReplacements/"))
    if embedded:
        findings.append(Finding("embedded_object", "the package", f"{len(embedded)} embedded parts"))
    if "meta.xml" in names:
        meta = part_xml(package, "meta.xml")
        people = {label: (meta.findtext(f".//{tag}") or "").strip() for label, tag in (("author", f"{META}initial-creator"),
                                                                                       ("last edited by", f"{DC}creator"))}
        named = _named(people)
        if named:
            findings.append(Finding("metadata", "document properties", named))
    return findings


def _office_parts(package: zipfile.ZipFile, names: set[str], root: str) -> list[Finding]:
    """Embedded files, links to other workbooks and the people named in the properties of an XLSX or DOCX package."""
    findings = []
    embedded = sorted(n for n in names if n.startswith(f"{root}/embeddings/"))
    if embedded:
        findings.append(Finding("embedded_object", f"{root}/embeddings", f"{len(embedded)} embedded: " + ", ".join(n.rsplit("/", 1)[1] for n in embedded[:5])))
    links = sorted(n for n in names if n.startswith(f"{root}/externalLinks/") and n.endswith(".xml"))
    if links:
        findings.append(Finding("external_link", f"{root}/externalLinks", f"{len(links)} links to other workbooks"))
    if "docProps/core.xml" in names:
        core = part_xml(package, "docProps/core.xml")
        people = {label: (core.findtext(tag) or "").strip() for label, tag in (("author", f"{DC}creator"), ("last edited by", f"{CP}lastModifiedBy"))}
        named = _named(people)
        if named:
            findings.append(Finding("metadata", "document properties", named))
    return findings


def _pdf(data: bytes, *, hidden_only: bool = False) -> list[Finding]:
    """A PDF: comments, redactions not applied, embedded files, the people in its properties, and personal
    data in its text layer; with hidden_only, just what a reader cannot see (no text is read)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise ParseError(f"a broken PDF ({exc})") from None
    try:
        findings: list[Finding] = []
        kinds: Counter[int] = Counter()
        lines: list[str] = []
        for index in range(len(pdf)):
            page = pdf[index]
            for a in range(raw.FPDFPage_GetAnnotCount(page.raw)):
                annot = raw.FPDFPage_GetAnnot(page.raw, a)
                kinds[raw.FPDFAnnot_GetSubtype(annot)] += 1
                raw.FPDFPage_CloseAnnot(annot)
            if not hidden_only:
                textpage = page.get_textpage()
                lines += textpage.get_text_range().splitlines()
                textpage.close()
            page.close()
        comments = sum(n for kind, n in kinds.items() if kind in _PDF_COMMENTS)
        if comments and not hidden_only:
            findings.append(Finding("comment", "the document", f"{comments:,} comments and markup annotations"))
        if kinds[_PDF_REDACT]:
            findings.append(Finding("hidden_text", "the document", f"{kinds[_PDF_REDACT]:,} redactions marked but not applied: "
                                    "the text beneath them is still in the file"))
        files = pdf.count_attachments()
        if files:
            names = ", ".join(pdf.get_attachment(i).get_name() for i in range(min(files, 5)))
            findings.append(Finding("embedded_object", "the document", f"{files} embedded files: {names}"))
        if kinds[_PDF_FILE]:
            findings.append(Finding("embedded_object", "the pages", f"{kinds[_PDF_FILE]:,} files attached to pages"))
        if hidden_only:
            return findings
        author = _named({"author": pdf.get_metadata_dict(skip_empty=True).get("Author", "")})
        if author:
            findings.append(Finding("metadata", "document properties", author))
        return findings + personal(lines, "the document's text")
    finally:
        pdf.close()


def letter_findings(data: bytes) -> list[Finding]:
    """What holds a PDF letter back: files carried inside it, and redactions marked but not applied.
    A letter is published to be read, author and contact details and all, so nothing else does;
    its text is not read here (the parse that runs beside this one reads it)."""
    try:
        return _pdf(data, hidden_only=True)
    except ParseError:
        return []  # the letter parser says what is wrong with it
