"""`foilog audit`: what a reader of an attachment cannot see, on files this project writes part by part."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from parsers import ParseError
from parsers.audit import audit
from tests.conftest import foilog
from tools.audit_cases import Case, cases, pdf, xls
from tools.workbooks import Sheet, Workbook, docx, xlsx, zip_bomb

MONTHS = [["Month", "Crimes"], *[[m, n] for m, n in zip(["January", "February", "March"], [120, 98, 143])]]
RAW = [["Ref", "Victim", "Date of birth", "Email"], *[[f"CR{i}", f"Person {i}", "1980-01-01", f"p{i}@example.org"] for i in range(1230)]]


def kinds(data: bytes, name: str = "x.xlsx") -> dict[str, str]:
    return {f.kind: f.detail for f in audit(data, name)[1]}


@pytest.mark.parametrize(("book", "kind", "detail"), [
    (Workbook([Sheet("Summary", MONTHS), Sheet("Raw data", RAW, state="hidden")]), "hidden_sheet", "state hidden, 1,231 rows"),
    (Workbook([Sheet("Summary", MONTHS), Sheet("Raw", RAW[:11], state="veryHidden")]), "very_hidden_sheet", "state veryHidden, 11 rows"),
    (Workbook([Sheet("Summary", MONTHS + [["x", 1]] * 4, hidden_rows=(5, 6))]), "hidden_rows", "2 hidden rows"),
    (Workbook([Sheet("Summary", MONTHS, hidden_columns=(2,))]), "hidden_columns", "1 hidden columns"),
    (Workbook([Sheet("Summary", MONTHS)], pivot_records=RAW), "pivot_cache", "source records kept in the file: 1,230 rows, 4 fields"),
    (Workbook([Sheet("Summary", MONTHS)], comments=3), "comment", "3 comments"),
    (Workbook([Sheet("Summary", MONTHS)], author="A. Analyst", editor="B. Editor"), "metadata", "author 'A. Analyst', last edited by 'B. Editor'"),
    (Workbook([Sheet("Summary", MONTHS)], embedded=True), "embedded_object", "1 embedded: oleObject1.bin"),
    (Workbook([Sheet("Summary", MONTHS)], external_link=True), "external_link", "1 links to other workbooks"),
    (Workbook([Sheet("Summary", MONTHS)], hidden_name="Raw!$A$1:$D$1231"), "hidden_name", "refers to Raw!$A$1:$D$1231"),
])
def test_each_kind_of_hidden_content_is_found_with_how_much_it_holds(book: Workbook, kind: str, detail: str) -> None:
    found = kinds(xlsx(book))
    assert found.get(kind) == detail, found


@pytest.mark.parametrize("case", list(cases()), ids=lambda c: c.name)
def test_the_labelled_set_each_file_gets_exactly_its_findings(case: Case) -> None:
    """Each kind of hidden content, personal data, clean files and decoys (tools/audit_cases.py): no false positive or negative."""
    assert {f.kind for f in audit(case.data, case.name)[1]} == case.expected


def test_visible_personal_data_is_found() -> None:
    contacts = [["Name", "Contact"], ["A", "someone@example.org"], ["B", "07700 900123"], ["C", "AB 12 34 56 C"]]
    found = [f.detail for f in audit(xlsx(Workbook([Sheet("Contacts", contacts)])), "x.xlsx")[1] if f.kind == "personal_data"]
    assert found == ["1 e-mail addresses", "1 phone numbers", "1 National Insurance numbers"]
    assert kinds(b"name,email\nA,someone@example.org\n", "x.csv") == {"personal_data": "1 e-mail addresses"}
    assert kinds(b"month,crimes\nJanuary,120\nFebruary,98\n", "x.csv") == {}


def test_word_files_tracked_changes_comments_hidden_text_and_authors() -> None:
    assert audit(docx(["There were 12 incidents."]), "x.docx") == ("docx", [])
    found = kinds(docx(["Figures below."], inserted="added", deleted="removed name", hidden="hidden note", comments=2, author="C. Clerk"), "x.docx")
    assert found == {"tracked_change": "1 insertions and 1 deletions not accepted", "hidden_text": "1 runs of text formatted as hidden",
                     "comment": "2 comments", "metadata": "author 'C. Clerk'"}


def test_a_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    with pytest.raises(ParseError, match="would unpack to"):
        audit(zip_bomb(), "bomb.xlsx")


def test_foilog_audit_prints_one_line_per_file_and_goes_on_past_bad_ones(tmp_path: Path) -> None:
    clean, hidden, broken = tmp_path / "clean.xlsx", tmp_path / "hidden.xlsx", tmp_path / "broken.xlsx"
    clean.write_bytes(xlsx(Workbook([Sheet("Summary", MONTHS)])))
    hidden.write_bytes(xlsx(Workbook([Sheet("Summary", MONTHS), Sheet("Raw data", RAW, state="hidden")], pivot_records=RAW)))
    broken.write_bytes(b"PK\x03\x04" + bytes(100))
    done = foilog("audit", str(clean), str(hidden), str(broken), str(tmp_path / "missing.xlsx"))
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert [r.get("verdict") for r in records] == ["clean", "flagged", None, None]
    assert {f["kind"] for f in records[1]["findings"]} == {"hidden_sheet", "pivot_cache"}  # the e-mails are in hidden parts only
    assert records[1]["findings"][0] == {"kind": "hidden_sheet", "where": "sheet 'Raw data'", "detail": "state hidden, 1,231 rows"}
    assert "error" in records[2] and "error" in records[3] and len(done.stderr.strip().splitlines()) == 2
    assert foilog("audit", str(broken)).returncode == 2


def test_opendocument_files_are_audited_alike() -> None:
    from tools.workbooks import ods, odt

    assert audit(ods([Sheet("Summary", MONTHS)]), "x.ods") == ("ods", [])
    found = kinds(ods([Sheet("Summary", MONTHS, hidden_rows=(2,), hidden_columns=(1,)), Sheet("Raw", RAW[:21], state="hidden")],
                      annotations=2, creator="D. Officer"), "x.ods")
    assert found == {"hidden_rows": "1 hidden rows", "hidden_columns": "1 hidden columns", "hidden_sheet": "state hidden, 21 rows",
                     "comment": "2 comments", "metadata": "author 'D. Officer'"}
    assert audit(odt(["There were 12 incidents."]), "x.odt") == ("odt", [])
    assert kinds(odt(["Figures."], tracked=2, hidden="a name"), "x.odt") == {
        "tracked_change": "2 tracked changes not accepted", "hidden_text": "1 runs of text formatted as hidden"}


def crawl_workbooks(tmp_path: Path) -> tuple[Path, object]:
    """A run over a mock whose platform responses attach spreadsheets, two of them with hidden sheets and pivot caches."""
    from tests.conftest import write_sources
    from tests.mock_site import mock_site

    with mock_site(tmp_path / "site", drupal=2, platform=10, workbooks=True) as site:
        db = tmp_path / "foilog.db"
        done = foilog("run", "--sources", str(write_sources(tmp_path / "sources.yml", site.origin)), "--db", str(db))
        assert done.returncode == 0, done.stderr
    return db, site


def test_a_flagged_attachment_is_held_not_linked_and_released_by_a_person(tmp_path: Path) -> None:
    import asyncio

    from pipelines.web.serve import make_datasette
    from tests.conftest import rows

    db, site = crawl_workbooks(tmp_path)
    urls = [site.url(path) for path in site.manifest.held]  # type: ignore[attr-defined]
    held = rows(db, "select d.id, d.sha256, d.disclosure_id, u.url from documents d join document_urls u on u.document_id = d.id "
                    "where d.status = 'held' order by u.url")
    assert sorted(h["url"] for h in held) == sorted(urls) and len(held) == 2  # the clean workbooks and CSVs are served
    first = held[0]

    status = foilog("status", "--db", str(db))
    assert status.returncode == 1 and f"HELD {first['sha256']}" in status.stdout and "hidden_sheet in sheet 'Raw data'" in status.stdout

    served = make_datasette(db)
    page = asyncio.run(served.client.get(f"/foilog/disclosures/{first['disclosure_id']}")).text
    assert "Held for review" in page and "hidden sheet in sheet &#39;Raw data&#39;: state hidden, 41 rows" in page
    assert "pivot cache in pivot cache 1: source records kept in the file: 40 rows, 4 fields" in page
    assert first["url"] not in page and "Sheet <strong>" not in page  # neither a link nor its rows
    table = asyncio.run(served.client.get(f"/foilog/documents/{first['id']}")).text
    assert f'href="{first["url"]}"' not in table

    done = foilog("release", first["sha256"], "--reason", "the hidden sheet holds only totals", "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert rows(db, "select status from documents where id = ?", (first["id"],))[0]["status"] == "parsed"
    decision = rows(db, "select reason, released_by from releases where sha256 = ?", (first["sha256"],))[0]
    assert decision["reason"] == "the hidden sheet holds only totals" and decision["released_by"]
    page = asyncio.run(make_datasette(db).client.get(f"/foilog/disclosures/{first['disclosure_id']}")).text
    assert f'href="{first["url"]}"' in page and "Held for review" not in page
    assert foilog("status", "--db", str(db)).returncode == 1  # the other is still held
    assert foilog("release", held[1]["url"], "--reason", "checked", "--db", str(db)).returncode == 0
    assert foilog("status", "--db", str(db)).returncode == 0
    assert foilog("release", first["sha256"], "--reason", "again", "--db", str(db)).returncode == 2  # nothing held any more


def test_search_finds_a_word_in_a_visible_cell_and_never_one_only_in_a_hidden_part(tmp_path: Path) -> None:
    import asyncio

    from pipelines.web.serve import make_datasette
    from tests.conftest import rows

    db, site = crawl_workbooks(tmp_path)
    visible, hidden = site.manifest.planted["visible"], site.manifest.planted["hidden"]  # type: ignore[attr-defined]
    served = make_datasette(db)

    def found(word: str) -> int:
        return int(asyncio.run(served.client.get(f"/foilog/disclosures.json?_search={word}&_size=0")).json()["filtered_table_rows_count"])

    workbooks = rows(db, "select count(*) as n from documents where url like '%.xlsx'")[0]["n"]
    assert workbooks == 4 and found(visible) == 4 and found(hidden) == 0
    assert rows(db, f"select count(*) as n from parses where text like '%{hidden}%'")[0]["n"] == 0

    ranked = asyncio.run(served.client.get(f"/foilog/search.json?q={visible}&_shape=objects")).json()["rows"]
    assert len(ranked) == 4 and {r["found_in"] for r in ranked} == {"an attachment"}
    letter_word = rows(db, "select title from disclosures where id = ?", (ranked[0]["id"],))[0]["title"].split()[-1]
    assert {r["found_in"] for r in asyncio.run(served.client.get(f"/foilog/search.json?q={letter_word}&_shape=objects")).json()["rows"]} \
        == {"the letter"}

    clean = rows(db, "select disclosure_id from documents where url like '%.xlsx' and status = 'parsed'")[0]["disclosure_id"]
    page = asyncio.run(served.client.get(f"/foilog/disclosures/{clean}")).text
    assert "Sheet <strong>Offences</strong>: the first 6 of 10 rows" in page and "XLSX, " in page
    assert "<th>District</th><th>Month</th><th>Offences</th>" in page and f"<td>{visible}</td>" in page
    assert re.search(r'<a class="document-link" href="[^"]+-figures\.xlsx"', page)
    assert "The audit noted: metadata in document properties: author &#39;Analyst&#39;." in page  # noted, not held


def test_a_word_in_the_letter_ranks_above_the_same_word_in_an_attachment(tmp_path: Path) -> None:
    from pipelines.db import open_db

    db = open_db(tmp_path / "x.db")
    db.execute("insert into disclosures_fts (rowid, title, questions, answers, attachments) values "
               "(1, 'Fleet', 'How many vehicles?', 'See the attached table.', 'Drones | 12\nDrones | 3\nDrones repaired | 2'), "
               "(2, 'Aviation', 'How many aircraft do you have?', 'There are 12 drones and 2 helicopters in service.', '')")
    sql = yaml.safe_load((Path(__file__).parents[1] / "pipelines/web/metadata.yml").read_text())["databases"]["foilog"]["queries"]["search"]["sql"]
    for rowid in (1, 2):
        db.table("disclosures").insert({"id": rowid, "key": str(rowid)})
    ranked = [(r[0], r[6]) for r in db.execute(sql, {"q": "drones"}).fetchall()]
    assert ranked == [(2, "the letter"), (1, "an attachment")]


def test_binary_excel_files_are_audited_and_read_like_xlsx() -> None:
    from parsers.attachments import read

    assert audit(xls([Sheet("Summary", MONTHS)]), "x.xls") == ("xls", [])
    book = xls([Sheet("Summary", [*MONTHS, ["Hidden row", 1]], hidden_rows=(5,), hidden_columns=(3,)),
                Sheet("Raw", RAW[:31], state="hidden"), Sheet("Staff", [["Name"], ["Zanzibarine"]], state="veryHidden")])
    assert kinds(book, "x.xls") == {"hidden_rows": "1 hidden rows", "hidden_columns": "1 hidden columns",
                                    "hidden_sheet": "state hidden, 31 rows", "very_hidden_sheet": "state veryHidden, 2 rows"}
    assert read(book).text == "Sheet: Summary\nMonth | Crimes\nJanuary | 120\nFebruary | 98\nMarch | 143"


def test_dates_of_birth_count_only_beside_names() -> None:
    people = [["Incident log"], ["Full name", "Date of birth", "Offence"], ["Ann Example", "1980-02-01", "Theft"], ["Bob Sample", "1975-07-30", "Assault"]]
    assert kinds(xlsx(Workbook([Sheet("Log", people)]))) == {
        "personal_data": "2 dates of birth beside names (columns 'Full name' and 'Date of birth')"}
    assert kinds(docx(["We spoke to Carol Instance, DOB 12/03/1985, at the scene."]), "x.docx") == {
        "personal_data": "1 dates of birth beside names"}
    # The decoys (dates without names, names with other dates, years of birth) are in tools/audit_cases.py.


def test_word_tables_are_read_in_order_and_pdfs_are_audited(tmp_path: Path) -> None:
    from parsers.attachments import read

    text = read(docx(["The figures are below."], table=[["Year", "Stops"], ["2022", "310"]], deleted="gone")).text
    assert text == "The figures are below.\nYear | Stops\n2022 | 310"

    assert audit(pdf("There were 12 incidents."), "x.pdf") == ("pdf", [])  # reportlab's "anonymous" author names no one
    assert kinds(pdf("Write to someone@example.org.", author="E. Writer", note="check this", attach=True), "x.pdf") == {
        "comment": "1 comments and markup annotations", "embedded_object": "1 embedded files: raw.xlsx",
        "metadata": "author 'E. Writer'", "personal_data": "1 e-mail addresses"}


def test_too_many_cells_is_a_bounded_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    import parsers.workbook

    monkeypatch.setattr(parsers.workbook, "MAX_CELLS", 1000)
    wide = [[r * 10 + c for c in range(10)] for r in range(101)]  # 1,010 cells
    with pytest.raises(ParseError, match="more than 1,000 cells .sheet 'Big' alone has 1,0"):
        audit(xlsx(Workbook([Sheet("Big", wide)])), "x.xlsx")
    with pytest.raises(ParseError, match="more than 1,000 cells"):
        audit(xlsx(Workbook([Sheet("Big", wide, state="hidden")])), "x.xlsx")  # hidden cells are cells too
    assert audit(xlsx(Workbook([Sheet("Small", wide[:50])])), "x.xlsx") == ("xlsx", [])


def test_preview_and_redaction() -> None:
    from parsers.attachments import preview
    from parsers.audit import redact

    tables = preview("Sheet: A\nh1 | h2\n1 | 2\n3 | 4\nSheet: B\nx", rows=2)
    assert tables == [{"name": "A", "rows": [["h1", "h2"], ["1", "2"]], "more": 1}, {"name": "B", "rows": [["x"]], "more": 0}]
    assert preview("A paragraph.\nAnother.") == [{"name": None, "rows": [["A paragraph."], ["Another."]], "more": 0}]
    assert redact("Call 07700 900123 or mail a.b@example.org; NI AB 12 34 56 C; 12 thefts") == \
        "Call [phone number withheld] or mail [e-mail address withheld]; NI [National Insurance number withheld]; 12 thefts"


def test_a_letter_that_carries_a_file_or_an_unapplied_redaction_is_held(tmp_path: Path) -> None:
    from pipelines.parse import parse_job

    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf("Freedom of Information Request Reference No: FOI 000123/24", attach=True))
    outcome = parse_job(("x" * 64, str(path), "pdf"))
    assert outcome.result and json.loads(outcome.result)["reference"] == "000123/24"
    assert json.loads(outcome.audit or "{}")["findings"] == [
        {"kind": "embedded_object", "where": "the document", "detail": "1 embedded files: raw.xlsx"}]
    path.write_bytes(pdf("Freedom of Information Request Reference No: FOI 000123/24", redact=True))
    assert [f["kind"] for f in json.loads(parse_job(("z" * 64, str(path), "pdf")).audit or "{}")["findings"]] == ["hidden_text"]
    path.write_bytes(pdf("Freedom of Information Request Reference No: FOI 000123/24 foi@example.org", author="F. Officer"))
    assert parse_job(("y" * 64, str(path), "pdf")).audit is None  # an author, or the force's own e-mail, holds no letter back


def test_an_older_search_index_gains_the_attachments_column_and_keeps_its_rows(tmp_path: Path) -> None:
    import sqlite3

    from pipelines.db import open_db

    conn = sqlite3.connect(tmp_path / "old.db")
    conn.execute("create virtual table disclosures_fts using fts5(title, questions, answers)")
    conn.execute("insert into disclosures_fts (rowid, title, questions, answers) values (7, 'Drones', 'How many?', 'Twelve.')")
    conn.commit()
    conn.close()
    db = open_db(tmp_path / "old.db")
    assert list(db.table("disclosures_fts").columns_dict) == ["title", "questions", "answers", "attachments"]
    assert db.execute("select rowid from disclosures_fts where disclosures_fts match 'drones'").fetchall() == [(7,)]


def test_a_published_letter_with_a_redaction_not_applied_is_held_and_its_text_not_searched(tmp_path: Path) -> None:
    import asyncio

    from pipelines.web.serve import make_datasette
    from tests.conftest import rows, write_sources
    from tests.mock_site import mock_site

    with mock_site(tmp_path / "site", drupal=2, platform=2) as site:
        letter = sorted(p for p, d in site.manifest.documents.items() if d["kind"] == "pdf")[0]
        (site.root / letter.lstrip("/").replace("%20", " ")).write_bytes(
            pdf("Freedom of Information Request Reference No: FOI 000777/19\nYou asked:\n1. Who attended?\n"
                "Response to your Request\n1. Constable Quillerby attended.", redact=True))
        db = tmp_path / "foilog.db"
        done = foilog("run", "--sources", str(write_sources(tmp_path / "sources.yml", site.origin)), "--db", str(db))
        assert done.returncode == 0, done.stderr
    held = rows(db, "select d.status, d.disclosure_id from documents d join document_urls u on u.document_id = d.id where u.url = ?",
                (site.url(letter),))[0]
    assert held["status"] == "held"
    assert rows(db, "select count(*) as n from disclosures_fts where disclosures_fts match 'Quillerby'")[0]["n"] == 0
    page = asyncio.run(make_datasette(db).client.get(f"/foilog/disclosures/{held['disclosure_id']}")).text
    assert "Held for review" in page and "redactions marked but not applied" in page and "Quillerby" not in page
