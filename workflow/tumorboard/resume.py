"""Resume a run that was interrupted (``kill -9``, a power cut, a lost node): one command.

A Snakemake run that dies without cleaning up leaves its lock in ``.snakemake/locks``; the next
run of the same command stops at once ("Directory cannot be locked"), and the outputs of the
jobs that were running are on disk, partial, with Snakemake's "incomplete" marker.

``python -m tumorboard.resume ARGS`` takes the snakemake arguments of the interrupted run
(``make resume`` gives the demo's) and

1. refuses, in one line, when a Snakemake process is still working in that directory (the lock
   is then not stale: unlocking would let two runs write the same files).  It can only see
   processes on this machine (``/proc``): on a cluster, run it where the first run ran;
2. removes the stale lock (``snakemake ARGS --unlock``);
3. runs ``snakemake ARGS --rerun-incomplete``: jobs that were running are run again from the
   start (their partial outputs are never used), finished jobs are not, and the jobs that had
   not started run as they would have.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

DIRECTORY_OPTIONS = ("-d", "--directory")


class ResumeError(Exception):
    """Resuming is refused; the message is one line."""


def workdir(args: list[str], cwd: str | Path = ".") -> Path:
    """The directory a snakemake command line works in (``-d``/``--directory``, else ``cwd``)."""
    where = None
    for i, arg in enumerate(args):
        if arg in DIRECTORY_OPTIONS and i + 1 < len(args):
            where = args[i + 1]
        elif arg.startswith("--directory="):
            where = arg.split("=", 1)[1]
    return (Path(cwd) / where).resolve() if where else Path(cwd).resolve()


def _is_snakemake(argv: list[str]) -> bool:
    """A snakemake command line: ``snakemake ...``, ``python .../bin/snakemake ...`` or
    ``python -m snakemake ...``."""
    return any(Path(a).name == "snakemake" for a in argv[:2]) or argv[1:3] == ["-m", "snakemake"]


def live_runs(directory: str | Path, proc: str | Path = "/proc") -> list[int]:
    """Process ids of the Snakemake processes on this machine working in ``directory``."""
    target = Path(directory).resolve()
    found = []
    if not Path(proc).is_dir():  # not Linux: nothing to look at (resume says so)
        return found
    for entry in Path(proc).iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")[:-1]
            cwd = os.readlink(entry / "cwd")
        except OSError:  # gone, or not ours to read
            continue
        if argv and _is_snakemake(argv) and workdir(argv, cwd) == target:
            found.append(int(entry.name))
    return sorted(found)


def snakemake_executable() -> str:
    """The snakemake of this interpreter's environment (the project's .venv), else on PATH."""
    here = Path(sys.executable).with_name("snakemake")
    return str(here) if here.exists() else (shutil.which("snakemake") or "snakemake")


def resume(args: list[str]) -> int:
    """Unlock and rerun ``snakemake args`` (module docstring); the run's exit status."""
    where = workdir(args)
    if not Path("/proc").is_dir():
        print("tumorboard: no /proc here: cannot check that no run is still working in "
              f"{where}; make sure none is", file=sys.stderr)  # fmt: skip
    pids = live_runs(where)
    if pids:
        raise ResumeError(
            f"a Snakemake run (pid {', '.join(map(str, pids))}) is still working in {where}: "
            "wait for it to finish or stop it; resume is for a run that died"
        )
    snakemake = snakemake_executable()
    locks = where / ".snakemake" / "locks"
    if locks.is_dir() and any(locks.iterdir()):
        print(f"tumorboard: removing the lock an interrupted run left in {where}", file=sys.stderr)
        subprocess.run([snakemake, *args, "--unlock"], check=True, capture_output=True, text=True)
    return subprocess.run([snakemake, *args, "--rerun-incomplete"]).returncode


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        return resume(args)
    except ResumeError as exc:
        print(f"tumorboard: {exc}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as exc:
        last = (exc.stderr or "").strip().splitlines()[-1:] or ["no message"]
        print(f"tumorboard: snakemake --unlock failed: {last[0]}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
