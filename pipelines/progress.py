"""Crawl progress: a live rich display on a terminal, plain timestamped log lines otherwise (cron)."""

from __future__ import annotations

import logging
import sys
from collections import Counter
from types import TracebackType

log = logging.getLogger("pipelines.crawl")

LOG_EVERY = 250  # entries between progress lines when not on a terminal


class Progress:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.source = ""
        self._live = None
        self._task = None

    def __enter__(self) -> Progress:
        if sys.stderr.isatty():
            from rich.progress import Progress as RichProgress
            from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

            self._live = RichProgress(SpinnerColumn(), TextColumn("[bold]{task.description}"),
                                      TextColumn("{task.fields[counts]}"), TimeElapsedColumn(), transient=False)
            self._live.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._live is not None:
            self._live.stop()

    def start(self, source: str) -> None:
        self.source = source
        self.counts = Counter()
        if self._live is not None:
            self._task = self._live.add_task(source, total=None, counts="")

    def advance(self, outcome: str) -> None:
        self.counts[outcome] += 1
        if self._live is not None:
            self._live.update(self._task, counts=self._summary())
        elif sum(self.counts.values()) % LOG_EVERY == 0:
            log.info("%s: %s", self.source, self._summary())

    def finish(self, line: str) -> None:
        if self._live is not None:
            self._live.update(self._task, description=self.source, counts=self._summary() + " - done")
        log.info("%s (%s)", line, self._summary() or "nothing fetched")

    def _summary(self) -> str:
        return ", ".join(f"{n} {name}" for name, n in sorted(self.counts.items()))
