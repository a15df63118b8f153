"""The browser transport: the door's requests made by headless Chromium, for sites that answer only browsers.

Some platform sites sit behind a JavaScript challenge: a plain client gets 403 whatever its
headers, a browser runs the challenge's script, gets a cookie and then the page. This is an
httpx transport, mounted by the Fetcher for the hosts of a source with `transport: browser`,
so the door's allow-list, robots.txt, rate limit, size cap, retries and fetch records apply
unchanged: only how the bytes travel differs.

Each request goes through the browser context's request API (its cookies count). When an
answer looks like a challenge, the page is opened in a tab so that its script can run, and
the request is made again. The browser itself fetches nothing outside the allow-list: a
page's sub-resources are routed through it, and every other host name resolves to nothing
(`--host-resolver-rules`), which also stops Chromium's own calls to its vendor's services.
One browser per run, started on the first request and closed with the Fetcher.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx

from scraper.sources import host_allowed

CHROMIUM = os.environ.get("FOILOG_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# Headless in a container (often as root): no sandbox, no GPU, none of the background calls home.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--disable-extensions", "--metrics-recording-only", "--no-default-browser-check"]
CHALLENGE_STATUSES = frozenset({403, 429, 503})
CHALLENGE_SECONDS = 30.0
# Headers the browser has already acted on: the body it returns is decoded and whole.
_DROP = frozenset({"content-encoding", "content-length", "transfer-encoding"})


class BrowserError(Exception):
    """The browser could not be started: a problem of the machine, not of a site."""


class BrowserTransport(httpx.BaseTransport):
    def __init__(self, allowed_hosts: set[str], user_agent: str, timeout: float = 30.0,
                 pace: Callable[[str], None] | None = None, extra_args: tuple[str, ...] = ()):
        self.allowed_hosts = allowed_hosts  # the Fetcher's own set: sources added later count too
        self.user_agent = user_agent
        self.timeout = timeout
        # The door's rate limit, for the page loads a challenge makes in a tab (the door paces its own requests).
        self.pace = pace
        self.extra_args = extra_args  # more Chromium flags (a test records the browser's network log)
        self._playwright: Any = None
        self._browser: Any = None
        self._context: Any = None
        self.challenges = 0  # pages opened in a tab to pass a challenge
        self.blocked: list[str] = []  # requests the browser tried to make outside the allow-list

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        from playwright.sync_api import Error as PlaywrightError

        context = self._started()
        url = str(request.url)
        headers = {k: v for k, v in request.headers.items() if k.lower() in ("if-none-match", "if-modified-since", "accept")}
        try:
            answer = context.request.get(url, headers=headers, max_redirects=0, timeout=self.timeout * 1000)
            if answer.status in CHALLENGE_STATUSES and "html" in answer.headers.get("content-type", ""):
                answer.dispose()
                self._pass_challenge(url)
                if self.pace:  # a second request for the one the door paced
                    self.pace(url)
                answer = context.request.get(url, headers=headers, max_redirects=0, timeout=self.timeout * 1000)
            body = answer.body()
            status, pairs = answer.status, answer.headers_array
            answer.dispose()
        except PlaywrightError as exc:
            message = str(exc).splitlines()[0]
            if "Timeout" in message:
                raise httpx.ReadTimeout(message, request=request) from exc
            raise httpx.ConnectError(message, request=request) from exc
        kept = [(h["name"], h["value"]) for h in pairs if h["name"].lower() not in _DROP]
        return httpx.Response(status, headers=kept + [("content-length", str(len(body)))], content=body, request=request)

    def _pass_challenge(self, url: str) -> None:
        """Open the page in a tab and let its script run until the network is quiet (it sets a cookie and reloads)."""
        from playwright.sync_api import Error as PlaywrightError

        self.challenges += 1
        page = self._context.new_page()
        try:
            page.goto(url, wait_until="load", timeout=self.timeout * 1000)
            page.wait_for_load_state("networkidle", timeout=CHALLENGE_SECONDS * 1000)
        except PlaywrightError:
            pass  # the request that follows says whether the challenge was passed
        finally:
            page.close()

    def _started(self) -> Any:
        if self._context is not None:
            return self._context
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright

        if not os.path.exists(CHROMIUM):
            raise BrowserError(f"chromium not found at {CHROMIUM} (install Debian's chromium, or set FOILOG_CHROMIUM)")
        names = sorted({urlsplit(f"//{h}").hostname or h for h in self.allowed_hosts})
        rules = "MAP * ~NOTFOUND" + "".join(f", EXCLUDE {n}" for n in names)
        try:
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, f"--host-resolver-rules={rules}", *self.extra_args])
            self._context = self._browser.new_context(user_agent=self.user_agent, accept_downloads=False,
                                                      service_workers="block")
        except PlaywrightError as exc:
            self.close()
            raise BrowserError(f"chromium could not be started: {str(exc).splitlines()[0]}") from exc
        self._context.route("**/*", self._route)
        return self._context

    def _route(self, route: Any) -> None:
        url = route.request.url
        if urlsplit(url).scheme in ("data", "blob"):
            route.continue_()
        elif host_allowed(url, self.allowed_hosts):
            if self.pace:
                self.pace(url)
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")

    def close(self) -> None:
        for thing, method in ((self._context, "close"), (self._browser, "close"), (self._playwright, "stop")):
            try:
                if thing is not None:
                    getattr(thing, method)()
            except Exception:  # noqa: BLE001 - closing what may be half started; nothing to report
                pass
        self._context = self._browser = self._playwright = None
