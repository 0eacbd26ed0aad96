"""Cost, measured (issue #15): the workflow against a plain script, each stage's share, and cost
as the work grows.

    .venv/bin/python bench/scale.py            # make bench-scale: demo panel at tumour
                                                # 250/500/1000/2000x + a ~1 Mb territory
    .venv/bin/python bench/scale.py --quick    # demo panel at 250/500x only (~10 min)

What is measured, on simulated tumour/normal reads (``tumorboard.demo.simulate``, the demo
patient's truth, fixed seeds), every point with ``--cores`` (2) cores:

1. **Workflow vs plain script.**  (a) the real workflow, FASTQ -> report and cohort outputs
   (``snakemake --cores 2`` with config/config.yaml + config/demo/config.yaml + an overlay
   giving the sheets and a resources cache built beforehand, so the demo reference, its bwa
   index, panel and knowledge base are not counted; a fresh ``results/`` every time) and (b)
   bench/scale_pipeline.sh, the essential tools only with the workflow's flags (fastp | bwa mem
   | fixmate | sort per lane, merge | markdup, mosdepth, bcftools mpileup | call -mv | norm |
   csq), on the same FASTQ files.  Each under ``/usr/bin/time -v``: wall, CPU (user + system of
   every process), peak RSS (the largest single process).  The ratio is workflow / script wall.
2. **Each stage's share and peak RSS**, from the run's Snakemake benchmark files
   (``results/benchmarks/<rule>/<wildcards>.tsv``), or the steps files merged jobs write next to
   them (bench/scale_accounting.py), classified as essential tool / Python / Python + tool /
   other tool; the script's own steps from ``/usr/bin/time`` around every tool.  Snakemake
   samples a job's process tree (every 0.5 s for 15 s, then every 30 s), which loses the end of
   every process and all of a short one: the workflow is run through a launcher
   (``sampled_snakemake``) that writes each job's exact CPU (``wait4``) into its benchmark file
   instead, samples RSS every ``SAMPLING_S`` s and records the Snakemake process's own CPU;
   what none of that accounts for is the "not attributed" row.
3. **Cost as the work grows**: tumour depth 250/500/1000/2000x with the normal at half the
   tumour depth (the demo's ratio), on the demo panel; and a ~1 Mb territory (every exon of
   every GENCODE gene on the demo reference's chr17 block and loci, every exon of the project's
   gene models, the demo targets and backbone tiles) at tumour ``--wide-depth``.  Per stage: CPU
   vs read pairs, log-log slope, linear fit.
4. **Extrapolation** to a 500-gene panel and a whole exome (``SCENARIOS``), from the per-pair
   and per-target-bp terms (assumptions written into scale.md).

Outputs (``bench/results/``; ``--quick`` adds ``_quick`` to every name): scale.tsv (the curve:
every point x source x stage), scale_runs.tsv (every timed run), scale_fits.tsv,
scale_extrapolation.tsv, scale_meta.json (date, bench wall and CPU), scale.md, scale.png.
Heavy files: bench/work/scale/.  ``--report-only`` rebuilds the tables from the runs'
directories and scale_runs.tsv without running anything (e.g. after a change of the
accounting, or on a restructured workflow's runs).
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import math
import os
import re
import resource
import shlex
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import scale_accounting as acc  # noqa: E402

PROJECT = BENCH.parent
SNAKEMAKE = Path(sys.executable).with_name("snakemake")
DEPTHS = (250, 500, 1000, 2000)
QUICK_DEPTHS = (250, 500)
NORMAL_RATIO = 0.5  # normal depth / tumour depth (the demo: 500x / 250x)
UNIT_DEPTH = 125  # tumour depth per simulated unit; depth D = the first D / UNIT_DEPTH units
LANES = ("L001", "L002")  # units of a point are dealt into two lanes per sample (as the demo)
WIDE_DEPTH = 250
# bp simulated around each target: the demo's demo.padding on its panel; less on the ~1 Mb
# territory, whose 2,000 short exons would otherwise more than double the reads (fragments are
# 300 +- 30 bp: a target's first and last ~100 bp get somewhat fewer reads)
WIDE_PADDING = 200
SAMPLING_S = (
    1.0  # Snakemake benchmark sampling interval in the launcher (Snakemake: 0.5 s, then 30 s)
)
PATIENT, TUMOUR, NORMAL = "SCALE", "SCALE-T", "SCALE-N"
SCENARIOS = (
    acc.Scenario("500-gene panel (2.5 Mb, tumour 500x / normal 250x)", 2.5e6, 500, 250),
    acc.Scenario("whole exome (35 Mb, tumour 150x / normal 100x)", 35e6, 150, 100),
)
PAIRS_ASSUMPTIONS = dict(read_length=150, on_target=0.7, duplicates=0.2)
CONFIG = yaml.safe_load((PROJECT / "config" / "config.yaml").read_text())
DEMO_CONFIG = yaml.safe_load((PROJECT / "config" / "demo" / "config.yaml").read_text())


@dataclass(frozen=True)
class Point:
    territory: str  # "demo" or "wide"
    tumour_depth: int

    @property
    def normal_depth(self) -> float:
        return self.tumour_depth * NORMAL_RATIO

    @property
    def name(self) -> str:
        return f"{self.territory}-T{self.tumour_depth}"


# ------------------------------------------------------------------ timing


def bench_cpu_s() -> float:
    """CPU seconds of this process and every process it waited for (the whole bench)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def busy_cpu_s() -> float:
    """CPU seconds every process on the machine has used since boot (/proc/stat)."""
    f = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in f[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def timed(cmd: list[str], time_file: Path, log: Path, env: dict | None = None) -> dict:
    """Run ``cmd`` under ``/usr/bin/time -v``: wall s, CPU s (user + system), peak RSS MB of the
    largest process, exit status, load averages before and after, and the CPU other work on the
    machine used meanwhile (all busy CPU from /proc/stat minus the run's)."""
    load0 = os.getloadavg()[0]
    busy0 = busy_cpu_s()
    t0 = time.monotonic()
    with open(log, "w") as fh:
        res = subprocess.run(
            ["/usr/bin/time", "-v", "-o", str(time_file), *cmd],
            stdout=fh,
            stderr=subprocess.STDOUT,
            env=env,
        )
    wall = time.monotonic() - t0
    busy = busy_cpu_s() - busy0
    text = time_file.read_text()

    def field(label: str) -> float:
        m = re.search(rf"{re.escape(label)}: ([\d.:]+)", text)
        return float(m.group(1)) if m else math.nan

    cpu = field("User time (seconds)") + field("System time (seconds)")
    return dict(
        wall_s=wall,
        cpu_s=cpu,
        max_rss_mb=field("Maximum resident set size (kbytes)") / 1024,
        returncode=res.returncode,
        load_before=load0,
        load_after=os.getloadavg()[0],
        other_cpu_s=max(0.0, busy - cpu),
    )


def sampled_snakemake(usage_path: str, argv: list[str]) -> None:
    """Snakemake's command line, measuring each job's CPU exactly.

    Snakemake's benchmark samples a job's process tree (every 0.5 s for the first 15 s, then
    every 30 s) and sums the CPU each process had at its last sample: a process's CPU after
    that is lost (up to 30 s x threads of a long job) and a process shorter than the interval is
    never seen.  Here (1) the sampling runs every SAMPLING_S s throughout (peak RSS, the sum over
    the tree at a sample, is still sampled), and (2) the job's shell process is reaped with
    ``os.wait4``, whose resource usage holds the job's process and every process it waited
    for: that exact user + system time replaces the sampled ``cpu_time`` in the benchmark file.
    At exit, ``usage_path`` gets the Snakemake process's own CPU, its children's, and the jobs'
    CPU sampled vs exact."""
    import contextlib
    import importlib
    import types

    import snakemake.benchmark as sb

    rusage: dict[int, resource.struct_rusage] = {}
    jobs: list[tuple[float, float]] = []  # (sampled, exact) CPU s per benchmarked job

    class Popen(subprocess.Popen):
        def _try_wait(self, wait_flags):  # as subprocess.Popen's, with os.wait4
            try:
                pid, sts, ru = os.wait4(self.pid, wait_flags)
            except ChildProcessError:
                return self.pid, 0
            if pid == self.pid:
                rusage[pid] = ru
            return pid, sts

    shim = types.ModuleType("subprocess_wait4")
    shim.__dict__.update(subprocess.__dict__)
    shim.Popen = Popen
    importlib.import_module("snakemake.shell").sp = shim  # the module shell() runs jobs with

    sampled = sb.benchmarked

    @contextlib.contextmanager
    def benchmarked(pid=None, benchmark_record=None, interval=SAMPLING_S):
        with sampled(pid, benchmark_record, interval) as rec:
            yield rec
        ru = rusage.pop(pid, None) if pid else None
        if ru is not None:
            jobs.append((rec.cpu_time if rec.data_collected else 0.0, ru.ru_utime + ru.ru_stime))
            rec.cpu_time = ru.ru_utime + ru.ru_stime
            rec.data_collected = True  # a job shorter than a sample: exact CPU, no RSS ("-")

    sb.BENCHMARK_INTERVAL = SAMPLING_S
    sb.benchmarked = benchmarked  # shell() imports it at each call
    from snakemake.cli import main as snakemake_main

    sys.argv = ["snakemake", *argv]
    code = 0
    try:
        snakemake_main()
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    finally:
        me = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        Path(usage_path).write_text(
            json.dumps(
                dict(
                    self_cpu_s=me.ru_utime + me.ru_stime,
                    children_cpu_s=kids.ru_utime + kids.ru_stime,
                    self_max_rss_mb=me.ru_maxrss / 1024,
                    jobs_exact=len(jobs),
                    jobs_sampled_cpu_s=sum(j[0] for j in jobs),
                    jobs_exact_cpu_s=sum(j[1] for j in jobs),
                )
            )
        )
    sys.exit(code)


def run_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(PROJECT / "workflow"), env.get("PYTHONPATH", "")])
    )
    return env


