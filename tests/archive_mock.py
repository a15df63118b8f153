"""A Wayback-compatible archive on 127.0.0.1: a CDX index and `id_` snapshots of the Drupal-era mock.

Captures are taken from a generated mirror's Drupal trees (listing pages and PDFs), as if
captured from the forces' old hosts (`.invalid` names, which no request may ever reach).
Tests add captures of their own: a revised PDF, an error page captured with status 200, a
duplicate of unchanged content. Every request is logged.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

HOSTS = {"norfolk": "https://www.norfolk.police.invalid", "suffolk": "https://www.suffolk.police.invalid"}
TREES = {"/about-us/our-data/disclosure-log": "norfolk", "/sites/norfolk/files": "norfolk",
         "/services/freedom-information/disclosure-logs": "suffolk", "/sites/suffolk/files": "suffolk"}
PLATFORM_TREES = {"/foi-ai/norfolk-constabulary/disclosure-log": "norfolk", "/SysSiteAssets/foi-media/norfolk-constabulary": "norfolk",
                  "/foi-ai/suffolk-constabulary/disclosure-log": "suffolk", "/SysSiteAssets/foi-media/suffolk-constabulary": "suffolk"}
FIRST = "20190301120000"


@dataclass
class Capture:
    timestamp: str
    original: str
    mimetype: str
    body: bytes

    @property
    def digest(self) -> str:
        return hashlib.sha1(self.body).hexdigest().upper()


@dataclass
class Archive:
    origin: str = ""
    captures: list[Capture] = field(default_factory=list)
    log: list[tuple[float, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    hold_after: int | None = None  # hold the snapshot request after this many, until release is set
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def snapshots_asked(self) -> list[str]:
        return [p for _, p in self.log if p.startswith("/web/")]

    def cdx_asked(self) -> list[str]:
        return [p for _, p in self.log if p.startswith("/cdx/")]


def captures_of_mirror(root: Path, trees: dict[str, str] = TREES) -> list[Capture]:
    """Every page and file of a mirror's trees (by default the Drupal era's), captured once."""
    found = []
    for tree, force in trees.items():
        base = root / tree.lstrip("/")
        for path in sorted(base.rglob("*")) if base.is_dir() else []:
            if not path.is_file() or path.name.startswith("_"):
                continue
            url_path = "/" + str(path.relative_to(root))
            if path.name == "index.html":
                url_path = url_path.removesuffix("index.html")
            elif path.suffix == ".html":
                continue  # paged listings are not on the Drupal trees
            kind = {".pdf": "application/pdf", ".csv": "text/csv", ".xlsx": "application/vnd.ms-excel"}.get(path.suffix.lower(), "text/html")
            body = path.read_bytes().replace(b"{{ORIGIN}}", HOSTS[force].encode())  # as the live site served it
            found.append(Capture(FIRST, HOSTS[force] + quote(url_path), kind, body))
    return found


class _Handler(BaseHTTPRequestHandler):
    archive: Archive

    def do_GET(self) -> None:
        with self.archive.lock:
            self.archive.log.append((time.monotonic(), self.path))
        parts = urlsplit(self.path)
        if parts.path == "/cdx/search/cdx":
            return self._cdx(parse_qs(parts.query))
        if parts.path.startswith("/web/"):
            with self.archive.lock:
                held = self.archive.hold_after is not None and len(self.archive.snapshots_asked()) > self.archive.hold_after
            if held:
                self.archive.holding.set()
                self.archive.release.wait(timeout=120)  # bounded: a test that never lets go still ends
            stamp, _, original = parts.path[len("/web/"):].partition("/")
            if parts.query:
                original += "?" + parts.query
            match = [c for c in self.archive.captures if c.timestamp + "id_" == stamp and unquote(c.original) == unquote(original)]
            if match:
                return self._send(200, match[0].mimetype, match[0].body)
        self._send(404, "text/plain", b"not in the archive")

    def _cdx(self, query: dict[str, list[str]]) -> None:
        prefix = query.get("url", [""])[0].removesuffix("*")
        rows: list[list[str]] = [["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]]
        last: dict[str, str] = {}
        for c in sorted(self.archive.captures, key=lambda c: (c.original, c.timestamp)):
            if not c.original.split("://", 1)[1].startswith(prefix) or c.timestamp < query.get("from", [""])[0]:
                continue
            if query.get("collapse") == ["digest"] and last.get(c.original) == c.digest:
                continue  # the same content as the capture before it
            last[c.original] = c.digest
            rows.append([c.original, c.timestamp, c.original, c.mimetype, "200", c.digest, str(len(c.body))])
        self._send(200, "application/json", json.dumps(rows).encode() if query.get("output") == ["json"] else b"")

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve_archive(captures: list[Capture]) -> Iterator[Archive]:
    archive = Archive(captures=list(captures))
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (_Handler,), {"archive": archive}))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    archive.origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield archive
    finally:
        server.shutdown()
        server.server_close()
