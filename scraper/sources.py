"""The sources file: which logs to crawl, and each layout's URL patterns."""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

import msgspec
import yaml

MAX_URL_LENGTH = 8192  # far past any real link; a 65,536-character one is an attack or a broken page

# Defaults per layout; "{slug}" is the force's platform slug ("suffolk-constabulary").
# Patterns are searched in the whole URL. "follow" defaults to "under a start URL".
DEFAULT_PATTERNS: dict[str, dict[str, str]] = {
    "platform": {
        # .../<container>/<yyyy>/<month>/<slug>/, the month as "march", "march-2024" or "03"; or, where a force's
        # containers are periods, .../disclosure-2024/march-2024/<slug>/
        "detail": r"(?i)/foi-ai/{slug}/(?:[^/?#]+/)+(?:" + "|".join(calendar.month_name[1:]).lower()
                  + r")(?:-\d{{4}})?/[^/?#]+/?$|/foi-ai/{slug}/(?:[^/?#]+/)+\d{{4}}/\d{{1,2}}/[^/?#]+/?$",
        "attachment": r"(?i)/SysSiteAssets/.+\.(?:pdf|xlsx?|docx?|csv|odt|ods)(?:[?#]|$)",
    },
    "drupal": {
        "detail": r"(?!)",  # Drupal entries are the PDFs themselves
        "attachment": r"(?i)\.pdf(?:[?#]|$)",
    },
}


class SourcesError(Exception):
    """The sources file cannot be used; the message says why in one line."""


