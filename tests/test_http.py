"""The HTTP door through httpx.MockTransport: retries, politeness, limits, conditional requests."""

from __future__ import annotations

import httpx
import pytest

from scraper.http import USER_AGENT, Fetcher

ROBOTS = "User-agent: *\nDisallow: /private/\n"


class Server:
    """A scripted origin: path -> list of responses served in order (the last one repeats)."""

    def __init__(self, routes: dict[str, list[httpx.Response]]):
        self.routes = {"/robots.txt": [httpx.Response(200, text=ROBOTS)], **routes}
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        queue = self.routes.get(request.url.path, [httpx.Response(404)])
        return queue.pop(0) if len(queue) > 1 else queue[0]

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests if r.url.path != "/robots.txt"]


def fetcher(server: Server, sleeps: list[float], rate: float = 0, **options: object) -> Fetcher:
    f = Fetcher(transport=httpx.MockTransport(server), sleep=sleeps.append, **options)  # type: ignore[arg-type]
    f.allow(("log.test",), rate)
    return f


def test_5xx_is_retried_with_exponential_backoff_and_jitter() -> None:
    server = Server({"/a.pdf": [httpx.Response(503), httpx.Response(502), httpx.Response(200, content=b"%PDF-1.4 x")]})
    sleeps: list[float] = []
    result = fetcher(server, sleeps, backoff=1.0).get("https://log.test/a.pdf")
    assert result.ok and result.content == b"%PDF-1.4 x" and result.status == 200
    assert server.paths() == ["/a.pdf"] * 3
    assert 1.0 <= sleeps[0] <= 1.5 and 2.0 <= sleeps[1] <= 3.0


def test_retry_after_is_honoured_within_bounds() -> None:
    server = Server({"/a": [httpx.Response(429, headers={"Retry-After": "7"}),
                            httpx.Response(429, headers={"Retry-After": "86400"}), httpx.Response(200, text="ok")]})
    sleeps: list[float] = []
    assert fetcher(server, sleeps, max_backoff=60).get("https://log.test/a").ok
    assert sleeps == [7.0, 60.0]


def test_giving_up_records_the_reason_and_404_is_not_retried() -> None:
    server = Server({"/down": [httpx.Response(503)], "/gone.pdf": [httpx.Response(404)]})
    sleeps: list[float] = []
    f = fetcher(server, sleeps, attempts=3)
    down = f.get("https://log.test/down")
    assert down.error == "gave up after 3 attempts: HTTP 503" and not down.ok
    gone = f.get("https://log.test/gone.pdf")
    assert gone.error == "HTTP 404" and gone.status == 404
    assert server.paths() == ["/down"] * 3 + ["/gone.pdf"]


def test_dropped_connections_and_timeouts_are_retried() -> None:
    calls = []

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        if len(calls) == 2:
            raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")
        if len(calls) == 3:
            raise httpx.ReadTimeout("timed out")
        return httpx.Response(200, text="fine")

    f = Fetcher(transport=httpx.MockTransport(flaky), sleep=lambda s: None)
    f.allow(("log.test",), 0)
    assert f.get("https://log.test/x").content == b"fine"
    assert calls == ["/robots.txt", "/x", "/x", "/x"]


def test_bodies_over_the_size_limit_fail() -> None:
    server = Server({"/big": [httpx.Response(200, content=iter([b"x" * 600] * 5))],  # no Content-Length
                     "/huge": [httpx.Response(200, headers={"Content-Length": "999999999"}, content=b"")]})
    f = fetcher(server, [], max_bytes=1000)
    assert f.get("https://log.test/big").error == "larger than the 1000 byte limit"
    assert f.get("https://log.test/huge").error == "larger than the 1000 byte limit (999999999 bytes)"


def test_hosts_off_the_allow_list_are_never_requested_even_after_a_redirect() -> None:
    server = Server({"/old.pdf": [httpx.Response(301, headers={"Location": "https://elsewhere.test/new.pdf"})],
                     "/moved.pdf": [httpx.Response(301, headers={"Location": "/new.pdf"})],
                     "/new.pdf": [httpx.Response(200, content=b"%PDF-1.4")]})
    f = fetcher(server, [])
    assert f.get("https://elsewhere.test/a.pdf").error == "not on allowed_hosts: elsewhere.test"
    assert f.get("https://log.test/old.pdf").error == "not on allowed_hosts: elsewhere.test"
    moved = f.get("https://log.test/moved.pdf")
    assert moved.ok and moved.final_url == "https://log.test/new.pdf"
    assert {r.url.host for r in server.requests} == {"log.test"}