# ------------------------------------------------------------------ resources cache


def snakemake_cmd(workdir: Path, overlay: Path, *extra: str) -> list[str]:
    return [
        str(SNAKEMAKE),
        "-s",
        str(PROJECT / "Snakefile"),
        "-d",
        str(workdir),
        "--configfile",
        str(PROJECT / "config" / "config.yaml"),
        str(PROJECT / "config" / "demo" / "config.yaml"),
        str(overlay),
        *extra,
    ]


def run_snakemake(workdir: Path, overlay: Path, *extra: str) -> str:
    res = subprocess.run(
        snakemake_cmd(workdir, overlay, *extra), capture_output=True, text=True, env=run_env()
    )
    if res.returncode != 0:
        raise SystemExit(
            f"snakemake failed in {workdir}:\n{res.stdout[-2000:]}{res.stderr[-4000:]}"
        )
    return res.stdout + res.stderr


def prepare_cache(work: Path, cores: int, mirror: str) -> Path:
    """The demo resources cache (reference, bwa index, gene models, panel, antitargets,
    pharmacogenomic targets, knowledge base), built once by the workflow; not timed."""
    cache = work / "cache"
    prep = work / "prep"
    prep.mkdir(parents=True, exist_ok=True)
    overlay = prep / "overlay.yaml"
    overlay.write_text(
        yaml.safe_dump(
            {
                "resources": {"mirror": mirror, "cache": str(cache)},
                "samples": str(PROJECT / "config" / "demo" / "samples.tsv"),
                "units": str(PROJECT / "config" / "demo" / "units.tsv"),
            }
        )
    )
    targets = [
        cache / "reference" / "genome.fa.bwt",
        cache / "panel" / "targets.bed",
        cache / "panel" / "targets.grch38.bed",
        cache / "panel" / "antitargets.bed",
        cache / "panel" / "pgx_targets.bed",
        cache / "annotation" / "mane_select.grch38.gff3",
        cache / "knowledgebase" / "knowledgebase.json",
    ]
    if not all(t.exists() for t in targets):
        print("[scale] building the resources cache (not timed)", flush=True)
    run_snakemake(prep, overlay, "--cores", str(cores), *map(str, targets))
    return cache


def wide_targets(cache: Path, mirror: Path, pad: int) -> list:
    """~1 Mb of targets on the demo reference: every exon (+/- ``pad``) of every GENCODE v45
    gene on chr17 that the reference holds (its chr17:1-7.6 Mb block, the TP53 and ERBB2 loci),
    every exon of every transcript of the project's gene models (the mirror's GFF3 files), the
    demo targets (MANE coding exons of the panel genes, backbone tiles); merged, and named
    as a site capture is (``panel.label_targets``): by the panel gene whose MANE Select coding
    exons it overlaps most, else ``backbone`` (copy-number background)."""
    from tumorboard.reference import genemodel, panel
    from tumorboard.reference.contigs import ContigMap

    contigs = ContigMap.from_tsv(cache / "reference" / "contigs.tsv")
    exons: list = []

    def add(chrom: str, start1: int, end1: int) -> None:
        a = contigs.from_grch38(chrom, start1)
        b = contigs.from_grch38(chrom, end1)
        if a and b and a[0] == b[0]:
            exons.append(panel.Target(a[0], max(0, a[1] - 1 - pad), b[1] + pad, ""))

    gtf = mirror / "annotation" / "gencode.v45.chr17.annotation.gtf.gz"
    with gzip.open(gtf, "rt") as fh:
        for line in fh:
            f = line.split("\t", 5)
            if len(f) > 4 and f[2] == "exon":
                add(f[0], int(f[3]), int(f[4]))
    for gff in ("genes.grch38.gff3", "genes_ras_pi3k.grch38.gff3"):
        with open(mirror / "annotation" / gff) as fh:
            for line in fh:
                f = line.split("\t")
                if len(f) > 4 and f[2] == "exon":
                    add(f[0], int(f[3]), int(f[4]))
    with open(cache / "reference" / "genome.fa.fai") as fh:
        lengths = {r.split("\t")[0]: int(r.split("\t")[1]) for r in fh}
    exons = [panel.Target(t.contig, t.start, min(t.end, lengths[t.contig]), "") for t in exons]
    models = genemodel.read_gff3(cache / "annotation" / "mane_select.contigs.gff3")
    demo = panel.read_bed(cache / "panel" / "targets.bed")
    genes = list(CONFIG["panel"]["genes"])
    labelled = panel.label_targets(exons + demo, models, genes)
    # backbone tiles of the demo keep their name; merged gene targets their gene
    return sorted(labelled)


def wide_cache(cache: Path, work: Path, cores: int, mirror: str) -> tuple[Path, int]:
    """A copy of the demo cache (hard links) whose targets are ``wide_targets``; its antitarget
    bins are rebuilt from them by the workflow (rule antitargets), not timed."""
    from tumorboard.reference import panel
    from tumorboard.reference.contigs import ContigMap

    dest = work / "cache-wide"
    if not dest.exists():
        shutil.copytree(cache, dest, copy_function=os.link)
    targets = wide_targets(cache, Path(mirror), CONFIG["panel"]["padding"])
    bed = dest / "panel" / "targets.bed"
    if (
        not bed.exists()
        or bed.samefile(cache / "panel" / "targets.bed")
        or (panel.read_bed(bed) != targets)
    ):
        contigs = ContigMap.from_tsv(cache / "reference" / "contigs.tsv")
        for path, cmap in ((bed, None), (dest / "panel" / "targets.grch38.bed", contigs)):
            path.unlink(missing_ok=True)  # never write through a hard link into the demo cache
            panel.write_bed(targets, path, cmap)
        (dest / "panel" / "antitargets.bed").unlink(missing_ok=True)
    anti = dest / "panel" / "antitargets.bed"
    if anti.exists() and anti.samefile(cache / "panel" / "antitargets.bed"):
        anti.unlink()
    prep = work / "prep-wide"
    prep.mkdir(parents=True, exist_ok=True)
    overlay = prep / "overlay.yaml"
    overlay.write_text(
        yaml.safe_dump(
            {
                "resources": {"mirror": mirror, "cache": str(dest)},
                "samples": str(PROJECT / "config" / "demo" / "samples.tsv"),
                "units": str(PROJECT / "config" / "demo" / "units.tsv"),
            }
        )
    )
    run_snakemake(prep, overlay, "--cores", str(cores), str(anti))
    return dest, sum(t.end - t.start for t in targets)


