"""Letters printed to PDF by Chromium: another PDF producer, with embedded TrueType fonts.

    python -m tools.printed DIR [--letters N]

The corpus's PDFs all come from one producer (reportlab, standard Helvetica). Chromium
writes what word processors do and reportlab does not: subset TrueType fonts with their
own Unicode maps, ligatures ("fi" drawn as one glyph), kerning, serif and justified text,
and ruled tables. Each letter is composed as the corpus composes its letters and printed
in one of several house styles; its truth is written beside it, as in tests/corpus.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

from tools.corpus import render_html
from tools.make_corpus import OUTCOMES, Composer
from tools.shapes import SHAPES

SEED = 20261201
STYLES = [  # font, alignment and size of the house styles; tables are ruled in each
    "font-family: 'DejaVu Serif', serif; font-size: 11pt; text-align: justify;",
    "font-family: 'DejaVu Sans', sans-serif; font-size: 10.5pt;",
    "font-family: 'DejaVu Sans Condensed', sans-serif; font-size: 12pt; text-align: justify; line-height: 1.5;",
    "font-family: serif; font-size: 12pt; line-height: 1.15;",
]
_ARTICLE = re.compile(r'<article class="foi-response">(.*)</article>', re.S)


def page(body: str, style: str, letterhead: str) -> str:
    """A printable letter: the letterhead, then the body, with no site around it."""
    return (f"<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><style>"
            f"@page {{ size: A4; margin: 20mm; }} body {{ {style} }} "
            f"table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #000; padding: 2pt 6pt; }}"
            f"</style></head><body><p><strong>{html.escape(letterhead)}</strong></p>{body}</body></html>")


def letters(count: int) -> Iterator[tuple[str, str, dict[str, object]]]:
    """(file name, printable HTML, truth) for count composed letters and for every shape."""
    rng = random.Random(SEED)
    for i in range(count):
        item = Composer(rng, 300 + i).compose(OUTCOMES[i % len(OUTCOMES)])
        found = _ARTICLE.search(render_html(item))
        assert found, "render_html writes the letter inside its article"
        head = "Norfolk and Suffolk Constabularies" if len(item.forces) > 1 else f"{item.forces[0]} Constabulary"
        yield f"printed-{i + 1:02d}.pdf", page(found.group(1), STYLES[i % len(STYLES)], head), item.truth()
    for j, shape in enumerate(SHAPES):
        body = []
        for line in shape.text.splitlines():
            if line.startswith("## "):
                body.append(f"<h3>{html.escape(line[3:])}</h3>")
            elif line.startswith("* "):
                body.append(f"<ul><li>{html.escape(line[2:])}</li></ul>")
            elif line.strip():
                body.append(f"<p>{html.escape(line)}</p>")
        yield f"printed-shape-{shape.name}.pdf", page("".join(body), STYLES[j % len(STYLES)], shape.letterhead), shape.truth()


def print_pdfs(pages: list[str]) -> Iterator[bytes]:
    """Each HTML page printed to A4 PDF by one headless Chromium."""
    from playwright.sync_api import sync_playwright

    from scraper.browser import ARGS, CHROMIUM

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            tab = browser.new_page()
            for markup in pages:
                tab.set_content(markup, wait_until="load")
                yield tab.pdf(format="A4", print_background=False)
        finally:
            browser.close()


def build(out: Path, count: int = 40) -> int:
    """Print count letters and every shape under out, each beside its truth; return how many."""
    out.mkdir(parents=True, exist_ok=True)
    made = list(letters(count))
    for (name, _, truth), data in zip(made, print_pdfs([markup for _, markup, _ in made])):
        (out / name).write_bytes(data)
        (out / f"{name}.json").write_text(json.dumps(truth, indent=1, ensure_ascii=False) + "\n")
    return len(made)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--letters", type=int, default=40)
    args = parser.parse_args()
    print(f"{build(args.out, args.letters)} files written to {args.out}")


if __name__ == "__main__":
    main()
