"""One sample from its FASTQ lanes to a duplicate-marked BAM, its QC and its coverage: one job.

The order, and why it is one job (issue 15: a cohort plans and schedules per job, and a sample was
nine jobs of a few seconds each):

1. every lane's FASTQ pair is read end to end (``inputs.fastq.check_pair``) before any lane is
   aligned, so a truncated or mismatched lane stops the sample before the long steps;
2. per lane, ``fastp`` writes the trimmed pair (gzip level 1, the job's own intermediate), then one
   stream: ``bwa mem`` (with the lane's read group and a fixed batch size, ``-K``, so the
   alignments do not depend on the thread count) | ``samtools fixmate -m`` | ``samtools sort``: no
   SAM on disk.  fastp is not streamed into bwa: with ``--stdout`` fastp 0.23.2 writes the pairs
   in an order that changes from run to run at 2 threads (three runs of one demo lane, three
   orders), and bwa mem's placement of equally good hits depends on a read's rank in the input,
   so the BAM, its duplicate count and calls near repeats would change between identical runs
   (named pipes for --out1/--out2 stall: fastp and bwa wait on each other);
3. the lanes' BAMs merged and duplicates marked (``samtools markdup``, indexed as it writes);
4. ``samtools flagstat`` (JSON) and ``samtools stats`` over the targets;
5. coverage: ``mosdepth`` over the targets (with thresholds) and over the antitarget bins, and
   the two tables with GRCh38 positions (``qc.coverage.target_table``).

Every tool runs as a process of ``steps.Steps`` (no shell), which records its CPU time and peak
RSS in the job's steps table.  fastp's thread count is fixed: its JSON's insert-size histogram
counts the pairs of one worker thread only, so it would change with the thread count.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from tumorboard.inputs.fastq import FastqError, check_pair
from tumorboard.qc.coverage import target_table
from tumorboard.reference.contigs import ContigMap
from tumorboard.steps import StepError, Steps

FASTP_THREADS = 2  # fixed (module docstring)
BWA_BATCH_BASES = 100_000_000  # bwa mem -K: a fixed batch, independent of -t
SORT_MEMORY = "500M"  # samtools sort -m, per thread


class AlignmentError(RuntimeError):
    """One line: the FASTQ file and record, or the sample and its failed step, and the problem."""


@dataclass(frozen=True)
class Lane:
    unit: str
    r1: str
    r2: str


@dataclass(frozen=True)
class SampleOutputs:
    lanes: str  # folder: <unit>.fastq_check.json, <unit>.fastp.json
    bam: str
    bai: str
    markdup: str
    flagstat: str
    stats: str
    coverage_prefix: str  # mosdepth prefix of the targets (".antitargets" appended for the bins)
    targets_table: str
    antitargets_table: str


def read_group(sample: str, unit: str) -> str:
    """The lane's @RG line as bwa mem -R takes it (``\\t`` written as backslash-t)."""
    return f"@RG\\tID:{sample}.{unit}\\tSM:{sample}\\tLB:{sample}\\tPL:ILLUMINA\\tPU:{unit}"


def fastp_command(
    lane: Lane, sample: str, trimmed: tuple[str, str], json_path: str, extra: list[str]
) -> list[str]:
    """The trimmed pair (gzip level 1); fastp's HTML is not written (it loads plotly over the
    network and stamps the date: MultiQC shows the same plots from the JSON)."""
    return [
        "fastp", "--in1", lane.r1, "--in2", lane.r2, "--out1", trimmed[0], "--out2", trimmed[1],
        "--compression", "1", "--json", json_path, "--html", "/dev/null",
        "--thread", str(FASTP_THREADS), "--report_title", f"{sample}.{lane.unit}", *extra,
    ]  # fmt: skip


def align_commands(
    trimmed: tuple[str, str], sample: str, unit: str, index: str, threads: int, bam: str
) -> list[list[str]]:
    """The lane's stream: bwa mem | fixmate | sort (a coordinate-sorted BAM)."""
    return [
        ["bwa", "mem", "-t", str(threads), "-K", str(BWA_BATCH_BASES),
         "-R", read_group(sample, unit), index, *trimmed],
        ["samtools", "fixmate", "-m", "-u", "-", "-"],
        ["samtools", "sort", "-@", str(threads), "-m", SORT_MEMORY, "-l", "1",
         "-T", f"{bam}.tmp", "-o", bam, "-"],
    ]  # fmt: skip


