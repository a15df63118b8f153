"""What a crawl yields: one listed disclosure and the documents fetched for it."""

from __future__ import annotations

import logging
import re
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin

from selectolax.lexbor import LexborHTMLParser

from parsers.html import decode_html, html_problem, parse_html
from scraper.http import Fetched, Fetcher
from scraper.sources import Source, host_allowed

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    """A disclosure as its log lists it: a Drupal PDF link or a platform detail page."""

    source: str
    force: str
    url: str
    title: str | None
    reference: str | None  # as printed in the listing or URL, normalised
    published_date: str | None
    documents: tuple[Fetched, ...]  # empty when the entry was not due for a revisit
    link_text: str | None = None  # the listing's link text, as printed
    size_note: str | None = None  # e.g. "PDF, 85.2 KB"
    revisited: bool = True


# Whether a known entry is due to be fetched again (new entries always are).
Due = Callable[[str], bool]


@dataclass(frozen=True)
class Link:
    url: str
    text: str
    note: str  # text right after the link, e.g. "(PDF, 85.2 KB)"


_SIZE_NOTE = re.compile(r"^\s*\(([^)]*\b(?:KB|MB|bytes|PDF)\b[^)]*)\)", re.I)


def extract_links(html: str | LexborHTMLParser, base_url: str) -> list[Link]:
    """Every <a href> of a page as an absolute URL without fragment, in page order."""
    tree = parse_html(html)
    base = tree.css_first("base[href]")
    base_url = urljoin(base_url, base.attributes.get("href") or "") if base else base_url
    links = []
    for node in tree.css("a[href]"):
        href = (node.attributes.get("href") or "").strip()
        if not href or href.startswith(("mailto:", "tel:", "javascript:", "#")):
            continue
        url = urldefrag(urljoin(base_url, href)).url
        following = node.next
        note = following.text(deep=False) if following is not None and following.tag == "-text" else ""
        match = _SIZE_NOTE.match(note or "")
        links.append(Link(url=url, text=" ".join(node.text().split()), note=match.group(1) if match else ""))
    return links


@dataclass
class ListingStats:
    """How the walk over a source's listing pages went (for removals and health checks)."""

    pages: int = 0
    failed: int = 0
    errors: list[str] | None = None
    cut_short: bool = False  # max_pages was reached with listing pages still to walk

    @property
    def complete(self) -> bool:
        """Whether every listing page was walked and read: only then can an entry be known to have left."""
        return not self.failed and not self.cut_short

    def fail(self, url: str, error: str) -> None:
        self.failed += 1
        self.errors = (self.errors or []) + [f"{url}: {error}"]


def page_text(page: Fetched) -> tuple[str | None, str | None]:
    """A fetched page's text, by its declared or sniffed charset; or None and why it cannot be read.

    A page too large or nested too deep is refused before it is parsed: lexbor's cost grows
    with the square of the nesting, in C code that nothing can interrupt.
    """
    if not page.ok or page.content is None:
        return None, page.error or "no body"
    problem = html_problem(page.content)
    if problem:
        log.warning("%s: refused: %s", page.url, problem)
        return None, f"refused: {problem}"
    text, how = decode_html(page.content, page.content_type)
    if how == "fallback":
        log.warning("%s: no charset declared and not UTF-8: read as windows-1252", page.url)
    return text, None


def walk_listings(fetcher: Fetcher, source: Source, stats: ListingStats) -> Iterator[Link]:
    """Breadth-first over the listing pages of a source; yield each target link once.

    A target is a detail page or a document by the source's patterns; a listing page is
    any other allowed link that the "follow" pattern matches. Nothing else is fetched.
    """
    queue = deque(source.start_urls)
    queued = set(queue)
    targets: set[str] = set()
    while queue and stats.pages < source.max_pages:
        url = queue.popleft()
        page = fetcher.get(url, conditional=False)
        stats.pages += 1
        text, problem = page_text(page)
        if text is None:
            stats.fail(url, problem or "no body")
            continue
        for link in extract_links(text, page.final_url):
            if not host_allowed(link.url, source.allowed_hosts):
                continue
            if source.detail.search(link.url) or source.attachment.search(link.url):
                if link.url not in targets:
                    targets.add(link.url)
                    yield link
            elif source.follow.search(link.url) and link.url not in queued:
                queued.add(link.url)
                queue.append(link.url)
    stats.cut_short = bool(queue)
