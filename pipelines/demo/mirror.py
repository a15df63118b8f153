"""Serve a static mirror of the disclosure logs on 127.0.0.1, as the real sites answer.

Used by `foilog demo` for the bundled sample and by the tests. Directory URLs serve
index.html; `?page=N` on a listing serves page-N.html beside it; "{{ORIGIN}}" in a page
becomes the server's own origin (for absolute links); `_redirects.json` maps old paths to
301 redirects; ETag and Last-Modified are sent and conditional requests get 304.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import mimetypes
import threading
from collections.abc import Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

mimetypes.add_type("text/csv", ".csv")


class MirrorHandler(BaseHTTPRequestHandler):
    root: Path
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as two writes: no 40 ms delayed-ACK stall

    def log_message(self, format: str, *args: object) -> None:  # quiet: the crawl logs what matters
        pass

    def resolve(self) -> Path | None:
        """The file a request path maps to, or None (never outside the root)."""
        parts = urlsplit(self.path)
        path = (self.root / unquote(parts.path).lstrip("/")).resolve()
        if not path.is_relative_to(self.root.resolve()):
            return None
        if path.is_dir():
            page = parse_qs(parts.query).get("page", ["1"])[0]
            path = path / (f"page-{page}.html" if page.isdigit() and page != "1" else "index.html")
        return path if path.is_file() and not path.name.startswith("_") else None

    def redirects(self) -> dict[str, str]:
        redirects = self.root / "_redirects.json"
        return json.loads(redirects.read_text()) if redirects.exists() else {}

    def do_GET(self) -> None:
        location = self.redirects().get(urlsplit(self.path).path)
        if location:
            self.send_response(301)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path = self.resolve()
        if path is None:
            self.send_error(404)
            return
        body = path.read_bytes()
        ctype = mimetypes.guess_type(path.name.lower())[0] or "application/octet-stream"
        if ctype == "text/html":
            host = self.headers.get("Host") or f"127.0.0.1:{self.server.server_address[1]}"
            body = body.replace(b"{{ORIGIN}}", f"http://{host}".encode())
            ctype += "; charset=utf-8"
        etag = '"' + hashlib.sha1(body).hexdigest() + '"'
        modified = formatdate(path.stat().st_mtime, usegmt=True)
        if self.headers.get("If-None-Match") == etag or (
                not self.headers.get("If-None-Match") and self.headers.get("If-Modified-Since") == modified):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", modified)
        self.end_headers()
        self.wfile.write(body)


@contextlib.contextmanager
def serve_mirror(root: str | Path, port: int = 0, handler: type[MirrorHandler] = MirrorHandler) -> Iterator[str]:
    """Serve root on 127.0.0.1 (a free port unless given) in a thread; yield the origin URL."""
    bound = type("BoundMirrorHandler", (handler,), {"root": Path(root)})
    server = ThreadingHTTPServer(("127.0.0.1", port), bound)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def mirror_sources(origin: str, third: bool = False) -> list[dict[str, object]]:
    """Sources (as the sources file writes them) for both forces' logs, both eras, on a mirror; and, with third,
    the third force's platform log that tools.make_mirror writes with third=N."""
    host = urlsplit(origin).netloc
    common = {"allowed_hosts": [host], "requests_per_second": 0}
    published = f"{origin}/foi-ai/af/accessing-information/published-items/"
    return [
        {"name": "norfolk-platform", "force": "Norfolk", "layout": "platform", **common,
         "start_urls": [f"{origin}/foi-ai/norfolk-constabulary/disclosure-log/", published]},
        {"name": "suffolk-platform", "force": "Suffolk", "layout": "platform", **common,
         "start_urls": [f"{origin}/foi-ai/suffolk-constabulary/disclosure-log/", published]},
        {"name": "norfolk-drupal", "force": "Norfolk", "layout": "drupal", **common,
         "start_urls": [f"{origin}/about-us/our-data/disclosure-log/"]},
        {"name": "suffolk-drupal", "force": "Suffolk", "layout": "drupal", **common,
         "start_urls": [f"{origin}/services/freedom-information/disclosure-logs/"]},
    ] + ([{"name": "essex-platform", "force": "Essex", "layout": "platform", **common,
           "start_urls": [f"{origin}/foi-ai/essex-police/"]}] if third else [])


def main() -> None:
    """`python -m pipelines.demo.mirror DIR [PORT]`: serve a mirror until interrupted."""
    import sys
    import time

    root = sys.argv[1] if len(sys.argv) > 1 else "data/sample/site"
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    with serve_mirror(root, port) as origin:
        print(origin, flush=True)
        while True:
            time.sleep(3600)


if __name__ == "__main__":
    main()
