"""Workbooks and Word documents with hidden content, written part by part (openpyxl cannot write a pivot cache).

Each file is a minimal but complete Office package: what `foilog audit` must find in it is
what the arguments put there, so a test can assert both the findings and the clean cases.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' \
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@dataclass
class Sheet:
    name: str
    rows: list[list[object]]
    state: str = "visible"  # visible | hidden | veryHidden
    hidden_rows: tuple[int, ...] = ()  # 1-based
    hidden_columns: tuple[int, ...] = ()  # 1-based


@dataclass
class Workbook:
    sheets: list[Sheet]
    pivot_records: list[list[object]] | None = None  # a pivot cache's stored source records (first row: field names)
    comments: int = 0  # on the first sheet
    author: str = ""
    editor: str = ""
    embedded: bool = False
    external_link: bool = False
    hidden_name: str = ""  # a defined name marked hidden, pointing at this range
    autofilter: bool = False  # the hidden name Excel itself keeps for a filter on the first sheet
    extras: dict[str, bytes] = field(default_factory=dict)


def _cell(ref: str, value: object) -> str:
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def _column(n: int) -> str:
    out = ""
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out


def xlsx(book: Workbook) -> bytes:
    parts: dict[str, str | bytes] = {}
    overrides = ['<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>']
    sheets_xml, rels = [], []
    for i, sheet in enumerate(book.sheets, start=1):
        state = f' state="{sheet.state}"' if sheet.state != "visible" else ""
        sheets_xml.append(f'<sheet name="{escape(sheet.name)}" sheetId="{i}"{state} r:id="rId{i}"/>')
        rels.append(f'<Relationship Id="rId{i}" Type="{_DOC}/worksheet" Target="worksheets/sheet{i}.xml"/>')
        cols = "".join(f'<col min="{c}" max="{c}" width="0" hidden="1"/>' for c in sheet.hidden_columns)
        rows = []
        for r, values in enumerate(sheet.rows, start=1):
            hidden = ' hidden="1"' if r in sheet.hidden_rows else ""
            rows.append(f'<row r="{r}"{hidden}>' + "".join(_cell(f"{_column(c)}{r}", v) for c, v in enumerate(values, start=1)) + "</row>")
        parts[f"xl/worksheets/sheet{i}.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_NS}>'
                                                + (f"<cols>{cols}</cols>" if cols else "") + f'<sheetData>{"".join(rows)}</sheetData></worksheet>')
        overrides.append(f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                         'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
    extra = ""
    if book.pivot_records:
        names, *records = book.pivot_records
        fields = "".join(f'<cacheField name="{escape(str(n))}" numFmtId="0"><sharedItems/></cacheField>' for n in names)
        parts["xl/pivotCache/pivotCacheDefinition1.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><pivotCacheDefinition {_NS} r:id="rId1" recordCount="{len(records)}">'
            f'<cacheSource type="worksheet"><worksheetSource ref="A1:{_column(len(names))}{len(records) + 1}" sheet="Raw"/></cacheSource>'
            f'<cacheFields count="{len(names)}">{fields}</cacheFields></pivotCacheDefinition>')
        rows = "".join("<r>" + "".join(f'<n v="{v}"/>' if isinstance(v, (int, float)) else f'<s v="{escape(str(v))}"/>' for v in rec) + "</r>"
                       for rec in records)
        parts["xl/pivotCache/pivotCacheRecords1.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?><pivotCacheRecords {_NS} '
                                                         f'count="{len(records)}">{rows}</pivotCacheRecords>')
        parts["xl/pivotCache/_rels/pivotCacheDefinition1.xml.rels"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
            f'Type="{_DOC}/pivotCacheRecords" Target="pivotCacheRecords1.xml"/></Relationships>')
        n = len(book.sheets) + 1
        rels.append(f'<Relationship Id="rId{n}" Type="{_DOC}/pivotCacheDefinition" Target="pivotCache/pivotCacheDefinition1.xml"/>')
        extra += f'<pivotCaches><pivotCache cacheId="1" r:id="rId{n}"/></pivotCaches>'
        overrides.append('<Override PartName="/xl/pivotCache/pivotCacheDefinition1.xml" '
                         'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.pivotCacheDefinition+xml"/>')
        overrides.append('<Override PartName="/xl/pivotCache/pivotCacheRecords1.xml" '
                         'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.pivotCacheRecords+xml"/>')
    names = [f'<definedName name="_hidden" hidden="1">{escape(book.hidden_name)}</definedName>'] if book.hidden_name else []
    if book.autofilter:
        names.append(f'<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">{escape(book.sheets[0].name)}!$A$1:$B$4</definedName>')
    names_xml = f"<definedNames>{''.join(names)}</definedNames>" if names else ""
    parts["xl/workbook.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?><workbook {_NS}><sheets>{"".join(sheets_xml)}</sheets>'
                                f"{names_xml}{extra}</workbook>")
    parts["xl/_rels/workbook.xml.rels"] = f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELS}">{"".join(rels)}</Relationships>'
    if book.comments:
        comments = "".join(f'<comment ref="A{i + 1}" authorId="0"><text><t>note {i}</t></text></comment>' for i in range(book.comments))
        parts["xl/comments1.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?><comments {_NS}><authors><author>x</author></authors>'
                                     f"<commentList>{comments}</commentList></comments>")
    if book.embedded:
        parts["xl/embeddings/oleObject1.bin"] = b"\xd0\xcf\x11\xe0" + bytes(60)
    if book.external_link:
        parts["xl/externalLinks/externalLink1.xml"] = f'<?xml version="1.0" encoding="UTF-8"?><externalLink {_NS}/>'
    if book.author or book.editor:
        parts["docProps/core.xml"] = (
            '<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties '
            'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:creator>{escape(book.author)}</dc:creator><cp:lastModifiedBy>{escape(book.editor)}</cp:lastModifiedBy></cp:coreProperties>")
    parts["[Content_Types].xml"] = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                                    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                                    '<Default Extension="xml" ContentType="application/xml"/>' + "".join(overrides) + "</Types>")
    parts["_rels/.rels"] = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
                            f'Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    parts.update(book.extras)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, body in parts.items():
            package.writestr(name, body)
    return out.getvalue()


def docx(paragraphs: list[str], *, inserted: str = "", deleted: str = "", hidden: str = "", comments: int = 0, author: str = "",
         table: list[list[str]] | None = None) -> bytes:
    """A Word document: paragraphs, then an optional table, then whatever hidden content the arguments ask for."""
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = "".join(f"<w:p><w:r><w:t>{escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
    if table:
        body += "<w:tbl>" + "".join("<w:tr>" + "".join(f"<w:tc><w:p><w:r><w:t>{escape(c)}</w:t></w:r></w:p></w:tc>" for c in row) + "</w:tr>"
                                    for row in table) + "</w:tbl>"
    if inserted:
        body += f'<w:p><w:ins w:id="1" w:author="x"><w:r><w:t>{escape(inserted)}</w:t></w:r></w:ins></w:p>'
    if deleted:
        body += f'<w:p><w:del w:id="2" w:author="x"><w:r><w:delText>{escape(deleted)}</w:delText></w:r></w:del></w:p>'
    if hidden:
        body += f"<w:p><w:r><w:rPr><w:vanish/></w:rPr><w:t>{escape(hidden)}</w:t></w:r></w:p>"
    wml = "application/vnd.openxmlformats-officedocument.wordprocessingml"
    overrides = [f'<Override PartName="/word/document.xml" ContentType="{wml}.document.main+xml"/>']
    rels = []
    parts = {"word/document.xml": f'<?xml version="1.0" encoding="UTF-8"?><w:document {w}><w:body>{body}</w:body></w:document>'}
    if comments:
        parts["word/comments.xml"] = (f'<?xml version="1.0"?><w:comments {w}>' + "".join(
            f'<w:comment w:id="{i}"><w:p><w:r><w:t>c{i}</w:t></w:r></w:p></w:comment>' for i in range(comments)) + "</w:comments>")
        overrides.append(f'<Override PartName="/word/comments.xml" ContentType="{wml}.comments+xml"/>')
        rels.append(f'<Relationship Id="rId1" Type="{_DOC}/comments" Target="comments.xml"/>')
    package_rels = [f'<Relationship Id="rId1" Type="{_DOC}/officeDocument" Target="word/document.xml"/>']
    if author:
        parts["docProps/core.xml"] = ('<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
                                      f'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>{escape(author)}</dc:creator>'
                                      "</cp:coreProperties>")
        overrides.append('<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>')
        package_rels.append('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
                            'Target="docProps/core.xml"/>')
    parts["word/_rels/document.xml.rels"] = f'<?xml version="1.0"?><Relationships xmlns="{_RELS}">{"".join(rels)}</Relationships>'
    parts["_rels/.rels"] = f'<?xml version="1.0"?><Relationships xmlns="{_RELS}">{"".join(package_rels)}</Relationships>'
    parts["[Content_Types].xml"] = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                                    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                                    '<Default Extension="xml" ContentType="application/xml"/>' + "".join(overrides) + "</Types>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, text in parts.items():
            package.writestr(name, text)
    return out.getvalue()


def zip_bomb(unpacked: int = 1024 * 1024 * 1024) -> bytes:
    """A workbook-shaped package with one part that inflates to `unpacked` bytes of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("xl/workbook.xml", f'<workbook {_NS}><sheets/></workbook>')
        with package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            chunk = bytes(1024 * 1024)
            for _ in range(unpacked // len(chunk)):
                part.write(chunk)
    return out.getvalue()


_ODF = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0"')


def _odf_package(kind: str, content: str, settings: str = "", creator: str = "") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(zipfile.ZipInfo("mimetype"), f"application/vnd.oasis.opendocument.{kind}")  # stored first, as ODF asks
        package.writestr("content.xml", f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODF}>{content}</office:document-content>')
        if settings:
            package.writestr("settings.xml", f'<?xml version="1.0"?><office:document-settings {_ODF}>{settings}</office:document-settings>')
        if creator:
            package.writestr("meta.xml", f'<?xml version="1.0"?><office:document-meta {_ODF}><office:meta>'
                                         f"<meta:initial-creator>{escape(creator)}</meta:initial-creator></office:meta></office:document-meta>")
    return out.getvalue()


def ods(sheets: list[Sheet], *, annotations: int = 0, creator: str = "") -> bytes:
    """An OpenDocument spreadsheet; a sheet's state "hidden" is kept in settings.xml, as LibreOffice does."""
    tables = []
    for sheet in sheets:
        rows = []
        for r, values in enumerate(sheet.rows, start=1):
            hidden = ' table:visibility="collapse"' if r in sheet.hidden_rows else ""
            cells = "".join(f"<table:table-cell><text:p>{escape(str(v))}</text:p></table:table-cell>" for v in values)
            rows.append(f"<table:table-row{hidden}>{cells}</table:table-row>")
        cols = "".join('<table:table-column table:visibility="collapse"/>' for _ in sheet.hidden_columns)
        note = "".join("<table:table-row><table:table-cell><office:annotation><text:p>n</text:p></office:annotation>"
                       "</table:table-cell></table:table-row>" for _ in range(annotations if sheet is sheets[0] else 0))
        tables.append(f'<table:table table:name="{escape(sheet.name)}">{cols}{"".join(rows)}{note}</table:table>')
    hidden = [s.name for s in sheets if s.state != "visible"]
    settings = ('<office:settings><config:config-item-set config:name="ooo:view-settings"><config:config-item-map-named config:name="Tables">'
                + "".join(f'<config:config-item-map-entry config:name="{escape(n)}"><config:config-item config:name="TableVisible" '
                          'config:type="boolean">false</config:config-item></config:config-item-map-entry>' for n in hidden)
                + "</config:config-item-map-named></config:config-item-set></office:settings>") if hidden else ""
    return _odf_package("spreadsheet", f"<office:body><office:spreadsheet>{''.join(tables)}</office:spreadsheet></office:body>",
                        settings, creator)


def odt(paragraphs: list[str], *, tracked: int = 0, hidden: str = "", creator: str = "") -> bytes:
    body = "".join(f"<text:p>{escape(p)}</text:p>" for p in paragraphs)
    if tracked:
        body = "<text:tracked-changes>" + "".join(f'<text:changed-region text:id="c{i}"><text:deletion/></text:changed-region>'
                                                  for i in range(tracked)) + "</text:tracked-changes>" + body
    if hidden:
        body += f'<text:hidden-paragraph text:is-hidden="true">{escape(hidden)}</text:hidden-paragraph>'
    return _odf_package("text", f"<office:body><office:text>{body}</office:text></office:body>", creator=creator)