def territory_bp(cache: Path) -> int:
    from tumorboard.reference import panel

    return sum(t.end - t.start for t in panel.read_bed(cache / "panel" / "targets.bed"))


# ------------------------------------------------------------------ reads


def simulate_one(job: tuple) -> tuple[str, int, float]:
    """Simulate one sample into ``n_units`` FASTQ units (dealt round-robin: the first k units are
    a uniform subset); skipped when its stamp says the same reads are there."""
    from tumorboard.demo import simulate
    from tumorboard.reference import panel
    from tumorboard.reference.contigs import ContigMap

    label, cache, tumour, depth, n_units, seed, padding, out = job
    cache, out = Path(cache), Path(out)
    truth_path = PROJECT / DEMO_CONFIG["demo"]["truth"]
    bed = cache / "panel" / "targets.bed"
    pgx = cache / "panel" / "pgx_targets.bed"
    off = DEMO_CONFIG["demo"]["off_target_fraction"]
    stamp = json.dumps(
        [
            truth_path.read_text(),
            bed.read_text(),
            pgx.read_text(),
            tumour,
            depth,
            n_units,
            seed,
            padding,
            off,
        ]
    )
    done = out / "done"
    if done.exists() and done.read_text() == stamp:
        return label, int((out / "pairs").read_text()), 0.0
    start = time.monotonic()
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    fasta = cache / "reference" / "genome.fa"
    contigs = ContigMap.from_tsv(cache / "reference" / "contigs.tsv")
    truth = simulate.load_truth(truth_path, contigs, fasta)
    with open(f"{fasta}.fai") as fh:
        lengths = {r.split("\t")[0]: int(r.split("\t")[1]) for r in fh}
    # as rule simulate_demo: the panel's targets and the pharmacogenomic sites'
    regions = simulate.simulation_regions(
        panel.read_bed(bed) + panel.read_bed(pgx), padding, lengths
    )
    pairs = simulate.simulate_sample(
        truth,
        fasta,
        regions,
        tumour,
        depth,
        seed,
        [out / f"U{i:02d}" for i in range(1, n_units + 1)],
        off_target=simulate.off_target_regions(fasta, regions),
        off_target_fraction=off,
    )
    (out / "pairs").write_text(str(pairs))
    done.write_text(stamp)
    return label, pairs, time.monotonic() - start


def name_by_sample(job: tuple[str, str]) -> None:
    """Prefix every read name of a simulated sample's units with ``prefix`` (``T:``/``N:``).
    The simulator names reads by haplotype job, region and art's counter, so a tumour and a
    normal simulated apart share read names (a normal's counters are a subset of a deeper
    tumour's): from ~700x the workflow's identity check (rule identity, max_shared_names 0.5)
    stops the patient as "the same reads" (measured: 12 % of the normal's names at tumour
    250x, 35 % at 500x, 58 % on the ~1 Mb territory).  Done once per unit (marker ``named``)."""
    folder, prefix = Path(job[0]), job[1]
    marker = folder / "named"
    if marker.exists() and marker.read_text() == prefix:
        return
    for fq in sorted(folder.glob("U*_R[12].fastq.gz")):
        tmp = fq.with_name(fq.name + ".tmp")
        awk = f"awk -v p={prefix} 'NR % 4 == 1 {{ $0 = \"@\" p substr($0, 2) }} 1'"
        cmd = f"gzip -dc {shlex.quote(str(fq))} | {awk} | gzip -1 -n > {shlex.quote(str(tmp))}"
        subprocess.run(["bash", "-o", "pipefail", "-c", cmd], check=True)
        tmp.replace(fq)
    marker.write_text(prefix)


def unit_pairs(pairs: int, n_units: int, i: int) -> int:
    """Read pairs dealt to unit ``i`` (0-based) of ``n_units``, round-robin."""
    return pairs // n_units + (1 if i < pairs % n_units else 0)


def simulate_reads(points: list[Point], caches: dict, work: Path, cores: int) -> dict:
    """Per territory and sample: (unit directory, units, pairs).  The demo territory's tumour is
    simulated once at the largest depth in units of UNIT_DEPTH x (the normal at NORMAL_RATIO of
    it); a point takes the first depth / UNIT_DEPTH units."""
    seed = DEMO_CONFIG["demo"]["seed"]
    jobs = []
    for territory in sorted({p.territory for p in points}):
        top = max(p.tumour_depth for p in points if p.territory == territory)
        n_units = max(len(LANES), top // UNIT_DEPTH)
        padding = DEMO_CONFIG["demo"]["padding"] if territory == "demo" else WIDE_PADDING
        for sample, tumour in ((TUMOUR, True), (NORMAL, False)):
            depth = top * (1 if tumour else NORMAL_RATIO)
            out = work / "sim" / territory / f"{sample}-{depth:g}x-{n_units}u"
            jobs.append(
                (
                    f"{territory}/{sample}",
                    str(caches[territory]),
                    tumour,
                    depth,
                    n_units,
                    seed * 2 + (1 if tumour else 0),
                    padding,
                    str(out),
                )
            )
    sims = {}
    with ProcessPoolExecutor(max_workers=cores) as pool:
        for job, (label, pairs, secs) in zip(jobs, pool.map(simulate_one, jobs), strict=True):
            if secs:
                print(f"[scale] simulated {label}: {pairs:,} pairs in {secs:.0f} s", flush=True)
            sims[label] = (Path(job[-1]), job[4], pairs, job[3])
        # distinct read names for tumour and normal (name_by_sample)
        list(pool.map(name_by_sample, [(j[-1], "T:" if j[2] else "N:") for j in jobs]))
    return sims


def point_reads(point: Point, sims: dict, work: Path) -> dict[str, int]:
    """The point's FASTQ: per sample, lanes L001/L002 = the concatenated odd/even units of the
    first ``depth / UNIT_DEPTH`` units (gzip members concatenated).  Returns pairs per sample."""
    out = {}
    for sample, depth in ((TUMOUR, point.tumour_depth), (NORMAL, point.normal_depth)):
        folder, n_units, pairs, sim_depth = sims[f"{point.territory}/{sample}"]
        k = max(len(LANES), round(n_units * depth / sim_depth))
        dest = work / "reads" / point.name / sample
        dest.mkdir(parents=True, exist_ok=True)
        total = 0
        for j, lane in enumerate(LANES):
            idx = list(range(j, k, len(LANES)))
            total += sum(unit_pairs(pairs, n_units, i) for i in idx)
            for r in (1, 2):
                target = dest / f"{lane}_R{r}.fastq.gz"
                parts = [folder / f"U{i + 1:02d}_R{r}.fastq.gz" for i in idx]
                stamp = target.with_suffix(".parts")
                want = "\n".join(f"{p} {p.stat().st_size}" for p in parts)
                if target.exists() and stamp.exists() and stamp.read_text() == want:
                    continue
                with open(target, "wb") as fh:
                    for p in parts:
                        with open(p, "rb") as src:
                            shutil.copyfileobj(src, fh, 1 << 20)
                stamp.write_text(want)
        out[sample] = total
    return out


# ------------------------------------------------------------------ the workflow


def write_run(run: Path, reads: Path, cache: Path, mirror: str) -> Path:
    """Sheets (one patient, two lanes per sample) and the overlay of a workflow run."""
    run.mkdir(parents=True, exist_ok=True)
    (run / "samples.tsv").write_text(
        "patient\tsample\ttype\ttumour_type\tpurity\n"
        f"{PATIENT}\t{TUMOUR}\ttumour\tcolorectal adenocarcinoma\t0.6\n"
        f"{PATIENT}\t{NORMAL}\tnormal\t\t\n"
    )
    units = ["sample\tunit\tfq1\tfq2"]
    for sample in (TUMOUR, NORMAL):
        for lane in LANES:
            r1, r2 = (reads / sample / f"{lane}_R{r}.fastq.gz" for r in (1, 2))
            units.append(f"{sample}\t{lane}\t{r1}\t{r2}")
    (run / "units.tsv").write_text("\n".join(units) + "\n")
    overlay = run / "overlay.yaml"
    overlay.write_text(
        yaml.safe_dump(
            {
                "samples": str(run / "samples.tsv"),
                "units": str(run / "units.tsv"),
                "resources": {"mirror": mirror, "cache": str(cache)},
            }
        )
    )
    return overlay


def job_stats(output: str) -> dict[str, int]:
    """Snakemake's "Job stats" table (rule -> jobs) from a run's or dry run's output."""
    m = re.search(r"Job stats:\n(.*?)\n\s*total\s+\d+", output, re.S)
    if not m:
        return {}
    rows = re.findall(r"^(\w+)\s+(\d+)\s*$", m.group(1), re.M)
    return {rule: int(n) for rule, n in rows}


def clean_run(run: Path) -> None:
    for d in ("results", ".snakemake"):
        shutil.rmtree(run / d, ignore_errors=True)


def run_workflow(run: Path, overlay: Path, cores: int, run_rules: set[str]) -> dict:
    """The workflow, FASTQ -> report, timed from a fresh ``results/``.  Cache jobs it would plan
    (none, when the cache is complete) are run first, untimed."""
    clean_run(run)
    planned = job_stats(run_snakemake(run, overlay, "-n", "--cores", str(cores)))
    cache_rules = sorted(set(planned) - run_rules - {"all"})
    if cache_rules:
        print(f"[scale] {run.name}: cache jobs first (untimed): {cache_rules}", flush=True)
        run_snakemake(run, overlay, "--cores", str(cores), "--until", *cache_rules)
        clean_run(run)
    usage = run / "snakemake_usage.json"
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--sampled-snakemake",
        str(usage),
        *snakemake_cmd(run, overlay, "--cores", str(cores))[1:],
    ]
    res = timed(cmd, run / "time.txt", run / "snakemake.log", run_env())
    log = (run / "snakemake.log").read_text()
    if res["returncode"] != 0:
        raise SystemExit(f"workflow run failed: {run}/snakemake.log\n{log[-3000:]}")
    ran = job_stats(log)
    extra = sorted(set(ran) - run_rules - {"all"})
    if extra:
        raise SystemExit(f"{run}: the timed run built cache resources ({extra}); rerun the bench")
    res |= json.loads(usage.read_text())
    res["jobs"] = sum(n for r, n in ran.items() if r != "all")
    return res


