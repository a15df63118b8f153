"""Write response letters in the two house templates, as text, PDF (through tools.corpus) and platform HTML.

Used by the sample generator and by tests that need real PDFs. A letter is data
(`LetterSpec`); the templates follow the real letters described in SITES.md.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field

from tools.corpus import Block, render_blocks

REVIEW = """This response will be published on the Constabularies web-site under the Freedom of Information pages.

Should you have any further queries concerning this request, please contact the FOI Decision Maker, quoting the reference number shown above.

A full copy of the Freedom of Information Act (2000) can be viewed on the 'Office of Public Sector Information' web-site; <http://www.opsi.gov.uk/>

Your Right to Request a Review of Decisions Made Under the Terms of the Freedom of Information Act (2000).

If you are unhappy with how your request has been handled, or if you think the decision is incorrect, you have the right to ask {who} to review their decision within 40 days of the date of its response. Requests for a review should be made in writing to the Freedom of Information Decision Maker, Information Management Department, Jubilee House, Falconers Chase, Wymondham, Norfolk NR18 0WW.

The Information Commissioner.

After lodging a request for a review, if you are still dissatisfied with the decision, you can apply to the Information Commissioner under section 50 of the Act. The Information Commissioner's Office, Wycliffe House, Water Lane, Wilmslow, Cheshire SK9 5AF."""


@dataclass(frozen=True)
class Item:
    """A request item, its sub-items, and its answer (None when answered as a whole)."""

    question: str
    answer: str | None = None
    subs: tuple[str, ...] = ()


@dataclass(frozen=True)
class LetterSpec:
    reference: str  # "001310/19"
    house: str  # "norfolk" (Q1 answers, ordinal dates) or "suffolk" (1. answers, cardinal dates, quoted request)
    forces: tuple[str, ...]
    title: str
    letter_date: dt.date | None
    received_date: dt.date
    correct_as_of: dt.date | None
    items: tuple[Item, ...]
    outcome: str
    exemptions: tuple[str, ...] = ()  # codes expected from the parser
    whole: str | None = None  # one block answering the whole request
    blocks: tuple[str, ...] = ()  # refusal or exemption paragraphs after the answers
    letter_month: str | None = None  # a date line printed without its day, e.g. "March 2017"
    published_date: dt.date | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "_", self.title.lower()).strip("_")

    @property
    def printed_reference(self) -> str:
        return self.reference if self.house == "norfolk" else self.reference.replace("/", "-")

    def expected(self) -> dict[str, object]:
        """What `foilog extract` must report for this letter."""
        return {
            "reference": self.reference,
            "forces": list(self.forces),
            "letter_date": self.letter_date.isoformat() if self.letter_date and not self.letter_month else None,
            "received_date": self.received_date.isoformat(),
            "correct_as_of": self.correct_as_of.isoformat() if self.correct_as_of else None,
            "question_count": len(self.items),
            "exemptions": list(self.exemptions),
            "outcome": self.outcome,
        }


def forces_phrase(forces: tuple[str, ...], house: str) -> str:
    from scraper.sources import catalogue

    if len(forces) == 2:
        return "Norfolk and Suffolk Constabularies" if house == "norfolk" else "Suffolk and Norfolk Constabularies"
    known = catalogue().get(forces[0].lower())
    return known.full_name if known else f"{forces[0]} Constabulary"


def print_date(day: dt.date, house: str) -> str:
    if house == "suffolk":
        return f"{day.day} {day:%B %Y}"
    suffix = "th" if 11 <= day.day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day.day % 10, "th")
    return f"{day.day}{suffix} {day:%B %Y}"


def letter_text(spec: LetterSpec) -> str:
    """The letter as lines of text with light markup: "**bold**" and "- " list items."""
    who = forces_phrase(spec.forces, spec.house)
    plural = len(spec.forces) == 2
    lines: list[str] = []
    lines.append(spec.letter_month or (print_date(spec.letter_date, spec.house) if spec.letter_date else ""))
    lines += ["", f"Freedom of Information Request Reference No: FOI {spec.printed_reference}", ""]
    on = "on the" if spec.house == "norfolk" else "on"
    lines.append(
        f"I write in connection with your request for information received by "
        f"{'the ' if plural else ''}{who} {on} {print_date(spec.received_date, spec.house)} "
        f"in which you sought access to the following information:"
    )
    lines.append("")
    for n, item in enumerate(spec.items, start=1):
        label = f"{n}." if spec.house == "suffolk" else f"{n}"
        text = item.question
        if spec.house == "suffolk" and n == 1:
            text = '"' + text if len(spec.items) > 1 or item.subs else text
        if len(spec.items) == 1 and not item.subs:
            lines.append(f'"{item.question}"' if spec.house == "suffolk" else item.question)
        else:
            lines.append(f"{label} {text}")
        for letter, sub in zip("ABCDEF", item.subs):
            lines.append(f"   {letter} {sub}")
    if spec.house == "suffolk" and (len(spec.items) > 1 or spec.items[0].subs):
        lines[-1] += '"'
    lines += ["", "Response to your Request", ""]
    if spec.correct_as_of:
        lines += [f"The response provided below is correct as of {print_date(spec.correct_as_of, spec.house)}.", ""]
    verb = "have" if plural else "has"
    if spec.house == "norfolk":
        lines += [f"{who} {verb} located the following information as relevant to your request.", ""]
    else:
        lines += [f"{who} {verb} considered your request and can respond as follows.", ""]
    if spec.whole:
        lines += [spec.whole, ""]
    for n, item in enumerate(spec.items, start=1):
        if item.answer is None:
            continue
        label = f"Q{n}" if spec.house == "norfolk" else f"{n}."
        first, *rest = item.answer.split("\n")
        lines.append(f"{label} {first}")
        lines += rest
        lines.append("")
    for block in spec.blocks:
        lines += [block, ""]
    lines.append(REVIEW.format(who=who))
    return "\n".join(lines)


