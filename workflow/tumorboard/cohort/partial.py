"""The cohort view of a run in which some patients did not finish (``--keep-going``).

With ``--keep-going`` a failed job stops only what depends on it: the other patients go on to
their reports. The cohort rules need every patient's findings and so do not run; at the end of
such a run (Snakemake's ``onerror``, workflow/rules/keep_going.smk) :func:`write` gathers the
findings that exist into the cohort summary, MAF, copy-number table and oncoprint, and lists the
patients without findings in ``unfinished.tsv``: the jobs of theirs that failed (from the run's
log: Snakemake's "Error in rule/group" blocks that name the patient or one of its samples), the
logs to read, and the first of the patient's outputs that is missing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from tumorboard.cohort import formats, tables

UNFINISHED_COLUMNS = ["patient", "samples", "failed", "logs", "first_missing"]


def error_blocks(log_text: str) -> list[str]:
    """Snakemake's job error blocks ("Error in rule X:" / "Error in group Y:" and the indented
    lines under them) of a run log."""
    blocks, current = [], None
    for line in log_text.splitlines():
        if re.match(r"Error in (rule|group) [\w.-]+", line):
            current = [line]
            blocks.append(current)
        elif current is not None and (line.startswith(" ") or not line.strip()):
            current.append(line)
        else:
            current = None
    return ["\n".join(b) for b in blocks]


def _names(block: str, ids: Sequence[str]) -> bool:
    """Whether the block names one of ``ids`` as a path component (``results/x/{id}.tsv``,
    ``{id}/``, ``{tumour}_vs_{normal}``) or a wildcard value (``sample={id}``)."""
    return any(
        re.search(rf"(?:^|[\s/=,:]|_vs_){re.escape(i)}(?=$|[\s/.,:]|_vs_)", block, re.M)
        for i in ids
    )


def failures(log_text: str, ids: Sequence[str]) -> tuple[list[str], list[str]]:
    """(rules, logs) of the failed jobs whose error block names one of ``ids``."""
    rules, logs = [], []
    for block in error_blocks(log_text):
        if not _names(block, ids):
            continue
        head = re.match(r"Error in (rule|group) ([\w.-]+)", block)
        members = re.findall(r"^\s+rule (\w+):", block, re.M)
        for rule in members or [head.group(2)]:
            if rule not in rules:
                rules.append(rule)
        for m in re.finditer(r"^\s+log: (.+?)(?: \(check log file|$)", block, re.M):
            for path in m.group(1).split(", "):
                if path.endswith(".steps.tsv"):  # a job's steps table: accounting, not a log
                    continue
                if _names(path, ids) and path not in logs:
                    logs.append(path)
    return rules, logs


def unfinished_rows(
    patients: Mapping[str, Sequence[str]],
    expected: Mapping[str, Sequence[str]],
    log_text: str,
    workdir: str | Path = ".",
) -> list[dict[str, str]]:
    """One row per patient whose outputs are not all there. ``patients``: patient -> its sample
    names; ``expected``: patient -> its outputs in the order they are made (findings last)."""
    rows = []
    for pid, samples in patients.items():
        missing = [p for p in expected[pid] if not (Path(workdir) / p).exists()]
        if not missing:
            continue
        rules, logs = failures(log_text, [pid, *samples])
        rows.append(
            {
                "patient": pid,
                "samples": ",".join(samples),
                "failed": ",".join(rules) or "not run (an input it needs failed)",
                "logs": ",".join(logs),
                "first_missing": missing[0],
            }
        )
    return rows


def write(
    patients: Mapping[str, Sequence[str]],
    expected: Mapping[str, Sequence[str]],
    findings: Mapping[str, str],
    log_path: str | Path | Sequence[str | Path] | None,
    out: Mapping[str, str],
    genes: Sequence[str],
    targets: str | Path,
) -> tuple[list[str], list[dict[str, str]]]:
    """Write the cohort tables and oncoprint of the patients whose findings exist and the list of
    the others. ``findings``: patient -> findings JSON path; ``out``: keys summary, maf, cna,
    oncoprint, unfinished -> paths. Returns (finished patients, unfinished rows)."""
    # Snakemake hands its handlers the log file, or a list of them (one per logger)
    logs = [log_path] if isinstance(log_path, str | Path) else list(log_path or [])
    log_text = "\n".join(Path(p).read_text(errors="replace") for p in logs if Path(p).is_file())
    rows = unfinished_rows(patients, expected, log_text)
    finished = [p for p in patients if Path(findings[p]).exists()]
    cohort = tables.load_findings([findings[p] for p in finished])
    tables.write_tsv(tables.summary_rows(cohort), tables.SUMMARY_COLUMNS, out["summary"])
    formats.write_maf(formats.maf_rows(cohort), out["maf"])
    columns, cna = formats.cna_table(cohort)
    tables.write_tsv(cna, columns, out["cna"])
    if Path(targets).exists():
        from tumorboard.reference import panel

        tables.write_oncoprint(
            cohort, panel.reported_genes(list(genes), targets, cohort), out["oncoprint"]
        )
    tables.write_tsv(rows, UNFINISHED_COLUMNS, out["unfinished"])
    return finished, rows
