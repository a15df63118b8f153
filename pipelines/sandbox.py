"""Parse in worker processes with hard limits, so that no document can stop a run or exhaust the machine.

Each worker is a forked process that parses one document at a time. It runs under an
address-space limit (RLIMIT_AS, on top of the address space it was forked with: a huge
allocation raises MemoryError instead of taking 10 GB) and, for each document, a CPU-time limit (RLIMIT_CPU, raised by the document's
allowance before each job: a PDF whose objects refer to themselves spins until SIGXCPU).
The parent enforces a wall-clock deadline from outside by killing the worker, because a
loop inside C code, or a close() that re-enters it, can never be interrupted from within.
A dead worker is replaced by a fresh one and the next document goes on.

What a death means for the document:
- over its CPU time, over the memory limit, or a crash (a signal such as SIGSEGV): the
  document's own fault, recorded as its failure;
- past the wall-clock deadline with CPU to spare, or killed by someone else (the machine's
  OOM killer): the environment's fault, tried again next run (pipelines/parse.py counts
  these, and the third in a row becomes the document's failure).
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

Job = TypeVar("Job")
_END = object()
Result = TypeVar("Result")


@dataclass(frozen=True)
class Limits:
    """What one document may take."""

    cpu_seconds: int = 120  # CPU time of the worker (OCR runs in tesseract, which has its own)
    wall_seconds: float = 300.0  # from the job's start to its answer, whatever the machine's load
    memory_mb: int = 1024  # address space the worker may add to what it was forked with (a letter takes ~50 MB)


@dataclass(frozen=True)
class Died:
    """A worker died with a job in hand: why, and whether that is the job's own fault."""

    reason: str
    own_fault: bool


class Sandbox(Generic[Job, Result]):
    """Run `work(job)` for each job in `workers` limited processes; yield (job, result or Died)."""

    def __init__(self, work: Callable[[Job], Result], workers: int = 1, limits: Limits = Limits()):
        self.work, self.workers, self.limits = work, max(1, workers), limits
        # fork: the worker starts with the parent's imports, in milliseconds; spawn elsewhere.
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        self.context = multiprocessing.get_context(method)

    def run(self, jobs: Iterable[Job]) -> Iterator[tuple[Job, Result | Died]]:
        pending = iter(jobs)
        idle: list[_Worker[Job]] = []
        busy: list[_Worker[Job]] = []
        try:
            while True:
                while len(busy) < self.workers:  # workers are started when there is a job for them
                    job = next(pending, _END)
                    if job is _END:
                        break
                    worker = idle.pop() if idle else _Worker(self.context, self.work, self.limits)
                    worker.start(job)  # type: ignore[arg-type]
                    busy.append(worker)
                if not busy:
                    return
                deadline = min(w.started + self.limits.wall_seconds for w in busy)
                ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy],
                             timeout=max(0.0, deadline - time.monotonic()))
                for worker in list(busy):
                    outcome = worker.collect(ready, self.limits)
                    if outcome is None:
                        continue
                    busy.remove(worker)
                    job, result = outcome
                    if isinstance(result, Died):
                        worker.stop()
                    else:
                        idle.append(worker)
                    yield job, result
        finally:
            for worker in idle + busy:
                worker.stop()


class _Worker(Generic[Job]):
    def __init__(self, context: Any, work: Callable[[Job], Any], limits: Limits):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, work, limits), daemon=True)
        self.process.start()
        child.close()
        self.job: Job | None = None
        self.started = 0.0
        self.killed = False

    def start(self, job: Job) -> None:
        self.job, self.started = job, time.monotonic()
        self.conn.send(job)

    def collect(self, ready: list[Any], limits: Limits) -> tuple[Job, Any] | None:
        """The job's answer or its worker's death, once there is one; else None."""
        job = self.job
        if self.conn in ready:
            try:
                answer = self.conn.recv()
            except (EOFError, OSError):
                pass  # died while answering: read its exit below
            else:
                self.job = None
                return job, answer  # type: ignore[return-value]
        if self.process.sentinel in ready:
            self.process.join()  # it is exiting: its pipes close a moment before it can be reaped
        elif time.monotonic() - self.started >= limits.wall_seconds:
            self.killed = True  # past the deadline: it cannot be interrupted from inside
            self.process.kill()
            self.process.join()
        else:
            return None
        self.job = None
        return job, self._death(limits)  # type: ignore[return-value]

    def _death(self, limits: Limits) -> Died:
        code = self.process.exitcode or 0
        if self.killed:
            return Died(f"took longer than {limits.wall_seconds:g}s (wall clock) and was stopped", own_fault=False)
        if code == -signal.SIGXCPU:
            return Died(f"used more than {limits.cpu_seconds}s of CPU and was stopped", own_fault=True)
        if code == -signal.SIGKILL:
            return Died("the parse worker was killed from outside (out of memory on the machine?)", own_fault=False)
        if code < 0:
            return Died(f"the parser crashed ({signal.Signals(-code).name})", own_fault=True)
        return Died(f"the parse worker exited with status {code}", own_fault=True)

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


def _address_space() -> int:
    """This process's virtual size in bytes (Linux); 0 where /proc is not there."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * resource.getpagesize()
    except OSError:
        return 0


def _serve(conn: Connection, work: Callable[[Any], Any], limits: Limits) -> None:
    """A worker's life: under the memory limit, each job under its own CPU allowance."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the command line's unwinding: a worker just ends
    # On top of what the forked worker starts with: it inherits the parent's address space,
    # which in a long-lived parent (a test runner, a served Datasette) can be gigabytes of mappings.
    memory = _address_space() + limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    _, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            os._exit(0)  # the parent has gone
        used = resource.getrusage(resource.RUSAGE_SELF)
        allowance = int(used.ru_utime + used.ru_stime) + limits.cpu_seconds
        if cpu_hard != resource.RLIM_INFINITY:
            allowance = min(allowance, cpu_hard)
        resource.setrlimit(resource.RLIMIT_CPU, (allowance, cpu_hard))
        conn.send(work(job))
