"""The SITES.md mock with faults on demand, and a log of every request it received.

A generated mirror (tools.make_mirror) is served by the project's mirror server through a
handler that first consults a fault plan: 5xx, 429 with Retry-After, slow answers, a
connection dropped mid-body, 403 everywhere (bot protection), a JavaScript challenge (403
and a script that sets a cookie and reloads), or a hold: after N document
requests the next one waits until the test lets it go (so that a SIGKILL lands mid-crawl at
a known point, whatever the machine's speed).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from pipelines.demo.mirror import MirrorHandler, serve_mirror
from tools.make_mirror import Manifest, build_mirror


@dataclass
class Request:
    at: float
    path: str
    host: str
    status: int
    headers: dict[str, str]


@dataclass
class FaultPlan:
    """Faults to serve, per path, in order; each request takes the next one."""

    queues: dict[str, deque] = field(default_factory=dict)
    forbidden: bool = False
    challenge: bool = False  # 403 with a script that sets a cookie and reloads, until the cookie comes back
    lock: threading.Lock = field(default_factory=threading.Lock)
    hold_after: int | None = None  # hold the request that follows this many document requests
    documents_served: int = 0
    holding: threading.Event = field(default_factory=threading.Event)  # set while a request is held
    release: threading.Event = field(default_factory=threading.Event)

    def hold(self, after: int) -> None:
        """Hold the request that comes after `after` more document requests, until `let_go()`."""
        with self.lock:
            self.hold_after, self.documents_served = after, 0
            self.holding.clear()
            self.release.clear()

    def let_go(self) -> None:
        with self.lock:
            self.hold_after = None
        self.release.set()

    def count_document(self) -> bool:
        """Count a document request; True when this one is to be held."""
        with self.lock:
            if self.hold_after is None:
                return False
            if self.documents_served < self.hold_after:
                self.documents_served += 1
                return False
        return True

    def add(self, path: str, *faults: tuple) -> None:
        with self.lock:
            self.queues.setdefault(path, deque()).extend(faults)

    def take(self, path: str) -> tuple | None:
        with self.lock:
            queue = self.queues.get(path)
            return queue.popleft() if queue else None


CHALLENGE_COOKIE = "mock_challenge=passed"
# What a JavaScript challenge serves: only a client that runs the script gets the cookie.
CHALLENGE_PAGE = f"""<!DOCTYPE html><html><head><title>Just a moment...</title></head>
<body><p>Checking your browser.</p><script>document.cookie = "{CHALLENGE_COOKIE}; path=/"; location.reload();</script></body></html>"""


class FaultyHandler(MirrorHandler):
    plan: FaultPlan
    log: list[Request]
    documents: frozenset[str]

    def send_response(self, code: int, message: str | None = None) -> None:
        self._status = code
        super().send_response(code, message)

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        self._status = 0
        arrived = time.monotonic()  # when the request came, which is what a rate limit spaces
        try:
            self._serve(path)
        finally:
            self.log.append(Request(arrived, self.path, self.headers.get("Host", ""), self._status, dict(self.headers)))

    def _serve(self, path: str) -> None:
        if path in self.documents and self.plan.count_document():
            self.plan.holding.set()
            self.plan.release.wait(timeout=120)  # bounded: a test that never lets go still ends
        if self.plan.forbidden:
            self.send_error(403, "Forbidden by bot protection")
            return
        if self.plan.challenge and CHALLENGE_COOKIE not in self.headers.get("Cookie", ""):
            body = CHALLENGE_PAGE.encode()
            self.send_response(403)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        fault = self.plan.take(path)
        if fault is None:
            super().do_GET()
        elif fault[0] == "status":
            self.send_error(fault[1])
        elif fault[0] == "retry_after":
            self.send_response(429)
            self.send_header("Retry-After", str(fault[1]))
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif fault[0] == "slow":
            time.sleep(fault[1])
            super().do_GET()
        elif fault[0] == "drop":
            target = self.resolve()
            body = target.read_bytes() if target else b"x" * 1000
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
        elif fault[0] == "redirect":
            self.send_response(301)
            self.send_header("Location", fault[1])
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            raise ValueError(f"unknown fault {fault}")


@dataclass
class MockSite:
    origin: str
    root: Path
    manifest: Manifest
    plan: FaultPlan
    log: list[Request]

    def url(self, path: str) -> str:
        return self.origin + path

    def requests_for(self, path: str) -> list[Request]:
        return [r for r in self.log if urlsplit(r.path).path == path]


@contextlib.contextmanager
def mock_site(root: Path, drupal: int = 12, platform: int = 25, workbooks: bool = False, third: int = 0) -> Iterator[MockSite]:
    """Generate a mirror under root and serve it with faults on demand on 127.0.0.1 (`workbooks`, `third`: tools.make_mirror)."""
    manifest = build_mirror(root, drupal=drupal, platform=platform, workbooks=workbooks, third=third)
    plan, log = FaultPlan(), []
    handler = type("Handler", (FaultyHandler,), {"plan": plan, "log": log, "documents": frozenset(manifest.documents)})
    with serve_mirror(root, handler=handler) as origin:
        yield MockSite(origin, root, manifest, plan, log)
