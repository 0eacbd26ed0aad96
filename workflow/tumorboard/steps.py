"""The steps of one workflow job, run and accounted for.

A job that does several things (one sample: FASTQ checks, trimming and alignment of each lane,
duplicate marking, coverage) runs its tools here, never through a shell: a pipeline's processes
are connected stdout to stdin (``Popen``), so no sample name or path is ever parsed by a shell,
and a failing process stops the job as ``set -o pipefail`` would, with one line naming the step,
the tool and its exit status.

Each process is reaped with ``os.wait4``, which returns that process's own resource usage: the
job's steps table (``<benchmark>.steps.tsv`` beside Snakemake's benchmark file, columns
``step tool wall_s cpu_s max_rss_mb``) gives every tool's CPU time (user + system) and peak RSS
even inside a stream, and the wall time of the step it belongs to (the processes of a pipeline
run side by side and share it).  Python steps of the job itself are timed with ``python()``:
their CPU from ``getrusage`` (the job's process and the programs it waited for) and, as peak
RSS, the job process's peak so far.  A child's peak RSS counts from its fork, so a tool that
stays small shows the size of the Python process that started it (~100-200 MB): the figure is
an upper bound, exact for the tools that matter (bwa, fastp, sort).
"""

from __future__ import annotations

import contextlib
import csv
import os
import resource
import signal
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import astuple, dataclass, field, fields
from pathlib import Path


class StepError(RuntimeError):
    """A step of a job failed; the message is one line naming the step, tool and status."""


@dataclass(frozen=True)
class Usage:
    step: str
    tool: str
    wall_s: float
    cpu_s: float
    max_rss_mb: float


def _tool_name(cmd: Sequence[str]) -> str:
    """``bwa mem``, ``samtools sort``, ``fastp``: the program and, for suites, its command."""
    prog = Path(cmd[0]).name
    if prog in {"bwa", "samtools", "bcftools"} and len(cmd) > 1:
        return f"{prog} {cmd[1]}"
    return prog


def _exit_text(status: int) -> str:
    code = os.waitstatus_to_exitcode(status)
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with status {code}"


@dataclass
class Steps:
    """The steps of one job; ``log`` is an open text file every tool's stderr goes to."""

    log: object
    usage: list[Usage] = field(default_factory=list)

    def run(
        self,
        step: str,
        *commands: Sequence[str],
        stdin: str | os.PathLike | None = None,
        stdout: str | os.PathLike | None = None,
    ) -> None:
        """Run ``commands`` as one pipeline (each one's stdout into the next one's stdin);
        ``stdin``/``stdout``: files for the first/last process (default: none / the log)."""
        if not commands:
            raise ValueError("no command")
        self.log.write(f"[{step}] {' | '.join(' '.join(map(str, c)) for c in commands)}\n")
        self.log.flush()
        procs: list[subprocess.Popen] = []
        t0 = time.monotonic()
        with contextlib.ExitStack() as files:
            src = subprocess.DEVNULL
            if stdin is not None:
                try:
                    src = files.enter_context(open(stdin, "rb"))
                except OSError as exc:
                    raise StepError(f"{step}: cannot read {stdin}: {exc.strerror}") from exc
            sink = files.enter_context(open(stdout, "wb")) if stdout is not None else self.log
            try:
                for i, cmd in enumerate(commands):
                    last = i == len(commands) - 1
                    proc = subprocess.Popen(
                        [str(c) for c in cmd],
                        stdin=src,
                        stdout=sink if last else subprocess.PIPE,
                        stderr=self.log,
                    )
                    if procs:  # the parent keeps no copy of the pipe: SIGPIPE reaches the writer
                        procs[-1].stdout.close()
                    procs.append(proc)
                    src = proc.stdout
            except OSError as exc:
                for proc in procs:
                    proc.kill()
                    proc.wait()
                raise StepError(f"{step}: cannot start {cmd[0]}: {exc.strerror}") from exc
            results = []
            for cmd, proc in zip(commands, procs, strict=True):
                _, status, ru = os.wait4(proc.pid, 0)
                proc.returncode = os.waitstatus_to_exitcode(status)
                results.append((cmd, status, ru))
        wall = time.monotonic() - t0
        for cmd, _, ru in results:
            self.usage.append(
                Usage(step, _tool_name(cmd), wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024)
            )
        failed = [(cmd, status) for cmd, status, _ in results if status != 0]
        # the cause: the first process that failed by itself, not the writers a failed reader
        # left with a broken pipe, nor the readers a failed writer left without input; a writer
        # cut off by a reader that finished well (``yes | head -n 1``) is no failure
        real = [f for f in failed if os.waitstatus_to_exitcode(f[1]) != -signal.SIGPIPE]
        if real:
            cmd, status = real[0]
            raise StepError(f"{step}: {_tool_name(cmd)} {_exit_text(status)} (see the job's log)")
        if failed and results[-1][1] != 0:
            cmd, status = failed[0]
            raise StepError(f"{step}: {_tool_name(cmd)} {_exit_text(status)} (see the job's log)")

    @contextlib.contextmanager
    def python(self, step: str, tool: str = "python") -> Iterator[None]:
        """Time a step done by the job's own Python code (with the CPU time of any program it
        runs and waits for, e.g. Chromium for the page images: ``tool`` names it)."""
        who = (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
        r0, t0 = [resource.getrusage(w) for w in who], time.monotonic()
        try:
            yield
        finally:  # a step that fails is accounted for too
            r1 = [resource.getrusage(w) for w in who]
            cpu = sum(
                b.ru_utime - a.ru_utime + b.ru_stime - a.ru_stime
                for a, b in zip(r0, r1, strict=True)
            )
            grown = r1[1].ru_maxrss if r1[1].ru_maxrss > r0[1].ru_maxrss else 0
            rss = max(r1[0].ru_maxrss, grown)
            self.usage.append(Usage(step, tool, time.monotonic() - t0, cpu, rss / 1024))

    def write(self, path: str | os.PathLike) -> None:
        """The steps table (tab-separated, header ``step tool wall_s cpu_s max_rss_mb``)."""
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", newline="") as fh:
            out = csv.writer(fh, delimiter="\t", lineterminator="\n")
            out.writerow([f.name for f in fields(Usage)])
            for u in self.usage:
                row = astuple(u)
                out.writerow([*row[:2], *(f"{x:.3f}" for x in row[2:])])


def read(path: str | os.PathLike) -> list[Usage]:
    """A steps table written by ``Steps.write``."""
    with open(path, newline="") as fh:
        rows = csv.DictReader(fh, delimiter="\t")
        return [
            Usage(
                r["step"], r["tool"], float(r["wall_s"]), float(r["cpu_s"]), float(r["max_rss_mb"])
            )
            for r in rows
        ]
