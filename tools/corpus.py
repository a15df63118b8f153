"""Letters as blocks with their ground truth, rendered to PDF, platform HTML or a scanned image PDF.

A `Letter` holds what the parser must find (reference, dates, questions with answers,
exemption codes, outcome) and the blocks that print it. The truth is written beside each
rendered file by tools.make_corpus; the parser never sees it.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass, field

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle


@dataclass(frozen=True)
class Block:
    """One printed block: a paragraph, a labelled list item, a heading, or a table."""

    kind: str  # "p", "item", "heading", "table", "space"
    text: str = ""
    label: str = ""  # for "item": "1.", "Q1", "-" (a bullet), "A"
    rows: tuple[tuple[str, ...], ...] = ()
    bold: bool = False
    indent: int = 0


@dataclass
class Question:
    number: str
    text: str
    answer: str | None


@dataclass
class Letter:
    name: str
    reference: str | None
    forces: list[str]
    letter_date: str | None
    received_date: str | None
    correct_as_of: str | None
    questions: list[Question]
    exemptions: list[str]
    outcome: str
    blocks: list[Block] = field(default_factory=list)
    letterhead: str = ""
    footer: str = "OFFICIAL"
    page_of: bool = True  # footer "Page N of M" rather than "Page N"
    title: str = ""
    published: str = ""

    def truth(self, ocr: bool = False) -> dict[str, object]:
        return {
            "reference": self.reference, "forces": self.forces, "letter_date": self.letter_date,
            "received_date": self.received_date, "correct_as_of": self.correct_as_of,
            "questions": [{"number": q.number, "text": q.text, "answer": q.answer} for q in self.questions],
            "exemptions": self.exemptions, "outcome": self.outcome, "ocr": ocr,
        }


def block_text(blocks: list[Block]) -> str:
    """The text a reader takes from blocks: what an answer's truth is made of."""
    out = []
    for b in blocks:
        if b.kind == "table":
            out += [" | ".join(row) for row in b.rows]
        elif b.kind == "item":
            out.append(f"{b.label} {b.text}" if b.label not in ("-", "o", "\u2022") else b.text)
        elif b.kind in ("p", "heading"):
            out.append(b.text)
    return "\n".join(out)


# --- PDF -------------------------------------------------------------------------------

def _markup(text: str, bold: bool = False) -> str:
    text = html.escape(text, quote=False)
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)
    return f"<b>{text}</b>" if bold else text


def render_pdf(letter: Letter, *, superscript_numero: bool = True) -> bytes:
    """The letter as an A4 PDF: letterhead and "Page N of M" footer on every page, tables with grid lines."""
    return render_blocks(letter.blocks, letterhead=letter.letterhead, footer=letter.footer, page_of=letter.page_of,
                         superscript_numero=superscript_numero, title=f"FOI {letter.reference or ''}")


def render_blocks(blocks: list[Block], *, letterhead: str = "", footer: str = "OFFICIAL", page_of: bool = True,
                  superscript_numero: bool = True, title: str = "Freedom of Information response",
                  address: bool = True) -> bytes:
    """Blocks as an A4 PDF, the one renderer of every letter the project writes (tools/letters.py too).

    A letterhead (with the FOI team's address line unless `address` is false) heads every
    page, a footer and "Page N" (or "Page N of M") close it, and "Reference No:" prints its
    "o" raised, as the forces' letters do.
    """
    kwargs = dict(pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=24 * mm, bottomMargin=20 * mm,
                  invariant=1, title=title)
    total = 0
    if page_of:  # a first pass counts the pages
        probe = SimpleDocTemplate(io.BytesIO(), **kwargs)
        counting = _decorate(letterhead, footer, None, address)
        probe.build(_story(blocks, superscript_numero), onFirstPage=counting, onLaterPages=counting)
        total = probe.page
    out = io.BytesIO()
    decorate = _decorate(letterhead, footer, total if page_of else None, address)
    SimpleDocTemplate(out, **kwargs).build(_story(blocks, superscript_numero), onFirstPage=decorate, onLaterPages=decorate)
    return out.getvalue()


def _decorate(letterhead: str, footer: str, total: int | None, address: bool):  # type: ignore[no-untyped-def]
    def decorate(canvas, doc) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        if letterhead:
            canvas.setFont("Helvetica-Bold", 11)
            canvas.drawString(20 * mm, A4[1] - 13 * mm, letterhead)
            if address:
                canvas.setFont("Helvetica", 8)
                canvas.drawString(20 * mm, A4[1] - 17 * mm, "Freedom of Information Team, Jubilee House, Falconers Chase, Wymondham NR18 0WW")
        canvas.setFont("Helvetica", 8)
        canvas.drawString(20 * mm, 10 * mm, footer)
        canvas.drawRightString(A4[0] - 20 * mm, 10 * mm, f"Page {doc.page}" + (f" of {total}" if total is not None else ""))
        canvas.restoreState()

    return decorate