def markdup_reads(path: Path) -> int:
    if not path.exists():
        return -1
    m = re.search(r"^READ: (\d+)", path.read_text(), re.M)
    return int(m.group(1)) if m else -1


def same_work(point_dir: Path, plumbing: str) -> str:
    """Reads in samtools markdup's statistics of the tumour: workflow vs script."""
    wf = markdup_reads(point_dir / "workflow" / "results" / "align" / f"{TUMOUR}.markdup.txt")
    sc = markdup_reads(point_dir / f"script-{plumbing}" / "work" / f"{TUMOUR}.markdup.txt")
    return f"{wf:,} vs {sc:,}"


# ------------------------------------------------------------------ the plain script


def script_env(plumbing: str, threads: int) -> dict:
    mp = CONFIG["params"]["mpileup"]
    env = dict(os.environ)
    env |= dict(
        THREADS=str(threads),
        PLUMBING=plumbing,
        MPILEUP=(
            f"-q {mp['min_mapq']} -Q {mp['min_baseq']} -d {mp['max_depth']} "
            f"-L {mp['max_depth']} -m 2 -F {mp['gap_frac']}"
        ),
        MOSDEPTH=(
            f"--mapq {mp['min_mapq']} --thresholds "
            + ",".join(str(t) for t in CONFIG["coverage"]["thresholds"])
        ),
    )
    return env


def run_script(out: Path, reads: Path, cache: Path, plumbing: str, threads: int) -> dict:
    """bench/scale_pipeline.sh on the point's FASTQ, timed; its steps become ``steps.tsv``."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    cmd = [
        "bash",
        str(BENCH / "scale_pipeline.sh"),
        str(out / "work"),
        str(reads),
        str(cache / "reference" / "genome.fa"),
        str(cache / "panel" / "targets.bed"),
        str(cache / "annotation" / "mane_select.contigs.gff3"),
        TUMOUR,
        NORMAL,
    ]
    res = timed(cmd, out / "time.txt", out / "script.log", script_env(plumbing, threads))
    if res["returncode"] != 0:
        raise SystemExit(f"script failed: {out}/script.log\n{(out / 'script.log').read_text()}")
    rows = ["\t".join(acc.STEPS_COLUMNS)]
    for line in (out / "work" / "steps.raw").read_text().splitlines():
        f = line.split("\t")
        if len(f) != 6:  # GNU time's "Command exited with non-zero status" lines
            continue
        step, tool, wall, user, system, rss = f
        rows.append(
            f"{step}\t{tool}\t{wall}\t{float(user) + float(system):.2f}\t{int(rss) / 1024:.1f}"
        )
    (out / "steps.tsv").write_text("\n".join(rows) + "\n")
    return res


# ------------------------------------------------------------------ accounting


def run_rules() -> set[str]:
    """Rules that write per-run benchmark files (anything else planned is a cache job)."""
    return {p.rule for p in patterns()}


def patterns() -> list[acc.Pattern]:
    texts = [p.read_text() for p in sorted((PROJECT / "workflow" / "rules").glob("*.smk"))]
    return acc.benchmark_patterns(texts)


BASE_KEYS = (
    "point",
    "territory",
    "territory_bp",
    "tumour_depth",
    "normal_depth",
    "tumour_pairs",
    "normal_pairs",
    "read_pairs",
    "source",
)


def curve_rows(point_dir: Path, run: dict) -> list[dict]:
    """The stage table of one timed run (a ``scale_runs`` row) from its directory: the workflow's
    benchmark (and steps) files, or the script's steps.tsv, with what the steps do not hold."""
    base = {k: run[k] for k in BASE_KEYS}
    if run["source"] == "workflow":
        stages, _ = workflow_stages(point_dir / "workflow", run)
        return [base | s for s in stages]
    sdir = point_dir / f"script-{run['source'].removeprefix('script ')}"
    srows = acc.script_rows(sdir / "steps.tsv", instances(point_dir / "workflow"))
    srows.append(
        dict(
            stage="bash, /usr/bin/time (not in a step)",
            rule="script",
            tool="",
            kind=acc.OVERHEAD,
            scope="run",
            job="script",
            instance="",
            wall_s=math.nan,
            cpu_s=max(0.0, run["cpu_s"] - sum(r["cpu_s"] for r in srows)),
            max_rss_mb=math.nan,
            source="/usr/bin/time",
        )
    )
    return [base | s for s in acc.stage_table(srows, run["cpu_s"])]


def instances(run: Path) -> set[str]:
    """Lane, sample and patient names of a run's sheets (step names end with them)."""
    names = set()
    for sheet, cols in (("units.tsv", ("sample", "unit")), ("samples.tsv", ("patient", "sample"))):
        for r in acc.read_tsv(run / sheet):
            names |= {r[c] for c in cols}
    # the script names its lanes <sample>.<lane>
    units = acc.read_tsv(run / "units.tsv")
    return names | {f"{r['sample']}.{r['unit']}" for r in units}


def workflow_stages(run: Path, res: dict) -> tuple[list[dict], list[dict]]:
    """(stage table, raw rows) of a workflow run, with the Snakemake process's own CPU and what
    no job's benchmark accounts for as two more rows."""
    rows = acc.job_rows(run, patterns(), instances(run))
    jobs_cpu = sum(r["cpu_s"] for r in rows if not math.isnan(r["cpu_s"]))
    total = res["cpu_s"]
    for stage, kind, cpu, wall in (
        (
            "snakemake (planning, scheduling, sampling)",
            acc.SNAKEMAKE,
            res["self_cpu_s"],
            res["wall_s"],
        ),
        (
            "not attributed (processes no job waited for)",
            acc.UNACCOUNTED,
            max(0.0, total - res["self_cpu_s"] - jobs_cpu),
            math.nan,
        ),
    ):
        rows.append(
            dict(
                stage=stage,
                rule="",
                tool="",
                kind=kind,
                scope="run",
                job="",
                instance="",
                wall_s=wall,
                cpu_s=cpu,
                max_rss_mb=math.nan,
                source="/usr/bin/time",
            )
        )
    return acc.stage_table(rows, total), rows


