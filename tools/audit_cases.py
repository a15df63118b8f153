"""A labelled set of attachments for the audit: each kind of hidden content, clean files, and decoys.

    python -m tools.audit_cases

Prints, for each finding kind, how many files should carry it, how many the audit found it
in wrongly (false positives) and how many it missed (false negatives). The decoys look
suspicious but hold nothing a reader cannot see: counts by month, dates without names,
names with dates that are not births, years of birth, "born" in a sentence.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from tools.workbooks import Sheet, Workbook, docx, ods, odt, xlsx

MONTHS = [["Month", "Crimes"], *[[m, n] for m, n in zip(["January", "February", "March"], [120, 98, 143])]]
RAW = [["Ref", "Victim", "Date of birth", "Email"], *[[f"CR{i}", f"Person {i}", "1980-01-01", f"p{i}@example.org"] for i in range(200)]]


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    expected: frozenset[str]  # the finding kinds the audit must report, and no others


def xls(sheets: list[Sheet]) -> bytes:
    """A binary Excel workbook (BIFF8), written by xlwt."""
    import xlwt

    book = xlwt.Workbook()
    for sheet in sheets:
        grid = book.add_sheet(sheet.name)
        for r, values in enumerate(sheet.rows):
            for c, value in enumerate(values):
                grid.write(r, c, value)
        for r in sheet.hidden_rows:
            grid.row(r - 1).hidden = True
        for c in sheet.hidden_columns:
            grid.col(c - 1).hidden = True
        grid.visibility = {"visible": 0, "hidden": 1, "veryHidden": 2}[sheet.state]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf(line: str, author: str = "", note: str = "", attach: bool = False, redact: bool = False, page_file: bool = False) -> bytes:
    """A one-page PDF: a line of text (or lines), optionally an author, a comment, a file embedded in the document
    or attached to the page, and a redaction marked over the line but not applied."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw
    from reportlab.pdfbase import pdfdoc
    from reportlab.pdfgen import canvas

    class Redaction(pdfdoc.Annotation):  # reportlab has no redaction annotation, and PDFium cannot create one
        defaults = [("Subtype", pdfdoc.PDFName("Redact"))]
        required = permitted = ("Rect", "Contents", "Subtype")

        def __init__(self, rect: tuple[int, int, int, int]) -> None:
            self.Rect, self.Contents = rect, ""

        def Dict(self) -> object:  # noqa: N802 - reportlab's name
            return self.AnnotationDict(Rect=self.Rect, Contents=self.Contents)

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.setAuthor(author)
    for n, text in enumerate(line.splitlines()):
        page.drawString(72, 720 - 16 * n, text)
    if note:
        page.textAnnotation(note, Rect=(72, 600, 200, 650))
    if redact:
        page._addAnnotation(Redaction((70, 715, 300, 735)))
    page.save()
    if not (attach or page_file):
        return out.getvalue()
    document = pdfium.PdfDocument(out.getvalue())
    if attach:
        document.new_attachment("raw.xlsx").set_data(b"rows")
    if page_file:
        first = document[0]  # held while its annotation is made: PDFium frees a page its handle has let go
        raw.FPDFPage_CloseAnnot(raw.FPDFPage_CreateAnnot(first.raw, raw.FPDF_ANNOT_FILEATTACHMENT))
        first.close()
    saved = io.BytesIO()
    document.save(saved)
    return saved.getvalue()


