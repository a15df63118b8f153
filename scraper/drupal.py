"""The Drupal-era logs (~2015 to 2023/24): landing page, year sections, direct PDF links."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import unquote, urlsplit

from parsers.references import reference_from_name, strip_reference
from scraper.entries import Due, Entry, ListingStats, walk_listings
from scraper.http import Fetcher
from scraper.sources import Source


def discover(fetcher: Fetcher, source: Source, stats: ListingStats, due: Due) -> Iterator[Entry]:
    """Yield one entry per PDF linked from the log, with the PDF fetched when it is due."""
    for link in walk_listings(fetcher, source, stats):
        name = unquote(urlsplit(link.url).path.rsplit("/", 1)[-1])
        revisit = due(link.url)
        yield Entry(
            source=source.name,
            force=source.force,
            url=link.url,
            title=strip_reference(link.text) or None,
            reference=reference_from_name(link.text) or reference_from_name(name),
            published_date=None,  # Drupal listings print no date per entry
            documents=(fetcher.get(link.url),) if revisit else (),
            link_text=link.text or None,
            size_note=link.note or None,
            revisited=revisit,
        )
