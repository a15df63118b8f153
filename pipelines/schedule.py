"""A nightly `foilog run`: systemd service and timer, or a cron line."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

SERVICE = """[Unit]
Description=foilog: nightly crawl of the Norfolk and Suffolk FOI disclosure logs
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
WorkingDirectory={workdir}
ExecStart={foilog} run --sources {sources} --db {db}{data_dir}
ExecStartPost=-{foilog} status --db {db}
Nice=10
"""
TIMER = """[Unit]
Description=Run foilog every night

[Timer]
OnCalendar=*-*-* 02:30:00
RandomizedDelaySec=30min
Persistent=true

[Install]
WantedBy=timers.target
"""


def command_path() -> str:
    """The foilog executable of this installation."""
    beside = Path(sys.executable).with_name("foilog")
    return str(beside if beside.exists() else shutil.which("foilog") or "foilog")


def _data_dir_option(workdir: Path, data_dir: str | None) -> str:
    """` --data-dir DIR` when one is given; otherwise the run uses the one recorded with the database."""
    return f" --data-dir {(workdir / data_dir).resolve()}" if data_dir else ""


def units(workdir: Path, sources: str, db: str, data_dir: str | None) -> dict[str, str]:
    """The systemd unit files, by name. Paths are made absolute: systemd runs from /."""
    fill = dict(workdir=workdir, foilog=command_path(), sources=(workdir / sources).resolve(),
                db=(workdir / db).resolve(), data_dir=_data_dir_option(workdir, data_dir))
    return {"foilog.service": SERVICE.format(**fill), "foilog.timer": TIMER}


def cron_line(workdir: Path, sources: str, db: str, data_dir: str | None) -> str:
    """A crontab line: every night at 02:30, output appended to a log beside the database; status mails on trouble."""
    db_path = (workdir / db).resolve()
    log = db_path.with_suffix(".log")
    return (f"30 2 * * * cd {workdir} && {command_path()} run --sources {(workdir / sources).resolve()} --db {db_path}"
            f"{_data_dir_option(workdir, data_dir)} >> {log} 2>&1; {command_path()} status --db {db_path} > /dev/null "
            f"|| {command_path()} status --db {db_path}")


def install_units(unit_dir: Path, files: dict[str, str], enable: bool) -> list[str]:
    """Write the units; with enable, reload systemd and start the timer. Return what was done."""
    unit_dir.mkdir(parents=True, exist_ok=True)
    done = []
    for name, text in files.items():
        (unit_dir / name).write_text(text)
        done.append(f"wrote {unit_dir / name}")
    if enable:
        user = [] if str(unit_dir).startswith("/etc/") else ["--user"]
        for args in (["daemon-reload"], ["enable", "--now", "foilog.timer"]):
            subprocess.run(["systemctl", *user, *args], check=True)
            done.append("systemctl " + " ".join(user + args))
    return done


def install_cron(line: str) -> str:
    """Add the line to the user's crontab unless a foilog line is there already."""
    current = subprocess.run(["crontab", "-l"], capture_output=True, text=True)
    existing = current.stdout if current.returncode == 0 else ""
    if "foilog run" in existing:
        return "crontab already has a foilog line: left as it is"
    subprocess.run(["crontab", "-"], input=existing + line + "\n", text=True, check=True)
    return "added the line to the crontab"
