"""Servers that misbehave on purpose, on 127.0.0.1: every case is a recorded failure of its URL, never a raised error."""

from __future__ import annotations

import contextlib
import gzip
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from scraper.http import Fetcher

LETTER = b"%PDF-1.4 " + b"a response letter " * 400


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


@contextlib.contextmanager
def misbehaving() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Misbehaving)
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
    started = time.monotonic()
    result = door(download_seconds=1.0).get(origin + "/drip.pdf")
    assert result.error == "the body took longer than 1s to arrive"
    assert time.monotonic() - started < 15, "not the 20 s the drip would take"
