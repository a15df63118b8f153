"""layout: archive - backfilling the vanished Drupal-era logs from a Wayback-compatible archive (a mock on 127.0.0.1)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from tests.archive_mock import FIRST, HOSTS, Capture, captures_of_mirror, serve_archive
from tests.conftest import assert_paced, foilog, rows
from tools.make_mirror import build_mirror

PREFIXES = {"norfolk": ["www.norfolk.police.invalid/about-us/our-data/disclosure-log", "www.norfolk.police.invalid/sites/norfolk/files/"],
            "suffolk": ["www.suffolk.police.invalid/services/freedom-information/disclosure-logs",
                        "www.suffolk.police.invalid/sites/suffolk/files/"]}


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mirror")
    build_mirror(root, drupal=8, platform=2)
    return root


def _sources(path: Path, origin: str, **settings: object) -> Path:
    host = urlsplit(origin).netloc
    path.write_text(yaml.safe_dump({"sources": [
        {"name": f"{force}-archive", "force": force.capitalize(), "layout": "archive", "archive": origin, "archive_layout": "drupal",
         "prefixes": PREFIXES[force], "start_urls": [f"{HOSTS[force]}/{PREFIXES[force][0].split('/', 1)[1]}/"],
         "allowed_hosts": [host], "requests_per_second": 0, **settings}
        for force in ("norfolk", "suffolk")]}, sort_keys=False))
    return path


def _pdfs(captures: list[Capture]) -> list[Capture]:
    return [c for c in captures if c.mimetype == "application/pdf"]


def test_a_backfill_finds_every_captured_document_with_its_provenance(mirror: Path, tmp_path: Path) -> None:
    captures = captures_of_mirror(mirror)
    pdfs = [c for c in _pdfs(captures) if c.body.startswith(b"%PDF")]  # not the log's HTML served as a PDF
    revised, broken, repeated = pdfs[0], pdfs[1], pdfs[2]
    later = pdfs[3].body  # the revised PDF's new bytes: another real PDF
    captures += [Capture("20210615080000", revised.original, "application/pdf", later),
                 # a capture of a PDF URL that is an error page, served with status 200
                 Capture("20220101000000", broken.original, "text/html", b"<html><body>Page not found</html>"),
                 # the same bytes captured again: collapsed by digest, never fetched
                 Capture("20200101000000", repeated.original, "application/pdf", repeated.body)]
    with serve_archive(captures) as archive:
        done = foilog("run", "--sources", str(_sources(tmp_path / "sources.yml", archive.origin)), "--db", str(tmp_path / "foilog.db"))
        assert done.returncode == 0, done.stderr
        urls = rows(tmp_path / "foilog.db", "select url, original_url, captured_at, sha256, source, error from document_urls "
                                            "where original_url is not null")
        assert {r["original_url"] for r in urls} == {c.original for c in _pdfs(captures)}
        assert all(r["url"].startswith(f"{archive.origin}/web/") and r["url"].endswith("/" + r["original_url"]) for r in urls)
        # Links the archive never captured (the log's withdrawn PDFs) are recorded as such, under their original URL.
        missing = rows(tmp_path / "foilog.db", "select url, error from document_urls where original_url is null")
        assert missing and all(r["error"] == "no capture of it in the archive" and ".invalid/" in r["url"] for r in missing)
        urls = [r for r in urls if r["sha256"]]
        by_original = {r["original_url"]: r for r in urls}
        assert by_original[revised.original]["sha256"] == hashlib.sha256(later).hexdigest()  # the newest capture
        assert by_original[revised.original]["captured_at"] == "2021-06-15T08:00:00Z"
        assert by_original[broken.original]["sha256"] == hashlib.sha256(broken.body).hexdigest()  # the error page passed over
        assert by_original[repeated.original]["captured_at"] == f"{FIRST[:4]}-{FIRST[4:6]}-{FIRST[6:8]}T12:00:00Z"
        assert not [p for p in archive.snapshots_asked() if p.startswith("/web/20200101000000")], "a duplicate was fetched"
        assert all("output=json" in q and "filter=statuscode:200" in q and "collapse=digest" in q for q in archive.cdx_asked())
        assert len(archive.cdx_asked()) == 4  # one per prefix
        parsed = rows(tmp_path / "foilog.db", "select count(*) as n from documents where status = 'parsed'")[0]["n"]
        assert parsed == len({r["sha256"] for r in urls})

        # A second run asks for no capture it already holds: they never change.
        asked = len(archive.snapshots_asked())
        again = foilog("run", "--sources", str(tmp_path / "sources.yml"), "--db", str(tmp_path / "foilog.db"))
        assert again.returncode == 0, again.stderr
        fetched_again = [p for p in archive.snapshots_asked()[asked:] if p.lower().endswith(".pdf")]
        assert fetched_again == []
        # ... and asks the index only for captures taken since the newest it has listed.
        assert len(archive.cdx_asked()) == 8, archive.cdx_asked()
        newest = {"norfolk": max(c.timestamp for c in captures if "norfolk" in c.original),
                  "suffolk": max(c.timestamp for c in captures if "suffolk" in c.original)}
        assert all(f"&from={newest[force]}" in q for q in archive.cdx_asked()[4:] for force in newest if force in q)

        # A new capture, of new bytes, is found by the third run; the same bytes captured again are not fetched.
        captures_now = len(archive.snapshots_asked())
        archive.captures += [Capture("20230301000000", pdfs[4].original, "application/pdf", pdfs[5].body),
                             Capture("20230302000000", pdfs[6].original, "application/pdf", pdfs[6].body)]
        third = foilog("run", "--sources", str(tmp_path / "sources.yml"), "--db", str(tmp_path / "foilog.db"))
        assert third.returncode == 0, third.stderr
        new_pdfs = [p for p in archive.snapshots_asked()[captures_now:] if p.lower().endswith(".pdf")]
        assert new_pdfs == [f"/web/20230301000000id_/{pdfs[4].original}"]

        # A letter revised after its first capture: the response shows the newest capture.
        archive.captures.append(Capture("20240101000000", pdfs[7].original, "application/pdf", pdfs[7].body + b"\n% revised\n"))
        assert foilog("run", "--sources", str(tmp_path / "sources.yml"), "--db", str(tmp_path / "foilog.db")).returncode == 0
        shown = rows(tmp_path / "foilog.db", """select d.sha256 from disclosures x join documents d on d.id = x.document_id
                                                 join document_urls u on u.document_id = d.id where u.original_url = ?""",
                     (pdfs[7].original,))
        assert [r["sha256"] for r in shown] == [hashlib.sha256(pdfs[7].body + b"\n% revised\n").hexdigest()]
        assert rows(tmp_path / "foilog.db", "select count(*) as n from documents where removed_at is not null")[0]["n"] == 0


def test_a_document_seen_live_and_in_the_archive_is_one_document_with_both_urls(mirror: Path, tmp_path: Path) -> None:
    from tests.conftest import write_sources
    from tests.mock_site import mock_site

    with mock_site(tmp_path / "live", drupal=8, platform=2) as site:
        live = foilog("run", "--sources", str(write_sources(tmp_path / "live.yml", site.origin)), "--source", "norfolk-drupal",
                      "--db", str(tmp_path / "foilog.db"))
        assert live.returncode == 0, live.stderr
        captures = captures_of_mirror(site.root)
    stored = "select count(*) as n from documents where sha256 is not null"
    before = rows(tmp_path / "foilog.db", stored)[0]["n"]
    with serve_archive(captures) as archive:
        done = foilog("run", "--sources", str(_sources(tmp_path / "archive.yml", archive.origin)), "--source", "norfolk-archive",
                      "--db", str(tmp_path / "foilog.db"))
        assert done.returncode == 0, done.stderr
    pairs = rows(tmp_path / "foilog.db", """select d.id, count(*) as urls, sum(u.original_url is not null) as archived
                                            from documents d join document_urls u on u.document_id = d.id group by d.id""")
    assert rows(tmp_path / "foilog.db", stored)[0]["n"] == before  # nothing new: the same bytes
    both = [p for p in pairs if p["urls"] >= 2 and p["archived"] >= 1]
    assert len(both) == before  # every stored document has its live URL and its archive URL


def test_an_archive_whose_index_is_missing_is_a_failed_listing_not_a_crash(tmp_path: Path) -> None:
    with serve_archive([]) as archive:
        archive.captures.append(Capture(FIRST, HOSTS["norfolk"] + "/about-us/our-data/disclosure-log/", "text/html", b"<html></html>"))
        sources = _sources(tmp_path / "sources.yml", archive.origin + "/nothing-here")
        done = foilog("run", "--sources", str(sources), "--db", str(tmp_path / "foilog.db"))
    assert "Traceback" not in done.stderr and "the CDX index could not be listed: HTTP 404" in done.stderr, done.stderr
    assert rows(tmp_path / "foilog.db", "select count(*) as n from documents")[0]["n"] == 0


def test_archive_sources_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "sources.yml"
    path.write_text("sources:\n  - {name: a, force: Norfolk, layout: archive, archive: 'http://127.0.0.1:9', prefixes: [x.invalid/a]}\n")
    done = foilog("run", "--sources", str(path), "--db", str(tmp_path / "f.db"))
    assert done.returncode == 2 and "needs 'archive', 'archive_layout' and 'prefixes'" in done.stderr
    path.write_text("sources:\n  - {name: a, force: Norfolk, layout: drupal, start_urls: ['http://127.0.0.1:9/'], prefixes: [x.invalid/a]}\n")
    done = foilog("run", "--sources", str(path), "--db", str(tmp_path / "f.db"))
    assert done.returncode == 2 and "belong to layout: archive" in done.stderr


def test_an_archive_crawl_killed_and_resumed_ends_as_a_clean_one(mirror: Path, tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    from tests.conftest import ROOT

    captures = captures_of_mirror(mirror)
    with serve_archive(captures) as archive:
        sources = _sources(tmp_path / "sources.yml", archive.origin)
        (tmp_path / "clean").mkdir()
        assert foilog("run", "--sources", str(sources), "--db", str(tmp_path / "clean" / "foilog.db")).returncode == 0
        (tmp_path / "killed").mkdir()
        killed = tmp_path / "killed" / "foilog.db"
        archive.log.clear()
        archive.hold_after, archive.release = 5, __import__("threading").Event()
        proc = subprocess.Popen([sys.executable, "-m", "pipelines", "run", "--sources", str(sources), "--db", str(killed)],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert archive.holding.wait(120), "the crawl never reached the held capture"
            proc.send_signal(signal.SIGKILL)
            proc.wait(60)
        finally:
            archive.hold_after = None
            archive.release.set()
        partial = rows(killed, "select count(*) as n from document_urls")[0]["n"]
        assert 0 < partial
        resumed = foilog("run", "--sources", str(sources), "--db", str(killed))
        assert resumed.returncode == 0, resumed.stderr
    query = "select url, original_url, captured_at, sha256, error from document_urls order by url"
    assert [tuple(r) for r in rows(killed, query)] == [tuple(r) for r in rows(tmp_path / "clean" / "foilog.db", query)]
    count = "select count(*) as n from disclosures"
    assert rows(killed, count)[0]["n"] == rows(tmp_path / "clean" / "foilog.db", count)[0]["n"] > 0


def test_the_archive_is_asked_no_faster_than_the_source_allows(mirror: Path, tmp_path: Path) -> None:
    with serve_archive(captures_of_mirror(mirror)) as archive:
        sources = _sources(tmp_path / "sources.yml", archive.origin, requests_per_second=5)
        assert foilog("run", "--sources", str(sources), "--source", "norfolk-archive", "--db", str(tmp_path / "f.db")).returncode == 0
        arrivals = [at for at, _ in archive.log]
    assert_paced(arrivals, 5)


def test_a_platform_era_capture_is_read_by_the_platform_discovery(tmp_path: Path) -> None:
    from tests.archive_mock import PLATFORM_TREES

    build_mirror(tmp_path / "mirror", drupal=2, platform=8)
    captures = captures_of_mirror(tmp_path / "mirror", PLATFORM_TREES)
    assert any("SysSiteAssets" in c.original for c in captures)
    with serve_archive(captures) as archive:
        host = urlsplit(archive.origin).netloc
        sources = tmp_path / "sources.yml"
        sources.write_text(yaml.safe_dump({"sources": [
            {"name": "norfolk-platform-archive", "force": "Norfolk", "layout": "archive", "archive": archive.origin,
             "archive_layout": "platform", "allowed_hosts": [host], "requests_per_second": 0,
             "prefixes": ["www.norfolk.police.invalid/foi-ai/norfolk-constabulary/disclosure-log",
                          "www.norfolk.police.invalid/SysSiteAssets/foi-media/norfolk-constabulary/"]}]}))
        done = foilog("run", "--sources", str(sources), "--db", str(tmp_path / "foilog.db"))
        assert done.returncode == 0, done.stderr
    details = {c.original for c in captures if "norfolk" in c.original and c.original.count("/") >= 9}
    stored = {r["original_url"] for r in rows(tmp_path / "foilog.db", "select original_url from document_urls where sha256 is not null")}
    assert details and details <= stored, details - stored
    assert any("SysSiteAssets" in u for u in stored)  # the attachments too
    assert rows(tmp_path / "foilog.db", "select count(*) as n from disclosures")[0]["n"] == len(details)
