"""Generate a mirror of both forces' logs of any size, with the quirks of SITES.md.

    python -m tools.make_mirror DIR --drupal 2500 --platform 2500 [--workbooks]

Used by the crawler tests (a few dozen entries) and the crawl benchmark (5,000 entries a
force). Beside the site it writes `_manifest.json`: every document a complete crawl must
find, every URL it must never request, and the failures it must record. Letters are short
one-page PDFs written by tools.tinypdf, or HTML bodies on platform detail pages.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from tools.letters import Item, LetterSpec, detail_html, letter_text, page
from tools.tinypdf import tiny_pdf

FORCES = {"Norfolk": ("norfolk", "/about-us/our-data/disclosure-log/", "norfolk-constabulary"),
          "Suffolk": ("suffolk", "/services/freedom-information/disclosure-logs/", "suffolk-constabulary")}
PUBLISHED = "/foi-ai/af/accessing-information/published-items/"
TOPICS = ["drones", "body worn video", "tasers", "speed cameras", "police dogs", "fleet vehicles", "cyber crime",
          "stop and search", "firearms licensing", "overtime", "missing persons", "ANPR", "hate crime", "e-scooters"]


@dataclass
class Manifest:
    documents: dict[str, dict] = field(default_factory=dict)  # path as linked -> {source, reference, kind, entry}
    never: list[str] = field(default_factory=list)  # paths that must never be requested
    failures: dict[str, str] = field(default_factory=dict)  # path -> what the crawl must record
    redirects: dict[str, str] = field(default_factory=dict)
    entries: dict[str, int] = field(default_factory=dict)  # source -> entries listed
    held: list[str] = field(default_factory=list)  # attachments with hidden content, which the audit must hold
    planted: dict[str, str] = field(default_factory=dict)  # a word only in a visible cell, and one only in hidden parts


def spec_for(force: str, n: int, day: dt.date, joint: bool = False) -> LetterSpec:
    """A small letter of one of the two house templates, varied by n."""
    house = "norfolk" if force == "Norfolk" else "suffolk"
    topic = TOPICS[n % len(TOPICS)]
    reference = f"{n % 1000000:06d}/{day:%y}"  # n is unique per entry, so references are too
    items = (Item(f"How many {topic} incidents were recorded in {day.year - 1}?", f"There were {n % 400 + 3} recorded."),
             Item(f"What was spent on {topic} in {day.year - 1}?",
                  "No information held." if n % 5 == 0 else f"GBP {n * 13 % 90000 + 100} was spent."))
    return LetterSpec(reference, house, ("Norfolk", "Suffolk") if joint else (force,), f"{topic.capitalize()} {n} request",
                      day, day - dt.timedelta(days=20), day - dt.timedelta(days=5), items,
                      "partially_disclosed" if n % 5 == 0 else "disclosed")


def pdf_for(spec: LetterSpec) -> bytes:
    lines = [wrapped for line in letter_text(spec).splitlines() for wrapped in (textwrap.wrap(line, 95) or [""])]
    return tiny_pdf(lines[:60])


def spreadsheet(n: int, hidden: bool, manifest: Manifest) -> bytes:
    """A crime-statistics workbook: counts by district and month, and with `hidden` the raw records behind them."""
    from tools.workbooks import Sheet, Workbook, xlsx

    visible_word, hidden_word = "Quorndale", "Zanzibarine"  # neither is in any letter
    manifest.planted = {"visible": visible_word, "hidden": hidden_word}
    counts = [["District", "Month", "Offences"], *[[d, m, (n * 7 + k) % 90 + 1] for k, (d, m) in enumerate(
        (d, m) for d in (visible_word, "Marshbury", "Eastgate") for m in ("2021-04", "2021-05", "2021-06"))]]
    if not hidden:  # clean but for its author's name, which is noted and holds nothing back
        return xlsx(Workbook([Sheet("Offences", counts)], author="Analyst"))
    raw = [["Crime ref", "Victim name", "Date of birth", "Address"],
           *[[f"CR/{n}/{k:04d}", f"{hidden_word} Person{k}", f"19{60 + k % 40}-0{1 + k % 9}-1{k % 10}", f"{k} High Street"] for k in range(40)]]
    return xlsx(Workbook([Sheet("Offences", counts), Sheet("Raw data", raw, state="hidden")], pivot_records=raw, author="Analyst"))


def build_mirror(root: Path, drupal: int = 20, platform: int = 30, quirks: bool = True, workbooks: bool = False,
                 third: int = 0) -> Manifest:
    """Write a mirror with `drupal` and `platform` entries per force under root; return its manifest.

    With `workbooks`, some platform responses attach spreadsheets: a clean table of counts,
    or one whose hidden sheet and pivot cache hold the raw records (tools/workbooks.py).
    """
    root.mkdir(parents=True, exist_ok=True)
    manifest = Manifest()

    def write(path: str, data: bytes | str) -> None:
        target = root / path.lstrip("/").replace("%20", " ")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.encode() if isinstance(data, str) else data)

    def document(path: str, source: str, spec: LetterSpec | None, kind: str, entry: str) -> None:
        manifest.documents[path] = {"source": source, "reference": spec.reference if spec else None,
                                    "kind": kind, "entry": entry}

    joint_pdf: tuple[str, bytes, LetterSpec] | None = None
    published: list[tuple[dt.date, str, str]] = []
    for f_index, (force, (short, landing, slug)) in enumerate(FORCES.items()):
        source = f"{short}-drupal"
        years: dict[int, list[str]] = {}
        for i in range(drupal):
            n = f_index * 100000 + i
            day = dt.date(2016, 1, 4) + dt.timedelta(days=(i * 2917) % 2900)
            spec = spec_for(force, n, day)
            name = f"{spec.reference.replace('/', '-')}_-_{spec.slug}.pdf"
            if quirks and i % 50 == 7:
                name = name.replace("_", " ")  # spaces, linked as %20
            if quirks and i % 50 == 9:
                name = name[:-4] + ".PDF"
            path = f"/sites/{short}/files/{name}".replace(" ", "%20")
            data = pdf_for(spec)
            label = f"{spec.printed_reference} - {spec.title}"
            link = f"{{{{ORIGIN}}}}{path}" if i % 2 else path
            items = years.setdefault(day.year, [])
            items.append(f'<li><a href="{html.escape(link)}">{html.escape(label)}</a> (PDF, {len(data) / 1024:.1f} KB)</li>')
            if quirks and i == 3:  # withdrawn at source: listed, but the file answers 404
                manifest.failures[path] = "HTTP 404"
                continue
            if quirks and i == 5:  # an HTML error page served under the PDF's name
                write(path, "<!DOCTYPE html><html><body><h1>Service unavailable</h1></body></html>")
                manifest.failures[path] = "expected a PDF"
                continue
            if quirks and i == 11:  # an old URL that redirects to the new path
                old = f"/sites/default/files/legacy/{name}".replace(" ", "%20")
                manifest.redirects[old] = path
                items[-1] = items[-1].replace(html.escape(link), old)
                write(path, data)
                document(old, source, spec, "pdf", old)
                continue
            write(path, data)
            document(path, source, spec, "pdf", path)
            if quirks and i == 1:  # the same bytes under a "_0" name, and the same link twice
                dup = path[:-4] + "_0.pdf"
                write(dup, data)
                document(dup, source, spec, "pdf", dup)
                items.append(f'<li><a href="{dup}">{html.escape(label)}</a></li>')
                items.append(f'<li><a href="{path}">{html.escape(label)} (again)</a></li>')
        if quirks and drupal:
            if joint_pdf is None:  # one joint letter, the same PDF on both forces' logs
                spec = spec_for("Norfolk", 99999, dt.date(2019, 5, 20), joint=True)
                joint_pdf = (f"{spec.reference.replace('/', '-')}_-_{spec.slug}.pdf", pdf_for(spec), spec)
            name, data, spec = joint_pdf
            path = f"/sites/{short}/files/{name}"
            write(path, data)
            document(path, source, spec, "pdf", path)
            years.setdefault(2019, []).append(f'<li><a href="{path}">{spec.printed_reference} - {spec.title}</a></li>')
            manifest.never += [f"/private/{short}-internal.pdf"]
            manifest.failures[f"/private/{short}-internal.pdf"] = "disallowed by robots.txt"
            years.setdefault(2019, []).append(f'<li><a href="/private/{short}-internal.pdf">Internal (PDF)</a></li>')
        year_links = []
        for year, items in sorted(years.items(), reverse=True):
            extra = '<p><a href="https://www.gov.uk/foi-guidance.pdf">National guidance (PDF)</a></p>' if quirks else ""
            write(f"{landing}{year}/index.html", page(f"Disclosure log {year}", f"<h1>{year}</h1><ul>\n" + "\n".join(items) + f"\n</ul>{extra}"))
            year_links.append(f'<li><a href="{landing}{year}/">{year}</a></li>')
        write(f"{landing}index.html", page("Disclosure log", "<h1>Disclosure log</h1><ul>" + "".join(year_links) + "</ul>"))
        manifest.entries[source] = sum(1 for d in manifest.documents.values() if d["source"] == source) + sum(
            1 for p in manifest.failures if f"/{short}" in p)

        source = f"{short}-platform"
        base = f"/foi-ai/{slug}/disclosure-log/"
        months: dict[tuple[int, int], list[str]] = {}
        for i in range(platform):
            n = f_index * 100000 + 50000 + i
            day = dt.date(2024, 1, 2) + dt.timedelta(days=(i * 37) % 690)
            joint = quirks and i == 0
            spec = spec_for(force, 88888 if joint else n, dt.date(2024, 9, 2) if joint else day, joint=joint)
            when = spec.letter_date or day
            url = f"{base}{when.year}/{when:%B}/foi-{spec.printed_reference.replace('/', '-')}-{spec.slug.replace('_', '-')}/".lower()
            attachments = []
            as_pdf = i % 5 == 4
            if as_pdf:
                media = f"/SysSiteAssets/foi-media/{slug}/disclosure-log/{spec.printed_reference.replace('/', '-')}-response.pdf"
                write(media, pdf_for(spec))
                document(media, source, spec, "pdf", url)
                attachments.append((media, "Response (PDF)"))
            if i % 10 == 3:
                csv = f"/SysSiteAssets/foi-media/{slug}/disclosure-log/{spec.printed_reference.replace('/', '-')}-data.csv"
                write(csv, "year,count\n2023,12\n")
                document(csv, source, spec, "text", url)
                attachments.append((csv, "Data (CSV)"))
            if workbooks and i % 10 in (6, 8):
                book = f"/SysSiteAssets/foi-media/{slug}/disclosure-log/{spec.printed_reference.replace('/', '-')}-figures.xlsx"
                write(book, spreadsheet(n, hidden=i % 10 == 8, manifest=manifest))
                document(book, source, spec, "zip", url)
                attachments.append((book, "Figures (XLSX)"))
                if i % 10 == 8:
                    manifest.held.append(book)
            write(url + "index.html", detail_html(None if as_pdf else spec, title=f"FOI {spec.printed_reference} {spec.title}",
                                                  published=when + dt.timedelta(days=2), attachments=attachments,
                                                  body_note="Please see the attached response." if as_pdf else None))
            document(url, source, spec, "html", url)
            months.setdefault((when.year, when.month), []).append(f'<li><a href="{url}">FOI {spec.printed_reference} {html.escape(spec.title)}</a></li>')
            published.append((when, url, f"FOI {spec.printed_reference} {spec.title}"))
        years_index: dict[int, list[str]] = {}
        for (year, month), links in sorted(months.items()):
            name = dt.date(year, month, 1).strftime("%B").lower()
            write(f"{base}{year}/{name}/index.html", page(f"{name} {year}", "<ul>\n" + "\n".join(links) + "\n</ul>"))
            years_index.setdefault(year, []).append(f'<li><a href="{base}{year}/{name}/">{name.title()} {year}</a></li>')
        for year, links in years_index.items():
            write(f"{base}{year}/index.html", page(str(year), "<ul>" + "".join(links) + "</ul>"))
        write(f"{base}index.html", page("Disclosure log", "<ul>" + "".join(
            f'<li><a href="{base}{y}/">{y}</a></li>' for y in sorted(years_index, reverse=True)) + "</ul>"))
        manifest.entries[source] = platform

    if third:
        _third_force(third, write, document, manifest)
    published.sort(reverse=True)
    chunks = [published[i:i + 20] for i in range(0, len(published), 20)] or [[]]
    for n, chunk in enumerate(chunks, start=1):
        items = "\n".join(f'<li><a href="{u}">{html.escape(t)}</a> {d:%d/%m/%Y}</li>' for d, u, t in chunk)
        nav = f'<a href="{PUBLISHED}?page={n + 1}">Next</a>' if n < len(chunks) else ""
        write(PUBLISHED + ("index.html" if n == 1 else f"page-{n}.html"), page("Published items", f"<ul>\n{items}\n</ul>{nav}"))
    write("/robots.txt", "User-agent: *\nDisallow: /private/\n")
    write("/_redirects.json", json.dumps(manifest.redirects))
    (root / "_manifest.json").write_text(json.dumps(manifest.__dict__, indent=1))
    return manifest


# A third force on the platform (SITES.md: "other forces use containers such as ... disclosure-2024/
# february-2024"): its log is a container per month, listed on the force's own page.
THIRD = ("Essex", "essex-police")


def _third_force(entries: int, write: object, document: object, manifest: Manifest) -> None:
    force, slug = THIRD
    base, months = f"/foi-ai/{slug}/", {}
    for i in range(entries):
        day = dt.date(2024, 2, 5) + dt.timedelta(days=(i * 23) % 300)
        spec = spec_for(force, 200000 + i, day)
        container = f"{base}disclosure-{day.year}/{day:%B}-{day.year}/".lower()
        url = f"{container}foi-{spec.printed_reference.replace('/', '-')}-{spec.slug.replace('_', '-')}/".lower()
        write(url + "index.html", detail_html(spec, title=f"FOI {spec.printed_reference} {spec.title}",  # type: ignore[operator]
                                              published=day + dt.timedelta(days=2), attachments=[]))
        document(url, "essex-platform", spec, "html", url)  # type: ignore[operator]
        months.setdefault(container, []).append(f'<li><a href="{url}">FOI {spec.printed_reference} {html.escape(spec.title)}</a></li>')
    for container, links in months.items():
        write(container + "index.html", page("Disclosures", "<ul>\n" + "\n".join(links) + "\n</ul>"))  # type: ignore[operator]
    write(base + "index.html", page(f"{force} Police: disclosure log", "<ul>" + "".join(  # type: ignore[operator]
        f'<li><a href="{c}">{c.rstrip("/").rsplit("/", 1)[-1]}</a></li>' for c in sorted(months)) + "</ul>"))
    manifest.entries["essex-platform"] = entries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", type=Path)
    parser.add_argument("--drupal", type=int, default=2500, help="Drupal entries per force")
    parser.add_argument("--platform", type=int, default=2500, help="platform entries per force")
    parser.add_argument("--workbooks", action="store_true", help="attach spreadsheets, some with hidden sheets and pivot caches")
    args = parser.parse_args()
    manifest = build_mirror(args.root, args.drupal, args.platform, workbooks=args.workbooks)
    print(f"wrote {len(manifest.documents)} documents to {args.root}")


if __name__ == "__main__":
    main()
