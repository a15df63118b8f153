"""The crawler end to end against the fault-injecting mock: complete, polite, incremental, resumable."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import ROOT, assert_paced, foilog, write_sources
from tests.mock_site import MockSite, mock_site


def sources(tmp: Path, site: MockSite, **settings: object) -> Path:
    return write_sources(tmp / "sources.yml", site.origin, **settings)


def crawl(tmp: Path, site: MockSite, *extra: str, **settings: object) -> subprocess.CompletedProcess[str]:
    return foilog("crawl", "--sources", str(sources(tmp, site, **settings)), "--db", str(tmp / "f.db"),
                  "--data-dir", str(tmp / "files"), *extra)


def query(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def state(tmp: Path) -> dict[str, object]:
    """What a crawl leaves behind, without the run history and timestamps."""
    db = tmp / "f.db"
    files = sorted(p.name for p in (tmp / "files").rglob("*") if p.is_file())
    return {
        "urls": query(db, "select u.url, u.sha256, u.error is not null, d.sha256, d.status from document_urls u "
                          "join documents d on d.id = u.document_id order by u.url"),
        "documents": query(db, "select sha256, status, kind, bytes from documents order by sha256, url"),
        "versions": query(db, "select count(*) from document_versions"),
        "files": files,
    }


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    with mock_site(tmp_path_factory.mktemp("site")) as site:
        yield site


def expected_content(site: MockSite) -> set[str]:
    """The sha256 of every document the mirror serves, read from its files."""
    shas = set()
    for path, doc in site.manifest.documents.items():
        target = site.manifest.redirects.get(path, path)
        file = site.root / target.lstrip("/").replace("%20", " ")
        if file.is_dir():
            file = file / "index.html"
        data = file.read_bytes()
        if doc["kind"] == "html":
            data = data.replace(b"{{ORIGIN}}", site.origin.encode())
        shas.add(hashlib.sha256(data).hexdigest())
    return shas


def test_a_complete_crawl_finds_every_document_once_and_nothing_else(tmp_path: Path, site: MockSite) -> None:
    site.log.clear()
    result = crawl(tmp_path, site, requests_per_second=0)
    assert result.returncode == 0, result.stderr
    db = tmp_path / "f.db"
    urls = {u for (u,) in query(db, "select url from document_urls")}
    assert urls == {site.url(p) for p in [*site.manifest.documents, *site.manifest.failures]}
    # Duplicates collapse: one document per content, whatever the number of URLs.
    stored = {s for (s,) in query(db, "select sha256 from documents where status = 'fetched'")}
    assert stored == expected_content(site)
    assert len(stored) == query(db, "select count(*) from documents where status = 'fetched'")[0][0]
    # Failures are recorded with their reason, and the rest of the run went on.
    errors = dict(query(db, "select url, error from document_urls where error is not null"))
    assert set(errors) == {site.url(p) for p in site.manifest.failures}
    for path, reason in site.manifest.failures.items():
        assert reason in errors[site.url(path)]
    # Never requested: robots.txt disallows /private/; other hosts are not on the allow-list.
    requested = {r.path.split("?")[0] for r in site.log}
    assert not [p for p in requested if p.startswith("/private/")]
    assert {r.host for r in site.log} == {site.origin.split("//")[1]}
    # A listing that links a document twice still fetches it once.
    twice = [p for p in site.manifest.documents if p.endswith("_0.pdf")][0].replace("_0.pdf", ".pdf")
    assert len(site.requests_for(twice)) == 1
    # Drupal listings keep their link text and size note as metadata.
    notes = query(db, "select link_text, size_note, title, listing_reference from document_urls "
                      "where source = 'norfolk-drupal' and error is null and url like '%.pdf'")
    assert notes and all(ref and title and text.startswith(ref[:6]) for text, _, title, ref in notes)
    # Every link but the "_0" copy and the joint letter's carries a "(PDF, 85.2 KB)" note.
    with_note = [n for _, n, _, _ in notes if n and n.startswith("PDF, ") and n.endswith(" KB")]
    assert len(with_note) == len(notes) - 2
    # Every request is recorded: a redirect's hops in one row with its final URL; a URL that
    # robots.txt disallows gets a row but no request.
    answered, hops, refused = query(db, "select count(status), sum(final_url != url), "
                                        "sum(error = 'disallowed by robots.txt') from fetches")[0]
    assert answered + hops == len(site.log)
    assert hops == len(site.manifest.redirects) and refused == len(site.manifest.never)
    pages, new, failed = query(db, "select pages, new, failed from crawl_runs")[0]
    assert new == len(stored) and failed == len(site.manifest.failures) and pages > 0


def test_paging_of_the_published_items_list_is_followed(tmp_path: Path, site: MockSite) -> None:
    site.log.clear()
    result = foilog("crawl", "--sources", str(sources(tmp_path, site, requests_per_second=0)), "--source", "suffolk-platform",
                    "--db", str(tmp_path / "f.db"), "--data-dir", str(tmp_path / "files"))
    assert result.returncode == 0
    pages = [r.path for r in site.log if "published-items" in r.path]
    assert "/foi-ai/af/accessing-information/published-items/?page=2" in pages


def test_faults_are_survived_and_everything_is_fetched(tmp_path: Path, site: MockSite) -> None:
    docs = sorted(p for p, d in site.manifest.documents.items() if d["kind"] == "pdf" and p not in site.manifest.redirects)
    listing = "/about-us/our-data/disclosure-log/"
    site.plan.add(docs[0], ("status", 503), ("status", 503))
    site.plan.add(docs[1], ("retry_after", 1))
    site.plan.add(docs[2], ("drop",))
    site.plan.add(docs[3], ("slow", 1.5))
    site.plan.add(docs[4], ("status", 500))
    site.plan.add(listing, ("status", 502))
    site.log.clear()
    result = crawl(tmp_path, site, requests_per_second=0)
    assert result.returncode == 0, result.stderr
    db = tmp_path / "f.db"
    stored = {s for (s,) in query(db, "select sha256 from documents where status = 'fetched'")}
    assert stored == expected_content(site)
    assert [s for s, in query(db, "select status from fetches where url = ? order by id", (site.url(docs[0]),))] == [200]
    statuses = [r.status for r in site.requests_for(docs[0])]
    assert statuses == [503, 503, 200]
    retry = [r.at for r in site.requests_for(docs[1])]
    assert retry[1] - retry[0] >= 0.95, "Retry-After: 1 was honoured"
    assert len(site.requests_for(docs[2])) == 2, "a body cut short is fetched again"
    assert [r.status for r in site.requests_for(docs[4])] == [500, 200], "one 500, one retry"


def test_rate_limit_is_respected_per_host(tmp_path: Path, site: MockSite) -> None:
    site.log.clear()
    result = foilog("crawl", "--sources", str(sources(tmp_path, site, requests_per_second=5)), "--source", "norfolk-drupal",
                    "--db", str(tmp_path / "f.db"), "--data-dir", str(tmp_path / "files"))
    assert result.returncode == 0, result.stderr
    assert_paced([r.at for r in site.log], 5)


def test_bot_protection_is_reported_by_source_in_one_line(tmp_path: Path, site: MockSite) -> None:
    site.plan.forbidden = True
    try:
        result = foilog("run", "--sources", str(sources(tmp_path, site, requests_per_second=0)), "--source", "suffolk-platform",
                        "--db", str(tmp_path / "f.db"), "--data-dir", str(tmp_path / "files"))
    finally:
        site.plan.forbidden = False
    assert result.returncode == 0
    warnings = [l for l in result.stderr.splitlines() if l.startswith("warning: suffolk-platform:") and "403" in l]
    assert len(warnings) == 1 and "bot protection" in warnings[0]


def test_a_redirect_off_the_allowed_hosts_is_not_followed(tmp_path: Path, site: MockSite) -> None:
    doc = sorted(p for p, d in site.manifest.documents.items() if d["source"] == "suffolk-drupal" and d["kind"] == "pdf")[0]
    port = site.origin.rsplit(":", 1)[1]
    site.plan.add(doc, ("redirect", f"http://localhost:{port}{doc}"))
    site.log.clear()
    result = foilog("crawl", "--sources", str(sources(tmp_path, site, requests_per_second=0)), "--source", "suffolk-drupal",
                    "--db", str(tmp_path / "f.db"), "--data-dir", str(tmp_path / "files"))
    assert result.returncode == 0
    assert not [r for r in site.log if r.host.startswith("localhost")]
    (error,) = query(tmp_path / "f.db", "select error from document_urls where url = ?", (site.url(doc),))[0]
    assert error == f"not on allowed_hosts: localhost:{port}"


def test_changed_and_removed_entries_keep_their_history(tmp_path: Path) -> None:
    with mock_site(tmp_path / "site", drupal=6, platform=0) as site:
        args = dict(requests_per_second=0, revalidate_days=0)
        assert crawl(tmp_path, site, "--source", "norfolk-drupal", **args).returncode == 0
        changed = sorted(p for p, d in site.manifest.documents.items()
                         if d["source"] == "norfolk-drupal" and p.endswith(".pdf") and "legacy" not in p and "_0" not in p)[0]
        old_sha = query(tmp_path / "f.db", "select sha256 from document_urls where url = ?", (site.url(changed),))[0][0]
        target = site.root / changed.lstrip("/")
        target.write_bytes(target.read_bytes().replace(b"recorded", b"RECORDED"))
        removed = [p for p in site.manifest.documents if p.endswith("_0.pdf")][0]
        for year_page in (site.root / "about-us").rglob("index.html"):
            year_page.write_text("\n".join(l for l in year_page.read_text().splitlines() if removed not in l))
        second = crawl(tmp_path, site, "--source", "norfolk-drupal", **args)
        assert second.returncode == 0, second.stderr
    db = tmp_path / "f.db"
    assert query(db, "select changed from crawl_runs order by id desc limit 1") == [(1,)]
    (doc_id, new_sha), = query(db, "select document_id, sha256 from document_urls where url = ?", (site.url(changed),))
    assert new_sha != old_sha
    assert query(db, "select sha256 from document_versions where document_id = ?", (doc_id,)) == [(old_sha,)]
    assert (tmp_path / "files" / old_sha[:2] / old_sha[2:4] / old_sha).exists(), "the earlier version's file is kept"
    (removed_at,), = query(db, "select removed_at from document_urls where url = ?", (site.url(removed),))
    assert removed_at is not None
    assert query(db, "select count(*) from document_urls where removed_at is not null") == [(1,)]


def test_a_crawl_killed_at_any_moment_ends_identical_to_a_clean_one(tmp_path: Path) -> None:
    with mock_site(tmp_path / "site", drupal=15, platform=20) as site:
        clean = tmp_path / "clean"
        clean.mkdir()
        assert crawl(clean, site, requests_per_second=0).returncode == 0
        reference = state(clean)

        killed = tmp_path / "killed"
        killed.mkdir()
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        args = [sys.executable, "-m", "pipelines", "crawl", "--sources", str(sources(killed, site, requests_per_second=0)),
                "--db", str(killed / "f.db"), "--data-dir", str(killed / "files")]
        progress = []
        # Each kill lands while the mock holds a request, after this many more documents were served:
        # mid-crawl at a known point, however fast or loaded the machine is.
        for served in (6, 2, 9, 1):
            site.plan.hold(after=served)
            proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                assert site.plan.holding.wait(timeout=120), "the crawl never reached the held request"
                proc.send_signal(signal.SIGKILL)
                proc.wait()
            finally:
                site.plan.let_go()
            progress.append(query(killed / "f.db", "select count(*) from document_urls")[0][0])
        # The kills landed mid-crawl: the first left some documents, not all of them, and each run added some.
        assert 0 < progress[0] < len(reference["urls"]), progress
        assert progress == sorted(progress) and progress[-1] < len(reference["urls"]), progress
        final = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
        assert final.returncode == 0, final.stderr
    assert query(killed / "f.db", "pragma integrity_check") == [("ok",)]
    assert state(killed) == reference
    leftovers = [p for p in (killed / "files").rglob("*") if p.is_file() and (p.name.startswith(".partial-") or p.stat().st_size == 0)]
    assert leftovers == []
    statuses = [s for (s,) in query(killed / "f.db", "select status from crawl_runs order by id")]
    assert statuses[-1] == "completed" and set(statuses[:-1]) == {"interrupted"}, statuses


def test_progress_is_plain_timestamped_lines_off_a_terminal_and_live_on_one(tmp_path: Path, site: MockSite) -> None:
    import pty
    import re

    args = ("--sources", str(sources(tmp_path, site, requests_per_second=0)), "--source", "norfolk-drupal")
    plain = foilog("crawl", *args, "--db", str(tmp_path / "a.db"), "--data-dir", str(tmp_path / "a"))
    lines = plain.stderr.splitlines()
    assert lines and all(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (INFO|WARNING) ", l) for l in lines), lines
    assert any("norfolk-drupal:" in l and "entries from" in l for l in lines)

    leader, follower = pty.openpty()
    chunks: list[bytes] = []

    def read() -> None:  # drain the terminal while the crawl runs
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    proc = subprocess.Popen([sys.executable, "-m", "pipelines", "crawl", *args, "--db", str(tmp_path / "b.db"),
                             "--data-dir", str(tmp_path / "b")], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdin=follower, stdout=follower, stderr=follower)
    assert proc.wait(timeout=60) == 0
    os.close(follower)
    reader.join(timeout=5)
    screen = b"".join(chunks).decode(errors="replace")
    assert "\x1b[" in screen, "rich draws with terminal control codes"
    assert "norfolk-drupal" in screen and "new" in screen


def test_a_refused_url_is_asked_conditionally_and_backs_off_1_2_4_nights(tmp_path: Path, site: MockSite) -> None:
    import datetime as dt

    from pipelines.run import run
    from scraper.sources import load_sources

    refused = next(p for p, why in site.manifest.failures.items() if why == "expected a PDF" and "/norfolk/" in p)
    missing = next(p for p, why in site.manifest.failures.items() if why == "HTTP 404" and "/norfolk/" in p)
    chosen = load_sources(sources(tmp_path, site, requests_per_second=0), ("norfolk-drupal",))
    day = dt.date(2026, 3, 1)
    asked: dict[int, list[tuple[int, str | None]]] = {}
    for night in range(8):
        site.log.clear()
        run(tmp_path / "f.db", tmp_path / "files", chosen, command="crawl", today=day + dt.timedelta(days=night))
        asked[night] = [(r.status, r.headers.get("If-None-Match")) for r in site.requests_for(refused)]
        assert [r.status for r in site.requests_for(missing)] == ([404] if asked[night] else []), night
    # Fetched in full once; then asked 1, 2 and 4 nights on, each time conditionally, and answered 304.
    assert [n for n, got in asked.items() if got] == [0, 1, 3, 7]
    assert asked[0] == [(200, None)]
    assert all(len(asked[n]) == 1 and asked[n][0][0] == 304 and asked[n][0][1] for n in (1, 3, 7))
    (error, failures, refused_flag), = query(tmp_path / "f.db", "select error, failures, refused from document_urls where url = ?",
                                              (site.url(refused),))
    assert error.startswith("expected a PDF") and error.endswith("(unchanged since)") and failures == 4 and refused_flag == 1
    downloaded = query(tmp_path / "f.db", "select sum(bytes) from fetches where url = ? and status = 304", (site.url(refused),))
    assert downloaded == [(0,)]
    # Nights on which only failing URLs were asked again, and failed again, are not failed runs.
    assert {s for (s,) in query(tmp_path / "f.db", "select status from crawl_runs")} == {"completed"}
    failing = len([p for p in site.manifest.failures if "/norfolk/" in p or "norfolk-internal" in p])
    shown = foilog("status", "--db", str(tmp_path / "f.db"))
    assert (f"{failing} URL(s) failing, asked again after 1, 2, 4 ... days (longest streak 4 checks, "
            f"oldest last checked {day + dt.timedelta(days=7)})") in shown.stdout, shown.stdout


def test_a_walk_cut_short_by_max_pages_marks_nothing_removed_and_says_so(tmp_path: Path, site: MockSite) -> None:
    assert crawl(tmp_path, site, "--source", "norfolk-platform", requests_per_second=0).returncode == 0
    listed = query(tmp_path / "f.db", "select count(*) from document_urls where removed_at is null")[0][0]
    short = crawl(tmp_path, site, "--source", "norfolk-platform", requests_per_second=0, max_pages=2)
    assert short.returncode == 0, short.stderr
    assert "stopped at max_pages (2 listing pages) with pages left; nothing marked removed" in short.stderr
    assert query(tmp_path / "f.db", "select count(*) from document_urls where removed_at is not null") == [(0,)]
    assert query(tmp_path / "f.db", "select count(*) from document_urls where removed_at is null") == [(listed,)]
    status = foilog("status", "--db", str(tmp_path / "f.db"))
    assert status.returncode == 1 and "stopped at max_pages (2 listing pages): removals were not decided" in status.stdout
