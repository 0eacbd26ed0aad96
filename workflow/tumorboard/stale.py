"""No out-of-date result left looking current (issue 14, "never a plausible wrong report").

When Snakemake decides to remake a job's outputs (an input, a parameter, the code or the sheet
changed, or the job was interrupted), the outputs on disk are out of date.  Snakemake removes
them only when the job itself starts; if an upstream job fails first (a truncated FASTQ, a
failed identity check), yesterday's report and findings stay in ``results/`` beside a failed run,
and a reader cannot tell.  The workflow's ``onstart`` hook therefore removes the outputs of every
job about to run, before the first one runs: a run that fails leaves them missing, never stale.
Outputs marked ``protected`` or ``update`` and storage objects are left alone (Snakemake treats
them specially), and nothing happens in a dry run or with ``--touch`` (no hook runs, or the
files are only touched).
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

# shown by name in the one-line notice (what a reader opens); other outputs are counted
SHOWN = ("results/report/", "results/findings/")
KEPT_FLAGS = ("protected", "update", "storage_object")


def outputs_to_remake(dag) -> list[tuple[str, bool]]:
    """(path, is a directory()) of every output of the jobs Snakemake's DAG is about to run."""
    from snakemake.io import is_flagged

    out = set()
    for job in dag.needrun_jobs():
        for f in job.output:
            if any(is_flagged(f, flag) for flag in KEPT_FLAGS):
                continue
            out.add((str(f), bool(is_flagged(f, "directory"))))
    return sorted(out)


def remove_outputs(outputs: Iterable[tuple[str, bool]], log: TextIO = sys.stderr) -> list[str]:
    """Remove the existing ``outputs`` ((path, is a directory) pairs); say so in one line on
    ``log`` (report and findings files by name, the others counted); return what was removed."""
    removed = []
    for path, is_dir in outputs:
        p = Path(path)
        if is_dir and p.is_dir() and not p.is_symlink():
            shutil.rmtree(p)
        elif p.is_file() or p.is_symlink():
            p.unlink()
        else:
            continue
        removed.append(path)
    if removed:
        shown = [p for p in removed if p.startswith(SHOWN)]
        others = len(removed) - len(shown)
        named = ", ".join(shown + ([f"{others} other output(s)"] if others else []))
        print(
            f"tumorboard: out of date, removed before the jobs that remake them run "
            f"(a failed run leaves them missing, not stale): {named}",
            file=log,
        )
    return removed
