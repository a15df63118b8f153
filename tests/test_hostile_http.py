"""Servers that misbehave on purpose, on 127.0.0.1: every case is a recorded failure of its URL, never a raised error."""

from __future__ import annotations

import contextlib
import gzip
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from scraper.http import Fetcher
from tools.tinypdf import tiny_pdf

LETTER = b"%PDF-1.4 " + b"a response letter " * 400
LISTING = '<html><body><ul><li><a href="/letters/{n}.pdf">FOI 000123/24 Caf\u00e9 costs \u00a3100 \u2013 {n}</a></li></ul></body></html>'


class Misbehaving(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path == "/robots.txt":
            return self.reply(404, b"")
        if path == "/gzip.pdf":  # what many servers and CDNs send: Content-Length of the encoded bytes
            return self.reply(200, gzip.compress(LETTER), {"Content-Encoding": "gzip"})
        if path == "/not-gzip.pdf":
            return self.reply(200, LETTER, {"Content-Encoding": "gzip"})
        if path == "/gzip-bomb.pdf":  # 200 MB of zeros, a few hundred kB on the wire
            return self.reply(200, gzip.compress(bytes(200 * 1024 * 1024), compresslevel=9), {"Content-Encoding": "gzip"})
        if path.endswith(".pdf") and path.startswith("/letters/"):
            return self.reply(200, tiny_pdf(["Freedom of Information Request Reference No: FOI 000123/24"]),
                              {"Content-Type": "application/pdf"})
        if path == "/cp1252/":  # declared in the header only
            return self.reply(200, LISTING.format(n=1).encode("cp1252"), {"Content-Type": "text/html; charset=windows-1252"})
        if path == "/meta-1252/":  # declared in a meta tag only
            page = LISTING.format(n=2).replace("<html>", '<html><head><meta charset="windows-1252"></head>')
            return self.reply(200, page.encode("cp1252"), {"Content-Type": "text/html"})
        if path == "/utf-16/":  # a byte order mark, no declaration
            return self.reply(200, b"\xff\xfe" + LISTING.format(n=3).encode("utf-16-le"), {"Content-Type": "text/html"})
        if path == "/undeclared/":  # neither declared nor UTF-8: read as windows-1252, and said so
            return self.reply(200, LISTING.format(n=4).encode("cp1252"), {"Content-Type": "text/html"})
        if path == "/nested/":  # 3.3 MB of nested <div>s: quadratic in the HTML parser's C code
            return self.reply(200, b"<html><body>" + b"<div>" * 660_000 + b"</body></html>", {"Content-Type": "text/html"})
        if path == "/to-mailto":
            return self.reply(302, b"", {"Location": "mailto:foi@example.org"})
        if path == "/to-data":
            return self.reply(302, b"", {"Location": "data:text/html,<h1>hi</h1>"})
        if path == "/to-bad-port":
            return self.reply(302, b"", {"Location": "http://127.0.0.1:abc/x"})
        if path == "/drip.pdf":  # one byte every 0.2 s: each read is quick, the whole never ends
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            for _ in range(100):  # bounded: the server stops by itself
                try:
                    self.wfile.write(b"x")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.2)  # the slowness under test, not a wait for something to happen
            return None
        return self.reply(404, b"")

    def reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        # A client that hangs up part way (on the gzip bomb, the drip) is what these tests provoke; anything else is printed.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@contextlib.contextmanager
def misbehaving() -> Iterator[str]:
    server = _Server(("127.0.0.1", 0), Misbehaving)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    with misbehaving() as url:
        yield url


def door(**options: object) -> Fetcher:
    fetcher = Fetcher(attempts=2, backoff=0, sleep=lambda s: None, **options)  # type: ignore[arg-type]
    fetcher.allow(("127.0.0.1",), 0)  # a bare host, as the shipped sources.yml writes it
    return fetcher


def test_a_gzip_body_with_its_content_length_is_accepted_and_stored_decoded(origin: str) -> None:
    result = door().get(origin + "/gzip.pdf")
    assert result.error is None and result.content == LETTER


@pytest.mark.parametrize(("path", "error"), [
    ("/not-gzip.pdf", "the body could not be decoded (Content-Encoding: gzip)"),
    ("/to-mailto", "a redirect to a URL that cannot be fetched (For absolute URLs, path must be empty or begin with '/')"),
    ("/to-data", "a redirect to a URL that cannot be fetched (For absolute URLs, path must be empty or begin with '/')"),
    ("/to-bad-port", "a redirect to a URL that cannot be fetched (Invalid URL in location header: Invalid port: 'abc'.)"),
])
def test_a_bad_body_or_redirect_is_a_recorded_failure(origin: str, path: str, error: str) -> None:
    seen = []
    fetcher = door()
    fetcher.on_fetch = seen.append
    result = fetcher.get(origin + path)
    assert result.error == error and result.content is None
    assert seen[-1].error == error, "recorded like any other fetch"


def test_links_that_cannot_be_requested_are_refused_before_any_request(origin: str) -> None:
    fetcher = door()
    assert fetcher.get(origin + "/" + "a" * 70_000).error == "URL longer than 8192 characters"
    assert fetcher.get("http://127.0.0.1:abc/x").error == "not a valid URL (Port could not be cast to integer value as 'abc')"
    assert fetcher.get("http://[::1/").error == "not a valid URL (Invalid IPv6 URL)"


def test_a_body_is_capped_after_decoding(origin: str) -> None:
    result = door(max_bytes=10 * 1024 * 1024).get(origin + "/gzip-bomb.pdf")
    assert result.error == f"larger than the {10 * 1024 * 1024} byte limit"


def test_a_body_that_trickles_in_is_given_up_at_the_download_deadline(origin: str) -> None:
    result = door(download_seconds=1.0).get(origin + "/drip.pdf")
    assert result.error == "the body took longer than 1s to arrive"


def crawl_listing(tmp_path, origin: str, path: str):  # type: ignore[no-untyped-def]
    from pipelines.run import run
    from scraper.sources import parse_source

    source = parse_source({"name": "log", "force": "Suffolk", "layout": "drupal", "start_urls": [origin + path],
                           "allowed_hosts": ["127.0.0.1"], "requests_per_second": 0}, "test")
    return run(tmp_path / "f.db", tmp_path / "files", [source], command="crawl")


@pytest.mark.parametrize(("path", "n"), [("/cp1252/", 1), ("/meta-1252/", 2), ("/utf-16/", 3), ("/undeclared/", 4)])
def test_listings_are_read_by_their_declared_or_sniffed_charset(tmp_path, origin: str, path: str, n: int,  # type: ignore[no-untyped-def]
                                                               caplog: pytest.LogCaptureFixture) -> None:
    import sqlite3

    summary = crawl_listing(tmp_path, origin, path)
    assert summary.crawl.new == 1, summary.line()
    (title,), = sqlite3.connect(tmp_path / "f.db").execute("select title from document_urls").fetchall()
    assert title == f"Caf\u00e9 costs \u00a3100 \u2013 {n}"
    fallback = [r.message for r in caplog.records if "read as windows-1252" in r.message]
    assert bool(fallback) == (path == "/undeclared/")


def test_a_deeply_nested_listing_is_refused_before_it_is_parsed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with misbehaving() as url:
        summary = crawl_listing(tmp_path, url, "/nested/")
    assert summary.crawl.problems == [f"log: 1 of 1 listing pages failed (first: {url}/nested/: refused: nested more than "
                                      "512 elements deep); nothing marked removed"]
