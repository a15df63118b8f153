"""The sheets of a workbook (XLSX, XLS, ODS): how each is shown, and the cells a reader sees.

Values come from python-calamine, which reads XLSX and XLS cells about five times faster than
walking the XML (benchmarks/audit.py), but it does not say which rows and columns are
hidden, so that comes from each format's own structure: an XLSX sheet's XML, streamed row by
row with lxml so a large sheet never sits in memory; xlrd's formatting records for XLS;
content.xml for ODS, whose cells are read from the same walk.

A workbook with more than MAX_CELLS cells is refused before any value is read: a reader
keeps every cell of a sheet in memory, and nothing published as an FOI answer needs a
million of them.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from parsers import ParseError
from parsers.package import MAIN, MAX_UNPACKED, REL, TABLE, TEXT, ods_hidden_tables, part_rels, part_xml

MAX_CELLS = 500_000


@dataclass
class Sheet:
    name: str
    state: str = "visible"  # visible | hidden | veryHidden
    rows: int = 0  # rows that hold something, hidden ones included
    cells: int = 0
    notes: int = 0  # comments on cells (XLS; an XLSX keeps them in parts of their own)
    hidden_rows: set[int] = field(default_factory=set)  # 0-based
    hidden_columns: set[int] = field(default_factory=set)  # 0-based
    table: list[list[str]] = field(default_factory=list)  # what a reader sees: visible rows and columns of a visible sheet

    @property
    def visible(self) -> bool:
        return self.state == "visible"


def xlsx_sheets(data: bytes, package: zipfile.ZipFile, names: set[str]) -> list[Sheet]:
    targets = part_rels(package, names, "xl/workbook.xml")
    sheets = []
    for entry in part_xml(package, "xl/workbook.xml").iter(f"{MAIN}sheet"):
        sheet = Sheet(entry.get("name", "?"), entry.get("state", "visible"))
        part = targets.get(entry.get(f"{REL}id", ""), "")
        if part in names:
            _xlsx_structure(package, part, sheet)
        sheets.append(sheet)
    _cap(sheets)
    _calamine_values(data, sheets)
    return sheets


def _xlsx_structure(package: zipfile.ZipFile, part: str, sheet: Sheet) -> None:
    """Rows, cells, and hidden rows and columns of one sheet, streamed: memory stays flat however large it is."""
    from lxml import etree

    with package.open(part) as raw:
        source = _Capped(raw, MAX_UNPACKED, part)
        number = 0
        try:
            for _, element in etree.iterparse(source, events=("end",), tag=(f"{MAIN}row", f"{MAIN}col"),
                                              resolve_entities=False, no_network=True, huge_tree=True):
                hidden = element.get("hidden") in ("1", "true")
                if element.tag == f"{MAIN}col":
                    if hidden:
                        sheet.hidden_columns.update(range(int(element.get("min", 1)) - 1, int(element.get("max", 1))))
                    continue
                number = int(element.get("r") or number + 1)
                cells = len(element)
                if cells:
                    sheet.rows += 1
                    sheet.cells += cells
                if hidden:
                    sheet.hidden_rows.add(number - 1)
                element.clear()
                while element.getprevious() is not None:  # the rows already read: without this lxml keeps them all
                    del element.getparent()[0]
                if sheet.cells > MAX_CELLS:
                    break
        except etree.XMLSyntaxError as exc:
            raise ParseError(f"sheet '{sheet.name}' could not be read ({exc})") from None


class _Capped(io.RawIOBase):
    """A part's bytes with a cap on how many may come out: the sizes a zip declares can lie."""

    def __init__(self, raw: IO[bytes], cap: int, part: str) -> None:
        self.raw, self.left, self.part = raw, cap, part

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk = self.raw.read(min(size if size >= 0 else 1 << 20, 1 << 20))
        self.left -= len(chunk)
        if self.left < 0:
            raise ParseError(f"refused: part {self.part} unpacks to more than {MAX_UNPACKED:,} bytes")
        return chunk


def _cap(sheets: list[Sheet]) -> None:
    cells = sum(s.cells for s in sheets)
    if cells > MAX_CELLS:
        big = max(sheets, key=lambda s: s.cells)
        raise ParseError(f"refused: the workbook holds more than {MAX_CELLS:,} cells (sheet '{big.name}' "
                         f"{'alone ' if big.cells > MAX_CELLS else ''}has {big.cells:,} or more); hold it for a person to check")