class SourceSpec(msgspec.Struct, forbid_unknown_fields=True):
    """One entry of the sources file as written: the schema every key is checked against."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    force: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]  # a short name: Norfolk, Thames Valley
    layout: Literal["platform", "drupal", "archive"]
    start_urls: Annotated[list[str], msgspec.Meta(min_length=1)] | str | None = None  # required but for an archive
    allowed_hosts: list[str] | None = None
    # Finite and within reason: NaN or infinity would quietly turn the rate limit off.
    requests_per_second: Annotated[float, msgspec.Meta(ge=0, le=100)] | None = None  # 1, or 0.5 for an archive
    # layout: archive - a Wayback-compatible archive, how its captured pages are laid out, and
    # the original URL prefixes to list in its CDX index
    archive: str | None = None
    archive_layout: Literal["drupal", "platform"] | None = None
    prefixes: Annotated[list[str], msgspec.Meta(min_length=1)] | None = None
    max_pages: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)] = 2000
    revalidate_days: Annotated[int, msgspec.Meta(ge=0, le=3650)] = 30
    follow: str | None = None
    detail: str | None = None
    attachment: str | None = None
    transport: Literal["http", "browser"] = "http"
    enabled: bool = True
    slug: str | None = None  # the force's slug in platform paths; default: the catalogue's (scraper/forces.yml)
    container: str | None = None  # where its log sits under the slug, for the default start URL; default: the catalogue's


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
    enabled: bool = True
    transport: str = "http"  # or "browser": fetched through headless Chromium (scraper/browser.py)
    archive: str | None = None  # layout archive: the archive's base URL ...
    archive_layout: str | None = None  # ... the layout of the captured pages ...
    prefixes: tuple[str, ...] = ()  # ... the original URL prefixes listed in its CDX index
    original_hosts: tuple[str, ...] = ()  # ... and the hosts those captures were taken from


def load_sources(path: str | Path, names: tuple[str, ...] = ()) -> list[Source]:
    """Read and check a sources file; keep only `names` when given, else the enabled sources."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourcesError(f"sources file not found: {path}") from None
    except IsADirectoryError:
        raise SourcesError(f"sources file is a directory: {path}") from None
    except UnicodeDecodeError:
        raise SourcesError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise SourcesError(f"sources file cannot be read: {path} ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        raise SourcesError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    except RecursionError:
        raise SourcesError(f"{path}: nested too deeply to be a sources file") from None
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
        return [s for s in sources if s.name in names]  # named on the command line: run even if disabled
    return [s for s in sources if s.enabled]


def parse_source(item: object, where: str) -> Source:
    """One entry of the sources list, checked, with the layout's defaults filled in."""
    if isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"].strip():
        where = f"{where} ({item['name'].strip()})"
    try:
        spec = msgspec.convert(item, SourceSpec)
    except msgspec.ValidationError as exc:
        raise SourcesError(f"{where}: {_explain(str(exc))}") from None
    archive = _archive_settings(spec, where) if spec.layout == "archive" else None
    if not spec.force.strip():
        raise SourcesError(f"{where}: 'force' is empty")
    known = catalogue().get(spec.force.strip().lower())
    slug = spec.slug or (known.slug if known else re.sub(r"[^a-z0-9]+", "-", spec.force.lower()).strip("-") + "-constabulary")
    if archive is None and not spec.start_urls and spec.layout == "platform" and known:
        container = (spec.container if spec.container is not None else known.container).strip("/")
        spec = msgspec.structs.replace(spec, start_urls=[f"https://{known.host}/foi-ai/{slug}/" + (f"{container}/" if container else "")])
    if archive is None and not spec.start_urls:
        raise SourcesError(f"{where}: 'start_urls' is required" + ("" if spec.layout != "platform" else
                           f" (or a force of the catalogue, scraper/forces.yml; {spec.force!r} is not one)"))
    if archive is None and (spec.archive or spec.archive_layout or spec.prefixes):
        raise SourcesError(f"{where}: 'archive', 'archive_layout' and 'prefixes' belong to layout: archive")
    start_urls = archive.start_urls if archive else ([spec.start_urls] if isinstance(spec.start_urls, str) else spec.start_urls or [])
    for url in start_urls if archive is None else []:
        problem = url_problem(url)
        if problem:
            raise SourcesError(f"{where}: 'start_urls': {problem}")
    hosts = tuple(h.lower() for h in (spec.allowed_hosts or {urlsplit(archive.archive if archive else u).netloc for u in start_urls}))
    for url in [archive.archive] if archive else start_urls:
        if not host_allowed(url, hosts):
            raise SourcesError(f"{where}: {'archive' if archive else 'start_urls'}: {url} is not on allowed_hosts")
    defaults = DEFAULT_PATTERNS[spec.archive_layout or spec.layout]
    # Under a start URL: ".../disclosure-logs" also follows ".../disclosure-logs/2019" and "...?year=2019".
    follow = spec.follow or "^(?:" + "|".join(re.escape(u.split("?")[0].rstrip("/")) for u in start_urls) + ")"
    patterns = {}
    for key, value in (("follow", follow), ("detail", spec.detail or defaults["detail"].format(slug=re.escape(slug))),
                       ("attachment", spec.attachment or defaults["attachment"])):
        try:
            patterns[key] = re.compile(value)
        except re.error as exc:
            raise SourcesError(f"{where}: '{key}' is not a valid regular expression ({exc})") from None
    return Source(name=spec.name.strip(), force=spec.force.strip(), layout=spec.layout, start_urls=tuple(start_urls),
                  allowed_hosts=hosts, max_pages=spec.max_pages,
                  # The archive asks for restraint: half the live sites' default.
                  requests_per_second=spec.requests_per_second if spec.requests_per_second is not None else (0.5 if archive else 1.0),
                  revalidate_days=spec.revalidate_days, enabled=spec.enabled, transport=spec.transport,
                  archive=archive.archive if archive else None, archive_layout=spec.archive_layout,
                  prefixes=archive.prefixes if archive else (), original_hosts=archive.original_hosts if archive else (),
                  follow=patterns["follow"], detail=patterns["detail"], attachment=patterns["attachment"])


@dataclass(frozen=True)
class Force:
    """One force of the platform's catalogue (scraper/forces.yml)."""

    name: str
    full_name: str
    slug: str
    host: str
    container: str
    checked: bool = False
    enabled: bool = False


@functools.cache
def catalogue() -> dict[str, Force]:
    """The platform's forces by short name in lower case, from the catalogue shipped with foilog."""
    raw = yaml.safe_load((files("scraper") / "forces.yml").read_text(encoding="utf-8"))
    return {f["name"].lower(): Force(**f) for f in raw["forces"]}


@dataclass(frozen=True)
class _Archive:
    archive: str
    prefixes: tuple[str, ...]
    original_hosts: tuple[str, ...]
    start_urls: list[str]


def _archive_settings(spec: SourceSpec, where: str) -> _Archive:
    """An archive source's settings: its base URL, captured layout, prefixes and the start URLs they give."""
    if not spec.archive or not spec.archive_layout or not spec.prefixes:
        raise SourcesError(f"{where}: layout archive needs 'archive', 'archive_layout' and 'prefixes'")
    problem = url_problem(spec.archive)
    if problem:
        raise SourcesError(f"{where}: 'archive': {problem}")
    originals = [p if "://" in p else f"https://{p}" for p in spec.prefixes]
    for url in originals:
        problem = url_problem(url)
        if problem:
            raise SourcesError(f"{where}: 'prefixes': {problem}")
    starts = [spec.start_urls] if isinstance(spec.start_urls, str) else spec.start_urls or originals[:1]
    return _Archive(spec.archive.rstrip("/"), tuple(p.split("://", 1)[-1] for p in spec.prefixes),
                    tuple(sorted({urlsplit(u).netloc.lower() for u in originals})), list(starts))


def _explain(message: str) -> str:
    """msgspec's "Expected `int`, got `str` - at `$.max_pages`" as "'max_pages': expected `int`, got `str`"."""
    text, _, at = message.partition(" - at `$")
    if at:
        key = at.rstrip("`").lstrip(".").split("[")[0]
        text = f"'{key}': {text[:1].lower()}{text[1:]}"
    for said, meant in (("Object contains unknown field", "unknown key"), ("Object missing required field", "missing key")):
        if text.startswith(said):
            text = meant + " " + text[len(said):].strip().replace("`", "'")
    return text


def url_problem(url: str) -> str | None:
    """Why a URL must not be requested, or None.

    >>> url_problem("mailto:foi@example.org"), url_problem("http://127.0.0.1:abc/x"), url_problem("https://example.org/a")
    ('not an http(s) URL: mailto:foi@example.org', "not a valid URL (Port could not be cast to integer value as 'abc')", None)
    """
    if len(url) > MAX_URL_LENGTH:
        return f"URL longer than {MAX_URL_LENGTH} characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        return f"not a valid URL ({exc})"
    if parts.scheme not in ("http", "https"):
        return f"not an http(s) URL: {url[:80]}"
    if not parts.hostname:
        return f"no host in the URL: {url[:80]}"
    return None


def host_allowed(url: str, allowed_hosts: tuple[str, ...] | set[str]) -> bool:
    """Whether a URL's host is on the allow-list: "host:port" allows that port, a bare "host" any port."""
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://[::1/"
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    netloc = parts.netloc.lower().rsplit("@", 1)[-1]
    return netloc in allowed_hosts or parts.hostname.lower() in allowed_hosts
