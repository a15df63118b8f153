#!/usr/bin/env python3
"""Set up and run foilog on a fresh machine that has only Python 3.11+.

    python3 bootstrap.py demo     # the whole pipeline on the bundled sample, then Datasette on :8001
    python3 bootstrap.py test     # the whole test suite

Each creates .venv/ beside this file on first use and installs what it needs into it
(again only when pyproject.toml changes). Anything after the command is passed on:
`python3 bootstrap.py test -k extract`, `python3 bootstrap.py demo --no-serve`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def say(message: str) -> None:
    print(f"[bootstrap] {message}", flush=True)


def ensure_venv() -> None:
    if PYTHON.exists():
        return
    say(f"creating {VENV}")
    try:
        venv.create(VENV, with_pip=True)
    except (subprocess.CalledProcessError, OSError) as exc:
        shutil.rmtree(VENV, ignore_errors=True)
        # Debian and Ubuntu ship venv's pip support separately.
        if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
            say("installing python3-venv with apt-get")
            version = f"python{sys.version_info.major}.{sys.version_info.minor}-venv"
            subprocess.run(["apt-get", "update", "-qq"], check=True)
            subprocess.run(["apt-get", "install", "-y", "-qq", "python3-venv", version], check=False)
            venv.create(VENV, with_pip=True)
        else:
            sys.exit(f"could not create a virtual environment ({exc}); install your system's python3-venv package")


# What the tests need from the system, by the command they run -> Debian package. The browser
# tests drive Debian's chromium through Playwright (Playwright's own browser download is not used).
TEST_SYSTEM_PACKAGES = {"tesseract": "tesseract-ocr", "chromium": "chromium"}


def ensure_system_packages(packages: dict[str, str]) -> None:
    """Install missing system packages with apt-get (as root, or through passwordless sudo)."""
    missing = sorted({package for command, package in packages.items() if shutil.which(command) is None})
    if not missing:
        return
    if shutil.which("apt-get") is None:
        sys.exit(f"the tests need {', '.join(missing)}: install them with your system's package manager")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        prefix: list[str] = []
    elif shutil.which("sudo"):
        prefix = ["sudo", "-n"]
    else:
        sys.exit(f"the tests need {', '.join(missing)}: run 'apt-get install {' '.join(missing)}' as root")
    say(f"installing {', '.join(missing)} with apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*prefix, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run([*prefix, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], check=True, env=env)


def ensure_installed() -> None:
    """Install foilog and its test extras into the venv, once per version of pyproject.toml."""
    stamp = VENV / ".foilog-installed"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    say("installing foilog and its dependencies into .venv")
    pip = [str(PYTHON), "-m", "pip", "--disable-pip-version-check", "-q"]
    # setuptools explains what an editable install is on every install; nothing here needs acting on.
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    subprocess.run([*pip, "install", "--upgrade", "pip"], check=True, env=env)
    subprocess.run([*pip, "install", "-e", f"{ROOT}[test]"], check=True, env=env)
    stamp.write_text(digest)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("demo", "test"):
        print(__doc__)
        return 2
    if sys.version_info < (3, 11):  # noqa: UP036 - this file runs on whatever python3 a machine has
        sys.exit("foilog needs Python 3.11 or newer")
    ensure_venv()
    ensure_installed()
    command, rest = argv[0], argv[1:]
    os.chdir(ROOT)
    if command == "demo":
        return subprocess.call([str(BIN / "foilog"), "demo", *rest])
    ensure_system_packages(TEST_SYSTEM_PACKAGES)
    code = subprocess.call([str(PYTHON), "-m", "pytest", *rest])
    if code == 5:  # pytest found nothing to run: that is a broken suite, not a pass
        say("no tests were collected")
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
