"""`transport: browser`: a site that answers only browsers, crawled through headless Chromium behind the one door."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import yaml

from pipelines.demo.mirror import mirror_sources
from scraper.browser import BrowserTransport
from scraper.http import USER_AGENT, Fetcher
from tests.conftest import ROOT, foilog, rows
from tests.mock_site import mock_site


@pytest.fixture
def challenged(tmp_path: Path):  # type: ignore[no-untyped-def]
    with mock_site(tmp_path / "site", drupal=6, platform=8) as site:
        site.plan.challenge = True
        yield site


def _sources(path: Path, origin: str, **settings: object) -> Path:
    path.write_text(yaml.safe_dump({"sources": [{**s, **settings} for s in mirror_sources(origin)]}, sort_keys=False))
    return path


def test_a_challenge_tells_httpx_no_and_the_browser_crawls_it_completely(challenged, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "plain").mkdir()
    (tmp_path / "browser").mkdir()
    plain_db = tmp_path / "plain" / "foilog.db"
    plain = foilog("run", "--sources", str(_sources(tmp_path / "plain.yml", challenged.origin, requests_per_second=0)), "--db", str(plain_db))
    assert "403 Forbidden" in plain.stderr and "Traceback" not in plain.stderr
    assert rows(plain_db, "select count(*) as n from documents")[0]["n"] == 0
    said = foilog("status", "--db", str(plain_db)).stdout
    named = [line for line in said.splitlines() if line.startswith("source ")]
    assert len(named) == 4 and all("set 'transport: browser' for this source" in line for line in named), said

    challenged.log.clear()
    browser_db = tmp_path / "browser" / "foilog.db"
    done = foilog("run", "--sources", str(_sources(tmp_path / "browser.yml", challenged.origin, requests_per_second=0, transport="browser")),
                  "--db", str(browser_db))
    assert done.returncode == 0, done.stderr
    fetched = {(r["url"], r["sha256"]) for r in rows(browser_db, "select url, sha256 from document_urls")}
    assert {challenged.url(p) for p in challenged.manifest.documents} <= {url for url, _ in fetched}

    # What a plain client gets from the same site without the challenge: exactly the same.
    challenged.plan.challenge = False
    (tmp_path / "open").mkdir()
    open_db = tmp_path / "open" / "foilog.db"
    assert foilog("run", "--sources", str(tmp_path / "plain.yml"), "--db", str(open_db)).returncode == 0
    assert fetched == {(r["url"], r["sha256"]) for r in rows(open_db, "select url, sha256 from document_urls")}
    assert rows(browser_db, "select count(*) as n from disclosures")[0]["n"] == rows(open_db, "select count(*) as n from disclosures")[0]["n"]
    challenged.plan.challenge = True
    assert all(USER_AGENT in _header(r, "User-Agent") for r in challenged.log)
    passed = [r for r in challenged.log if "mock_challenge=passed" in _header(r, "Cookie")]
    assert len(passed) >= len(challenged.manifest.documents)  # the cookie the script set came back with each request
    assert "transport: browser" not in foilog("status", "--db", str(browser_db)).stdout


def _header(request, name: str) -> str:  # type: ignore[no-untyped-def]
    return next((v for k, v in request.headers.items() if k.lower() == name.lower()), "")


class _Other(BaseHTTPRequestHandler):
    """Another host (another port on 127.0.0.1): the browser must never ask it for anything."""

    seen: list[str] = []

    def do_GET(self) -> None:
        self.seen.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_the_browser_asks_nothing_outside_the_allow_list(challenged) -> None:  # type: ignore[no-untyped-def]
    other = ThreadingHTTPServer(("127.0.0.1", 0), _Other)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    elsewhere = f"http://127.0.0.1:{other.server_address[1]}"
    # The challenge page itself pulls a script, an image and a frame from the other host.
    import tests.mock_site as mock

    page = mock.CHALLENGE_PAGE
    mock.CHALLENGE_PAGE = page.replace("<body>", f'<body><script src="{elsewhere}/track.js"></script><img src="{elsewhere}/pixel.gif">'
                                                  f'<iframe src="{elsewhere}/frame"></iframe><img src="https://www.google.com/x.gif">')
    fetcher = Fetcher(backoff=0.01)
    try:
        host = challenged.origin.removeprefix("http://")
        fetcher.allow((host,), 0, transport="browser")
        got = fetcher.get(challenged.url("/robots.txt"))
        assert got.ok and got.status == 200
        browser = fetcher.browser
        assert browser is not None and browser.challenges == 1
        assert {u.split("/")[-1] for u in browser.blocked} >= {"track.js", "pixel.gif", "frame", "x.gif"}
        assert _Other.seen == []
        refused = fetcher.get(elsewhere + "/frame")
        assert refused.error and "not on allowed_hosts" in refused.error and _Other.seen == []
    finally:
        mock.CHALLENGE_PAGE = page
        fetcher.close()
        other.shutdown()


def test_the_browser_keeps_the_rate_limit_measured_at_the_server(challenged) -> None:  # type: ignore[no-untyped-def]
    fetcher = Fetcher(backoff=0.01)
    try:
        fetcher.allow((challenged.origin.removeprefix("http://"),), 5.0, transport="browser")
        for path in sorted(challenged.manifest.documents)[:6]:
            assert fetcher.get(challenged.url(path)).ok
    finally:
        fetcher.close()
    arrivals = [r.at for r in challenged.log]
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:])]
    # The challenge's own page loads are spaced too. A request through the browser arrives some
    # tens of milliseconds after the door's turn for it (Playwright's round trip), so one gap may
    # be that much short of 0.2 s; over the whole run the rate holds.
    assert len(arrivals) >= 8 and min(gaps) >= 0.2 - 0.08, gaps
    assert (len(arrivals) - 1) / (arrivals[-1] - arrivals[0]) <= 5.0


def test_a_run_stopped_by_sigterm_closes_its_browser(challenged, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    challenged.plan.hold(after=2)
    sources = _sources(tmp_path / "browser.yml", challenged.origin, requests_per_second=0, transport="browser")
    proc = subprocess.Popen([sys.executable, "-m", "pipelines", "run", "--sources", str(sources), "--db", str(tmp_path / "f.db")],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert challenged.plan.holding.wait(120), "the crawl never reached the held document"
        ours = _our_browsers(proc.pid)
        assert ours, "the run's chromium is running"
        proc.send_signal(signal.SIGTERM)
        challenged.plan.let_go()
        _, err = proc.communicate(timeout=60)
    finally:
        challenged.plan.let_go()
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode != 0 and "Traceback" not in err
    assert not [p for p in ours if Path(f"/proc/{p}").exists() and "chromium" in _cmdline(p)], "a chromium outlived its run"
    assert rows(tmp_path / "f.db", "select status from crawl_runs")[-1]["status"] == "failed"


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _our_browsers(root: int) -> list[int]:
    """The chromium processes descended from a process."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        for child in children.get(pid, []):
            todo.append(child)
            if "chromium" in _cmdline(child):
                found.append(child)
    return found