def _inline(text: str) -> str:
    """Light markup to reportlab's paragraph markup."""
    text = html.escape(text, quote=False)
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)
    text = re.sub(r"&lt;(https?://[^&]+)&gt;", r"\1", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)
    return text


def text_blocks(text: str) -> list[Block]:
    """Letter text as the blocks tools.corpus renders: "- " lines are bullets, indented lines sub-items."""
    blocks: list[Block] = []
    for raw in text.splitlines():
        line = _plain_links(raw.rstrip())
        if not line.strip():
            blocks.append(Block("space"))
        elif line.lstrip().startswith("- "):
            blocks.append(Block("item", line.lstrip()[2:], label="-"))
        else:
            blocks.append(Block("p", line.strip(), indent=1 if raw.startswith("   ") else 0))
    return blocks


def _plain_links(text: str) -> str:
    """"<https://x>" and "[label](https://x)" as a reader of the printed letter sees them."""
    return re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", re.sub(r"<(https?://[^>]+)>", r"\1", text))


def render_pdf(text: str, *, letterhead: str = "Freedom of Information", footer: str = "OFFICIAL") -> bytes:
    """Letter text as a real multi-page A4 PDF, with a letterhead and "Page N" footers (tools.corpus renders it)."""
    return render_blocks(text_blocks(text), letterhead=letterhead, footer=footer, page_of=False, address=False)


CHROME_TOP = """<a class="quick-exit" href="https://www.bbc.co.uk/weather">Leave this site</a>
<div class="cookie-banner"><p>We use some essential cookies to make this service work.</p><button>Accept</button></div>
<div class="beta-banner">This is a new service - your feedback will help us to improve it.</div>
<header><nav><a href="/">Home</a> <a href="/foi-ai/af/accessing-information/published-items/">Published items</a></nav></header>"""
CHROME_BOTTOM = """<footer><p>Copyright, accessibility, privacy notice</p></footer>"""


def page(title: str, body: str) -> str:
    """A platform-shaped page: chrome around a <main>."""
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title></head>\n"
            f"<body>\n{CHROME_TOP}\n<main>\n{body}\n</main>\n{CHROME_BOTTOM}\n</body></html>\n")


def detail_html(spec: LetterSpec | None, *, title: str, published: dt.date,
                attachments: list[tuple[str, str]], body_note: str | None = None) -> str:
    """A platform detail page: the letter as HTML body text, or a note pointing to attachments."""
    parts = [f"<h1>{html.escape(title)}</h1>",
             f'<p class="published">Published: <time datetime="{published.isoformat()}">{published.day} {published:%B %Y}</time></p>',
             '<div class="response">']
    if spec is not None:
        parts.append(_letter_html(spec))
    if body_note:
        parts.append(f"<p>{html.escape(body_note)}</p>")
    parts.append("</div>")
    if attachments:
        parts.append('<h2>Attachments</h2><ul class="attachments">')
        parts += [f'<li><a href="{href}">{html.escape(text)}</a></li>' for href, text in attachments]
        parts.append("</ul>")
    return page(title, "\n".join(parts))


def _letter_html(spec: LetterSpec) -> str:
    """The letter's paragraphs as HTML: the request as an <ol>, answers as labelled paragraphs."""
    out: list[str] = []
    in_request = in_list = False
    for line in letter_text(spec).splitlines():
        stripped = line.strip().strip('"')
        numbered = re.match(r"^(\d+)\.? (.*)$", stripped)
        if in_request and numbered and not line.startswith(" "):
            out += [] if in_list else ["<ol>"]
            in_list = True
            out.append(f"<li>{html.escape(numbered.group(2))}</li>")
            continue
        if in_request and in_list and line.startswith("   "):
            out[-1] = out[-1].replace("</li>", f"<br>{html.escape(stripped)}</li>")
            continue
        if in_list and stripped:
            out.append("</ol>")
            in_list = False
        if stripped:
            out.append(f"<p>{_inline(stripped).replace('<b>', '<strong>').replace('</b>', '</strong>')}</p>")
        if "following information:" in line:
            in_request = True
        elif stripped == "Response to your Request":
            in_request = False
    return "\n".join(out + (["</ol>"] if in_list else []))