# ------------------------------------------------------------------ report


def fmt_s(s: float) -> str:
    if math.isnan(s):
        return "-"
    return f"{s:.1f}" if s < 100 else f"{s:,.0f}"


def md_cell(text: str) -> str:
    return str(text).replace("|", "\\|")


def fmt_pct(x: float) -> str:
    return "-" if math.isnan(x) else f"{100 * x:.1f} %"


def largest_cpu(curve: list[dict], stage: str) -> float:
    """A workflow stage's CPU at the demo panel's largest point."""
    pts = [c for c in curve if c["source"] == "workflow" and c["territory"] == "demo"]
    if not pts:
        return 0.0
    top = max(c["read_pairs"] for c in pts)
    return sum(c["cpu_s"] for c in pts if c["read_pairs"] == top and c["stage"] == stage)


def headline(runs: list[dict], curve: list[dict], fits: list, extrap: list[dict]) -> list[str]:
    """The goals of issue #15, met or not, from the tables below."""
    wf = {r["point"]: r for r in runs if r["source"] == "workflow"}
    stream = sorted(
        (r for r in runs if r["source"] == "script stream"), key=lambda r: r["read_pairs"]
    )
    ratios = [
        (r["point"], wf[r["point"]]["wall_s"] / r["wall_s"], wf[r["point"]]["cpu_s"] / r["cpu_s"])
        for r in stream
    ]
    largest = max(wf.values(), key=lambda r: r["read_pairs"])["point"]
    cs = [c for c in curve if c["source"] == "workflow" and c["point"] == largest]
    py = sum(c["cpu_share"] for c in cs if c["kind"] == acc.PYTHON)
    tools = sum(c["cpu_share"] for c in cs if c["kind"] == acc.TOOL)
    py_all = [c for c in curve if c["source"] == "workflow" and c["kind"] == acc.PYTHON]
    worst = max(py_all, key=lambda c: -1 if math.isnan(c["max_rss_mb"]) else c["max_rss_mb"])
    flagged = [f.stage for f in fits if acc.growth_flag(f, largest_cpu(curve, f.stage)) == "faster"]

    def met(ok: bool) -> str:
        return "**met**" if ok else "**not met**"

    out = [
        "## Headline (issue #15 goals)",
        "",
        "- Workflow / script (`stream`) wall: "
        + ", ".join(f"{p} {w:.2f} (CPU {c:.2f})" for p, w, c in ratios)
        + f"; goal <= 1.15: {met(all(w <= 1.15 for _, w, _ in ratios))}.",
        f"- Python stages at the largest point ({largest}): {py:.1%} of the run's CPU; "
        f"everything but the essential tools: {1 - tools:.1%}; goal <= 5 %: {met(py <= 0.05)} "
        f"(strict) / {met(1 - tools <= 0.05)} (upper bound).",
        f"- Largest peak RSS of a Python stage, any point: {worst['max_rss_mb']:,.0f} MB "
        f"({worst['stage']}, {worst['point']}); goal <= 1 GB: "
        f"{met(worst['max_rss_mb'] <= 1024)}.",
        "- Stages growing faster than their read pairs (log-log slope > 1.1 or top interval "
        "> 1.25, >= 2 CPU s): " + (", ".join(flagged) if flagged else "none") + ".",
    ]
    for scen in SCENARIOS:
        rows = [r for r in extrap if r["scenario"] == scen.name]
        if rows:
            total = sum(r["cpu_h"] for r in rows)
            out.append(
                f"- {scen.name}: {total:.2f} CPU-hours per patient; largest stage "
                f"{rows[0]['stage']} ({rows[0]['share']:.0%})."
            )
    return [*out, ""]