def _calamine_values(data: bytes, sheets: list[Sheet]) -> None:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        for sheet in sheets:
            if sheet.visible and sheet.cells and sheet.name in workbook.sheet_names:  # a chart sheet has no cells
                rows = workbook.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False)
                sheet.table = _visible(rows, sheet)
    except ParseError:
        raise
    except Exception as exc:  # noqa: BLE001 - calamine's errors are its own types and messages
        raise ParseError(f"the workbook's cells could not be read ({type(exc).__name__}: {exc})") from None


def _visible(rows: list[list[Any]], sheet: Sheet) -> list[list[str]]:
    out = []
    for r, row in enumerate(rows):
        if r in sheet.hidden_rows:
            continue
        cells = [cell_text(v) for c, v in enumerate(row) if c not in sheet.hidden_columns]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            out.append(cells)
    return out


def cell_text(value: object) -> str:
    """A cell as a reader sees it: 12.0 is 12, a date is its ISO form."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        return value.isoformat() if not isinstance(value, dt.timedelta) else str(value)
    return " ".join(str(value).split())


def xls_sheets(data: bytes) -> tuple[list[Sheet], Any]:
    """The sheets of a binary Excel file, and xlrd's book (for its names and notes)."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except Exception as exc:  # noqa: BLE001 - xlrd raises XLRDError, struct errors, and more on a broken file
        raise ParseError(f"a broken XLS workbook ({type(exc).__name__}: {exc})") from None
    sheets = []
    try:
        for index in range(book.nsheets):
            grid = book.sheet_by_index(index)
            sheet = Sheet(grid.name, {0: "visible", 1: "hidden", 2: "veryHidden"}.get(grid.visibility, "hidden"),
                          rows=grid.nrows, cells=grid.nrows * grid.ncols,
                          hidden_rows={r for r, info in grid.rowinfo_map.items() if info.hidden},
                          hidden_columns={c for c, info in grid.colinfo_map.items() if info.hidden})
            sheet.notes = len(grid.cell_note_map)
            sheets.append(sheet)
            if sum(s.cells for s in sheets) > MAX_CELLS:
                break
    except Exception as exc:  # noqa: BLE001
        raise ParseError(f"a broken XLS workbook ({type(exc).__name__}: {exc})") from None
    _cap(sheets)
    _calamine_values(data, sheets)
    return sheets, book


def ods_sheets(package: zipfile.ZipFile, names: set[str]) -> list[Sheet]:
    """An OpenDocument spreadsheet's sheets, structure and cells from one walk of content.xml."""
    content = part_xml(package, "content.xml")
    hidden_tables = ods_hidden_tables(package, names)
    sheets = []
    for table in content.iter(f"{TABLE}table"):
        sheet = Sheet(table.get(f"{TABLE}name", "?"), "hidden" if table.get(f"{TABLE}name") in hidden_tables else "visible")
        column = 0
        for col in table.iter(f"{TABLE}table-column"):
            repeat = min(int(col.get(f"{TABLE}number-columns-repeated", "1")), 16384)
            if col.get(f"{TABLE}visibility") in ("collapse", "filter"):
                sheet.hidden_columns.update(range(column, column + repeat))
            column += repeat
        position = 0
        for row, hidden, repeat in _ods_rows(table):
            if hidden:
                sheet.hidden_rows.update(range(position, position + min(repeat, MAX_CELLS)))
            position += repeat
            if not row:
                continue
            sheet.rows += repeat
            sheet.cells += len(row) * repeat
            if sheet.cells > MAX_CELLS:
                break
            cells = [v for c, v in enumerate(row) if c not in sheet.hidden_columns]
            while cells and not cells[-1]:
                cells.pop()
            if sheet.visible and not hidden and cells:
                sheet.table += [cells] * repeat
        sheets.append(sheet)
        _cap(sheets)
    return sheets


def _ods_rows(table: Any) -> Iterator[tuple[list[str], bool, int]]:
    """Each row element's cell texts (repeated cells expanded), whether it is hidden, and how many rows it stands for."""
    for row in table.iter(f"{TABLE}table-row"):
        cells: list[str] = []
        for cell in row:
            if cell.tag not in (f"{TABLE}table-cell", f"{TABLE}covered-table-cell"):
                continue
            value = " ".join(" ".join("".join(p.itertext()).split()) for p in cell.iter(f"{TEXT}p"))
            repeat = int(cell.get(f"{TABLE}number-columns-repeated", "1"))
            cells += [value] * (min(repeat, 16384) if value else 1)  # a row is padded with thousands of empty cells
        while cells and not cells[-1]:
            cells.pop()
        yield cells, row.get(f"{TABLE}visibility") in ("collapse", "filter"), int(row.get(f"{TABLE}number-rows-repeated", "1"))
