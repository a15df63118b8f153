"""The fast PDF path: PDFium's characters read as pdfplumber reads them, and pdfplumber for each page in doubt."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from parsers.pdf import extract_text
from parsers.text import clean_lines
from tests.conftest import ROOT, foilog

CORPUS = ROOT / "tests" / "corpus"
PDFS = sorted(p for p in CORPUS.glob("*.pdf") if not p.name.startswith("broken-"))


def both(data: bytes) -> tuple[list[str], list[str], dict[int, str]]:
    fast, reference = extract_text(data), extract_text(data, reader="pdfplumber")
    return fast.texts, reference.texts, fast.doubts


def test_every_corpus_pdf_gives_the_parser_the_lines_pdfplumber_gives() -> None:
    read_by_pdfium = text_pages = 0
    for path in PDFS:
        fast, reference, doubts = both(path.read_bytes())
        assert clean_lines(fast) == clean_lines(reference), path.name
        if path.name.startswith("scanned-"):  # image pages: nothing for PDFium, so pdfplumber looks too
            assert set(doubts.values()) == {"no characters"}
        else:
            text_pages += len(fast)
            read_by_pdfium += len(fast) - len(doubts)
    assert read_by_pdfium >= 0.9 * text_pages


def test_chromium_printed_letters_read_alike_ligatures_and_all(tmp_path: Path) -> None:
    """Another producer: subset TrueType fonts, "fi" drawn as one glyph where the font has the
    ligature (DejaVu does), justified lines without spaces."""
    from tools.printed import letters, print_pdfs

    made = list(letters(4))[:6]  # the four house styles and two shapes
    pieces = 0
    for (name, _, _), data in zip(made, print_pdfs([markup for _, markup, _ in made])):
        fast, reference, doubts = both(data)
        assert fast == reference, name
        pieces += sum(text.count("fi") for i, text in enumerate(fast) if i not in doubts)
    assert pieces, "no page with an \"fi\" (a ligature, in fonts that have one) was read by PDFium"


def page_of(draw) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    pdf.setFont("Helvetica", 11)
    draw(pdf)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def _gap(pdf, first: str, second: str, gap: float, y: float = 700) -> None:  # type: ignore[no-untyped-def]
    pdf.drawString(72, y, first)
    pdf.drawString(72 + pdf.stringWidth(first, "Helvetica", 11) + gap, y, second)


CASES = {
    "text not upright": lambda pdf: (pdf.drawString(72, 700, "Upright"), pdf.rotate(90), pdf.drawString(300, -300, "Sideways")),
    "letter gap near the word gap": lambda pdf: _gap(pdf, "Reference", "number", 3.1),
    "line offset near the line tolerance": lambda pdf: (pdf.drawString(72, 700, "12"), pdf.drawString(84.3, 697.0, "th")),
    "text drawn out of order": lambda pdf: (pdf.drawString(72 + pdf.stringWidth("Respon", "Helvetica", 11), 700, "se"),
                                            pdf.drawString(72, 600, "Another line"), pdf.drawString(72, 700, "Respon")),
    "overlapping text": lambda pdf: (pdf.drawString(72, 700, "Draft"), pdf.drawString(72.4, 700, "Final")),
    "no characters": lambda pdf: pdf.rect(72, 600, 200, 100),
    "layout decision near its threshold": lambda pdf: [_gap(pdf, "Month", "Count", 14.2, y) for y in (700, 686, 672)],
}


@pytest.mark.parametrize("reason", sorted(CASES))
def test_a_page_in_doubt_is_read_by_pdfplumber(reason: str) -> None:
    data = page_of(CASES[reason])
    fast, reference, doubts = both(data)
    assert doubts == {0: reason}
    assert fast == reference


def test_a_word_drawn_twice_over_itself_is_read_once() -> None:
    """Bold faked by drawing a word again a little to the right: PDFium drops the copy, which
    pdfplumber reads letter by letter into the word ("BBoolldd"). The one difference between
    the readers that is kept, since PDFium's reading is the letter's."""
    fast, reference, doubts = both(page_of(lambda pdf: (pdf.drawString(72, 700, "Bold heading"), pdf.drawString(72.4, 700, "Bold heading"))))
    assert (fast, reference, doubts) == (["Bold heading"], ["BBoolldd hheeaaddiinngg"], {})


def test_a_plain_page_is_read_by_pdfium_alone() -> None:
    def draw(pdf) -> None:  # type: ignore[no-untyped-def]
        _gap(pdf, "Month", "Count", 40, 700)  # a table: its cells far apart
        _gap(pdf, "January", "12", 40 - pdf.stringWidth("January", "Helvetica", 11) + pdf.stringWidth("Month", "Helvetica", 11), 686)
        pdf.drawString(72, 650, "A paragraph after a gap, with words and spaces.")
        pdf.drawString(72, 636, "Sub-sequent line; ligature-free: fine figures.")

    fast, reference, doubts = both(page_of(draw))
    assert doubts == {}
    assert fast == reference
    assert fast[0].splitlines() == ["Month | Count", "January | 12", "", "A paragraph after a gap, with words and spaces.",
                                    "Sub-sequent line; ligature-free: fine figures."]


def test_evaluate_compares_the_readers_field_by_field(tmp_path: Path) -> None:
    for name in ("letter-01.pdf", "letter-02.pdf", "shape-bullet-list-body.pdf"):
        for suffix in ("", ".json"):
            (tmp_path / (name + suffix)).write_bytes((CORPUS / (name + suffix)).read_bytes())
    fast = foilog("evaluate", str(tmp_path), "--json")
    reference = foilog("evaluate", str(tmp_path), "--json", "--reader", "pdfplumber")
    assert fast.returncode == reference.returncode == 0, fast.stderr + reference.stderr
    assert fast.stdout == reference.stdout
    assert '"letters": 3' in fast.stdout
