"""The text a reader sees in an attachment: visible sheets as tables, Word and OpenDocument text.

Hidden sheets, rows and columns, deleted text and text formatted as hidden are left out, so
what the search index holds is what a reader of the file can see (parsers/audit.py reports
the rest). Each sheet is a table: its first row is the header, then one line per row with
cells joined by " | ". Cells are capped per file, so a huge sheet cannot bloat the index.
"""

from __future__ import annotations

import re
import zipfile

from parsers.audit import MAIN, OFFICE, REL, TABLE, TEXT, W, ods_hidden_tables, open_package, part_rels, part_xml

MAX_CELLS = 200_000


def visible_text(data: bytes) -> str | None:
    """The visible text of an XLSX, DOCX, ODS, ODT or CSV file; None for anything else or what cannot be read."""
    try:
        if data[:4] == b"PK\x03\x04":
            package = open_package(data)
            names = set(package.namelist())
            if "xl/workbook.xml" in names:
                return _xlsx(package, names)
            if "word/document.xml" in names:
                return _docx(package)
            if "content.xml" in names:
                return _opendocument(package, names)
            return None
        text = data[:8 * 1024 * 1024].decode("utf-8-sig", errors="replace")
        return "\n".join(" | ".join(c.strip() for c in line.split(",")) for line in text.splitlines()[:MAX_CELLS // 4] if line.strip())
    except Exception:  # noqa: BLE001 - unreadable text is no text; the audit has already said what the file is
        return None


def _xlsx(package: zipfile.ZipFile, names: set[str]) -> str:
    shared: list[str] = []
    if "xl/sharedStrings.xml" in names:
        shared = ["".join(t.text or "" for t in si.iter(f"{MAIN}t")) for si in part_xml(package, "xl/sharedStrings.xml").iter(f"{MAIN}si")]
    targets = part_rels(package, names, "xl/workbook.xml")
    out, cells = [], 0
    for sheet in part_xml(package, "xl/workbook.xml").iter(f"{MAIN}sheet"):
        part = targets.get(sheet.get(f"{REL}id", ""), "")
        if sheet.get("state", "visible") != "visible" or part not in names:
            continue
        root = part_xml(package, part)
        hidden_cols = {c for col in root.iter(f"{MAIN}col") if col.get("hidden") in ("1", "true")
                       for c in range(int(col.get("min", 0)), int(col.get("max", 0)) + 1)}
        out.append(f"Sheet: {sheet.get('name', '')}")
        for row in root.iter(f"{MAIN}row"):
            if row.get("hidden") in ("1", "true"):
                continue
            values = []
            for cell in row.iter(f"{MAIN}c"):
                if _column_number(cell.get("r", "")) in hidden_cols:
                    continue
                kind, value = cell.get("t"), cell.findtext(f"{MAIN}v")
                if kind == "s" and value and value.isdigit() and int(value) < len(shared):
                    values.append(shared[int(value)])
                elif kind == "inlineStr":
                    values.append("".join(t.text or "" for t in cell.iter(f"{MAIN}t")))
                elif value is not None:
                    values.append(value)
                cells += 1
            if any(v.strip() for v in values):
                out.append(" | ".join(values))
            if cells > MAX_CELLS:
                return "\n".join(out)
    return "\n".join(out)


def _column_number(ref: str) -> int:
    letters = re.match(r"[A-Z]+", ref)
    n = 0
    for ch in letters.group(0) if letters else "":
        n = n * 26 + ord(ch) - 64
    return n


def _docx(package: zipfile.ZipFile) -> str:
    out = []
    for paragraph in part_xml(package, "word/document.xml").iter(f"{W}p"):
        words = []
        for run in paragraph.iter(f"{W}r"):
            props = run.find(f"{W}rPr")
            if props is not None and props.find(f"{W}vanish") is not None:
                continue
            words += [t.text or "" for t in run.iter(f"{W}t")]  # deleted text is w:delText, not w:t
        if "".join(words).strip():
            out.append("".join(words))
    return "\n".join(out)


def _opendocument(package: zipfile.ZipFile, names: set[str]) -> str:
    content = part_xml(package, "content.xml")
    hidden = ods_hidden_tables(package, names)
    out = []
    tables = list(content.iter(f"{TABLE}table"))
    for table in tables:
        if table.get(f"{TABLE}name") in hidden:
            continue
        out.append(f"Sheet: {table.get(f'{TABLE}name', '')}")
        for row in table.iter(f"{TABLE}table-row"):
            if row.get(f"{TABLE}visibility") in ("collapse", "filter"):
                continue
            values = [" ".join(p.text or "" for p in cell.iter(f"{TEXT}p")) for cell in row.iter(f"{TABLE}table-cell")]
            if any(v.strip() for v in values):
                out.append(" | ".join(values))
    if not tables:
        # Deleted text, hidden paragraphs and comments hold paragraphs of their own: none is visible.
        unseen = {id(p) for tag in (f"{TEXT}tracked-changes", f"{TEXT}hidden-paragraph", f"{OFFICE}annotation")
                  for holder in content.iter(tag) for p in holder.iter(f"{TEXT}p")}
        for p in content.iter(f"{TEXT}p"):
            if id(p) not in unseen and p.get(f"{TEXT}display") != "none":
                out.append("".join(p.itertext()))
    return "\n".join(line for line in out if line.strip())