def markdup_commands(lane_bams: list[str], out: SampleOutputs, threads: int) -> list[list[str]]:
    return [
        ["samtools", "merge", "-u", "-o", "-", *lane_bams],
        ["samtools", "markdup", "-@", str(threads), "-f", out.markdup, "--write-index",
         "-", f"{out.bam}##idx##{out.bai}"],
    ]  # fmt: skip


def mosdepth_command(
    prefix: str, bed: str, bam: str, min_mapq: int, threads: int, thresholds: list[int] | None
) -> list[str]:
    cmd = ["mosdepth", "--no-per-base", "--by", bed, "--mapq", str(min_mapq)]
    cmd += ["--threads", str(threads)]
    if thresholds:
        cmd += ["--thresholds", ",".join(str(t) for t in thresholds)]
    return [*cmd, prefix, bam]


def run_sample(
    sample: str,
    lanes: list[Lane],
    index: str,
    targets: str,
    antitargets: str,
    contigs: str,
    out: SampleOutputs,
    steps: Steps,
    threads: int = 1,
    fastp_extra: list[str] | None = None,
    thresholds: list[int] | None = None,
    min_mapq: int = 20,
) -> None:
    """The whole sample (module docstring); raises ``AlignmentError`` with one line."""
    if not lanes:
        raise AlignmentError(f"{sample}: no lanes")
    lane_dir = Path(out.lanes)
    lane_dir.mkdir(parents=True, exist_ok=True)
    work = Path(f"{out.bam}.lanes")  # the lanes' BAMs, removed once merged
    shutil.rmtree(work, ignore_errors=True)  # what a killed run left
    work.mkdir(parents=True)
    try:
        for lane in lanes:
            with steps.python(f"check_fastq {lane.unit}"):
                try:
                    summary = check_pair(lane.r1, lane.r2)
                except FastqError as exc:
                    raise AlignmentError(str(exc)) from exc  # names the file and record
            with open(lane_dir / f"{lane.unit}.fastq_check.json", "w") as fh:
                json.dump(summary.__dict__, fh, indent=2)
                fh.write("\n")
        lane_bams = []
        for lane in lanes:
            bam = str(work / f"{lane.unit}.bam")
            trimmed = (
                str(work / f"{lane.unit}_R1.fastq.gz"),
                str(work / f"{lane.unit}_R2.fastq.gz"),
            )
            fastp_json = str(lane_dir / f"{lane.unit}.fastp.json")
            steps.run(
                f"trim {lane.unit}",
                fastp_command(lane, sample, trimmed, fastp_json, fastp_extra or []),
            )
            steps.run(
                f"align {lane.unit}",
                *align_commands(trimmed, sample, lane.unit, index, threads, bam),
            )
            for f in trimmed:
                Path(f).unlink()
            lane_bams.append(bam)
        steps.run("markdup", *markdup_commands(lane_bams, out, threads))
        steps.run("flagstat", ["samtools", "flagstat", "-O", "json", out.bam], stdout=out.flagstat)
        steps.run("stats", ["samtools", "stats", "-t", targets, out.bam], stdout=out.stats)
        prefix = out.coverage_prefix
        steps.run(
            "coverage targets",
            mosdepth_command(prefix, targets, out.bam, min_mapq, threads, thresholds),
        )
        steps.run(
            "coverage antitargets",
            mosdepth_command(
                f"{prefix}.antitargets", antitargets, out.bam, min_mapq, threads, None
            ),
        )
        with steps.python("coverage tables"):
            cmap = ContigMap.from_tsv(contigs)
            target_table(f"{prefix}.regions.bed.gz", f"{prefix}.thresholds.bed.gz", cmap).to_csv(
                out.targets_table, sep="\t", index=False
            )
            target_table(f"{prefix}.antitargets.regions.bed.gz", None, cmap).to_csv(
                out.antitargets_table, sep="\t", index=False
            )
    except StepError as exc:
        raise AlignmentError(f"{sample}: {exc}") from exc
    shutil.rmtree(work)
