"""The one HTTP door: every request foilog makes goes through a Fetcher.

It holds the client, the allow-list, robots.txt, the per-host rate limit, retries with
backoff, conditional requests and the size cap, so that site modules only decide what
to fetch. The transport can be injected (tests use httpx.MockTransport or a local server).
"""

from __future__ import annotations

import email.utils
import hashlib
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urljoin, urlsplit

import httpx
import tenacity
from protego import Protego

from scraper.sources import host_allowed, url_problem

if TYPE_CHECKING:
    from scraper.browser import BrowserTransport

log = logging.getLogger(__name__)

USER_AGENT = "foilog/0.1 (+https://github.com/foilog/foilog; archive of police FOI disclosure logs)"
# A browser's own product tokens, then foilog's name and repository: a site can still tell who asks.
BROWSER_USER_AGENT = f"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome Safari/537.36 {USER_AGENT}"
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
MAX_BYTES = 50 * 1024 * 1024
MAX_REDIRECTS = 5
DOWNLOAD_SECONDS = 300.0  # a whole body, however it trickles in (the timeout bounds each read)
WITHDRAWN = "withdrawn from the archive"


@dataclass(frozen=True)
class Fetched:
    """The outcome of one GET: a body, a 304 answered from the archive, or an error."""

    url: str
    final_url: str
    status: int | None
    content: bytes | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    not_modified: bool = False
    elapsed: float = 0.0
    original_url: str | None = None  # fetched from a web archive: the URL it was captured from ...
    captured_at: str | None = None  # ... and when

    @property
    def ok(self) -> bool:
        return self.error is None and self.content is not None

    @cached_property
    def sha256(self) -> str | None:
        """The body's sha256, computed once for the fetch log and the file store."""
        return hashlib.sha256(self.content).hexdigest() if self.content is not None else None


class Archive(Protocol):
    """Where the door finds validators to send and the stored body a 304 refers to."""

    def validators(self, url: str) -> tuple[str | None, str | None] | None: ...

    def stored_body(self, url: str) -> bytes | None: ...

    def refused(self, url: str) -> bool: ...


class _Retryable(Exception):
    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.retry_after = retry_after


class _Failed(Exception):
    """Not worth retrying: the URL is recorded as failed with this reason."""


