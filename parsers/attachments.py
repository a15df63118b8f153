"""What a reader sees in an attachment: each visible sheet as a table, a document's paragraphs and tables.

Hidden sheets, rows and columns, deleted text and text formatted as hidden are left out, so
what the search index holds is what a reader of the file can see (parsers/audit.py reports
the rest). As text, a workbook is each visible sheet's "Sheet: <name>" line, then its rows,
cells joined by " | ", the header row first as in the file; a document is its paragraphs,
and its tables row by row the same way. `preview` reads that text back into tables.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from parsers import ParseError
from parsers.package import MAX_PART, OFFICE, TABLE, TEXT, open_package, opendocument_kind, part_xml
from parsers.workbook import MAX_CELLS, Sheet, ods_sheets, xls_sheets, xlsx_sheets

MAX_TEXT = 5_000_000  # characters of an attachment's text kept for the search index and the page
SHEET = "Sheet: "
CELL = " | "
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound file that holds an XLS workbook (and old Word files)


@dataclass
class Attachment:
    kind: str  # xlsx | xls | ods | csv | docx | odt
    sheets: list[Sheet] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # a document's paragraphs and table rows, as a reader sees them
    package: Any = None  # the open zip package (or XLS book) the audit goes on to look inside
    data: bytes = b""

    @property
    def text(self) -> str:
        """What a reader sees, up to MAX_TEXT characters (the audit reads every cell; the index needs no more)."""
        if self.kind in ("xlsx", "xls", "ods", "csv"):
            lines = [line for sheet in self.sheets if sheet.visible
                     for line in (f"{SHEET}{sheet.name}", *(CELL.join(row) for row in sheet.table))]
        else:
            lines = self.lines
        out, size = [], 0
        for n, line in enumerate(lines):
            size += len(line) + 1
            if size > MAX_TEXT:
                out.append(f"[{len(lines) - n:,} more lines of this file are not in the search index]")
                break
            out.append(line)
        return "\n".join(out)


def read(data: bytes, name: str = "") -> Attachment:
    """The attachment's kind and what a reader sees in it; ParseError for a file that is none of the kinds, or broken."""
    if data[:4] == b"PK\x03\x04":
        package = open_package(data)
        names = set(package.namelist())
        if "xl/workbook.xml" in names:
            return Attachment("xlsx", xlsx_sheets(data, package, names), package=package)
        if "word/document.xml" in names:
            return Attachment("docx", lines=_docx(data, package), package=package)
        kind = opendocument_kind(package, names)
        if kind == "ods":
            return Attachment("ods", ods_sheets(package, names), package=package)
        if kind == "odt":
            return Attachment("odt", lines=_odt(package), package=package)
        raise ParseError("a zip package that is neither a workbook nor a text document: not read")
    if data[:8] == OLE:
        sheets, book = xls_sheets(data)
        return Attachment("xls", sheets, package=book, data=data)
    if name.lower().endswith((".csv", ".txt")) or looks_like_text(data):
        return Attachment("csv", [_csv(data)])
    raise ParseError("not a file foilog reads as an attachment (XLSX, XLS, ODS, CSV, DOCX or ODT)")


def preview(text: str | None, rows: int = 6) -> list[dict[str, Any]]:
    """The first rows of each table in an attachment's text: [{"name": sheet name or None, "rows": [[cell, ...]]}]."""
    tables: list[dict[str, Any]] = []
    for line in (text or "").splitlines():
        if line.startswith(SHEET):
            tables.append({"name": line[len(SHEET):], "rows": [], "more": 0})
            continue
        if not tables:
            tables.append({"name": None, "rows": [], "more": 0})
        table = tables[-1]
        if len(table["rows"]) < rows:
            table["rows"].append(line.split(CELL))
        else:
            table["more"] += 1
    return tables


def _csv(data: bytes) -> Sheet:
    text = data[:MAX_PART].decode("utf-8-sig", errors="replace")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    sheet = Sheet("the file")
    for row in csv.reader(io.StringIO(text), dialect):
        cells = [" ".join(c.split()) for c in row]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            sheet.rows += 1
            sheet.cells += len(cells)
            sheet.table.append(cells)
        if sheet.cells > MAX_CELLS:
            raise ParseError(f"refused: the file holds more than {MAX_CELLS:,} cells; hold it for a person to check")
    return sheet


def _docx(data: bytes, package: Any) -> list[str]:
    """Paragraphs and tables in the order they are printed, with python-docx; hidden runs and deleted text left out."""
    import docx
    from docx.table import Table
    from docx.text.run import Run

    for info in package.infolist():
        if info.file_size > MAX_PART:  # python-docx reads every part whole
            raise ParseError(f"not read: part {info.filename} holds {info.file_size:,} bytes, over the {MAX_PART:,} a part may have")
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - python-docx raises KeyError, PackageNotFoundError, lxml errors
        raise ParseError(f"a broken Word document ({type(exc).__name__}: {exc})") from None

    def paragraph(p: Any) -> str:
        # Runs inserted as tracked changes print too; deleted text is w:delText, which a run's text leaves out.
        runs = p.xpath("./w:r | ./w:ins/w:r | ./w:hyperlink/w:r | ./w:smartTag/w:r")
        return "".join(r.text for r in runs if not Run(r, None).font.hidden)  # type: ignore[arg-type]

    lines = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells, seen = [], set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # a merged cell comes once for each column it spans
                        continue
                    seen.add(id(cell._tc))
                    cells.append(" ".join(" ".join(paragraph(p._p) for p in cell.paragraphs).split()))
                if any(cells):
                    lines.append(CELL.join(cells))
        else:
            text = paragraph(block._p)
            if text.strip():
                lines.append(text)
    return lines


def _odt(package: Any) -> list[str]:
    content = part_xml(package, "content.xml")
    # Deleted text, hidden paragraphs and comments hold paragraphs of their own: none is visible.
    unseen = {id(p) for tag in (f"{TEXT}tracked-changes", f"{TEXT}hidden-paragraph", f"{OFFICE}annotation")
              for holder in content.iter(tag) for p in holder.iter(f"{TEXT}p")}
    lines = []
    for element in content.iter():
        if element.tag == f"{TABLE}table-row":
            cells = [" ".join(" ".join(p.itertext()) for p in c.iter(f"{TEXT}p")) for c in element.iter(f"{TABLE}table-cell")]
            if any(c.strip() for c in cells):
                lines.append(CELL.join(" ".join(c.split()) for c in cells))
            unseen |= {id(p) for p in element.iter(f"{TEXT}p")}
        elif element.tag == f"{TEXT}p" and id(element) not in unseen and element.get(f"{TEXT}display") != "none":
            text = "".join(element.itertext())
            if text.strip():
                lines.append(text)
    return lines


def looks_like_text(data: bytes) -> bool:
    sample = data[:4096]
    return bool(sample) and b"\x00" not in sample and sum(32 <= b < 127 or b in b"\r\n\t" for b in sample) > 0.95 * len(sample)
