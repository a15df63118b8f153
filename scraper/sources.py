"""The sources file: which logs to crawl, and each layout's URL patterns."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

LAYOUTS = ("platform", "drupal")
FORCES = ("Norfolk", "Suffolk")

# Defaults per layout; "{slug}" is the force's platform slug ("suffolk-constabulary").
# Patterns are searched in the whole URL. "follow" defaults to "under a start URL".
DEFAULT_PATTERNS: dict[str, dict[str, str]] = {
    "platform": {
        # .../<container>/<yyyy>/<month>/<slug>/, the month as "march", "march-2024" or "03"
        "detail": r"/foi-ai/{slug}/(?:[^/?#]+/)+\d{{4}}/(?:[a-z]+(?:-\d{{4}})?|\d{{1,2}})/[^/?#]+/?$",
        "attachment": r"(?i)/SysSiteAssets/.+\.(?:pdf|xlsx?|docx?|csv|odt|ods)(?:[?#]|$)",
    },
    "drupal": {
        "detail": r"(?!)",  # Drupal entries are the PDFs themselves
        "attachment": r"(?i)\.pdf(?:[?#]|$)",
    },
}


class SourcesError(Exception):
    """The sources file cannot be used; the message says why in one line."""


@dataclass(frozen=True)
class Source:
    """One disclosure log to crawl."""

    name: str
    force: str
    layout: str
    start_urls: tuple[str, ...]
    allowed_hosts: tuple[str, ...]
    requests_per_second: float
    max_pages: int
    revalidate_days: int
    follow: re.Pattern[str]
    detail: re.Pattern[str]
    attachment: re.Pattern[str]

    @property
    def slug(self) -> str:
        return f"{self.force.lower()}-constabulary"


def load_sources(path: str | Path, names: tuple[str, ...] = ()) -> list[Source]:
    """Read and check a sources file; keep only `names` when given."""
    try:
        raw = yaml.safe_load(Path(path).read_text())
    except FileNotFoundError:
        raise SourcesError(f"sources file not found: {path}") from None
    except yaml.YAMLError as exc:
        raise SourcesError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("sources"), list):
        raise SourcesError(f"{path}: expected a top-level 'sources:' list")
    sources = [parse_source(item, f"{path}: source {i + 1}") for i, item in enumerate(raw["sources"])]
    seen: set[str] = set()
    for source in sources:
        if source.name in seen:
            raise SourcesError(f"{path}: source name '{source.name}' is used twice")
        seen.add(source.name)
    if names:
        unknown = set(names) - seen
        if unknown:
            raise SourcesError(f"{path}: no source named {', '.join(sorted(unknown))}")
        sources = [s for s in sources if s.name in names]
    return sources


def parse_source(item: object, where: str) -> Source:
    """One entry of the sources list, checked, with the layout's defaults filled in."""
    if not isinstance(item, dict):
        raise SourcesError(f"{where}: expected a mapping")
    name = str(item.get("name") or "").strip()
    if not name:
        raise SourcesError(f"{where}: 'name' is required")
    where = f"{where} ({name})"
    force = str(item.get("force") or "")
    if force not in FORCES:
        raise SourcesError(f"{where}: 'force' must be one of {', '.join(FORCES)}, not '{force}'")
    layout = str(item.get("layout") or "")
    if layout not in LAYOUTS:
        raise SourcesError(f"{where}: 'layout' must be one of {', '.join(LAYOUTS)}, not '{layout}'")
    start_urls = item.get("start_urls") or []
    if isinstance(start_urls, str):
        start_urls = [start_urls]
    if not start_urls or not all(isinstance(u, str) and urlsplit(u).scheme in ("http", "https") for u in start_urls):
        raise SourcesError(f"{where}: 'start_urls' must list http(s) URLs")
    hosts = tuple(str(h).lower() for h in (item.get("allowed_hosts") or {urlsplit(u).netloc for u in start_urls}))
    for url in start_urls:
        if not host_allowed(url, hosts):
            raise SourcesError(f"{where}: start URL {url} is not on allowed_hosts")
    try:
        rate = float(item.get("requests_per_second", 1))
        max_pages = int(item.get("max_pages", 2000))
        revalidate_days = int(item.get("revalidate_days", 30))
    except (TypeError, ValueError):
        raise SourcesError(f"{where}: requests_per_second, max_pages and revalidate_days must be numbers") from None
    if rate < 0 or max_pages < 1 or revalidate_days < 0:
        raise SourcesError(f"{where}: requests_per_second and revalidate_days must be >= 0, max_pages >= 1")
    slug = f"{force.lower()}-constabulary"
    defaults = DEFAULT_PATTERNS[layout]
    # Under a start URL: ".../disclosure-logs" also follows ".../disclosure-logs/2019" and "...?year=2019".
    follow = item.get("follow") or "^(?:" + "|".join(re.escape(u.split("?")[0].rstrip("/")) for u in start_urls) + ")"
    patterns = {}
    for key, value in (("follow", follow), ("detail", item.get("detail") or defaults["detail"].format(slug=slug)),
                       ("attachment", item.get("attachment") or defaults["attachment"])):
        try:
            patterns[key] = re.compile(str(value))
        except re.error as exc:
            raise SourcesError(f"{where}: '{key}' is not a valid regular expression ({exc})") from None
    return Source(name=name, force=force, layout=layout, start_urls=tuple(start_urls), allowed_hosts=hosts,
                  requests_per_second=rate, max_pages=max_pages, revalidate_days=revalidate_days, **patterns)


def host_allowed(url: str, allowed_hosts: tuple[str, ...] | set[str]) -> bool:
    """Whether a URL's host is on the allow-list: "host:port" allows that port, a bare "host" any port."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    netloc = parts.netloc.lower().rsplit("@", 1)[-1]
    return netloc in allowed_hosts or parts.hostname.lower() in allowed_hosts