def test_browser_transport_errors_are_the_doors_errors() -> None:
    transport = BrowserTransport(set(), USER_AGENT, timeout=5)
    try:
        with pytest.raises(httpx.ConnectError):
            transport.handle_request(httpx.Request("GET", "http://127.0.0.1:9/nothing-listens-here"))
    finally:
        transport.close()


def test_chromium_itself_reaches_no_host_but_the_allowed_one(challenged, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Chromium's own calls home (update and account services) survive the usual flags; they must go nowhere."""
    import json

    netlog = tmp_path / "net.json"
    host = challenged.origin.removeprefix("http://")
    transport = BrowserTransport({host}, USER_AGENT, extra_args=(f"--log-net-log={netlog}", "--net-log-capture-mode=Everything"))
    try:
        for path in ("/robots.txt", sorted(challenged.manifest.documents)[0]):
            assert transport.handle_request(httpx.Request("GET", challenged.url(path))).status_code == 200
    finally:
        transport.close()  # the log is complete once the browser has gone
    log = json.loads(netlog.read_text())
    names = {number: name for name, number in log["constants"]["logEventTypes"].items()}
    events = [(names.get(e["type"], ""), e.get("params", {})) for e in log["events"]]
    connects = {p["address"] for name, p in events if name in ("TCP_CONNECT_ATTEMPT", "TCP_CONNECT_JOB_CONNECTOR_CONNECT_START") and "address" in p}
    assert connects == {host}, connects
    assert not [p for name, p in events if name == "UDP_BYTES_SENT"], "a UDP packet left the browser"
    elsewhere = {p["url"] for _, p in events if "url" in p and not p["url"].startswith(challenged.origin) and not p["url"].startswith("https://~notfound")}
    # What it tried (measured: its update and account services), each resolved to nothing.
    assert all("google" in u or "gvt" in u for u in elsewhere), elsewhere
