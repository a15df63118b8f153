"""`foilog audit`: what a reader of an attachment cannot see, on files this project writes part by part."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from parsers import ParseError
from parsers.audit import audit
from tests.conftest import foilog
from tools.workbooks import Sheet, Workbook, docx, xlsx, zip_bomb

MONTHS = [["Month", "Crimes"], *[[m, n] for m, n in zip(["January", "February", "March"], [120, 98, 143])]]
RAW = [["Ref", "Victim", "Date of birth", "Email"], *[[f"CR{i}", f"Person {i}", "1980-01-01", f"p{i}@example.org"] for i in range(1230)]]


def kinds(data: bytes, name: str = "x.xlsx") -> dict[str, str]:
    return {f.kind: f.detail for f in audit(data, name)[1]}


def test_a_visible_table_of_counts_is_clean() -> None:
    assert audit(xlsx(Workbook([Sheet("Summary", MONTHS)])), "x.xlsx") == ("xlsx", [])
    dates = [["Date reported", "Offence"], ["2021-04-01", "Theft"], ["2021-04-02", "Burglary"]]  # dates, but no names
    assert kinds(xlsx(Workbook([Sheet("Log", dates)]))) == {}


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


def test_a_flagged_attachment_is_held_not_linked_and_released_by_a_person(tmp_path: Path) -> None:
    import asyncio

    from pipelines.web.serve import make_datasette
    from tests.conftest import rows, write_sources
    from tests.mock_site import mock_site

    with mock_site(tmp_path / "site", drupal=2, platform=8) as site:
        attachment = next(p for p in site.manifest.documents if p.endswith(".csv"))
        book = xlsx(Workbook([Sheet("Summary", MONTHS), Sheet("Raw data", RAW, state="hidden")], author="A. Analyst"))
        (site.root / attachment.lstrip("/")).write_bytes(book)  # what the force published, hidden sheet and all
        db = tmp_path / "foilog.db"
        done = foilog("run", "--sources", str(write_sources(tmp_path / "sources.yml", site.origin)), "--db", str(db))
        assert done.returncode == 0, done.stderr
    url = site.url(attachment)
    held = rows(db, "select d.id, d.sha256, d.status, d.disclosure_id from documents d join document_urls u on u.document_id = d.id "
                    "where u.url = ?", (url,))[0]
    assert held["status"] == "held" and held["disclosure_id"]
    others = rows(db, "select count(*) as n from documents where status = 'held'")[0]["n"]
    assert others == 1  # the clean CSV attachments are not held

    status = foilog("status", "--db", str(db))
    assert status.returncode == 1 and f"HELD {held['sha256']}" in status.stdout and "hidden_sheet in sheet 'Raw data'" in status.stdout

    served = make_datasette(db)
    page = asyncio.run(served.client.get(f"/foilog/disclosures/{held['disclosure_id']}")).text
    assert "Held for review" in page and "hidden sheet in sheet &#39;Raw data&#39;: state hidden, 1,231 rows" in page
    assert f'href="{url}"' not in page and url not in page
    table = asyncio.run(served.client.get(f"/foilog/documents/{held['id']}")).text
    assert f'href="{url}"' not in table

    done = foilog("release", held["sha256"], "--reason", "the hidden sheet holds only totals", "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert rows(db, "select status from documents where id = ?", (held["id"],))[0]["status"] == "parsed"
    decision = rows(db, "select reason, released_by from releases where sha256 = ?", (held["sha256"],))[0]
    assert decision["reason"] == "the hidden sheet holds only totals" and decision["released_by"]
    page = asyncio.run(make_datasette(db).client.get(f"/foilog/disclosures/{held['disclosure_id']}")).text
    assert f'href="{url}"' in page and "Held for review" not in page
    assert foilog("status", "--db", str(db)).returncode == 0
    assert foilog("release", held["sha256"], "--reason", "again", "--db", str(db)).returncode == 2  # nothing held any more


def test_search_finds_a_word_in_a_visible_cell_and_never_one_only_in_a_hidden_part(tmp_path: Path) -> None:
    import asyncio

    from parsers.attachments import visible_text
    from pipelines.web.serve import make_datasette
    from tests.conftest import rows, write_sources
    from tests.mock_site import mock_site
    from tools.workbooks import odt

    visible = [["District", "Thefts"], ["Quorndale", 12], ["Hidden row", 1], ["Marshbury", 9]]
    book = xlsx(Workbook([Sheet("Summary", visible, hidden_rows=(3,)), Sheet("Raw data", [["Victim"], ["Zanzibarine"]], state="hidden")]))
    text = visible_text(book) or ""
    assert "Quorndale | 12" in text and "Marshbury" in text and "Zanzibarine" not in text and "Hidden row" not in text
    document = visible_text(docx(["Figures for Quorndale."], deleted="Zanzibarine", hidden="Zanzibarine")) or ""
    assert "Quorndale" in document and "Zanzibarine" not in document
    assert "Zanzibarine" not in (visible_text(odt(["Figures."], tracked=1, hidden="Zanzibarine")) or "")

    with mock_site(tmp_path / "site", drupal=2, platform=8) as site:
        attachment = next(p for p in site.manifest.documents if p.endswith(".csv"))
        (site.root / attachment.lstrip("/")).write_bytes(book)
        db = tmp_path / "foilog.db"
        assert foilog("run", "--sources", str(write_sources(tmp_path / "sources.yml", site.origin)), "--db", str(db)).returncode == 0
    served = make_datasette(db)

    def found(word: str) -> int:
        return int(asyncio.run(served.client.get(f"/foilog/disclosures.json?_search={word}&_size=0")).json()["filtered_table_rows_count"])

    assert found("Quorndale") == 1 and found("Zanzibarine") == 0
    assert rows(db, "select count(*) as n from parses where text like '%Zanzibarine%'")[0]["n"] == 0
