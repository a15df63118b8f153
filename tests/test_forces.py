"""Any force by configuration: the catalogue, a third force on the platform with its own containers, crawled,
parsed and faceted beside Norfolk and Suffolk."""

from __future__ import annotations

import asyncio
from pathlib import Path

import yaml

from pipelines.demo.mirror import mirror_sources
from scraper.sources import catalogue, load_sources, parse_source
from tests.conftest import foilog, rows
from tests.mock_site import mock_site


def test_the_catalogue_names_every_force_the_parser_knows_and_enables_the_shipped_ones() -> None:
    from parsers.forces import KNOWN, forces_named

    forces = catalogue()
    assert len(forces) == 43 and {f.name for f in forces.values()} <= set(KNOWN)
    for force in forces.values():  # each full name, as a letter prints it, reads as that force
        assert forces_named(f"received by {force.full_name} on 1 May 2024") == (force.name,), force.full_name
    shipped = load_sources(Path(__file__).parent.parent / "scraper" / "sources.yml")
    assert {f.name for f in forces.values() if f.enabled} == {s.force for s in shipped if s.layout == "platform"} == {"Norfolk", "Suffolk"}


def test_a_platform_source_for_a_catalogue_force_needs_only_its_name() -> None:
    kent = parse_source({"name": "kent", "force": "Kent", "layout": "platform"}, "test")
    assert kent.start_urls == ("https://www.kent.police.uk/foi-ai/kent-police/disclosure-log/",)
    assert kent.allowed_hosts == ("www.kent.police.uk",)
    assert kent.detail.search("https://www.kent.police.uk/foi-ai/kent-police/disclosure-log/2024/march/foi-1-x/")
    assert not kent.detail.search("https://www.kent.police.uk/foi-ai/essex-police/disclosure-log/2024/march/foi-1-x/")
    own = parse_source({"name": "kent", "force": "Kent", "layout": "platform", "container": "disclosure"}, "test")
    assert own.start_urls == ("https://www.kent.police.uk/foi-ai/kent-police/disclosure/",)
    # A slug of one's own is a path, not a pattern.
    dotted = parse_source({"name": "x", "force": "Loamshire", "layout": "platform", "slug": "loam.shire",
                           "start_urls": ["https://loam.example/foi-ai/loam.shire/"]}, "test")
    assert dotted.detail.search("https://loam.example/foi-ai/loam.shire/log/2024/march/foi-1/")
    assert not dotted.detail.search("https://loam.example/foi-ai/loamxshire/log/2024/march/foi-1/")


def test_three_forces_are_crawled_parsed_and_faceted_a_joint_letter_counting_for_each(tmp_path: Path) -> None:
    from pipelines.web.serve import make_datasette

    with mock_site(tmp_path / "site", drupal=2, platform=4, third=6) as site:
        sources = tmp_path / "sources.yml"
        sources.write_text(yaml.safe_dump({"sources": mirror_sources(site.origin, third=True)}, sort_keys=False))
        db = tmp_path / "foilog.db"
        done = foilog("run", "--sources", str(sources), "--db", str(db))
        assert done.returncode == 0, done.stderr
    essex = rows(db, "select reference, force, forces, outcome from disclosures where force = 'Essex'")
    assert len(essex) == 6 and all(r["forces"] == '["Essex"]' and r["outcome"] for r in essex)
    assert {r["reference"] for r in essex} == {d["reference"] for d in site.manifest.documents.values() if d["source"] == "essex-platform"}
    served = make_datasette(db)
    facets = asyncio.run(served.client.get("/foilog/disclosures.json?_size=0&_extra=facet_results")).json()["facet_results"]
    counted = {r["value"]: r["count"] for r in facets["forces"]["results"]}
    by_force = {f: rows(db, "select count(*) as n from disclosures d, json_each(d.forces) f where f.value = ?", (f,))[0]["n"]
                for f in ("Norfolk", "Suffolk", "Essex")}
    joint = rows(db, "select count(*) as n from disclosures where forces = '[\"Norfolk\", \"Suffolk\"]'")[0]["n"]
    assert counted == by_force and joint >= 1 and counted["Essex"] == 6
    assert counted["Norfolk"] == rows(db, "select count(*) as n from disclosures where force like '%Norfolk%'")[0]["n"]