def _story(blocks: list[Block], superscript_numero: bool) -> list[object]:
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=10.5, leading=13.5, spaceAfter=5)
    heading = ParagraphStyle("heading", parent=body, fontName="Helvetica-Bold", spaceBefore=4)
    story: list[object] = []
    for b in blocks:
        if b.kind == "space":
            story.append(Spacer(1, 8))
        elif b.kind == "heading":
            story.append(Paragraph(_markup(b.text), heading))
        elif b.kind == "p":
            text = _markup(b.text, b.bold)
            if superscript_numero:
                text = text.replace("Reference No:", "Reference N<super>o</super>:")
            story.append(Paragraph(text, ParagraphStyle("p", parent=body, leftIndent=b.indent * 6 * mm)))
        elif b.kind == "item":
            style = ParagraphStyle("item", parent=body, leftIndent=(b.indent + 1) * 8 * mm,
                                   bulletIndent=b.indent * 8 * mm + 2 * mm)
            story.append(Paragraph(_markup(b.text, b.bold), style, bulletText="\u2022" if b.label == "-" else b.label))
        elif b.kind == "table":
            table = Table([list(r) for r in b.rows], hAlign="LEFT")
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                                       ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                                       ("FONTSIZE", (0, 0), (-1, -1), 9.5),
                                       ("LEFTPADDING", (0, 0), (-1, -1), 6), ("RIGHTPADDING", (0, 0), (-1, -1), 12)]))
            story += [table, Spacer(1, 6)]
    return story


# --- platform HTML ------------------------------------------------------------------------

CHROME_TOP = """<a class="quick-exit" href="https://www.bbc.co.uk/weather">Leave this site</a>
<div class="cookie-banner" id="cookies"><p>We use some essential cookies to make this service work.</p>
<p>We'd also like to use analytics cookies so we can understand how you use the service.</p><button>Accept</button></div>
<div class="phase-banner"><strong>BETA</strong> This is a new service - your feedback will help us to improve it.</div>
<header><nav aria-label="Main"><ul><li><a href="/">Home</a></li><li><a href="/foi-ai/af/accessing-information/">Access information</a></li></ul></nav></header>
<nav class="breadcrumb"><a href="/">Home</a> &gt; <a href="/foi-ai/">FOI</a></nav>"""
CHROME_BOTTOM = """<footer><ul><li><a href="/accessibility">Accessibility</a></li><li>Cookies</li></ul>
<p>Norfolk Constabulary, Jubilee House, Falconers Chase, Wymondham</p></footer>"""


def render_html(letter: Letter, *, with_main: bool = True) -> str:
    """A platform detail page with the letter as the response body."""
    parts: list[str] = []
    items: list[str] = []
    list_tag = ""

    def flush() -> None:
        nonlocal items, list_tag
        if items:
            parts.append(f"<{list_tag}>" + "".join(items) + f"</{list_tag.split()[0]}>")
        items, list_tag = [], ""

    for b in letter.blocks:
        if b.kind == "item" and re.fullmatch(r"\d+\.", b.label) and b.indent == 0:
            if not list_tag.startswith("ol"):
                flush()
                list_tag = f'ol start="{b.label[:-1]}"' if b.label != "1." else "ol"
            items.append(f"<li>{_inline_html(b.text)}</li>")
            continue
        if b.kind == "item" and b.label in ("-", "o", "\u2022"):
            if list_tag != "ul":
                flush()
                list_tag = "ul"
            items.append(f"<li>{_inline_html(b.text)}</li>")
            continue
        flush()
        if b.kind == "heading":
            parts.append(f"<h2>{_inline_html(b.text)}</h2>")
        elif b.kind == "p":
            text = _inline_html(b.text)
            parts.append(f"<p><strong>{text}</strong></p>" if b.bold else f"<p>{text}</p>")
        elif b.kind == "item":
            parts.append(f"<p>{html.escape(b.label)} {_inline_html(b.text)}</p>")
        elif b.kind == "table":
            head, *rest = b.rows
            parts.append("<table><thead><tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in head) + "</tr></thead><tbody>"
                         + "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rest)
                         + "</tbody></table>")
    flush()
    body = "\n".join(parts)
    content = (f'<h1>{html.escape(letter.title)}</h1>\n<div class="meta"><p>Published: <time datetime="{letter.published}">'
               f'{letter.published}</time></p></div>\n<article class="foi-response">\n{body}\n</article>')
    wrapped = f"<main id=\"main-content\">\n{content}\n</main>" if with_main else f"<div id=\"content\">\n{content}\n</div>"
    return (f"<!DOCTYPE html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>{html.escape(letter.title)}</title>"
            f"</head>\n<body>\n{CHROME_TOP}\n{wrapped}\n{CHROME_BOTTOM}\n</body></html>\n")


def _inline_html(text: str) -> str:
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", html.escape(text, quote=False))


# --- scanned ------------------------------------------------------------------------------

def scan(pdf: bytes, resolution: int = 200, skew: float = 0.4) -> bytes:
    """A text PDF printed and scanned: each page an image only (no text layer), slightly skewed."""
    import pdfplumber
    from PIL import Image

    pages = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            image = page.to_image(resolution=resolution).original.convert("L")
            pages.append(image.rotate(skew, expand=False, fillcolor=255, resample=Image.BICUBIC))
            page.close()
    out = io.BytesIO()
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:], resolution=resolution)
    return out.getvalue()