class Fetcher:
    """One per run. `get()` never raises for network or HTTP faults: it returns an error."""

    def __init__(
        self,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        attempts: int = 4,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        max_bytes: int = MAX_BYTES,
        download_seconds: float = DOWNLOAD_SECONDS,
        archive: Archive | None = None,
        on_fetch: Callable[[Fetched], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._routing = _Routing(transport or httpx.HTTPTransport(), self._wait_turn)
        self.client = httpx.Client(transport=self._routing, timeout=timeout, follow_redirects=False,
                                   headers={"User-Agent": USER_AGENT})
        self.timeout = timeout
        self.attempts = attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_bytes = max_bytes
        self.download_seconds = download_seconds
        self.archive = archive
        self.on_fetch = on_fetch
        self.sleep = sleep
        self.clock = clock
        self.allowed_hosts: set[str] = set()
        self.withdrawn: set[str] = set()  # URLs withdrawn from the archive: never fetched again
        self._interval: dict[str, float] = {}
        self._next_at: dict[str, float] = {}
        self._robots: dict[str, Protego | None] = {}

    def allow(self, hosts: tuple[str, ...], requests_per_second: float, transport: str = "http") -> None:
        """Add hosts to the allow-list with their politeness (0 means no limit) and how to reach
        them: "http" (httpx) or "browser" (headless Chromium, scraper/browser.py)."""
        interval = 1.0 / requests_per_second if requests_per_second > 0 else 0.0
        for host in hosts:
            self.allowed_hosts.add(host)
            # Two sources on one host: the stricter limit wins.
            self._interval[host] = max(self._interval.get(host, 0.0), interval)
            if transport == "browser":
                self._routing.browser_hosts.add(host.lower())
        if transport == "browser" and self._routing.browser is None:
            from scraper.browser import BrowserTransport

            self._routing.browser = BrowserTransport(self.allowed_hosts, BROWSER_USER_AGENT, self.timeout, pace=self._wait_turn)

    @property
    def browser(self) -> BrowserTransport | None:
        return self._routing.browser

    def close(self) -> None:
        self.client.close()  # closes the transports, the browser too

    def get(self, url: str, *, conditional: bool = True) -> Fetched:
        """GET a URL politely; follow redirects within the allow-list; record the fetch."""
        if url in self.withdrawn:
            return Fetched(url=url, final_url=url, status=None, error=WITHDRAWN)
        started = time.monotonic()
        validators = self.archive.validators(url) if (conditional and self.archive) else None
        try:
            result = self._get_following(url, validators)
        except _Failed as exc:
            result = Fetched(url=url, final_url=url, status=None, error=str(exc))
        except _Retryable as exc:  # the last attempt failed too
            result = Fetched(url=url, final_url=url, status=None, error=f"gave up after {self.attempts} attempts: {exc}")
        except (httpx.HTTPError, httpx.InvalidURL, ValueError, UnicodeError) as exc:  # whatever one URL does, it is its own failure
            result = Fetched(url=url, final_url=url, status=None, error=f"could not be fetched ({type(exc).__name__}: {exc})"[:500])
        result = replace(result, elapsed=time.monotonic() - started)
        if result.not_modified and self.archive:
            body = self.archive.stored_body(url)
            if body is not None:
                result = replace(result, content=body)
            elif not self.archive.refused(url):  # the archive lost the copy: fetch it again in full
                return self.get(url, conditional=False)
            # else: unchanged since its body was refused; nothing to download, nothing to store
        if self.on_fetch:
            self.on_fetch(result)
        return result

    def _get_following(self, url: str, validators: tuple[str | None, str | None] | None) -> Fetched:
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            problem = url_problem(current)
            if problem:
                raise _Failed(problem)
            if not host_allowed(current, self.allowed_hosts):
                raise _Failed(f"not on allowed_hosts: {urlsplit(current).netloc or current}")
            if not self._robots_allow(current):
                raise _Failed("disallowed by robots.txt")
            response = self._request(current, validators if current == url else None)
            if response.status_code in (301, 302, 303, 307, 308) and "location" in response.headers:
                current = urljoin(current, response.headers["location"])
                continue
            return self._result(url, current, response)
        raise _Failed(f"more than {MAX_REDIRECTS} redirects")

    def _result(self, url: str, final_url: str, response: _Response) -> Fetched:
        headers = response.headers
        fetched = Fetched(url=url, final_url=final_url, status=response.status_code,
                          content_type=headers.get("content-type"), etag=headers.get("etag"),
                          last_modified=headers.get("last-modified"))
        if response.status_code == 304:
            return replace(fetched, not_modified=True)
        if response.status_code == 403:
            return replace(fetched, error="403 Forbidden (bot protection or access denied)")
        if response.status_code >= 400:
            return replace(fetched, error=f"HTTP {response.status_code}")
        return replace(fetched, content=response.content)

    def _request(self, url: str, validators: tuple[str | None, str | None] | None) -> _Response:
        headers = {}
        if validators:
            etag, last_modified = validators
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_Retryable),
            stop=tenacity.stop_after_attempt(self.attempts),
            wait=self._wait,
            sleep=self.sleep,
            reraise=True,
        )
        response: _Response = retrying(self._attempt, url, headers)
        return response

    def _wait(self, state: tenacity.RetryCallState) -> float:
        """Exponential backoff with jitter; a server's Retry-After wins, within bounds."""
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Retryable) and exc.retry_after is not None:
            return min(exc.retry_after, self.max_backoff)
        base = self.backoff * 2 ** (state.attempt_number - 1)
        return float(min(base + random.uniform(0, base / 2), self.max_backoff))

    def _attempt(self, url: str, headers: dict[str, str]) -> _Response:
        try:
            with self.client.stream("GET", url, headers=headers) as response:  # the transport waits for the host's turn
                if response.status_code in RETRY_STATUSES:
                    raise _Retryable(f"HTTP {response.status_code}", _retry_after(response.headers.get("retry-after")))
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > self.max_bytes:
                    raise _Failed(f"larger than the {self.max_bytes} byte limit ({declared} bytes)")
                began = self.clock()
                body = bytearray()
                for chunk in response.iter_bytes():  # decoded: the cap counts what would be stored
                    body += chunk
                    if len(body) > self.max_bytes:
                        raise _Failed(f"larger than the {self.max_bytes} byte limit")
                    if self.clock() - began > self.download_seconds:
                        raise _Failed(f"the body took longer than {self.download_seconds:g}s to arrive")
                # Content-Length counts the bytes sent, which for a gzip-encoded body are the encoded ones.
                encoded = response.headers.get("content-encoding", "identity").strip().lower() not in ("", "identity")
                sent = response.num_bytes_downloaded if encoded else len(body)
                if declared and declared.isdigit() and sent != int(declared):
                    raise _Retryable(f"body cut short ({sent} of {declared} bytes)")
                return _Response(response.status_code, response.headers, bytes(body))
        except httpx.DecodingError as exc:
            encoding = response.headers.get("content-encoding", "?")
            raise _Failed(f"the body could not be decoded (Content-Encoding: {encoding})") from exc
        except httpx.TimeoutException as exc:
            raise _Retryable(f"timed out ({type(exc).__name__})") from exc
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            # Request URLs are checked first (url_problem): this is httpx reading a redirect's Location.
            raise _Failed(f"a redirect to a URL that cannot be fetched ({exc})") from exc
        except httpx.RemoteProtocolError as exc:
            if "location header" in str(exc).lower():
                raise _Failed(f"a redirect to a URL that cannot be fetched ({exc})") from exc
            raise _Retryable(f"connection failed ({type(exc).__name__}: {exc})") from exc
        except httpx.TransportError as exc:
            raise _Retryable(f"connection failed ({type(exc).__name__}: {exc})") from exc

    def _wait_turn(self, url: str) -> None:
        """Sleep until this host's next request is due."""
        host = urlsplit(url).netloc.lower()
        interval = self._interval.get(host, self._interval.get(urlsplit(url).hostname or "", 1.0))
        now = self.clock()
        due = self._next_at.get(host, now)
        if due > now:
            self.sleep(due - now)
        # From when the sleep actually ended: a late wake (another thread holding the
        # interpreter) must not bring the next request closer than the interval.
        self._next_at[host] = max(due, self.clock()) + interval

    def _robots_allow(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = self._load_robots(origin)
        robots = self._robots[origin]
        return robots is None or robots.can_fetch(url, USER_AGENT)

    def _load_robots(self, origin: str) -> Protego | None:
        """robots.txt of a host; a missing or unreadable one allows everything."""
        url = origin + "/robots.txt"
        try:
            response = self._request(url, None)
        except (_Retryable, _Failed) as exc:
            log.warning("robots.txt of %s could not be read (%s): crawling as allowed", origin, exc)
            if self.on_fetch:
                self.on_fetch(Fetched(url=url, final_url=url, status=None, error=str(exc)))
            return None
        if self.on_fetch:
            self.on_fetch(self._result(url, url, response))
        if response.status_code != 200:
            return None
        return Protego.parse(response.content.decode("utf-8", errors="replace"))


class _Routing(httpx.BaseTransport):
    """The client's transport: the browser for the hosts of `transport: browser` sources, httpx for the rest."""

    def __init__(self, plain: httpx.BaseTransport, pace: Callable[[str], None]):
        self.plain, self.pace = plain, pace
        self.browser: BrowserTransport | None = None
        self.browser_hosts: set[str] = set()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        # The turn is taken here, as late as it can be: a pause of ours between taking it and
        # sending (a garbage collection, say) would bring two requests closer at the server.
        self.pace(str(request.url))
        host = request.url.netloc.decode("ascii").lower()
        if self.browser is not None and (host in self.browser_hosts or request.url.host in self.browser_hosts):
            return self.browser.handle_request(request)
        return self.plain.handle_request(request)

    def close(self) -> None:
        try:
            if self.browser is not None:
                self.browser.close()
        finally:
            self.plain.close()


@dataclass(frozen=True)
class _Response:
    status_code: int
    headers: httpx.Headers
    content: bytes


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: either a number or an HTTP date."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
