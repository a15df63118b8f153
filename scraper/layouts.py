"""Layout name -> the module that discovers its entries."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from scraper import archive, drupal, platform
from scraper.entries import Due, Entry, ListingStats
from scraper.http import Fetcher
from scraper.sources import Source

Discover = Callable[[Fetcher, Source, ListingStats, Due], Iterator[Entry]]

LAYOUTS: dict[str, Discover] = {"drupal": drupal.discover, "platform": platform.discover, "archive": archive.discover}
