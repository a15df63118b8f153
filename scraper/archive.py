"""layout: archive - the vanished Drupal-era logs, backfilled from a Wayback-compatible web archive.

The archive's CDX index lists the captures under each of a source's original URL prefixes
(`output=json`, status 200 only, one row per distinct content). The captured listing pages
and documents are then fed to the Drupal or platform discovery as if the site were live:
every URL it asks for is answered by that URL's newest capture, fetched in its original
bytes (the `id_` form of a snapshot URL), through the same door and at the source's
(low) rate. A document keeps its archive URL (its key among the URLs it was found at), the
original URL and the capture's time; the same bytes found live are the same document.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from urllib.parse import quote, unquote, urlsplit

from scraper import drupal, platform
from scraper.entries import Due, Entry, ListingStats
from scraper.http import Fetched, Fetcher
from scraper.sources import Source

CDX_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")


@dataclass(frozen=True)
class Capture:
    timestamp: str  # "20190412093011"
    original: str
    mimetype: str
    digest: str

    @property
    def captured_at(self) -> str:
        t = self.timestamp.ljust(14, "0")
        return f"{t[0:4]}-{t[4:6]}-{t[6:8]}T{t[8:10]}:{t[10:12]}:{t[12:14]}Z"


def cdx_url(archive: str, prefix: str, since: str | None = None) -> str:
    """The CDX query for every distinct capture with status 200 under an original URL prefix
    (taken at or after `since`, a timestamp, when given)."""
    return (f"{archive}/cdx/search/cdx?url={quote(prefix, safe='/:.-_~')}*&output=json"
            "&filter=statuscode:200&collapse=digest" + (f"&from={since}" if since else ""))


def snapshot_url(archive: str, capture: Capture) -> str:
    """The capture's original bytes, without the archive's banner or rewritten links."""
    return f"{archive}/web/{capture.timestamp}id_/{capture.original}"


def parse_cdx(body: bytes) -> list[Capture]:
    """Rows of a CDX JSON answer (the first row names the fields); ValueError for anything else.

    >>> parse_cdx(b'[["urlkey","timestamp","original","mimetype","statuscode","digest","length"],'
    ...           b'["uk,police)/a.pdf","20190101000000","https://police.uk/a.pdf","application/pdf","200","D1","9"]]')[0].timestamp
    '20190101000000'
    """
    try:
        rows = json.loads(body or b"[]")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not JSON ({exc})") from None
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise ValueError("not a list of rows")
    if not rows:
        return []
    header = [str(h) for h in rows[0]]
    try:
        at = {name: header.index(name) for name in ("timestamp", "original", "mimetype", "digest")}
    except ValueError:
        raise ValueError(f"its first row names no timestamp, original, mimetype and digest ({header})") from None
    captures = []
    for row in rows[1:]:
        if len(row) == len(header) and str(row[at["timestamp"]]).isdigit() and str(row[at["original"]]).startswith(("http://", "https://")):
            captures.append(Capture(str(row[at["timestamp"]]), str(row[at["original"]]), str(row[at["mimetype"]]), str(row[at["digest"]])))
    return captures


def url_key(url: str) -> str:
    """One key for a URL however it was captured: no scheme, host in lower case, path unquoted, no trailing slash."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower() + (f":{parts.port}" if parts.port and parts.port not in (80, 443) else "")
    return host + unquote(parts.path).rstrip("/") + (f"?{parts.query}" if parts.query else "")


class ArchiveFetcher:
    """What the Drupal or platform discovery fetches through: each original URL answered by its newest capture."""

    def __init__(self, fetcher: Fetcher, archive: str, captures: list[Capture]):
        self.fetcher = fetcher
        self.archive = archive
        self.by_key: dict[str, list[Capture]] = {}
        for capture in sorted(captures, key=lambda c: c.timestamp):
            self.by_key.setdefault(url_key(capture.original), []).append(capture)

    def capture(self, url: str) -> Capture | None:
        """The newest capture of a URL. A document's error page captured with status 200 (HTML where
        every other capture of it is a document) is passed over for an older, real capture."""
        found = self.by_key.get(url_key(url), [])
        documents = [c for c in found if "html" not in c.mimetype]
        chosen = documents or found
        if not chosen:
            return None
        # The same bytes captured again later are the capture already held: its earliest snapshot.
        newest = len(chosen) - 1
        while newest > 0 and chosen[newest - 1].digest == chosen[newest].digest:
            newest -= 1
        return chosen[newest]

    def snapshot(self, url: str) -> str | None:
        capture = self.capture(url)
        return snapshot_url(self.archive, capture) if capture else None

    def get(self, url: str, *, conditional: bool = True) -> Fetched:
        capture = self.capture(url)
        if capture is None:
            return Fetched(url=url, final_url=url, status=None, error="no capture of it in the archive")
        snapshot = snapshot_url(self.archive, capture)
        fetched = self.fetcher.get(snapshot, conditional=False)  # a capture never changes
        # Kept under its archive URL; links on a captured page are the original site's, read against the original URL.
        return replace(fetched, final_url=url, original_url=url, captured_at=capture.captured_at)


def discover(fetcher: Fetcher, source: Source, stats: ListingStats, due: Due, *, known: tuple[Capture, ...] = (),
             remember: Callable[[list[Capture]], None] | None = None) -> Iterator[Entry]:
    """The source's captures, through the captured layout's own discovery.

    `known` are the captures listed by earlier runs: the CDX index is asked only for captures
    taken since the newest of them, and `remember` is given the new ones.
    """
    since = max((c.timestamp for c in known), default=None)
    seen = {(c.original, c.timestamp) for c in known}
    captures: list[Capture] = list(known)
    for prefix in source.prefixes:
        url = cdx_url(source.archive or "", prefix, since)
        answer = fetcher.get(url, conditional=False)
        stats.pages += 1
        if not answer.ok:
            stats.fail(url, f"the CDX index could not be listed: {answer.error or 'no answer'}")
            continue
        try:
            listed = parse_cdx(answer.content or b"")
        except ValueError as exc:
            stats.fail(url, f"the CDX index's answer could not be read: {exc}")
            continue
        new = [c for c in listed if (c.original, c.timestamp) not in seen]
        seen |= {(c.original, c.timestamp) for c in new}
        captures += new
        if remember and new:
            remember(new)
    archive = ArchiveFetcher(fetcher, source.archive or "", captures)
    inner = replace(source, layout=source.archive_layout or "drupal", allowed_hosts=source.original_hosts)

    def snapshot_due(original: str) -> bool:
        snapshot = archive.snapshot(original)  # a link never captured keeps the back-off of a failing URL
        return due(snapshot) if snapshot else due(original)

    layout = {"drupal": drupal.discover, "platform": platform.discover}[inner.layout]
    yield from layout(archive, inner, stats, snapshot_due)  # type: ignore[arg-type]
