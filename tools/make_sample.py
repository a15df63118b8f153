"""Write the bundled sample: a static mirror of both forces' disclosure logs under pipelines/demo/sample/.

    python -m tools.make_sample            # rewrite pipelines/demo/sample/site and expected.json

The letters are this project's own, written in the two house templates of SITES.md. The
mirror has both eras: the Drupal logs (landing page, year pages, direct PDF links with the
quirks real listings show) and the national platform (container, year, month and detail
pages, the paged published-items list, attachments). Links to the mirror's own host are
written with the {{ORIGIN}} placeholder, which the mirror server fills in.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import shutil
import sys
from pathlib import Path

from tools.letters import Item, LetterSpec, detail_html, letter_text, page, render_pdf

D = dt.date
NS = ("Norfolk", "Suffolk")
S21 = ("Under Section 21(1) of the Freedom of Information Act (2000), public authorities are not required to "
       "provide information that is reasonably accessible to the public by other means; therefore this serves "
       "as a Refusal Notice for this part of your request.")
DUTIES = ("Section 1 of the Freedom of Information Act 2000 places two duties on public authorities. Section 17 "
          "requires that when refusing to provide such information (because the information is exempt) the "
          "authority provides the applicant with a notice which states that fact and specifies the exemptions.")
COST = ("The Freedom of Information Act 2000 (FOIA) does not oblige a public authority to comply with a request "
        "for information if the cost of compliance would exceed the appropriate limit. The appropriate limit is "
        "GBP 450, which represents 18 hours of work. To answer your request every crime record would have to be "
        "read by hand, which would take well over 18 hours per force. **Section 12(1)** of the Act therefore "
        "applies and this letter serves as a refusal notice under section 17(5) of the Act.")
NCND = ("Norfolk and Suffolk Constabularies can neither confirm nor deny that they hold the information you "
        "requested by virtue of the following exemptions: **Section 23(5) Information relating to security bodies**, "
        "**Section 24(2) National Security** and **Section 31(3) Law Enforcement**. To confirm or deny whether "
        "information is held would reveal whether covert tactics are in use.")

LETTERS: list[LetterSpec] = [
    LetterSpec("001310/19", "norfolk", NS, "CCTV cameras and suppliers", D(2019, 5, 20), D(2019, 4, 3), D(2019, 4, 9), (
        Item("How many fixed CCTV cameras do you have and who is the supplier of these cameras?",
             "There are approximately 600 fixed CCTV cameras located across 6 Police Investigation Centres."),
        Item("How many mobile CCTV cameras do you have?", "No relevant information held"),
        Item("Which Video Management System do you use to manage your cameras?",
             "Information has therefore not been provided due to exemptions within the Act.\n" + DUTIES +
             "\n- **Section 31(1) Law Enforcement**\n- **Section 24(1) National Security**\n"
             "Sections 24 and 31 are qualified, prejudice based exemptions. The balance lies in favour of non-disclosure."),
        Item("For each component, please provide start and end dates of the contracts:",
             "Information regarding the East Fire contract has previously been released and is available via the "
             "Suffolk Constabulary Disclosure Log.\n" + S21, subs=("Fixed cameras", "Mobile cameras", "Video Management System")),
    ), "partially_disclosed", ("s31(1)", "s24(1)", "s21(1)")),
    LetterSpec("002402/19", "suffolk", ("Suffolk",), "Police dogs", D(2019, 7, 2), D(2019, 6, 12), D(2019, 6, 20), (
        Item("How many police dogs does the force currently have?", "Suffolk Constabulary has 23 police dogs."),
        Item("How many of these are general purpose dogs?", "There are 14 general purpose dogs."),
        Item("What was the cost of dog food in 2018?", "The cost of dog food in 2018 was GBP 11,450."),
    ), "disclosed"),
    LetterSpec("000871/20", "norfolk", ("Norfolk",), "Drone deployments", D(2020, 3, 11), D(2020, 2, 14), D(2020, 2, 20), (
        Item("How many drones does Norfolk Constabulary own?", "Norfolk Constabulary owns 9 drones."),
        Item("How many times were drones deployed in 2019?", "Drones were deployed 412 times in 2019."),
    ), "disclosed"),
    LetterSpec("003125/20", "suffolk", ("Suffolk",), "Speed camera fines", D(2020, 9, 8), D(2020, 8, 17), D(2020, 8, 25), (
        Item("How many speeding fines were issued from fixed cameras on the A14 in 2019?",
             "No information is held. Fixed cameras on the A14 are operated by the safety camera partnership."),
    ), "not_held"),
    LetterSpec("001530/20", "norfolk", ("Norfolk",), "Stop and search", D(2020, 6, 1), D(2020, 5, 4), D(2020, 5, 12), (
        Item("Please provide the names of officers who carried out stop and search in Norwich in 2019."),
    ), "refused", ("s40(2)",), whole=(
        "The names of officers are personal information. This information is exempt by virtue of **Section 40(2) "
        "Personal Information** of the Freedom of Information Act 2000, an absolute exemption. " + DUTIES)),
    LetterSpec("002911/21", "norfolk", NS, "Crime recorded on public transport", D(2021, 11, 9), D(2021, 10, 6), D(2021, 10, 15), (
        Item("How many crimes were recorded on buses in each year 2016 to 2020?"),
        Item("How many of these were violent crimes?"),
        Item("How many resulted in a charge?"),
    ), "refused", ("s12(1)",), whole=COST),
    LetterSpec("004470/21", "suffolk", ("Suffolk",), "Covert surveillance devices", D(2021, 12, 1), D(2021, 11, 2), D(2021, 11, 10), (
        Item("Does the force use IMSI catchers?"),
        Item("How much was spent on covert listening devices in 2020?"),
    ), "neither_confirm_nor_deny", ("s23(5)", "s24(2)", "s31(3)"), whole=NCND),
    LetterSpec("000345/22", "suffolk", NS, "Taser use", D(2022, 2, 15), D(2022, 1, 18), D(2022, 1, 25), (
        Item("How many times was Taser drawn in 2021?", "Norfolk: 512\nSuffolk: 398"),
        Item("How many times was Taser fired in 2021?", "Norfolk: 41\nSuffolk: 33"),
    ), "disclosed"),
    LetterSpec("001876/22", "norfolk", ("Norfolk",), "Firearms licence waiting times", D(2022, 6, 30), D(2022, 6, 1), None, (
        Item("What is the average waiting time for a firearms certificate renewal?",
             "The average waiting time in 2021 was 97 days."),
        Item("How many applications are waiting?", "There are 1,204 applications waiting."),
        Item("How many staff work in the firearms licensing team?", "No information held."),
    ), "partially_disclosed"),
    LetterSpec("003370/22", "suffolk", ("Suffolk",), "Police vehicle fleet", None, D(2022, 8, 2), D(2022, 8, 9), (
        Item("How many marked police vehicles does the force have?", "Suffolk Constabulary has 311 marked vehicles."),
        Item("How many are electric?", "27 of these vehicles are electric."),
    ), "disclosed", letter_month="September 2022"),
    LetterSpec("000122/23", "norfolk", ("Norfolk",), "Cyber attacks on force systems", D(2023, 1, 24), D(2022, 12, 20), D(2023, 1, 5), (
        Item("How many cyber attacks on force systems were detected in 2022?"),
    ), "refused", ("s24(1)", "s31(1)(a)"), whole=(
        "The information is exempt from disclosure by virtue of **Section 24(1) National Security** and "
        "**Section 31(1)(a) Law Enforcement**. Disclosure would show where defences are strongest and weakest. "
        "The balance lies in favour of non-disclosure and this letter serves as a refusal notice under section 17(1) of the Act.")),
    LetterSpec("002288/23", "suffolk", ("Suffolk",), "Missing persons reports", D(2023, 7, 18), D(2023, 6, 20), D(2023, 6, 28), (
        Item("How many missing person reports were received in 2022?", "2,841 missing person reports were received in 2022."),
        Item("How many involved children under 16?", "1,127 involved children under 16."),
    ), "disclosed"),
    # The platform era: HTML responses on detail pages, some with attachments.
    LetterSpec("000456/24", "norfolk", ("Norfolk",), "Drones used at public events", D(2024, 3, 12), D(2024, 2, 9), D(2024, 2, 16), (
        Item("How many times were drones used at public events in 2023?", "Drones were used at 37 public events in 2023."),
        Item("Which events were they used at?", "Drones were used at Norwich City home matches and the Royal Norfolk Show."),
    ), "disclosed", published_date=D(2024, 3, 14)),
    LetterSpec("000789/24", "norfolk", ("Norfolk",), "Live facial recognition", D(2024, 4, 3), D(2024, 3, 5), D(2024, 3, 11), (
        Item("Has Norfolk Constabulary used live facial recognition?", "No information held."),
        Item("Does the force plan to buy facial recognition software?", "No information held."),
    ), "not_held", published_date=D(2024, 4, 5)),
    LetterSpec("001044/24", "suffolk", ("Suffolk",), "Body worn video", D(2024, 5, 7), D(2024, 4, 10), D(2024, 4, 17), (
        Item("How many body worn video cameras does the force have?", "Suffolk Constabulary has 1,150 body worn video cameras."),
        Item("Who is the supplier?", "The supplier is exempt from disclosure under **Section 43(2) Commercial Interests**. "
             "Disclosure would prejudice the supplier's commercial interests and the balance lies in favour of non-disclosure."),
    ), "partially_disclosed", ("s43(2)",), published_date=D(2024, 5, 9)),
    LetterSpec("001377/24", "suffolk", ("Suffolk",), "Informant payments", D(2024, 6, 19), D(2024, 5, 21), D(2024, 5, 28), (
        Item("How much was paid to covert human intelligence sources in 2023?"),
    ), "neither_confirm_nor_deny", ("s23(5)", "s30(3)"), whole=(
        "Suffolk Constabulary can neither confirm nor deny that it holds the information you requested, by virtue of "
        "**Section 23(5)** and **Section 30(3)** of the Act. Section 29 of the Data Protection Act 2018 does not apply to this request."),
        published_date=D(2024, 6, 21)),
    LetterSpec("002150/24", "norfolk", NS, "Hate crime figures", D(2024, 9, 2), D(2024, 8, 5), D(2024, 8, 12), (
        Item("How many hate crimes were recorded in 2023?", "Norfolk: 1,302\nSuffolk: 1,118"),
        Item("How many were online?", "Norfolk: 211\nSuffolk: 187"),
    ), "disclosed", published_date=D(2024, 9, 4)),
    LetterSpec("002431/24", "suffolk", ("Suffolk",), "E-scooter seizures", D(2024, 10, 1), D(2024, 9, 3), D(2024, 9, 10), (
        Item("How many e-scooters were seized in 2023?", "Suffolk Constabulary seized 342 e-scooters in 2023."),
        Item("What happened to the seized e-scooters?", "Seized e-scooters are crushed after 28 days unless claimed."),
    ), "disclosed", published_date=D(2024, 10, 3)),
]


def build(out: Path) -> list[dict[str, object]]:
    """Write the mirror under out/site and return one expected record per letter."""
    site = out / "site"
    if site.exists():
        shutil.rmtree(site)
    by_ref = {s.reference: s for s in LETTERS}
    expected: dict[str, dict[str, object]] = {}

    def write(path: str, data: bytes | str) -> None:
        target = site / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.encode() if isinstance(data, str) else data)

    def record(spec: LetterSpec, url: str, source: str) -> None:
        entry = expected.setdefault(spec.reference, {**spec.expected(), "title": spec.title, "urls": [], "sources": []})
        entry["urls"].append(url)  # type: ignore[union-attr]
        if source not in entry["sources"]:  # type: ignore[operator]
            entry["sources"].append(source)  # type: ignore[union-attr]

    def pdf_for(spec: LetterSpec) -> bytes:
        head = {("Norfolk",): "Norfolk Constabulary", ("Suffolk",): "Suffolk Constabulary"}.get(
            spec.forces, "Norfolk and Suffolk Constabularies")
        return render_pdf(letter_text(spec), letterhead=f"{head} - Freedom of Information")

    # --- Drupal era ------------------------------------------------------------------
    drupal = {
        "norfolk": ("/about-us/our-data/disclosure-log/", "norfolk-drupal",
                    ["001310/19", "000871/20", "001530/20", "002911/21", "001876/22", "000122/23"]),
        "suffolk": ("/services/freedom-information/disclosure-logs/", "suffolk-drupal",
                    ["001310/19", "002402/19", "003125/20", "004470/21", "000345/22", "003370/22", "002288/23"]),
    }
    for force, (landing, source, refs) in drupal.items():
        years: dict[str, list[str]] = {}
        for ref in refs:
            spec = by_ref[ref]
            data = pdf_for(spec)
            name = f"{spec.printed_reference.replace('/', '-')}_-_{spec.slug}.pdf"
            if ref == "003125/20":
                name = name.replace("_-_", " ").replace("_", " ")  # a name with spaces: linked as %20
            if ref == "000345/22":
                name = name[:-4] + ".PDF"
            path = f"/sites/{force}/files/{name}"
            write(path, data)
            href = path.replace(" ", "%20")
            size = f"(PDF, {len(data) / 1024:.1f} KB)"
            label = f"{spec.printed_reference} - {spec.title}"
            # Alternate absolute and relative links, as the real listings mix them.
            items = years.setdefault(f"20{ref[-2:]}", [])
            link = f"{{{{ORIGIN}}}}{href}" if len(items) % 2 else href
            record(spec, href, source)
            items.append(f'<li><a href="{html.escape(link)}">{html.escape(label)}</a> {size}</li>')
            if ref == "000871/20":  # the same bytes again under a "_0" name, and the same link twice
                dup = path[:-4] + "_0.pdf"
                write(dup, data)
                record(spec, dup, source)
                items.append(f'<li><a href="{dup}">{html.escape(label)} (copy)</a> {size}</li>')
                items.append(f'<li><a href="{href}">{html.escape(label)}</a> {size}</li>')
        year_links = []
        for year, items in sorted(years.items(), reverse=True):
            body = (f"<h1>Disclosure log {year}</h1>\n<ul class=\"disclosures\">\n" + "\n".join(items) +
                    "\n</ul>\n<p>See also <a href=\"https://www.gov.uk/government/publications/foi-guidance.pdf\">"
                    "national FOI guidance (PDF)</a>.</p>")
            write(f"{landing}{year}/index.html", drupal_page(f"Disclosure log {year}", body))
            year_links.append(f'<li><a href="{landing}{year}/">{year}</a></li>')
        write(f"{landing}index.html", drupal_page("Disclosure log", "<h1>Disclosure log</h1>\n<ul>\n" +
                                                  "\n".join(year_links) + "\n</ul>"))

    # --- National platform era ----------------------------------------------------------
    platform = {
        "norfolk-constabulary": ("norfolk-platform", ["000456/24", "000789/24", "002150/24"]),
        "suffolk-constabulary": ("suffolk-platform", ["001044/24", "001377/24", "002431/24", "002150/24"]),
    }
    published: list[tuple[dt.date, str, str]] = []
    for slug, (source, refs) in platform.items():
        base = f"/foi-ai/{slug}/disclosure-log/"
        months: dict[tuple[int, str], list[str]] = {}
        for ref in refs:
            spec = by_ref[ref]
            when = spec.published_date or spec.letter_date
            assert when is not None
            title = f"FOI {spec.printed_reference} {spec.title}"
            url = f"{base}{when.year}/{when:%B}".lower() + f"/foi-{spec.printed_reference.replace('/', '-')}-{spec.slug.replace('_', '-')}/"
            attachments: list[tuple[str, str]] = []
            as_pdf = ref in ("000789/24", "002431/24")  # letter attached as a PDF, page body is a note
            if as_pdf:
                media = f"/SysSiteAssets/foi-media/{slug}/disclosure-log/{spec.printed_reference.replace('/', '-')}-response.pdf"
                write(media, pdf_for(spec))
                attachments.append((media, f"FOI {spec.printed_reference} response (PDF)"))
                record(spec, media, source)
            if ref == "002431/24":
                csv = f"/SysSiteAssets/foi-media/{slug}/disclosure-log/{spec.printed_reference.replace('/', '-')}-data.csv"
                write(csv, "month,seized\n2023-01,31\n2023-02,25\n2023-03,30\n")
                attachments.append((csv, "Seizures by month (CSV)"))
            page_html = detail_html(None if as_pdf else spec, title=title, published=when, attachments=attachments,
                                    body_note="Please see the attached response." if as_pdf else None)
            write(url + "index.html", page_html)
            record(spec, url, source)
            months.setdefault((when.year, f"{when:%B}".lower()), []).append(f'<li><a href="{url}">{html.escape(title)}</a></li>')
            published.append((when, url, title))
        years: dict[int, list[str]] = {}
        for (year, month), links in months.items():
            heading = f"{month.title()} {year}"
            write(f"{base}{year}/{month}/index.html", page(heading, f"<h1>{heading}</h1>\n<ul>\n" + "\n".join(links) + "\n</ul>"))
            years.setdefault(year, []).append(f'<li><a href="{base}{year}/{month}/">{month.title()} {year}</a></li>')
        for year, links in years.items():
            write(f"{base}{year}/index.html", page(str(year), f"<h1>{year}</h1>\n<ul>\n" + "\n".join(links) + "\n</ul>"))
        write(f"{base}index.html", page("Disclosure log", "<h1>Disclosure log</h1>\n<ul>\n" + "\n".join(
            f'<li><a href="{base}{y}/">{y}</a></li>' for y in sorted(years, reverse=True)) + "\n</ul>"))

    # The published-items list: 20 a page, newest first, linking the same detail pages.
    published.sort(reverse=True)
    listing = "/foi-ai/af/accessing-information/published-items/"
    pages = [published[i:i + 20] for i in range(0, len(published), 20)] or [[]]
    for n, chunk in enumerate(pages, start=1):
        items = "\n".join(f'<li><a href="{u}">{html.escape(t)}</a> <span>{d:%d/%m/%Y}</span></li>' for d, u, t in chunk)
        nav = f'<a href="{listing}?page={n + 1}">Next</a>' if n < len(pages) else ""
        write(listing + ("index.html" if n == 1 else f"page-{n}.html"),
              page("Published items", f"<h1>Published items</h1>\n<ul class=\"results\">\n{items}\n</ul>\n{nav}"))

    write("/robots.txt", "User-agent: *\nDisallow: /search/\nDisallow: /private/\n")
    records = [expected[s.reference] for s in LETTERS]
    (out / "expected.json").write_text(json.dumps(records, indent=1) + "\n")
    return records


def drupal_page(title: str, body: str) -> str:
    """A Drupal-era page: plain chrome around the content region."""
    return (f"<!DOCTYPE html>\n<html><head><title>{html.escape(title)}</title></head><body>\n"
            f"<div id=\"header\"><a href=\"/\">Home</a></div>\n<div id=\"content\" class=\"region-content\">\n{body}\n</div>\n"
            f"<div id=\"footer\">Footer links</div>\n</body></html>\n")


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "pipelines" / "demo" / "sample"
    records = build(out)
    print(f"wrote {len(records)} letters to {out}")


if __name__ == "__main__":
    main()
