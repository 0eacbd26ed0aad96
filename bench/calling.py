"""Somatic SNV/indel calling benchmark: tumorboard vs bcftools and freebayes, against a simulated
truth grid (VAF x depth x type x hotspot), a normal-vs-normal pair and COLO829 real reads.

    make bench-calling          # = .venv/bin/python bench/calling.py

Writes bench/results/calling.tsv, calling_summary.md, calling_recall.png (and per-event and
false-positive tables, the truth files).  Heavy files go to bench/work/ (re-used by a second run:
Snakemake only re-does what changed, e.g. the calling after a caller change).  See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import resource
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import baselines
import colo829
import grid
import metrics
import pysam
import report
import runs
import yaml
from runs import Patient, Run, Settings
from variants import Allele, Genome

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
SEED = 20261124


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--replicates",
        type=int,
        default=4,
        help="truth files (patients per depth); 4 gives >= 10 events per non-hotspot "
        "(VAF x type) cell",
    )
    ap.add_argument("--mirror", type=Path, default=PROJECT.parent / "shared" / "data")
    ap.add_argument("--work", type=Path, default=BENCH / "work" / "calling")
    ap.add_argument("--out", type=Path, default=BENCH / "results")
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--workers", type=int, default=2, help="Snakemake runs / tools at a time")
    ap.add_argument("--seed", type=int, default=SEED)
    return ap.parse_args(argv)


class Timer:
    def __init__(self):
        self.steps: list[tuple[str, float]] = []

    @contextmanager
    def step(self, name: str):
        start = time.monotonic()
        print(f"[bench] {name} ...", flush=True)
        try:
            yield
        finally:
            self.steps.append((name, time.monotonic() - start))
            print(f"[bench] {name}: {report.minutes(self.steps[-1][1])}", flush=True)


# ---------------------------------------------------------------- steps


def build_cache(settings: Settings, normal_truth: Path, seed: int) -> None:
    run = runs.normal_simulation(settings, normal_truth, seed)
    run.name, run.targets = "reference cache", runs.cache_targets(settings)
    runs.snakemake(settings, run, settings.cores)
    if run.error:
        sys.exit(f"[bench] building the resources cache failed: {run.error}")


def demo_germline() -> list[dict]:
    doc = yaml.safe_load((PROJECT / "resources" / "demo" / "truth.yaml").read_text())
    # the panel genes' SNPs (the pharmacogenomic ones lie outside the calling benchmark's targets)
    return [
        {k: g[k] for k in ("id", "gene", "chrom", "pos", "ref", "alt")}
        for g in doc["germline"]
        if g["gene"] in panel_genes()
    ]


def panel_genes() -> list[str]:
    cfg = yaml.safe_load((PROJECT / "config" / "config.yaml").read_text())
    return cfg["panel"]["genes"]


def make_truths(genome: Genome, args, out: Path) -> tuple[grid.GridContext, list[Path], Path]:
    """Truth files of the grid replicates and of the normal (germline only), checked."""
    ctx = grid.make_context(
        genome, args.mirror, panel_genes(), PROJECT / "resources" / "hotspots.tsv", demo_germline()
    )
    header = (
        f"# Calling-benchmark truth (bench/grid.py, seed {args.seed}); GRCh38, left-normalised.\n"
    )
    paths = []
    for rep, events in enumerate(grid.grid_events(ctx, args.replicates, args.seed), start=1):
        grid.check_spacing([e.allele for e in events] + [germline_allele(g) for g in ctx.germline])
        doc = grid.truth_document(f"SIM_R{rep}", events, ctx.germline)
        grid.verify_normalised(genome, doc, args.work / "truth_check" / f"R{rep}")
        paths.append(out / "calling_truth" / f"R{rep}.yaml")
        grid.write_truth(paths[-1], doc, header)
    normal = out / "calling_truth" / "NORMAL.yaml"
    grid.write_truth(normal, grid.truth_document("SIM_NORMAL", [], ctx.germline), header)
    return ctx, paths, normal


def germline_allele(g: dict) -> Allele:
    return Allele(g["chrom"], int(g["pos"]), g["ref"], g["alt"])


def failures(items: list[Run]) -> list[str]:
    return [f"{r.name}: {r.error}" for r in items if r.error]


def baseline_jobs(settings: Settings, patients: list[Patient]) -> list[str]:
    """Run bcftools and freebayes on every patient with BAMs; errors as notes."""
    ref = settings.cache / "reference" / "genome.fa"
    targets = settings.cache / "panel" / "targets.bed"
    jobs = [
        (c, p)
        for p in patients
        for c in ("bcftools", "freebayes")
        if p.bam(p.tumour).exists() and p.bam(p.normal).exists()
    ]

    def one(job) -> str:
        caller, p = job
        try:
            baselines.run_baseline(caller, p, ref, targets)
            return ""
        except subprocess.CalledProcessError as exc:
            return f"{caller} on {p.id} failed ({exc.returncode}); see {p.baseline_dir}"

    return [e for e in runs.in_pool(settings, jobs, one) if e]


def callable_bp(settings: Settings, p: Patient, min_depth: int = 100) -> int:
    """Target bases with depth >= ``min_depth`` in both BAMs (MAPQ, BQ >= 20)."""
    cmd = [
        "samtools",
        "depth",
        "-a",
        "-Q",
        "20",
        "-q",
        "20",
        "-b",
        str(settings.cache / "panel" / "targets.bed"),
        str(p.bam(p.tumour)),
        str(p.bam(p.normal)),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return sum(
        1 for ln in out.splitlines() if min(int(x) for x in ln.split("\t")[2:4]) >= min_depth
    )


def calls_or_note(caller: str, genome: Genome, p: Patient, notes: list[str]):
    try:
        return baselines.calls_of(caller, genome, p)
    except (OSError, ValueError) as exc:
        notes.append(f"{caller} calls of {p.id} unreadable: {exc}")
        return None


def score_grid(
    genome: Genome,
    ctx: grid.GridContext,
    patients: list[Patient],
    truths: list[Path],
    notes: list[str],
):
    outcomes, fps = [], []
    germ = [germline_allele(g) for g in ctx.germline]
    for p in patients:
        truth = metrics.truth_events(yaml.safe_load(truths[p.replicate - 1].read_text()))
        for caller in baselines.CALLERS:
            calls = calls_or_note(caller, genome, p, notes)
            if calls is None:
                continue
            o, f = metrics.score(genome, caller, p.id, p.depth, truth, germ, ctx.sites, calls)
            outcomes += o
            fps += f
    return outcomes, fps


def score_nvn(
    settings: Settings,
    genome: Genome,
    ctx: grid.GridContext,
    nvn: tuple[Patient, Run],
    notes: list[str],
):
    p, run = nvn
    if run.error:
        notes.append("normal-vs-normal: the workflow run failed, nothing scored")
        return [], []
    territory = callable_bp(settings, p)
    germ = [germline_allele(g) for g in ctx.germline]
    results, fps = [], []
    for caller in baselines.CALLERS:
        calls = calls_or_note(caller, genome, p, notes)
        if calls is None:
            continue
        _, f = metrics.score(genome, caller, p.id, 0, [], germ, ctx.sites, calls)
        fps += f
        results.append(report.NvnResult(caller, len(f), territory))
    return results, fps


# ---------------------------------------------------------------- summary text


def git_state() -> str:
    def git(*a):
        return subprocess.run(
            ["git", "-C", str(PROJECT), *a], capture_output=True, text=True
        ).stdout.strip()

    dirty = " (work tree with uncommitted changes)" if git("status", "--porcelain") else ""
    return f"{git('rev-parse', '--short', 'HEAD')}{dirty}"


def machine_note(steps: list[tuple[str, float]], load_start: float) -> str:
    """CPU time of every child process against the wall time: tells a busy machine apart."""
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = use.ru_utime + use.ru_stime
    wall = sum(s for _, s in steps)
    return (
        f"CPU time of all tools and Snakemake runs: {report.minutes(cpu)} "
        f"({cpu / wall:.2f} cores busy on average); 1-minute load average "
        f"{load_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end (a load above 2 "
        "means other work shared the machine)."
    )


def tool_version(cmd: list[str]) -> str:
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    return out.splitlines()[0] if out else "?"


def summary_header(args, fb_version: str) -> str:
    now = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    return (
        "# Somatic SNV/indel calling benchmark\n\n"
        f"Command: `make bench-calling` (= `.venv/bin/python bench/calling.py`), run {now} on "
        f"tumorboard {git_state()}, {args.cores} cores; freebayes {fb_version}, "
        f"{tool_version(['bcftools', '--version'])}."
        "  Files: `calling.tsv` (long format), `calling_events.tsv` (every truth event per "
        "caller), `calling_false_positives.tsv`, `calling_recall.png`, `calling_truth/*.yaml`.  "
        "Methods: `bench/README.md`.\n"
    )


def design_lines(args, ctx: grid.GridContext) -> list[str]:
    n = len(ctx.clusters) + len(ctx.slots)
    depths = ", ".join(f"{d}x" for d in runs.TUMOUR_DEPTHS)
    normals = ", ".join(f"{runs.normal_depth(d)}x" for d in runs.TUMOUR_DEPTHS)
    return [
        f"{args.replicates} truth files (replicates) × 3 tumour depths ({depths}) = "
        f"{3 * args.replicates} tumour/normal patients; matched normals at {normals} (half the "
        "tumour depth, at least 200x).",
        f"Each truth file: {len(ctx.clusters)} hotspot clusters (hotspot codons/regions closer "
        f"than {grid.SPACING} bp share one event) + {len(ctx.slots)} coding-exon slots = {n} "
        f"somatic events ≥ {grid.SPACING} bp apart, and the same {len(ctx.germline)} germline "
        "heterozygous SNPs (the demo's, less those near a hotspot); EGFR exon 19 E746_A750del "
        "and ERBB2 exon 20 A775_G776insYVMA (c.2313_2324dup) are in every file.  Types cycle "
        "SNV/MNV/DEL/INS over the events, VAFs cycle within a type; deletions are 1–30 bp, "
        "insertions 1–20 bp (tandem duplications and random sequence alternately).",
        "Reads: the workflow's own simulator (rule `simulate_demo`, art_illumina, fixed seeds) "
        f"makes each replicate's tumour at {max(runs.TUMOUR_DEPTHS)}x in {runs.UNITS} FASTQ "
        f"units of {runs.TUMOUR_UNIT_DEPTH}x, and one normal (germline only) at "
        f"{runs.NVN_DEPTH}x in {runs.NORMAL_UNITS} units of {runs.NORMAL_UNIT_DEPTH}x.  A patient "
        "takes the first units it needs, so the lower depths are subsets of the 1000x reads and "
        "all grid patients share the normal's reads (the estimates at different depths are not "
        "independent).",
        "Each patient is its own Snakemake run (own work directory, one shared resources cache), "
        "stopped at `results/somatic/{patient}.vcf.gz` and the BAMs; the baselines run on those "
        "BAMs.",
        "Hotspot event: it changes a base of a hotspot codon (`resources/hotspots.tsv` on the "
        "MANE Select models), or lies inside an exon-level hotspot region of the matching kind "
        "(e.g. a deletion in EGFR exon 19).",
    ]


def cell_counts(outcomes: list[metrics.Outcome], hotspot: bool) -> list[int]:
    """Events per (VAF x type) cell at one depth (the same at every depth)."""
    one = [o for o in outcomes if o.caller == "tumorboard" and o.depth == max(runs.TUMOUR_DEPTHS)]
    return [
        sum(
            1
            for o in one
            if o.event.hotspot == hotspot and o.event.kind == k and abs(o.event.vaf - v) < 1e-9
        )
        for k in grid.TYPES
        for v in grid.VAFS
    ]


def standing_notes(args, ctx: grid.GridContext, outcomes, nvn: list[report.NvnResult]) -> list[str]:
    """Limits of this design, from the numbers of this run."""
    notes = []
    hot, cold = cell_counts(outcomes, True), cell_counts(outcomes, False)
    if hot and cold:
        cells = len(grid.TYPES) * len(grid.VAFS)
        needed = math.ceil(10 * cells / len(ctx.clusters))
        notes.append(
            f"Hotspot cells are small: one event per hotspot cluster per patient gives "
            f"{sum(hot)} hotspot events per depth, {min(hot)}–{max(hot)} per (VAF × type) cell; "
            f"≥ 10 per cell would need `--replicates {needed}`.  Non-hotspot cells hold "
            f"{min(cold)}–{max(cold)} events each."
        )
    if nvn and nvn[0].callable_bp:
        n = nvn[0]
        notes.append(
            f"Normal-vs-normal: {n.callable_bp / 1e6:.4f} Mb of callable territory, so one false "
            f"positive is {1e6 / n.callable_bp:.0f} per Mb and zero still leaves a 95% upper "
            f"bound of {report.NvnResult(n.caller, 0, n.callable_bp).upper95_per_mb:.0f} per Mb: "
            "the ≤ 0.1/Mb target can be refuted here but not demonstrated."
        )
    return notes


# ---------------------------------------------------------------- main


@dataclass
class Plan:
    """Every Snakemake run of the bench, in an order the run pool can start them in."""

    normal_sim: Run
    tumour_sims: list[Run]
    grid: list[tuple[Patient, Run]]
    nvn: tuple[Patient, Run]
    colo: tuple[Patient, Run]

    @property
    def runs(self) -> list[Run]:
        patients = [*self.grid, self.nvn, self.colo]
        return [self.normal_sim, *self.tumour_sims, *(r for _, r in patients)]


def plan(settings: Settings, args, truths: list[Path], normal_truth: Path) -> Plan:
    normal_sim = runs.normal_simulation(settings, normal_truth, args.seed)
    tumour_sims = [
        runs.tumour_simulation(settings, r, t, args.seed) for r, t in enumerate(truths, 1)
    ]
    grid_pairs = [
        runs.grid_patient(settings, r, d, tumour_sims[r - 1], normal_sim)
        for r in range(1, args.replicates + 1)
        for d in sorted(runs.TUMOUR_DEPTHS, reverse=True)
    ]
    return Plan(
        normal_sim,
        tumour_sims,
        grid_pairs,
        runs.nvn_patient(settings, normal_sim),
        runs.colo829_patient(settings),
    )


def score_all(settings, genome, ctx, pl: Plan, truths, args, notes) -> report.Results:
    ok = [p for p, r in pl.grid if not r.error]
    outcomes, fps = score_grid(genome, ctx, ok, truths, notes)
    nvn_res, nvn_fps = score_nvn(settings, genome, ctx, pl.nvn, notes)
    colo_rows = colo829.report(genome, pl.colo[0]) if not pl.colo[1].error else []
    return report.Results(
        outcomes,
        fps + nvn_fps,
        metrics.recall_rows(outcomes) + metrics.precision_rows(outcomes, fps),
        nvn_res,
        colo_rows,
        [],
        notes + standing_notes(args, ctx, outcomes, nvn_res),
        design_lines(args, ctx),
        [(r.name, r.seconds, r.error) for r in pl.runs],
    )


def write_tables(res: report.Results, out: Path) -> None:
    report.write_tsv(res, out / "calling.tsv")
    report.write_events(res, out / "calling_events.tsv")
    report.write_false_positives(res, out / "calling_false_positives.tsv")
    report.plot_recall(res, out / "calling_recall.png")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    pysam.set_verbosity(0)  # htslib warnings about the callers' VCF headers
    args.work, args.out = args.work.resolve(), args.out.resolve()
    settings = Settings(PROJECT, args.work, args.mirror.resolve(), args.workers, args.cores)
    args.out.mkdir(parents=True, exist_ok=True)
    timer, notes, load_start = Timer(), [], os.getloadavg()[0]
    with timer.step("install freebayes if missing"):
        fb_version = baselines.ensure_freebayes()
    with timer.step("resources cache (reference, bwa index, panel)"):
        build_cache(settings, args.out / "calling_truth" / "NORMAL.yaml", args.seed)
    cache = settings.cache / "reference"
    genome = Genome(cache / "genome.fa", cache / "contigs.tsv")
    with timer.step("truth grid (generate, left-normalise, check with bcftools norm)"):
        ctx, truths, normal_truth = make_truths(genome, args, args.out)
    pl = plan(settings, args, truths, normal_truth)
    with timer.step(f"simulate reads and run the workflow ({len(pl.runs)} Snakemake runs)"):
        notes += failures(runs.run_all(settings, pl.runs))
    with timer.step("baselines (bcftools, freebayes)"):
        notes += baseline_jobs(settings, [p for p, _ in [*pl.grid, pl.nvn]])
    with timer.step("scoring and report"):
        res = score_all(settings, genome, ctx, pl, truths, args, notes)
        write_tables(res, args.out)
    res.timings, res.machine = timer.steps, machine_note(timer.steps, load_start)
    report.write_summary(res, args.out / "calling_summary.md", summary_header(args, fb_version))
    print(f"[bench] results in {args.out}; total {report.minutes(sum(s for _, s in timer.steps))}")
    return 1 if notes else 0


if __name__ == "__main__":
    sys.exit(main())