def summary_md(
    runs: list[dict],
    curve: list[dict],
    fits: list[acc.StageFit],
    extrap: list[dict],
    meta: dict,
    unknown: list[str],
) -> str:
    quick = meta["quick"]
    wf = [r for r in runs if r["source"] == "workflow"]
    lines = [
        f"# Cost, measured (bench/scale.py{' --quick' if quick else ''})",
        "",
        f"{meta.get('date', '?')}, {meta.get('host', '?')}, {os.cpu_count()} CPUs shared with "
        "other work "
        f"(its CPU during each run in the table below), `--cores {meta['cores']}`; "
        f"whole bench {meta.get('wall_min', math.nan):.1f} min wall, "
        f"{meta.get('cpu_min', math.nan):.0f} CPU-min "
        f"(simulation {meta.get('sim_min', math.nan):.1f} min wall).  "
        "Wall times depend on what else ran; CPU times are the comparable figures.",
        "",
        *headline(runs, curve, fits, extrap),
        "## 1. Workflow vs plain script (same FASTQ, same cores)",
        "",
        "Workflow: `snakemake --cores 2`, demo config + overlay (sheets, resources cache), fresh "
        "`results/`, FASTQ -> report, PDF, page-1 images, cohort outputs, MultiQC, RO-Crate; the "
        "resources cache (reference, bwa index, panel, knowledge base) built beforehand.  "
        "Script: bench/scale_pipeline.sh, essential tools only (fastp | bwa mem | fixmate | "
        "sort, merge | markdup, mosdepth, bcftools mpileup | call -mv | norm | sort | csq).  "
        "`stream`: fastp's output piped into bwa mem; `files`: fastp writes trimmed FASTQ.gz "
        "first, as the workflow's jobs do.  Peak RSS: the largest single process.  The "
        "machine was shared: the last column is the CPU other work used during the run (from "
        "/proc/stat); when it is large, the wall ratio is noise and the CPU ratio is the "
        "figure to read.  Goal: "
        "workflow / script wall <= 1.15.",
        "",
        "| point | read pairs (T+N) | run | wall s | CPU s | peak RSS MB | jobs | wall ratio "
        "workflow / this | CPU ratio | other work's CPU s meanwhile |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        w = next(x for x in wf if x["point"] == r["point"])
        ratio = w["wall_s"] / r["wall_s"] if r["source"] != "workflow" else math.nan
        cratio = w["cpu_s"] / r["cpu_s"] if r["source"] != "workflow" else math.nan
        lines.append(
            f"| {r['point']} | {r['read_pairs']:,} | {r['source']} | {fmt_s(r['wall_s'])} | "
            f"{fmt_s(r['cpu_s'])} | {r['max_rss_mb']:,.0f} | {r.get('jobs', '') or ''} | "
            f"{'' if math.isnan(ratio) else f'{ratio:.2f}'} | "
            f"{'' if math.isnan(cratio) else f'{cratio:.2f}'} | {fmt_s(r['other_cpu_s'])} |"
        )
    same = [r for r in runs if r["source"] != "workflow" and r.get("markdup_reads_check")]
    if same:
        lines += [
            "",
            "Same work: "
            + "; ".join(f"{r['point']} {r['markdup_reads_check']}" for r in same)
            + " (reads in samtools markdup's statistics, tumour, workflow vs script).",
        ]
    # ---- 2. shares
    top = {}
    for c in curve:
        if c["source"] == "workflow":
            key = c["territory"]
            if key not in top or c["read_pairs"] > top[key]:
                top[key] = c["read_pairs"]
    lines += [
        "",
        "## 2. Each stage's share and peak RSS (workflow, Snakemake benchmark files)",
        "",
        "Per stage: jobs, wall (sum over jobs), CPU (sum), peak RSS (the job's process tree, "
        "sampled; largest job), share of the run's total CPU (`/usr/bin/time`).  Kinds: "
        "essential tool; Python (the project's); Python + tool (a Python job running an "
        "essential tool: mosdepth inside `coverage`, not separable without a steps file); other "
        "tool (Chromium, MultiQC); Snakemake itself (planning, scheduling, benchmark "
        "sampling); not attributed (the run's CPU beyond Snakemake and its jobs).  CPU per job "
        "is exact (`wait4` of the job's shell: the job and every process it waited for), "
        "written by the bench's launcher in place of Snakemake's sampled value: "
        + "; ".join(
            f"{r['point']}: sampled {fmt_s(r['jobs_sampled_cpu_s'])} s, exact "
            f"{fmt_s(r['jobs_exact_cpu_s'])} s"
            for r in wf
        )
        + f" (sampled every {SAMPLING_S:g} s; Snakemake's own 30-s interval misses more).",
        "",
        "Share by kind at every point (goal: Python <= 5 % on real-sized inputs; the "
        "upper bound is everything but the essential tools: Python + tool, other tools, "
        "Snakemake, job overhead and what is not attributed too):",
        "",
        "| point | read pairs | essential tools | Python | Python + tool | other tool | "
        "Snakemake | not attributed | non-essential, upper bound | largest Python RSS MB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in wf:
        cs = [c for c in curve if c["source"] == "workflow" and c["point"] == r["point"]]
        share = {}
        for c in cs:
            share[c["kind"]] = share.get(c["kind"], 0.0) + c["cpu_share"]
        upper = 1 - share.get(acc.TOOL, 0.0)
        py_rss = max(
            (
                c["max_rss_mb"]
                for c in cs
                if c["kind"] == acc.PYTHON and not math.isnan(c["max_rss_mb"])
            ),
            default=math.nan,
        )
        lines.append(
            f"| {r['point']} | {r['read_pairs']:,} | {fmt_pct(share.get(acc.TOOL, 0))} | "
            f"{fmt_pct(share.get(acc.PYTHON, 0))} | {fmt_pct(share.get(acc.WRAPPED, 0))} | "
            f"{fmt_pct(share.get(acc.OTHER, 0))} | {fmt_pct(share.get(acc.SNAKEMAKE, 0))} | "
            f"{fmt_pct(share.get(acc.UNACCOUNTED, 0))} | {fmt_pct(upper)} | {py_rss:,.0f} |"
        )
    for territory, pairs in sorted(top.items()):
        cs = [
            c
            for c in curve
            if c["source"] == "workflow"
            and c["territory"] == territory
            and c["read_pairs"] == pairs
        ]
        pname = cs[0]["point"]
        lines += [
            "",
            f"**{pname}** ({pairs:,} read pairs, territory {cs[0]['territory_bp']:,} bp):",
            "",
            "| stage | kind | what runs | jobs | wall s | CPU s | peak RSS MB | CPU share |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for c in cs:
            rss = c["max_rss_mb"]
            lines.append(
                f"| {c['stage']} | {c['kind']} | {md_cell(c['tool'])} | {c['jobs']} "
                f"| {fmt_s(c['wall_s'])} "
                f"| {fmt_s(c['cpu_s'])} | {'-' if rss != rss else f'{rss:,.0f}'} | "
                f"{fmt_pct(c['cpu_share'])} |"
            )
        sc = [c for c in curve if c["source"] == "script stream" and c["point"] == pname]
        if sc:
            lines += [
                "",
                f"The script on the same reads ({pname}, `stream`), per tool:",
                "",
                "| stage (tool) | processes | CPU s | peak RSS MB | CPU share |",
                "|---|---|---|---|---|",
            ]
            for c in sc:
                rss = "-" if math.isnan(c["max_rss_mb"]) else f"{c['max_rss_mb']:,.0f}"
                lines.append(
                    f"| {md_cell(c['stage'])} | {c['jobs']} | {fmt_s(c['cpu_s'])} | {rss} | "
                    f"{fmt_pct(c['cpu_share'])} |"
                )
    if unknown:
        lines += [
            "",
            f"Rules not in the classification table (kind unknown): {', '.join(unknown)}.",
        ]
    # ---- 3. growth
    lines += [
        "",
        "## 3. Cost as the work grows (CPU s per stage vs read pairs)",
        "",
        f"Demo panel: tumour {', '.join(str(d) for d in meta['depths'])}x (the simulator's depth, "
        "as `demo.tumour_depth`), normal at half the tumour depth (the demo's ratio), "
        f"{meta['demo_bp']:,} bp of targets.  "
        + (
            f"Wide territory: {meta['wide_bp']:,} bp of targets, tumour {meta['wide_depth']}x / "
            f"normal {meta['wide_depth'] * NORMAL_RATIO:g}x.  "
            if meta.get("wide_bp")
            else ""
        )
        + "Slope: log-log slope of CPU on read pairs over the demo-panel points (1 = linear; "
        "fixed costs pull it below 1); top: the same between the two largest points.  "
        "Flagged (`faster`) when the slope exceeds 1.1 or top 1.25 (the CPU time of the same "
        "work varied by up to ~10 % with the machine's load: +-0.05 on a slope over 8x, +-0.14 "
        "over 2x; `faster (small)`: under 2 CPU s).  Linear fit: CPU = a + b x pairs "
        "(a, b >= 0); c: CPU per extra target bp, from the wide point's excess over what its "
        "read pairs predict.",
        "",
        "| stage | kind | CPU s per point | slope | top | a (s) | b (CPU s per M pairs) | "
        "c (CPU s per Mb) | |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    kinds = {c["stage"]: c["kind"] for c in curve if c["source"] == "workflow"}
    for f in fits:
        ys = [
            c["cpu_s"]
            for c in sorted(curve, key=lambda c: c["read_pairs"])
            if c["source"] == "workflow" and c["territory"] == "demo" and c["stage"] == f.stage
        ]
        flag = acc.growth_flag(f, max(ys, default=0.0))
        lines.append(
            f"| {f.stage} | {kinds.get(f.stage, '')} | {' / '.join(fmt_s(y) for y in ys)} | "
            f"{f.slope:.2f} | {f.top:.2f} | {f.a:.1f} | {f.b * 1e6:.1f} | "
            f"{'-' if math.isnan(f.c) else f'{f.c * 1e6:.1f}'} | {flag} |"
        )
    flagged = [f.stage for f in fits if acc.growth_flag(f, largest_cpu(curve, f.stage)) == "faster"]
    lines += [
        "",
        "Faster than linear (>= 2 CPU s at the largest point): "
        + (", ".join(flagged) if flagged else "none")
        + ".",
    ]
    script = [c for c in curve if c["source"] == "script stream" and c["territory"] == "demo"]
    if len({c["point"] for c in script}) >= 2:
        lines += [
            "",
            "The same tools alone (the script, `stream`, demo panel; /usr/bin/time per process):",
            "",
            "| tool step | CPU s per point | slope | top |",
            "|---|---|---|---|",
        ]
        by_stage: dict[str, list[tuple[float, float]]] = {}
        for c in script:
            by_stage.setdefault(c["stage"], []).append((c["read_pairs"], c["cpu_s"]))
        for stage, pts in sorted(by_stage.items(), key=lambda kv: -max(p[1] for p in kv[1])):
            pts.sort()
            if max(p[1] for p in pts) < 0.5:
                continue
            xs, ys = [p[0] for p in pts], [p[1] for p in pts]
            lines.append(
                f"| {md_cell(stage)} | {' / '.join(fmt_s(y) for y in ys)} | "
                f"{acc.loglog_slope(xs, ys):.2f} | {acc.top_slope(xs, ys):.2f} |"
            )
    # ---- 4. extrapolation
    if extrap:
        pa = PAIRS_ASSUMPTIONS
        lines += [
            "",
            "## 4. Extrapolation: CPU-hours per patient",
            "",
            "Per stage, CPU = a + b x read pairs + c x (territory - demo territory), the fits "
            "above.  Read pairs = depth x territory / (2 x "
            f"{pa['read_length']} bp x {pa['on_target']:.0%} of bases on target x "
            f"(1 - {pa['duplicates']:.0%} duplicates)), tumour + normal.",
            "",
        ]
        for scen in SCENARIOS:
            rows = [r for r in extrap if r["scenario"] == scen.name]
            total = sum(r["cpu_h"] for r in rows)
            lines += [
                f"**{scen.name}**: {rows[0]['read_pairs'] / 1e6:.1f} M read pairs, "
                f"{total:.2f} CPU-hours per patient.",
                "",
                "| stage | CPU-h | share | from read pairs | from territory |",
                "|---|---|---|---|---|",
            ]
            for r in rows:
                if r["cpu_h"] < 0.0005 * total:
                    continue
                lines.append(
                    f"| {r['stage']} | {r['cpu_h']:.3f} | {fmt_pct(r['share'])} | "
                    f"{r['from_pairs'] / 3600:.3f} | {r['from_territory'] / 3600:.3f} |"
                )
            lines.append("")
    lines += meta.get("notes", [])
    return "\n".join(lines) + "\n"


def plot(curve: list[dict], runs: list[dict], path: Path) -> None:
    """CPU s per stage vs read pairs (log-log; demo panel lines, wide point open markers) and
    workflow vs script wall; greyscale."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    wf = [c for c in curve if c["source"] == "workflow"]
    top_pairs = max(c["read_pairs"] for c in wf)
    ranked = sorted(
        {c["stage"] for c in wf},
        key=lambda s: (
            -sum(c["cpu_s"] for c in wf if c["stage"] == s and c["read_pairs"] == top_pairs)
        ),
    )
    shown = ranked[:10]
    fig = Figure(figsize=(13, 5.5))
    ax, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.6, 1]})
    markers = "os^vD<>ph*x+"
    styles = ["-", "--", "-.", ":"]
    greys = ["0.0", "0.35", "0.6"]
    for i, stage in enumerate(shown):
        pts = sorted(
            (c["read_pairs"], c["cpu_s"])
            for c in wf
            if c["stage"] == stage and c["territory"] == "demo"
        )
        pts = [(x, y) for x, y in pts if y > 0]
        style = dict(
            color=greys[i % 3], marker=markers[i % len(markers)], linestyle=styles[(i // 3) % 4]
        )
        if pts:
            ax.plot(*zip(*pts, strict=True), label=stage, markersize=5, **style)
        wide = [
            (c["read_pairs"], c["cpu_s"])
            for c in wf
            if c["stage"] == stage and c["territory"] == "wide" and c["cpu_s"] > 0
        ]
        if wide:
            ax.plot(
                *zip(*wide, strict=True),
                linestyle="none",
                marker=style["marker"],
                markerfacecolor="white",
                color=style["color"],
                markersize=8,
            )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set(
        xlabel="read pairs (tumour + normal)",
        ylabel="CPU seconds",
        title="Workflow stages (10 largest); open markers: ~1 Mb territory",
    )
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    for j, (source, style) in enumerate(
        (("workflow", "-"), ("script stream", "--"), ("script files", ":"))
    ):
        pts = sorted((r["read_pairs"], r["wall_s"]) for r in runs if r["source"] == source)
        if pts:
            ax2.plot(
                *zip(*pts, strict=True),
                linestyle=style,
                marker="os^"[j],
                color="0.0",
                label=f"{source}, wall",
            )
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    ax2.set(
        xlabel="read pairs (tumour + normal)",
        ylabel="wall seconds",
        title="FASTQ to report: workflow vs plain script",
    )
    ax2.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


# ------------------------------------------------------------------ main


def write_tsv(path: Path, rows: list[dict]) -> None:
    """Rows as TSV; the columns are every key any row has, in order of appearance."""
    if not rows:
        return
    keys = list(dict.fromkeys(k for r in rows for k in r))
    with open(path, "w") as fh:
        fh.write("\t".join(keys) + "\n")
        for r in rows:
            vals = []
            for k in keys:
                v = r.get(k, "")
                vals.append(f"{v:.6g}" if isinstance(v, float) else str(v))
            fh.write("\t".join(vals) + "\n")


def read_rows(path: Path) -> list[dict]:
    """``write_tsv``'s rows back, numbers as int or float."""

    def value(x: str):
        for cast in (int, float):
            try:
                return cast(x)
            except ValueError:
                pass
        return x

    return [{k: value(v) for k, v in r.items()} for r in acc.read_tsv(path)]


def write_report(out: Path, suffix: str, runs: list[dict], curve: list[dict], meta: dict) -> str:
    """Fits (demo-panel points; the wide point's per-target-bp term), extrapolation, and every
    result file: scale{suffix}.tsv/_runs/_fits/_extrapolation/_meta.json, .md, .png."""
    wf = [c for c in curve if c["source"] == "workflow"]
    pairs = {r["point"]: r["read_pairs"] for r in runs}
    demo_pts = sorted({c["point"] for c in wf if c["territory"] == "demo"}, key=pairs.get)
    wide_pt = next((c["point"] for c in wf if c["territory"] == "wide"), None)
    bps = {c["territory"]: c["territory_bp"] for c in wf}
    fits = []
    for stage in sorted({c["stage"] for c in wf}):

        def cpu(point: str, stage: str = stage) -> float:
            return sum(c["cpu_s"] for c in wf if c["point"] == point and c["stage"] == stage)

        base_pts = [(pairs[p], cpu(p)) for p in demo_pts]
        wide = (pairs[wide_pt], cpu(wide_pt), bps["wide"]) if wide_pt else None
        fits.append(acc.fit_stage(stage, base_pts, bps["demo"], wide))
    fits.sort(key=lambda f: -(f.a + f.b * 1e6))
    extrap = []
    if len(demo_pts) >= 2:
        for scen in SCENARIOS:
            extrap += acc.extrapolate(fits, scen, **PAIRS_ASSUMPTIONS)
    meta = meta | dict(
        depths=sorted({c["tumour_depth"] for c in wf if c["territory"] == "demo"}),
        demo_bp=bps["demo"],
        wide_bp=bps.get("wide"),
        wide_depth=next((c["tumour_depth"] for c in wf if c["territory"] == "wide"), 0),
    )
    (out / f"scale_meta{suffix}.json").write_text(json.dumps(meta, indent=1) + "\n")
    write_tsv(out / f"scale{suffix}.tsv", curve)
    write_tsv(out / f"scale_runs{suffix}.tsv", runs)
    write_tsv(
        out / f"scale_fits{suffix}.tsv",
        [
            dict(
                stage=f.stage,
                kind=next((c["kind"] for c in wf if c["stage"] == f.stage), ""),
                a_cpu_s=f.a,
                b_cpu_s_per_pair=f.b,
                c_cpu_s_per_target_bp=f.c,
                loglog_slope=f.slope,
                top_slope=f.top,
                growth=acc.growth_flag(f, largest_cpu(curve, f.stage)),
            )
            for f in fits
        ],
    )
    write_tsv(out / f"scale_extrapolation{suffix}.tsv", extrap)
    unknown = sorted({c["rule"] for c in wf if c["kind"] == acc.UNKNOWN})
    md = summary_md(runs, curve, fits, extrap, meta | dict(notes=notes(bps, fits)), unknown)
    (out / f"scale{suffix}.md").write_text(md)
    plot(curve, runs, out / f"scale{suffix}.png")
    return md


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help=f"demo panel at {QUICK_DEPTHS} only")
    ap.add_argument("--depths", type=int, nargs="+", help=f"tumour depths (default {DEPTHS})")
    ap.add_argument(
        "--wide-depth", type=int, default=WIDE_DEPTH, help="tumour depth, ~1 Mb; 0: none"
    )
    ap.add_argument(
        "--files-at",
        type=int,
        nargs="*",
        help="demo-panel tumour depths where the script also runs with PLUMBING=files "
        "(default: the largest up to 1000x)",
    )
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--mirror", default=str(PROJECT.parent / "shared" / "data"))
    ap.add_argument("--work", default=str(BENCH / "work" / "scale"))
    ap.add_argument("--out", default=str(BENCH / "results"))
    ap.add_argument(
        "--report-only",
        action="store_true",
        help="rebuild fits, extrapolation, summary and plot from the result TSVs (no runs)",
    )
    args = ap.parse_args(argv)
    t0 = time.monotonic()
    if args.report_only:
        out, suffix = Path(args.out).resolve(), "_quick" if args.quick else ""
        meta_path = out / f"scale_meta{suffix}.json"
        meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
        meta = dict(quick=args.quick, cores=args.cores) | meta
        runs = read_rows(out / f"scale_runs{suffix}.tsv")
        work = Path(args.work).resolve() / ("quick" if args.quick else "full")
        # the stage tables again from the runs' directories (benchmark and steps files), so a
        # change of the accounting needs no new runs; the written table where they are gone
        written = read_rows(out / f"scale{suffix}.tsv")
        curve = []
        for r in runs:
            point_dir = work / "runs" / r["point"]
            if r["source"].startswith("script ") and not r.get("markdup_reads_check"):
                plumbing = r["source"].removeprefix("script ")
                r["markdup_reads_check"] = same_work(point_dir, plumbing)
            if (point_dir / "workflow" / "results" / "benchmarks").is_dir():
                curve += curve_rows(point_dir, r)
            else:
                curve += [
                    c for c in written if (c["point"], c["source"]) == (r["point"], r["source"])
                ]
        print(write_report(out, suffix, runs, curve, meta))
        return
    depths = tuple(args.depths or (QUICK_DEPTHS if args.quick else DEPTHS))
    if any(d % (2 * UNIT_DEPTH) for d in depths):
        raise SystemExit(f"depths must be multiples of {2 * UNIT_DEPTH}")
    wide_depth = 0 if args.quick else args.wide_depth
    files_at = set(
        args.files_at
        if args.files_at is not None
        else [max([d for d in depths if d <= 1000] or [min(depths)])]
    )
    work = Path(args.work).resolve() / ("quick" if args.quick else "full")
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    mirror = str(Path(args.mirror).resolve())
    suffix = "_quick" if args.quick else ""

    cache = prepare_cache(Path(args.work).resolve(), args.cores, mirror)
    caches = {"demo": cache}
    bps = {"demo": territory_bp(cache)}
    points = [Point("demo", d) for d in depths]
    if wide_depth:
        caches["wide"], bps["wide"] = wide_cache(
            cache, Path(args.work).resolve(), args.cores, mirror
        )
        points.insert(0, Point("wide", wide_depth))  # first: its own cache and BED fail early
    t_sim = time.monotonic()
    sims = simulate_reads(points, caches, work, args.cores)
    t_sim = time.monotonic() - t_sim
    rules = run_rules()

    runs, curve = [], []
    for point in points:
        pairs = point_reads(point, sims, work)
        reads = work / "reads" / point.name
        total_pairs = sum(pairs.values())
        base = dict(
            point=point.name,
            territory=point.territory,
            territory_bp=bps[point.territory],
            tumour_depth=point.tumour_depth,
            normal_depth=point.normal_depth,
            tumour_pairs=pairs[TUMOUR],
            normal_pairs=pairs[NORMAL],
            read_pairs=total_pairs,
        )
        run = work / "runs" / point.name / "workflow"
        overlay = write_run(run, reads, caches[point.territory], mirror)
        print(f"[scale] {point.name}: workflow ({total_pairs:,} read pairs)", flush=True)
        res = run_workflow(run, overlay, args.cores, rules)
        print(
            f"[scale] {point.name}: workflow {res['wall_s']:.0f} s wall, {res['cpu_s']:.0f} s CPU",
            flush=True,
        )
        runs.append(base | dict(source="workflow") | res)
        curve += curve_rows(work / "runs" / point.name, runs[-1])
        plumbings = ["stream"] + (
            ["files"] if point.territory == "demo" and point.tumour_depth in files_at else []
        )
        for plumbing in plumbings:
            sdir = work / "runs" / point.name / f"script-{plumbing}"
            print(f"[scale] {point.name}: script ({plumbing})", flush=True)
            sres = run_script(sdir, reads, caches[point.territory], plumbing, args.cores)
            print(
                f"[scale] {point.name}: script {sres['wall_s']:.0f} s wall, "
                f"{sres['cpu_s']:.0f} s CPU",
                flush=True,
            )
            check = same_work(sdir.parent, plumbing)
            runs.append(base | dict(source=f"script {plumbing}", markdup_reads_check=check) | sres)
            curve += curve_rows(work / "runs" / point.name, runs[-1])

    meta = dict(
        quick=args.quick,
        date=datetime.date.today().isoformat(),
        host=os.uname().nodename,
        cores=args.cores,
        wall_min=(time.monotonic() - t0) / 60,
        cpu_min=bench_cpu_s() / 60,
        sim_min=t_sim / 60,
    )
    print(write_report(out, suffix, runs, curve, meta))


def notes(bps: dict, fits: list[acc.StageFit]) -> list[str]:
    """Assumptions and limits, written into scale.md."""
    wide = (
        f"The ~1 Mb territory ({bps['wide']:,} bp) is every exon (+/- 20 bp) of every GENCODE v45 "
        "gene on the demo reference's chr17 sequence (chr17:1-7.6 Mb and the TP53/ERBB2 loci), "
        "every exon of every transcript of the project's gene models and the demo targets, "
        "merged and named as a site capture is (panel genes by their MANE coding exons, the "
        "rest copy-number background).  The demo panel cannot be widened by configuration "
        "alone (`panel.bed` is read in site mode only; backbone tiles are the one knob): "
        "the bench writes this BED into a copy of the resources cache (as bench/cnv.py does for "
        "its captures) and the workflow rebuilds the antitarget bins from it."
        if bps.get("wide")
        else ""
    )
    return [
        "## Assumptions and limits",
        "",
        "- Reads: art_illumina 2x150 bp (HiSeq 2500 profile), fragments 300 +- 30 bp, 25 % of the "
        "pairs off target, the demo patient's truth, fixed seeds; the tumour is simulated once "
        f"at the largest depth in units of {UNIT_DEPTH}x and a depth takes its first units "
        "(uniform subsets), dealt into two lanes per sample.  Depth is the simulator's (as "
        "`demo.tumour_depth`), over the targets padded by `demo.padding` "
        f"({DEMO_CONFIG['demo']['padding']} bp; {WIDE_PADDING} bp on the ~1 Mb territory).",
        "- " + wide if wide else "",
        "- CPU per stage: the `cpu_time` of each job's Snakemake benchmark file, made exact by "
        "the bench's launcher (user + system from `wait4` of the job's shell, which includes "
        "every process the job waited for; Snakemake's own value samples the process tree and "
        "misses the end of every process and all of a short one).  Peak RSS per stage: "
        f"Snakemake's sample (every {SAMPLING_S:g} s) of the sum over the job's processes; a "
        "job shorter than a sample has none (`-`).  The Snakemake process's own CPU: "
        "`getrusage` at its exit.",
        "- The *Snakemake* row (the scheduler process's own CPU) includes the bench's RSS "
        f"sampling every {SAMPLING_S:g} s: psutil reads /proc/<pid>/smaps, measured at ~19 ms "
        "of CPU per sample of a 1-GB bwa process, i.e. up to ~2 % of a core while the large "
        "tools run; Snakemake alone samples every 30 s after a job's first 15 s.  For a plain "
        "run that row is an upper bound (and the workflow / script ratio slightly pessimistic).",
        "- The CPU time of the same work depends on the machine's load (a 2-vCPU VM shared with "
        "other work, with steal time): in the quick run the same bwa mem lanes took ~7 % more "
        "CPU per read pair while other work ran beside them.  Each timed run's row gives the "
        "CPU other work used meanwhile.",
        "- The demo reference is 17.4 Mb: **bwa mem costs more per read on GRCh38** (3.1 Gb: "
        "larger index, repeats), so alignment is a lower bound in the extrapolation, and the "
        "whole-genome terms are not measured at all: mosdepth's per-chromosome arrays "
        "(memory and time with chromosome length), antitarget bins over 3 Gb (copy number: "
        "~20,000 bins of 150 kb against ~850 here), and the site-mode reference indexes.",
        "- Extrapolation runs far beyond the measured range (up to 20-30 x the largest point): "
        "a stage that is linear here is assumed to stay linear; the per-target-bp term rests on "
        "one wider territory.",
        "- A single-patient run builds its cohort outputs (tables, oncoprint, cBioPortal, "
        "MultiQC, RO-Crate) and its own panel of normals (`somatic.panel_of_normals: cohort`, "
        "one normal); in a cohort those are shared by its patients.",
    ]


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--sampled-snakemake":
        sampled_snakemake(sys.argv[2], sys.argv[3:])
    main()