def test_robots_txt_is_obeyed_and_the_user_agent_names_foilog() -> None:
    server = Server({"/private/x.pdf": [httpx.Response(200)], "/public": [httpx.Response(200, text="hi")]})
    f = fetcher(server, [])
    assert f.get("https://log.test/private/x.pdf").error == "disallowed by robots.txt"
    assert f.get("https://log.test/public").ok
    assert server.paths() == ["/public"]
    assert all(r.headers["User-Agent"] == USER_AGENT for r in server.requests)
    assert "foilog" in USER_AGENT and "github.com" in USER_AGENT


def gaps_at_the_server(late_wake: int | None = None) -> list[float]:
    """The gaps between six requests (robots.txt, five pages) to a host allowed 2 a second, each taking
    100 ms, on a fake clock; with late_wake, the sleep before that request overshoots by 200 ms."""
    server = Server({f"/{i}": [httpx.Response(200, text="x")] for i in range(5)})
    clock = [100.0]
    sent_at: list[float] = []

    def sleep(seconds: float) -> None:
        clock[0] += seconds + (0.2 if len(sent_at) == late_wake else 0.0)  # another thread, a busy machine

    def record(request: httpx.Request) -> httpx.Response:
        sent_at.append(clock[0])
        clock[0] += 0.1
        return server(request)

    f = Fetcher(transport=httpx.MockTransport(record), sleep=sleep, clock=lambda: clock[0])
    f.allow(("log.test",), 2)
    for i in range(5):
        f.get(f"https://log.test/{i}")
    assert len(sent_at) == 6
    return [b - a for a, b in zip(sent_at, sent_at[1:])]


def test_requests_to_a_host_are_spaced_by_its_rate_limit() -> None:
    gaps = gaps_at_the_server()
    assert all(abs(g - 0.5) < 1e-9 for g in gaps), gaps


def test_a_late_wake_does_not_bring_the_next_request_closer() -> None:
    gaps = gaps_at_the_server(late_wake=2)
    assert min(gaps) >= 0.5 - 1e-9 and max(gaps) > 0.6, gaps


class Archive:
    def __init__(self) -> None:
        self.body = b"%PDF-1.4 stored"

    def validators(self, url: str) -> tuple[str | None, str | None]:
        return ('"v1"', "Tue, 01 Oct 2024 10:00:00 GMT")

    def stored_body(self, url: str) -> bytes | None:
        return self.body

    def refused(self, url: str) -> bool:
        return False


class RefusedBefore(Archive):
    """A URL whose last body was refused: its validators are kept, no body is."""

    def stored_body(self, url: str) -> bytes | None:
        return None

    def refused(self, url: str) -> bool:
        return True


def test_a_304_for_a_body_refused_before_downloads_nothing_and_stores_nothing() -> None:
    server = Server({"/a.pdf": [httpx.Response(304, headers={"ETag": '"v1"'})]})
    f = Fetcher(transport=httpx.MockTransport(server), sleep=lambda s: None, archive=RefusedBefore())
    f.allow(("log.test",), 0)
    result = f.get("https://log.test/a.pdf")
    assert result.not_modified and result.content is None and result.error is None
    assert [r.url.path for r in server.requests] == ["/robots.txt", "/a.pdf"], "asked once, conditionally"
    assert server.requests[-1].headers["If-None-Match"] == '"v1"'


def test_conditional_requests_send_validators_and_a_304_reuses_the_archive() -> None:
    server = Server({"/a.pdf": [httpx.Response(304, headers={"ETag": '"v1"'})]})
    f = Fetcher(transport=httpx.MockTransport(server), sleep=lambda s: None, archive=Archive())
    f.allow(("log.test",), 0)
    result = f.get("https://log.test/a.pdf")
    assert result.not_modified and result.content == b"%PDF-1.4 stored" and result.ok
    sent = server.requests[-1].headers
    assert sent["If-None-Match"] == '"v1"' and sent["If-Modified-Since"] == "Tue, 01 Oct 2024 10:00:00 GMT"


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_every_transient_status_is_retried(status: int) -> None:
    server = Server({"/a": [httpx.Response(status), httpx.Response(200, text="ok")]})
    assert fetcher(server, []).get("https://log.test/a").ok


def test_the_allow_list_takes_host_or_host_and_port() -> None:
    from scraper.sources import host_allowed

    assert host_allowed("http://127.0.0.1:8123/x", {"127.0.0.1:8123"})
    assert not host_allowed("http://127.0.0.1:9999/x", {"127.0.0.1:8123"})
    assert host_allowed("http://127.0.0.1:9999/x", {"127.0.0.1"}), "a bare host allows any port"
    assert host_allowed("https://log.test/a", {"log.test"})
    assert not host_allowed("https://evil.test/a", {"log.test"})
    assert not host_allowed("ftp://log.test/a", {"log.test"})

