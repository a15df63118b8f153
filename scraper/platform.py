"""The national platform (Single Online Home): year and month pages, published items, detail pages."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from parsers.dates import parse_date
from parsers.html import extract_published_text, extract_title, parse_html
from parsers.references import reference_from_name, strip_reference
from scraper.entries import Due, Entry, ListingStats, extract_links, page_text, walk_listings
from scraper.http import Fetched, Fetcher
from scraper.sources import Source, host_allowed


def discover(fetcher: Fetcher, source: Source, stats: ListingStats, due: Due) -> Iterator[Entry]:
    """Yield one entry per detail page: the page itself (the HTML response) and its attachments.

    A known page that is not due is yielded without fetching anything, so that the
    pipeline knows it is still listed.
    """
    for link in walk_listings(fetcher, source, stats):
        if not source.detail.search(link.url):
            continue  # an attachment linked from a listing belongs to a detail page
        title: str | None = None
        published: str | None = None
        documents: tuple[Fetched, ...] = ()
        revisit = due(link.url)
        if revisit:
            title, published, documents = _fetch_detail(fetcher, source, link.url)
        yield Entry(
            source=source.name,
            force=source.force,
            url=link.url,
            title=strip_reference(title or link.text) or None,
            reference=reference_from_name(title or "") or reference_from_name(link.text) or reference_from_name(link.url),
            published_date=published,
            documents=documents,
            link_text=link.text or None,
            revisited=revisit,
        )


def _fetch_detail(fetcher: Fetcher, source: Source, url: str) -> tuple[str | None, str | None, tuple[Fetched, ...]]:
    """The detail page and every attachment it links to, fetched; its title and published date."""
    page = fetcher.get(url)
    text, problem = page_text(page)
    if text is None:
        return None, None, (page if page.error else replace(page, content=None, error=problem),)
    html = parse_html(text)
    published_text = extract_published_text(html)
    documents = [page]
    seen = {url}
    for attachment in extract_links(html, page.final_url):
        if (attachment.url not in seen and source.attachment.search(attachment.url)
                and host_allowed(attachment.url, source.allowed_hosts)):
            seen.add(attachment.url)
            documents.append(fetcher.get(attachment.url))
    return extract_title(html), parse_date(published_text) if published_text else None, tuple(documents)
