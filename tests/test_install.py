"""A wheel installed into a fresh virtual environment, run from an unrelated folder, works as a checkout does.

This is what a user of `pip install foilog` gets: no checkout beside it, no PYTHONPATH. The
metadata, templates, default sources and bundled sample must all come from the package.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import httpx

from tests.conftest import ROOT, free_port, wait_until_listening


def test_a_wheel_in_a_fresh_venv_runs_the_demo_and_serves_it(tmp_path: Path) -> None:
    # Built from a copy: a build in the checkout would leave build/ behind, whose stale files a later wheel takes.
    source = tmp_path / "source"
    local = {".venv", ".git", "build", "data", "test-artifacts"}  # this checkout's own state, not the project

    def ignore(folder: str, names: list[str]) -> set[str]:
        return {n for n in names if n == "__pycache__" or n.endswith(".egg-info") or (Path(folder) == ROOT and n in local)}

    shutil.copytree(ROOT, source, symlinks=True, ignore=ignore)
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)],
                   check=True, capture_output=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    (wheel,) = dist.glob("foilog-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in ("pipelines/web/metadata.yml", "pipelines/web/templates/index.html", "scraper/sources.yml",
                    "pipelines/demo/sample/expected.json", "pipelines/demo/sample/site/robots.txt"):
        assert shipped in names, shipped
    assert not any(n.startswith("tests/") for n in names)

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python, foilog = env_dir / "bin" / "python", env_dir / "bin" / "foilog"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
                   check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(foilog), *args], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300)

    demo = run("demo", "--no-serve")
    assert demo.returncode == 0, demo.stderr
    assert "18 disclosures" in demo.stdout and "Traceback" not in demo.stderr
    db = elsewhere / "data" / "demo" / "foilog.db"
    assert db.is_file()

    shipped_sources = run("run", "--source", "no-such-source")  # the shipped sources.yml is read, and names no such source
    assert shipped_sources.returncode == 2
    assert shipped_sources.stderr.startswith("Error: ") and "no source named no-such-source" in shipped_sources.stderr

    port = free_port()
    proc = subprocess.Popen([str(foilog), "serve", "--db", str(db), "--port", str(port)], cwd=elsewhere, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until_listening(proc)
        origin = f"http://127.0.0.1:{port}"
        table = httpx.get(f"{origin}/foilog/disclosures.json?_facet=force&_search=drones").json()
        assert table["rows"] and set(table["facet_results"]) >= {"force", "outcome", "year"}
        home = httpx.get(origin + "/")
        assert home.status_code == 200 and 'class="foilog-search" action="/foilog/search"' in home.text, "foilog's own templates are served"
        assert httpx.get(origin + "/foilog/disclosures/1").status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