def cases() -> Iterator[Case]:
    def case(name: str, data: bytes, *kinds: str) -> Case:
        return Case(name, data, frozenset(kinds))

    summary = Sheet("Summary", MONTHS)
    # Hidden content, one kind a file.
    yield case("hidden-sheet.xlsx", xlsx(Workbook([summary, Sheet("Raw data", RAW, state="hidden")])), "hidden_sheet")
    yield case("very-hidden-sheet.xlsx", xlsx(Workbook([summary, Sheet("Raw", RAW[:11], state="veryHidden")])), "very_hidden_sheet")
    yield case("hidden-rows.xlsx", xlsx(Workbook([Sheet("Summary", MONTHS + [["x", 1]] * 4, hidden_rows=(5, 6))])), "hidden_rows")
    yield case("hidden-columns.xlsx", xlsx(Workbook([Sheet("Summary", MONTHS, hidden_columns=(2,))])), "hidden_columns")
    yield case("pivot-cache.xlsx", xlsx(Workbook([summary], pivot_records=RAW)), "pivot_cache")
    yield case("comments.xlsx", xlsx(Workbook([summary], comments=3)), "comment")
    yield case("authors.xlsx", xlsx(Workbook([summary], author="A. Analyst", editor="B. Editor")), "metadata")
    yield case("embedded.xlsx", xlsx(Workbook([summary], embedded=True)), "embedded_object")
    yield case("external-link.xlsx", xlsx(Workbook([summary], external_link=True)), "external_link")
    yield case("hidden-name.xlsx", xlsx(Workbook([summary], hidden_name="Raw!$A$1:$D$201")), "hidden_name")
    yield case("the-2023-shape.xlsx", xlsx(Workbook([summary, Sheet("Raw data", RAW, state="hidden")], pivot_records=RAW, author="A")),
               "hidden_sheet", "pivot_cache", "metadata")
    yield case("hidden-sheet.xls", xls([summary, Sheet("Raw data", RAW, state="hidden")]), "hidden_sheet")
    yield case("very-hidden-sheet.xls", xls([summary, Sheet("Raw", RAW[:11], state="veryHidden")]), "very_hidden_sheet")
    yield case("hidden-rows.xls", xls([Sheet("Summary", MONTHS + [["x", 1]] * 4, hidden_rows=(5, 6))]), "hidden_rows")
    yield case("hidden-columns.xls", xls([Sheet("Summary", MONTHS, hidden_columns=(2,))]), "hidden_columns")
    yield case("hidden-sheet.ods", ods([summary, Sheet("Raw", RAW[:21], state="hidden")]), "hidden_sheet")
    yield case("hidden-rows-columns.ods", ods([Sheet("Summary", MONTHS, hidden_rows=(2,), hidden_columns=(1,))]), "hidden_rows", "hidden_columns")
    yield case("annotations.ods", ods([summary], annotations=2), "comment")
    yield case("tracked-changes.docx", docx(["Figures below."], inserted="added", deleted="a name"), "tracked_change")
    yield case("hidden-text.docx", docx(["Figures below."], hidden="a note"), "hidden_text")
    yield case("comments.docx", docx(["Figures below."], comments=2), "comment")
    yield case("author.docx", docx(["Figures below."], author="C. Clerk"), "metadata")
    yield case("tracked-changes.odt", odt(["Figures."], tracked=2), "tracked_change")
    yield case("hidden-text.odt", odt(["Figures."], hidden="a name"), "hidden_text")
    yield case("author.odt", odt(["Figures."], creator="D. Officer"), "metadata")
    yield case("comment.pdf", pdf("There were 12 incidents.", note="check this"), "comment")
    yield case("embedded.pdf", pdf("There were 12 incidents.", attach=True), "embedded_object")
    yield case("author.pdf", pdf("There were 12 incidents.", author="E. Writer"), "metadata")
    yield case("redaction-not-applied.pdf", pdf("The victim was named here.", redact=True), "hidden_text")
    yield case("file-on-a-page.pdf", pdf("There were 12 incidents.", page_file=True), "embedded_object")
    # Personal data a reader can see.
    contacts = [["Name", "Contact"], ["A", "someone@example.org"], ["B", "07700 900123"], ["C", "AB 12 34 56 C"]]
    yield case("contacts.xlsx", xlsx(Workbook([Sheet("Contacts", contacts)])), "personal_data")
    yield case("emails.csv", b"name,email\nA,someone@example.org\n", "personal_data")
    people = [["Full name", "Date of birth", "Offence"], ["Ann Example", "1980-02-01", "Theft"]]
    yield case("dates-of-birth.xlsx", xlsx(Workbook([Sheet("Log", people)])), "personal_data")
    yield case("dates-of-birth.ods", ods([Sheet("Log", people)]), "personal_data")
    yield case("dates-of-birth-in-a-table.docx", docx(["The people involved:"], table=people), "personal_data")
    yield case("dob-in-text.docx", docx(["We spoke to Carol Instance, DOB 12/03/1985, at the scene."]), "personal_data")
    yield case("email-in-text.pdf", pdf("Write to someone@example.org."), "personal_data")
    # Clean files and decoys.
    yield case("counts-by-month.xlsx", xlsx(Workbook([summary])))
    yield case("counts-with-a-filter.xlsx", xlsx(Workbook([summary], autofilter=True)))  # Excel's own hidden name
    yield case("counts-by-month.xls", xls([summary]))
    yield case("counts-by-month.ods", ods([summary]))
    yield case("counts-by-month.csv", b"month,crimes\nJanuary,120\nFebruary,98\n")
    yield case("dates-without-names.xlsx", xlsx(Workbook([Sheet("Log", [["Date reported", "Offence"], ["2021-04-01", "Theft"]])])))
    yield case("names-with-joining-dates.xlsx", xlsx(Workbook([Sheet("Officers", [["Rank", "Name", "Date joined"], ["PC", "Dan Person", "2004-09-01"]])])))
    yield case("years-of-birth.xlsx", xlsx(Workbook([Sheet("Ages", [["Year of birth", "Arrests"], [1990, 12], [1991, 9]])])))
    yield case("born-in-a-sentence.docx", docx(["The force was born of a merger on 1 April 1974."]))
    yield case("figures.docx", docx(["There were 12 incidents."], table=[["Year", "Stops"], ["2022", "310"]]))
    yield case("figures.odt", odt(["There were 12 incidents."]))
    yield case("the-foi-unit-mailbox.docx", docx(["Write to freedomofinformation@example.police.uk or foi@example.police.uk."]))
    yield case("reference-numbers.csv", b"reference,year,count\n000123/21,2021,12\n004567/22,2022,7\n")
    yield case("letter.pdf", pdf("There were 12 incidents."))  # reportlab's author "anonymous" names no one


def score() -> dict[str, dict[str, int]]:
    """Per finding kind: files that should carry it, false positives and false negatives."""
    from parsers.audit import audit

    counts: dict[str, Counter[str]] = {}
    for case in cases():
        found = {f.kind for f in audit(case.data, case.name)[1]}
        for kind in found | case.expected:
            tally = counts.setdefault(kind, Counter())
            tally["expected"] += kind in case.expected
            tally["false_positives"] += kind in found - case.expected
            tally["false_negatives"] += kind in case.expected - found
    return {kind: dict(tally) for kind, tally in sorted(counts.items())}


def main() -> None:
    files = list(cases())
    result = score()
    print(json.dumps({"files": len(files), "clean_or_decoy": sum(1 for c in files if not c.expected),
                      "false_positives": sum(t.get("false_positives", 0) for t in result.values()),
                      "false_negatives": sum(t.get("false_negatives", 0) for t in result.values()), "by_kind": result}, indent=1))


if __name__ == "__main__":
    main()
