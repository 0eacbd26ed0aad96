"""Copy-number benchmark: gene copy number x purity x depth, from real simulated reads.

    .venv/bin/python bench/cnv.py            # full grid (make bench-cnv)
    .venv/bin/python bench/cnv.py --quick    # a small slice, to try the machinery

CNVkit must be importable by /usr/bin/python3 (Debian ``cnvkit``: bench/install_cnvkit.sh) or
by the interpreter in $CNVKIT_PYTHON.

Design.  Reads come from the project's simulator (``tumorboard.demo.simulate``, art_illumina) and go
through the workflow (fastp, bwa, markdup, mosdepth, coverage table, copy_number) in one
Snakemake run per depth.  One simulated tumour carries six genes at different copy numbers
(BRAF, CDKN2A, EGFR, ERBB2, KRAS, TP53), so one sample fills six cells of the grid; two such
panels per (purity, depth), rotated so that every copy number meets several genes, give every
amplification level (6, 8, 12, 20 copies) twice per cell and 0, 1, 3, 4 copies once.  Diploid
genes come from two all-diploid tumours per depth, analysed at each grid purity (their reads do
not depend on purity; the purity changes the estimate and the call).  Each tumour also carries
four clonal (VAF = purity/2) and two subclonal somatic SNVs on backbone tiles, for the purity
estimate.

Every sample, tumour or normal, also has off-target reads: 25% of its read pairs fall on
``simulate.off_target_regions`` (the reference outside the simulated regions), a hybrid
capture's off-target share; they fill tumorboard's and CNVkit's antitarget bins.  The antitarget
bins are those of the demo scenario (config/demo/config.yaml over config/config.yaml:
antitarget_size 20000, antitarget_min_size 2000, antitarget_margin 1000), in the workflow runs
and in the in-process methods.

Depth is the median target depth reached (mosdepth, duplicates removed): the simulator's
``depth`` gives about 1.33 times that over the targets (measured on diploid samples; the summary
reports what was reached), so it is asked for 0.75 x the grid depth.  Every tumour has its own
matched normal, simulated independently at half the tumour depth (as the demo): one normal
shared by all tumours of a depth would put one common error on all of them.

Compared in the same run on the same coverage tables:

* ``tumorboard``: ``tumorboard.copynumber.depth.copy_number_from_depth`` on what the workflow's
  ``gene_copy_number`` gives it: the tumour's target + antitarget coverage tables
  (``results/coverage/{sample}.{targets,antitargets}.tsv``) against the matched normal's, the
  duplicate fractions of both (``results/align/{sample}.markdup.txt``), purity from the "sheet"
  (the truth);
* ``tumorboard_pooled``: the same against a pooled reference of the other normals of that run
  (their target + antitarget tables, median duplicate fraction; the path of a tumour-only
  patient);
* ``workflow``: the workflow's own ``results/cnv/{patient}.genes.tsv`` (matched normal; at 200x
  the sheet leaves purity blank, so the purity is the workflow's SNV estimate);
* ``naive``: unnormalised depth ratio (mean gene depth tumour / normal), purity-adjusted,
  thresholds on the point estimate;
* ``naive_libsize``: the same after dividing each sample by its mean target depth;
* ``cnvkit`` / ``cnvkit_pooled``: CNVkit (target + antitarget bins, matched normal / pooled
  reference of the other normals, CBS, ``call -m clonal --purity``) on the workflow's BAMs.

Captures: ``demo`` (the panel above), ``nobackbone`` (no backbone tiles) and ``dominant`` (no
backbone, ERBB2 holds most targets and is amplified), the last two at 200x, 3 purities.

Outputs: bench/results/cnv_summary.md, cnv_goals.tsv (one row per capture and method: the
issue's goals), cnv.tsv (one row per cell and method), cnv_instances.tsv (every gene instance),
cnv_seconds.tsv (seconds per tumour and method), cnv_cnvkit_steps.tsv (every CNVkit step),
cnv_purity.tsv, cnv.png; ``--quick`` writes the same names with ``_quick``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pysam
import yaml

from tumorboard.copynumber.calls import Purity, Settings, call, copies_from_ratio
from tumorboard.copynumber.depth import copy_number_from_depth, gc_content
from tumorboard.copynumber.method import duplicate_fraction
from tumorboard.demo import simulate
from tumorboard.reference import panel
from tumorboard.reference.contigs import ContigMap
from tumorboard.reference.panel import BACKBONE

PROJECT = Path(__file__).resolve().parents[1]
GENES = ["BRAF", "CDKN2A", "EGFR", "ERBB2", "KRAS", "TP53"]
COPIES = [1, 2, 3, 4, 6, 8, 12, 20]
PURITIES = [0.2, 0.3, 0.5, 0.7, 0.9]
DEPTHS = [200, 500]
# two panels per (purity, depth): amplification levels twice, 0/1/3/4 once (0: homozygous
# deletion, outside the grid but the loss case that matters)
PANEL_A = [0, 1, 6, 8, 12, 20]
PANEL_B = [3, 4, 20, 12, 8, 6]
SIM_DEPTH_FACTOR = 0.75  # simulator depth per x of target depth (measured: mosdepth ~ 1.33x it)
NORMAL_FRACTION = 0.5
PADDING = 350  # bp simulated around each target (the schema's minimum; fragments 300 +- 30)
N_CLONAL_SNVS, N_SUBCLONAL_SNVS = 4, 2
# captures: the project's panel ("demo"), the same without backbone tiles ("nobackbone") and one
# where the amplified gene holds most targets ("dominant": no backbone, every other gene cut to
# its first DOMINANT_KEEP targets)
CAPTURES = ["demo", "nobackbone", "dominant"]
CAPTURE_PURITIES = [0.3, 0.5, 0.9]  # the new captures, at 200x only
DOMINANT_GENE, DOMINANT_KEEP = "ERBB2", 3
DOMINANT_TUMOURS = {"X": 20, "Y": 8}  # copies of the dominant gene; every other gene diploid
# off-target reads: every simulated sample gets them (tumorboard's and CNVkit's antitarget bins
# both need them): ``simulate.off_target_regions`` (the whole reference minus the simulated
# regions and N runs) receives this share of the read pairs, a hybrid capture's off-target share
# (real kits: ~20-40%; the demo scenario's demo.off_target_fraction is the same 0.25)
OFF_TARGET_FRACTION = 0.25
CNVKIT = os.environ.get("CNVKIT_PYTHON", "/usr/bin/python3")  # the Python with cnvlib
CNVKIT_METHODS = ["cnvkit", "cnvkit_pooled"]
METHODS = ["tumorboard", "tumorboard_pooled", "workflow", *CNVKIT_METHODS, "naive", "naive_libsize"]
INTERVAL_METHODS = ["tumorboard", "tumorboard_pooled", "workflow", *CNVKIT_METHODS]
# the copy-number settings the demo scenario uses: config/demo/config.yaml over
# config/config.yaml (the demo reference is small and its off-target depth ~1x, so it asks for
# smaller antitarget bins: antitarget_size 20000, antitarget_min_size 2000, margin 1000); the
# workflow runs get the same through their overlay
DEMO_COPY_NUMBER = yaml.safe_load((PROJECT / "config" / "demo" / "config.yaml").read_text())[
    "copy_number"
]
SETTINGS = Settings.from_config(
    yaml.safe_load((PROJECT / "config" / "config.yaml").read_text())["copy_number"]
    | DEMO_COPY_NUMBER
)


# --------------------------------------------------------------------------- design


def design(quick: bool, depths: list[int] | None = None) -> pd.DataFrame:
    """One row per simulated sample: name, capture, depth, type, purity, copies per gene."""
    purities = [0.3, 0.7] if quick else PURITIES
    depths = [200] if quick else (depths or DEPTHS)
    rows = []
    for d_i, depth in enumerate(depths):
        for k in (1, 2):
            rows.append(
                dict(sample=f"C{depth}-{k}", capture="demo", depth=depth, type="control")
                | dict(purity=0.5)
                | {g: 2 for g in GENES}
            )
        for p_i, purity in enumerate(purities):
            for name, cns in (("A", PANEL_A), ("B", PANEL_B)):
                rows.append(
                    dict(sample=f"T{depth}-p{round(purity * 100)}-{name}", capture="demo")
                    | dict(depth=depth, type="tumour", purity=purity)
                    | _panel(cns, p_i + 2 * d_i + (3 if name == "B" else 0))
                )
    # new captures (200x): no backbone tiles (panels A/B, all six genes altered, plus a diploid
    # control), and a capture dominated by one amplified gene (every other gene diploid)
    cap_purities = [0.5] if quick else CAPTURE_PURITIES
    for p_i, purity in enumerate(cap_purities):
        pct = round(purity * 100)
        for name, cns in (("A", PANEL_A), ("B", PANEL_B))[: 1 if quick else 2]:
            rows.append(
                dict(sample=f"nobb-T200-p{pct}-{name}", capture="nobackbone", depth=200)
                | dict(type="tumour", purity=purity)
                | _panel(cns, p_i + (3 if name == "B" else 0))
            )
        for name, cn in DOMINANT_TUMOURS.items():  # two: the pooled reference needs a normal
            rows.append(
                dict(sample=f"dom-T200-p{pct}-{name}", capture="dominant", depth=200)
                | dict(type="tumour", purity=purity)
                | {g: 2 for g in GENES}
                | {DOMINANT_GENE: cn}
            )
    rows.append(
        dict(sample="nobb-C200-1", capture="nobackbone", depth=200, type="control", purity=0.5)
        | {g: 2 for g in GENES}
    )
    # every tumour has its own matched normal (independent reads): a normal shared by all the
    # tumours of a depth would add one common error to all of them
    normals = [
        dict(sample=f"{r['sample']}-N", capture=r["capture"], depth=r["depth"], type="normal")
        | dict(purity=0.0)
        for r in rows
    ]
    return pd.DataFrame(rows + normals)


def _panel(cns: list[int], shift: int) -> dict:
    rolled = cns[-(shift % 6) :] + cns[: -(shift % 6)] if shift % 6 else list(cns)
    return dict(zip(GENES, rolled, strict=True))


def run_name(capture: str, depth: int) -> str:
    return f"run{depth}" if capture == "demo" else f"run{depth}-{capture}"


def capture_cache(cache: Path, capture: str) -> Path:
    """The cache of a capture: the demo cache (hard links) with its own panel BEDs."""
    if capture == "demo":
        return cache
    dest = cache.with_name(f"cache-{capture}")
    targets = panel.read_bed(cache / "panel" / "targets.bed")
    keep = [t for t in targets if t.name != BACKBONE]
    if capture == "dominant":
        seen: dict[str, int] = {}
        cut = []
        for t in keep:
            seen[t.name] = seen.get(t.name, 0) + 1
            if t.name == DOMINANT_GENE or seen[t.name] <= DOMINANT_KEEP:
                cut.append(t)
        keep = cut
    if not dest.exists():
        shutil.copytree(cache, dest, copy_function=os.link)
    bed = dest / "panel" / "targets.bed"
    if not bed.exists() or panel.read_bed(bed) != keep:
        contigs = ContigMap.from_tsv(cache / "reference" / "contigs.tsv")
        for path, cmap in ((bed, None), (dest / "panel" / "targets.grch38.bed", contigs)):
            path.unlink(missing_ok=True)  # a hard link to the demo cache's file
            panel.write_bed(keep, path, cmap)
    # the antitarget bins are the capture's own (rule antitargets, from its targets.bed): never
    # the demo cache's file through a hard link (the workflow would rewrite that inode)
    anti, demo_anti = dest / "panel" / "antitargets.bed", cache / "panel" / "antitargets.bed"
    if anti.exists() and demo_anti.exists() and anti.samefile(demo_anti):
        anti.unlink()
    return dest


def _seed(name: str) -> int:
    return int(hashlib.sha256(name.encode()).hexdigest()[:7], 16)


def snv_sites(cache: Path, n: int) -> list[dict]:
    """``n`` SNV positions in backbone tiles (GRCh38, with the reference base)."""
    contigs = ContigMap.from_tsv(cache / "reference" / "contigs.tsv")
    tiles = [t for t in panel.read_bed(cache / "panel" / "targets.bed") if t.name == BACKBONE]
    step = max(1, len(tiles) // n)
    out = []
    with pysam.FastaFile(str(cache / "reference" / "genome.fa")) as fa:
        for t in tiles[::step][:n]:
            cpos = t.start + 101  # 1-based, mid-tile
            ref = fa.fetch(t.contig, cpos - 1, cpos).upper()
            alt = {"A": "G", "C": "T", "G": "A", "T": "C"}[ref]
            chrom, pos = contigs.to_grch38(t.contig, cpos)
            out.append(dict(chrom=chrom, pos=pos, ref=ref, alt=alt, contig=t.contig, cpos=cpos))
    return out


def truth_doc(row: pd.Series, sites: list[dict]) -> dict:
    p = float(row["purity"]) if row["type"] != "normal" else 0.5
    doc = {"patient": row["sample"], "tumour_type": "benchmark", "purity": p}
    if row["type"] == "normal":
        return doc
    somatic = []
    for i, s in enumerate(sites):
        vaf = p / 2 if i < N_CLONAL_SNVS else p / 6
        somatic.append(
            dict(
                id=f"snv{i}",
                gene=BACKBONE,
                chrom=s["chrom"],
                pos=s["pos"],
                ref=s["ref"],
                alt=s["alt"],
                vaf=round(max(0.01, vaf), 2),
            )
        )
    doc["somatic"] = somatic
    doc["copy_number"] = [{"gene": g, "copies": float(row[g])} for g in GENES if row[g] != 2]
    return doc


# --------------------------------------------------------------------------- simulation


def off_target_option() -> dict:
    """How off-target reads are simulated (part of the reads' stamp and of the summary)."""
    return {
        "regions": "simulate.off_target_regions(genome.fa, simulation regions)",
        "off_target_fraction": OFF_TARGET_FRACTION,
    }


def simulate_one(args: tuple) -> tuple[str, int, float]:
    name, truth_path, tumour, depth, cache, bed, out_dir = args
    done = Path(out_dir) / "done"
    off = off_target_option()
    stamp = f"{Path(truth_path).read_text()}\n{tumour} {depth} {SIM_DEPTH_FACTOR} {PADDING}\n"
    stamp += f"{Path(bed).read_text()}\n{off}\n"
    if done.exists() and done.read_text() == stamp:
        return name, int((Path(out_dir) / "pairs").read_text()), 0.0
    start = time.time()
    fasta = Path(cache) / "reference" / "genome.fa"
    contigs = ContigMap.from_tsv(Path(cache) / "reference" / "contigs.tsv")
    truth = simulate.load_truth(truth_path, contigs, fasta)
    with pysam.FastaFile(str(fasta)) as fa:
        lengths = dict(zip(fa.references, fa.lengths, strict=True))
    regions = simulate.simulation_regions(panel.read_bed(bed), PADDING, lengths)
    off_target = simulate.off_target_regions(fasta, regions)
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    pairs = simulate.simulate_sample(
        truth,
        fasta,
        regions,
        tumour,
        depth * SIM_DEPTH_FACTOR,
        _seed(name),
        [f"{out_dir}/L001"],
        off_target=off_target,
        off_target_fraction=OFF_TARGET_FRACTION,
    )
    (Path(out_dir) / "pairs").write_text(str(pairs))
    done.write_text(stamp)
    return name, pairs, time.time() - start


# --------------------------------------------------------------------------- workflow


def snakemake(workdir: Path, overlay: Path, targets: list[str], cores: int, log: Path) -> None:
    cmd = [
        str(Path(sys.executable).with_name("snakemake")),
        "-s",
        str(PROJECT / "Snakefile"),
        "-d",
        str(workdir),
        "--cores",
        str(cores),
        *targets,
        "--rerun-incomplete",
        "--configfile",
        str(PROJECT / "config" / "config.yaml"),
        str(overlay),
    ]
    with open(log, "a") as fh:
        res = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT)
    if res.returncode != 0:
        raise SystemExit(f"snakemake failed in {workdir}; see {log}")


def prepare_cache(work: Path, cores: int, mirror: str) -> Path:
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
        str(cache / "reference" / "genome.fa.bwt"),
        str(cache / "panel" / "targets.bed"),
        str(cache / "panel" / "targets.grch38.bed"),
    ]
    snakemake(prep, overlay, targets, cores, work / "snakemake.log")
    return cache


def write_run(run: Path, samples: pd.DataFrame, reads: Path, cache: Path, mirror: str) -> Path:
    """Sheets + overlay for one run (capture x depth): each tumour with its matched normal; on
    the demo capture at 200x the purity column is left blank (the workflow estimates it from the
    somatic SNVs on backbone tiles; the other captures have none)."""
    run.mkdir(parents=True, exist_ok=True)
    depth = int(samples["depth"].iloc[0])
    blank = depth == 200 and samples["capture"].iloc[0] == "demo"
    srows, urows = [], []
    for r in samples.to_dict("records"):
        name = r["sample"]
        fq = reads / name / "L001"
        urows.append([name, "L001", f"{fq}_R1.fastq.gz", f"{fq}_R2.fastq.gz"])
        purity = "" if blank else str(r["purity"])
        if r["type"] == "normal":
            srows.append([name.removesuffix("-N"), name, "normal", "", ""])
        else:
            srows.append([name, name, "tumour", "breast cancer", purity])
    pd.DataFrame(srows, columns=["patient", "sample", "type", "tumour_type", "purity"]).to_csv(
        run / "samples.tsv", sep="\t", index=False
    )
    pd.DataFrame(urows, columns=["sample", "unit", "fq1", "fq2"]).to_csv(
        run / "units.tsv", sep="\t", index=False
    )
    overlay = run / "overlay.yaml"
    overlay.write_text(
        yaml.safe_dump(
            {
                "samples": str(run / "samples.tsv"),
                "units": str(run / "units.tsv"),
                "resources": {"mirror": mirror, "cache": str(cache)},
                "somatic": {"panel_of_normals": "none"},
                # the demo scenario's antitarget bins (config/demo/config.yaml)
                "copy_number": DEMO_COPY_NUMBER,
            }
        )
    )
    return overlay


# --------------------------------------------------------------------------- CNVkit


def cnvkit_version() -> str:
    """CNVkit's version, or SystemExit saying why it cannot run."""
    try:
        res = subprocess.run(
            [CNVKIT, "-W", "ignore", "-c", "import cnvlib; print(cnvlib.__version__)"],
            capture_output=True,
            text=True,
        )
    except OSError as e:
        raise SystemExit(f"CNVkit: cannot start {CNVKIT}: {e} (make bench-cnv installs it)") from e
    if res.returncode != 0:
        raise SystemExit(
            f"CNVkit: {CNVKIT} cannot import cnvlib (apt-get install cnvkit, or set "
            f"CNVKIT_PYTHON):\n{res.stderr.strip()}"
        )
    return res.stdout.strip()


def analysed_purities(r: dict) -> list[float]:
    """Purities a sample is analysed at: a tumour at its own; a diploid control at every grid
    purity of its capture (its reads do not depend on purity)."""
    if r["type"] != "control":
        return [r["purity"]]
    return PURITIES if r["capture"] == "demo" else CAPTURE_PURITIES


def _cnvkit_job(d: Path, label: str, steps: list) -> list:
    """One runner process for ``steps``; returns [(label, step, seconds)]."""
    spec = d / "jobs" / f"{label}.json"
    spec.parent.mkdir(parents=True, exist_ok=True)
    spec.write_text(json.dumps([[k, [str(a) for a in argv]] for k, argv in steps]))
    times = spec.with_suffix(".times")
    log = spec.with_suffix(".log")
    runner = Path(__file__).with_name("cnvkit_runner.py")
    with open(log, "w") as fh:
        res = subprocess.run([CNVKIT, str(runner), str(spec), str(times)], stdout=fh, stderr=fh)
    if res.returncode != 0:
        raise SystemExit(f"CNVkit failed ({label}); see {log}")
    return [(label, k, secs) for k, secs in json.loads(times.read_text())]


def run_cnvkit(samples: pd.DataFrame, work: Path, caches: dict, cores: int) -> pd.DataFrame:
    """CNVkit on the workflow's BAMs (duplicates marked), its hybrid-capture pipeline step by step
    (what ``cnvkit.py batch`` runs): target --split, access, antitarget, coverage, reference
    (matched normal; pooled: the other normals of the run), fix, segment (CBS,
    --drop-low-coverage), segmetrics --ci, call -m clonal --purity.  Always rerun (it is timed)."""
    rows = []
    for (capture, depth), grp in samples.groupby(["capture", "depth"]):
        run = work / run_name(capture, depth)
        d = work / "cnvkit" / run_name(capture, depth)
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
        cache = caches[capture]
        fasta = cache / "reference" / "genome.fa"
        tbed, abed, access = (
            d / "targets.target.bed",
            d / "targets.antitarget.bed",
            d / "access.bed",
        )
        shared = [
            ("target", ["target", cache / "panel" / "targets.bed", "--split", "-o", tbed]),
            ("access", ["access", fasta, "-o", access]),
            ("antitarget", ["antitarget", tbed, "-g", access, "-o", abed]),
        ]
        rows += [("(run)", *r[1:]) for r in _cnvkit_job(d, "shared", shared)]

        def cov(sample, kind, d=d):
            return d / f"{sample}.{kind}coverage.cnn"

        def coverage_steps(sample, run=run, tbed=tbed, abed=abed, cov=cov):
            bam = run / "results" / "align" / f"{sample}.bam"
            return [
                (f"coverage_{k}", ["coverage", bam, bed, "-p", "1", "-o", cov(sample, k)])
                for k, bed in (("target", tbed), ("antitarget", abed))
            ]

        with ThreadPoolExecutor(max_workers=cores) as pool:
            futs = [pool.submit(_cnvkit_job, d, s, coverage_steps(s)) for s in grp["sample"]]
            rows += [r for f in futs for r in f.result()]
        normals = list(grp.loc[grp["type"] == "normal", "sample"])
        jobs = []
        for r in grp[grp["type"] != "normal"].to_dict("records"):
            name = r["sample"]
            steps = []
            for method, refs in (
                ("cnvkit", [f"{name}-N"]),
                ("cnvkit_pooled", [n for n in normals if n != f"{name}-N"]),
            ):
                stem = d / f"{name}.{method}"
                ref_covs = [cov(n, k) for n in refs for k in ("target", "antitarget")]
                steps += [
                    (f"{method}:reference", ["reference", *ref_covs, "-f", fasta, "-x", "female",
                                             "-o", f"{stem}.reference.cnn"]),
                    (f"{method}:fix", ["fix", cov(name, "target"), cov(name, "antitarget"),
                                       f"{stem}.reference.cnn", "-o", f"{stem}.cnr"]),
                    (f"{method}:segment", ["segment", f"{stem}.cnr", "--drop-low-coverage",
                                           "-o", f"{stem}.cns"]),
                    (f"{method}:segmetrics", ["segmetrics", f"{stem}.cnr", "-s", f"{stem}.cns",
                                              "--ci", "--alpha", "0.05", "--bootstrap", "100",
                                              "--drop-low-coverage", "-o", f"{stem}.seg.cns"]),
                ]  # fmt: skip
                for purity in analysed_purities(r):
                    steps.append(
                        (f"{method}:call", ["call", f"{stem}.seg.cns", "-m", "clonal", "--purity",
                                            purity, "-x", "female",
                                            "-o", f"{stem}.p{round(purity * 100)}.call.cns"])
                    )  # fmt: skip
            jobs.append((name, steps))
        with ThreadPoolExecutor(max_workers=cores) as pool:
            futs = [pool.submit(_cnvkit_job, d, name, steps) for name, steps in jobs]
            rows += [r for f in futs for r in f.result()]
    return pd.DataFrame(rows, columns=["sample", "step", "seconds"])


def cnvkit_genes(d: Path, name: str, method: str, purity: float) -> dict:
    """Gene copies from CNVkit: the segment holding most of the gene's target bins, after
    ``call -m clonal --purity`` (its log2 is purity-rescaled: copies = 2 * 2^log2, continuous;
    CNVkit's integer ``cn`` is kept as ``cnvkit_cn``); the interval is segmetrics' 95% bootstrap
    interval of the segment mean, purity-adjusted the same way.  Call: the project's thresholds
    on the point estimate."""
    bins = pd.read_csv(d / f"{name}.{method}.cnr", sep="\t")
    segs = pd.read_csv(d / f"{name}.{method}.p{round(purity * 100)}.call.cns", sep="\t")
    out = {}
    for gene in GENES:
        b = bins[bins["gene"] == gene]
        mid = (b["start"] + b["end"]) // 2
        best, best_n = None, 0
        for seg in segs[segs["chromosome"].isin(set(b["chromosome"]))].itertuples():
            n = int(
                ((b["chromosome"] == seg.chromosome) & (mid >= seg.start) & (mid < seg.end)).sum()
            )
            if n > best_n:
                best, best_n = seg, n
        if best is None:
            out[gene] = {"call": "not evaluable", "reason": "no CNVkit segment over the gene"}
            continue
        copies = 2 * 2**best.log2
        out[gene] = {
            "copy_number": copies,
            "copy_number_ci_low": copies_from_ratio(2**best.ci_lo, purity),
            "copy_number_ci_high": copies_from_ratio(2**best.ci_hi, purity),
            "call": call(copies, SETTINGS),
            "reason": f"segment with {best_n} of {len(b)} gene bins ({best.probes} bins)",
            "cnvkit_cn": int(best.cn),
        }
    return out


# --------------------------------------------------------------------------- evaluation


def naive_copies(t: pd.DataFrame, n: pd.DataFrame, purity: float, libsize: bool) -> dict:
    """Gene copies from the unnormalised (or library-size-only) mean depth ratio."""
    out = {}
    st, sn = t["mean_depth"].mean(), n["mean_depth"].mean()
    for gene in GENES:
        mt = t.loc[t["target"] == gene, "mean_depth"].mean()
        mn = n.loc[n["target"] == gene, "mean_depth"].mean()
        ratio = (mt / st) / (mn / sn) if libsize else mt / mn
        out[gene] = copies_from_ratio(ratio, purity)
    return out


def _row(base: dict, method: str, g) -> dict:
    reason = g.get("reason")
    return base | dict(
        method=method,
        copies=_num(g.get("copy_number")),
        ci_low=_num(g.get("copy_number_ci_low")),
        ci_high=_num(g.get("copy_number_ci_high")),
        call=g["call"],
        reason=reason if isinstance(reason, str) else "",
        cnvkit_cn=g.get("cnvkit_cn"),
    )


def evaluate(
    samples: pd.DataFrame, work: Path, caches: dict
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Every gene instance under every method (controls at every grid purity of their capture);
    the purity estimates; the seconds each in-process method took per tumour."""
    rows, purity_rows, secs = [], [], []
    for (capture, depth), grp in samples.groupby(["capture", "depth"]):
        run = work / run_name(capture, depth)
        ck = work / "cnvkit" / run_name(capture, depth)
        fasta = caches[capture] / "reference" / "genome.fa"

        def coverage(sample, run=run):
            return pd.read_csv(run / f"results/coverage/{sample}.targets.tsv", sep="\t")

        def background(sample, run=run):
            """Target + antitarget rows and the duplicate fraction, as ``gene_copy_number``
            reads them (``results/coverage/*.antitargets.tsv``, ``results/align/*.markdup.txt``)."""
            anti = pd.read_csv(run / f"results/coverage/{sample}.antitargets.tsv", sep="\t")
            table = pd.concat([coverage(sample), anti], ignore_index=True)
            return table, duplicate_fraction(run / f"results/align/{sample}.markdup.txt")

        all_normals = {s: background(s) for s in grp.loc[grp["type"] == "normal", "sample"]}
        gc, gc_bins = None, None
        for r in grp[grp["type"] != "normal"].to_dict("records"):
            name = r["sample"]
            (tum_all, tum_dup) = background(name)
            normal_all, normal_dup = all_normals[f"{name}-N"]
            tum, normal = coverage(name), coverage(f"{name}-N")  # target rows (naive baselines)
            others = [n for s, n in all_normals.items() if s != f"{name}-N"]
            # GC of every row, targets and antitarget bins (the same bins in every sample of a
            # run: computed once, checked)
            bins = tum_all[["contig", "start", "end"]]
            if gc is None:
                gc, gc_bins = gc_content(fasta, tum_all), bins
            elif not bins.equals(gc_bins):
                raise SystemExit(f"{name}: coverage bins differ from the run's first tumour")
            wf = pd.read_csv(run / f"results/cnv/{name}.genes.tsv", sep="\t").set_index("gene")
            bench = run / "results" / "benchmarks" / "copy_number" / f"{name}.tsv"
            if bench.exists():
                secs.append((name, "workflow", float(pd.read_csv(bench, sep="\t")["s"].iloc[0])))
            for i, purity in enumerate(analysed_purities(r)):
                sheet = Purity.from_sheet(purity)
                # as the workflow's gene_copy_number: targets + antitarget bins, duplicate
                # fractions (tumour, median of the normals)
                t = time.perf_counter()
                matched, _, _ = copy_number_from_depth(
                    tum_all, [normal_all], gc, sheet, SETTINGS,
                    matched=True, duplicates=(tum_dup, normal_dup),
                )  # fmt: skip
                t_matched = time.perf_counter() - t
                pooled, _, _ = copy_number_from_depth(
                    tum_all, [n for n, _ in others], gc, sheet, SETTINGS, matched=False,
                    duplicates=(tum_dup, float(pd.Series([d for _, d in others]).median())),
                )  # fmt: skip
                if i == 0:
                    secs.append((name, "tumorboard", t_matched))
                    secs.append((name, "tumorboard_pooled", time.perf_counter() - t - t_matched))
                matched, pooled = matched.set_index("gene"), pooled.set_index("gene")
                naive = naive_copies(tum, normal, purity, libsize=False)
                naive_lib = naive_copies(tum, normal, purity, libsize=True)
                ckit = {m: cnvkit_genes(ck, name, m, purity) for m in CNVKIT_METHODS}
                for gene in GENES:
                    base = dict(
                        sample=name,
                        capture=capture,
                        kind=r["type"],
                        depth=depth,
                        purity=purity,
                        gene=gene,
                        true_copies=float(r[gene]),
                        n_targets=int(matched.loc[gene, "n_targets"]),
                    )
                    rows.append(_row(base, "tumorboard", matched.loc[gene]))
                    rows.append(_row(base, "tumorboard_pooled", pooled.loc[gene]))
                    for m in CNVKIT_METHODS:
                        rows.append(_row(base, m, ckit[m][gene]))
                    for method, est in (("naive", naive), ("naive_libsize", naive_lib)):
                        label = call(est[gene], SETTINGS)
                        rows.append(base | dict(method=method, copies=est[gene], call=label))
                    if r["type"] == "tumour" or purity == 0.5:
                        rows.append(_row(base, "workflow", wf.loc[gene]))
            if depth == 200 and capture == "demo":
                w = wf.iloc[0]
                purity_rows.append(
                    dict(
                        sample=name,
                        true_purity=r["purity"],
                        estimate=_num(w["purity"]),
                        ci_low=_num(w["purity_ci_low"]),
                        ci_high=_num(w["purity_ci_high"]),
                        source=w["purity_source"],
                    )
                )
    return (
        pd.DataFrame(rows),
        pd.DataFrame(purity_rows),
        pd.DataFrame(secs, columns=["sample", "method", "seconds"]),
    )


def _num(x):
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def cells(inst: pd.DataFrame) -> pd.DataFrame:
    out = []
    keys = ["method", "capture", "depth", "purity", "true_copies"]
    for key, g in inst.groupby(keys, sort=True):
        est = g["copies"].astype(float)
        rel = (est - g["true_copies"]).abs() / g["true_copies"].where(g["true_copies"] > 0)
        absd = (est - g["true_copies"]).abs()
        calls = g["call"].value_counts()
        ci = g["ci_low"].notna() & g["ci_high"].notna()
        inside = (g["ci_low"] <= g["true_copies"]) & (g["true_copies"] <= g["ci_high"])
        out.append(
            dict(zip(keys, key, strict=True))
            | dict(
                n=len(g),
                amplified=int(calls.get("amplified", 0)),
                equivocal=int(calls.get("equivocal", 0)),
                neutral=int(calls.get("neutral", 0)),
                loss=int(calls.get("loss", 0)),
                homozygous_deletion=int(calls.get("homozygous deletion", 0)),
                not_evaluable=int(calls.get("not evaluable", 0)),
                amp_rate=round(calls.get("amplified", 0) / len(g), 3),
                median_copies=round(float(est.median()), 2) if est.notna().any() else None,
                median_rel_error=round(float(rel.median()), 3) if rel.notna().any() else None,
                max_rel_error=round(float(rel.max()), 3) if rel.notna().any() else None,
                median_abs_error=round(float(absd.median()), 2) if absd.notna().any() else None,
                within_20pct=round(float((rel <= 0.2).mean()), 3) if rel.notna().any() else None,
                n_interval=int(ci.sum()),
                ci_contains_truth=round(float(inside[ci].mean()), 3) if ci.any() else None,
            )
        )
    return pd.DataFrame(out)


# --------------------------------------------------------------------------- summary


def method_seconds(secs: pd.DataFrame, ck: pd.DataFrame, samples: pd.DataFrame) -> pd.DataFrame:
    """Seconds per tumour and method: in-process methods as measured; CNVkit = coverage of the
    tumour (and, matched, of its normal) + reference + fix + segment + segmetrics + one call (the
    pooled reference's normals' coverage is a one-off cost per reference, not counted)."""
    rows = [tuple(r) for r in secs.itertuples(index=False)]
    by = ck.groupby(["sample", "step"])["seconds"].mean()
    tumours = samples.loc[samples["type"] != "normal", "sample"]
    for name in tumours:

        def c(sample):
            return sum(by.get((sample, f"coverage_{k}"), 0.0) for k in ("target", "antitarget"))

        for m in CNVKIT_METHODS:
            steps = ("reference", "fix", "segment", "segmetrics", "call")
            t = c(name) + sum(by.get((name, f"{m}:{k}"), 0.0) for k in steps)
            rows.append((name, m, t + (c(f"{name}-N") if m == "cnvkit" else 0.0)))
    return pd.DataFrame(rows, columns=["sample", "method", "seconds"])


def goals(inst: pd.DataFrame, seconds: pd.DataFrame) -> pd.DataFrame:
    """One row per capture and method: the issue's goals."""
    out = []
    med = seconds.groupby("method")["seconds"].median()
    for (capture, method), m in inst.groupby(["capture", "method"], sort=False):
        hi = m[m["purity"] >= 0.3]
        amp8 = hi[hi["true_copies"] >= 8]
        cn6 = hi[hi["true_copies"] == 6]
        dip = m[m["true_copies"] == 2]
        est = hi[(hi["true_copies"] > 0) & hi["copies"].notna()]
        rel = (est["copies"] - est["true_copies"]).abs() / est["true_copies"]
        ci = hi[hi["ci_low"].notna() & hi["ci_high"].notna()]
        inside = (ci["ci_low"] <= ci["true_copies"]) & (ci["true_copies"] <= ci["ci_high"])
        out.append(
            dict(
                capture=capture,
                method=method,
                amp_cn8=int((amp8["call"] == "amplified").sum()),
                n_cn8=len(amp8),
                flag_cn6=int(cn6["call"].isin(["amplified", "equivocal"]).sum()),
                n_cn6=len(cn6),
                diploid_amplified=int((dip["call"] == "amplified").sum()),
                diploid_other=int((~dip["call"].isin(["neutral", "amplified"])).sum()),
                n_diploid=len(dip),
                within_20pct=round(float((rel <= 0.2).mean()), 3) if len(rel) else None,
                n_estimates=len(rel),
                not_evaluable=int((hi["call"] == "not evaluable").sum()),
                ci_contains_truth=round(float(inside.mean()), 3) if len(ci) else None,
                n_interval=len(ci),
                median_s_per_tumour=round(float(med[method]), 2) if method in med else None,
            )
        )
    df = pd.DataFrame(out)
    order = {m: i for i, m in enumerate(METHODS)} | {c: i for i, c in enumerate(CAPTURES)}
    return df.sort_values(["capture", "method"], key=lambda c: c.map(order), ignore_index=True)


def _frac(k: int, n: int) -> str:
    return f"{k}/{n} ({k / n:.0%})" if n else "-"


def summary_md(
    inst: pd.DataFrame,
    goal: pd.DataFrame,
    pur: pd.DataFrame,
    timing: dict,
    observed: dict,
    ck: pd.DataFrame,
    quick: bool,
) -> str:
    title = "# Copy-number benchmark" + (
        " (QUICK SMOKE RUN: a small slice, not the grid)" if quick else ""
    )
    depths = sorted(int(d) for d in inst.loc[inst["capture"] == "demo", "depth"].unique())
    lines = [title, ""]
    if not quick and depths != DEPTHS:
        lines += [
            f"**Reduced grid: demo capture at {', '.join(f'{d}x' for d in depths)} only** "
            f"(the full grid has {', '.join(f'{d}x' for d in DEPTHS)}; `--depths`).",
            "",
        ]
    lines.append(
        f"Run: {timing['wall_min']:.1f} min wall on {timing['cores']} cores "
        f"({timing['n_samples']} simulated samples, {timing['pairs'] / 1e6:.1f} M read pairs; "
        f"simulation {timing['sim_min']:.1f} min, workflow {timing['wf_min']:.1f} min, "
        f"CNVkit {timing['cnvkit_min']:.1f} min; reads and workflow outputs that already exist "
        "are reused, so a rerun reports less than a first run)."
    )
    lines.append(
        "Observed median target depth (diploid tumour / normal): "
        + ", ".join(f"{d}x grid: {v[0]:.0f}x / {v[1]:.0f}x" for d, v in sorted(observed.items()))
        + "."
    )
    off = timing["off_target"]
    lines.append(
        f"CNVkit {timing['cnvkit_version']}.  Off-target reads in every sample: "
        f"`simulate_sample(off_target={off['regions']}, "
        f"off_target_fraction={off['off_target_fraction']})` (a hybrid capture's off-target "
        "share).  tumorboard / tumorboard_pooled / workflow: `gene_copy_number`'s inputs "
        "(target + antitarget coverage tables, markdup statistics); antitarget bins as the demo "
        "scenario (config/demo/config.yaml over config/config.yaml: "
        + ", ".join(f"{k} {v}" for k, v in DEMO_COPY_NUMBER.items())
        + ")."
    )
    lines += [
        "",
        "## Goals per capture and method",
        "",
        "CN>=8 amplified and CN 6 amplified-or-equivocal: purity >= 30% (goal 100%).  Diploid: "
        "whole grid, 'amplified' calls (goal 0) and other non-neutral calls (loss, homozygous "
        "deletion, equivocal, not evaluable).  Within 20%: |estimate - truth| / truth <= 0.2, "
        "purity >= 30%, truth > 0.  95% interval holds the truth: purity >= 30% (goal >= 90%), "
        "methods with intervals.  Seconds: median per tumour (method only; reads, alignment and "
        "coverage tables are shared).",
        "",
        "| capture | method | CN>=8 amplified | CN 6 amp./equiv. | diploid amplified | "
        "diploid other | within 20% | 95% interval holds truth | not evaluable | s/tumour |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for g in goal.itertuples():
        calib = (
            _frac(round(g.ci_contains_truth * g.n_interval), g.n_interval)
            if g.n_interval
            else "no interval"
        )
        within = (
            _frac(round(g.within_20pct * g.n_estimates), g.n_estimates) if g.n_estimates else "-"
        )
        secs = f"{g.median_s_per_tumour:.2f}" if pd.notna(g.median_s_per_tumour) else "-"
        lines.append(
            f"| {g.capture} | {g.method} | {_frac(g.amp_cn8, g.n_cn8)} "
            f"| {_frac(g.flag_cn6, g.n_cn6)} "
            f"| {g.diploid_amplified}/{g.n_diploid} | {g.diploid_other}/{g.n_diploid} | {within} "
            f"| {calib} | {g.not_evaluable} | {secs} |"
        )
    lines += [
        "",
        "Captures: `demo` = the project's panel (gene targets + backbone tiles); `nobackbone` = "
        "the same gene targets, no backbone tiles; `dominant` = no backbone, "
        f"{DOMINANT_GENE} with all its targets, every other gene cut to its first {DOMINANT_KEEP} "
        f"(so {DOMINANT_GENE} holds most targets) and amplified "
        f"({', '.join(str(v) for v in DOMINANT_TUMOURS.values())} copies), the others diploid.",
        "",
        "Methods: `tumorboard` (`tumorboard.copynumber`, matched normal, sheet purity); "
        "`tumorboard_pooled` (pooled reference of the other normals of the run); `workflow` "
        "(the workflow's `results/cnv` table; demo capture at 200x: purity estimated from SNVs); "
        "`cnvkit` / `cnvkit_pooled` (CNVkit target + antitarget, matched normal / pooled "
        "reference of the other normals, CBS, `call -m clonal --purity` with the sheet purity, "
        "segment covering the gene, project thresholds on the point estimate, interval = "
        "`segmetrics --ci` purity-adjusted); `naive` / `naive_libsize` (depth ratios).",
        "",
        "## Sensitivity by copy number and purity",
        "",
        "Cell: amplified / equivocal / n (purity >= 30% needed for the goals).",
        "",
    ]
    for capture in CAPTURES:
        c = inst[(inst["capture"] == capture) & (inst["true_copies"] >= 6)]
        if c.empty:
            continue
        purities = sorted(c["purity"].unique())
        lines += [
            f"**{capture}** (depths {', '.join(f'{d}x' for d in sorted(c['depth'].unique()))})",
            "",
        ]
        lines.append("| method | copies | " + " | ".join(f"{p:.0%}" for p in purities) + " |")
        lines.append("|---|---|" + "---|" * len(purities))
        for method in METHODS:
            for cn in sorted(c["true_copies"].unique()):
                vals = []
                for p in purities:
                    x = c[(c["method"] == method) & (c["true_copies"] == cn) & (c["purity"] == p)]
                    a = int((x["call"] == "amplified").sum())
                    e = int((x["call"] == "equivocal").sum())
                    vals.append(f"{a}/{e}/{len(x)}" if len(x) else "")
                lines.append(f"| {method} | {cn:g} | " + " | ".join(vals) + " |")
        lines.append("")
    dom = inst[(inst["capture"] == "dominant") & (inst["kind"] == "tumour")]
    if not dom.empty:
        lines += [
            f"## Dominant capture: {DOMINANT_GENE} estimate [95% interval] and the diploid genes",
            "",
            "| sample | method | truth | estimate | call | diploid genes not neutral |",
            "|---|---|---|---|---|---|",
        ]
        for (sample, method), x in dom.groupby(["sample", "method"], sort=True):
            g = x[x["gene"] == DOMINANT_GENE].iloc[0]
            est = "-" if pd.isna(g["copies"]) else f"{g['copies']:.2f}"
            if pd.notna(g.get("ci_low")) and pd.notna(g.get("ci_high")):
                est += f" [{g['ci_low']:.2f}-{g['ci_high']:.2f}]"
            others = x[(x["gene"] != DOMINANT_GENE) & (x["call"] != "neutral")]
            bad = ", ".join(f"{o.gene} {o.call}" for o in others.itertuples()) or "none"
            lines.append(
                f"| {sample} | {method} | {g['true_copies']:g} | {est} | {g['call']} | {bad} |"
            )
        lines.append("")
    if not ck.empty:
        per = ck.groupby("step")["seconds"].agg(["count", "median", "sum"]).round(2)
        lines += [
            "## CNVkit steps (seconds; one runner process per job)",
            "",
            per.to_markdown(),
            "",
        ]
    lines += ["## Calls by method (all captures)", ""]
    calls = inst.groupby(["method", "true_copies"])["call"].value_counts().unstack(fill_value=0)
    lines.append(calls.to_markdown())
    if not pur.empty:
        cover = (pur["ci_low"] <= pur["true_purity"]) & (pur["true_purity"] <= pur["ci_high"])
        err = (pur["estimate"] - pur["true_purity"]).abs()
        lines += [
            "",
            "## Purity from somatic SNVs (demo capture, 200x, sheet purity blank)",
            "",
            f"Median absolute error {err.median():.3f}, worst {err.max():.3f}; the 95% bootstrap "
            f"interval holds the truth in {cover.mean():.0%} of {len(pur)} tumours.",
            "",
            pur.round(3).to_markdown(index=False),
        ]
    return "\n".join(lines) + "\n"


def plot(inst: pd.DataFrame, pur: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(15, 4.6))
    axes = fig.subplots(1, 3)
    styles = {
        "tumorboard": ("black", "-"),
        "tumorboard_pooled": ("0.3", "-."),
        "workflow": ("0.45", "--"),
        "cnvkit": ("tab:blue", "-"),
        "cnvkit_pooled": ("tab:blue", "-."),
        "naive": ("0.6", (0, (1, 1))),
        "naive_libsize": ("0.7", ":"),
    }
    inst = inst[inst["capture"] == "demo"]
    ax = axes[0]
    grid = sorted(inst["true_copies"].unique())
    pos = {c: i for i, c in enumerate(grid)}
    for method, (colour, ls) in styles.items():
        m = inst[(inst["method"] == method) & (inst["purity"] >= 0.3)]
        rate = m.groupby("true_copies")["call"].apply(lambda c: (c == "amplified").mean())
        ax.plot(
            [pos[c] for c in rate.index],
            rate.values,
            linestyle=ls,
            marker="o",
            color=colour,
            label=method,
        )
    ax.axvspan(pos[6] - 0.5, len(grid) - 0.5, color="0.93", zorder=0)
    ax.axhline(0.95, color="black", linewidth=0.6)
    ax.set_xticks(range(len(grid)), [f"{c:g}" for c in grid])
    ax.set(
        xlabel="true copies (shaded: amplified, >= 6)",
        ylabel="fraction called amplified",
        title="Amplification calls, demo capture, purity >= 30%",
        ylim=(-0.02, 1.02),
    )
    ax.legend(fontsize=7, frameon=False, loc="center left")
    ax = axes[1]
    tb = inst[(inst["method"] == "tumorboard") & inst["copies"].notna()]
    for p, shade in zip(PURITIES, ("0.8", "0.6", "0.4", "0.2", "0.0"), strict=True):
        m = tb[tb["purity"] == p]
        ax.scatter(
            m["true_copies"] + 0.3, m["copies"] + 0.3, s=10, color=shade, label=f"purity {p:.0%}"
        )
    ax.plot([0.3, 25], [0.3, 25], color="black", linewidth=0.6)
    ax.fill_between([0.3, 25], [0.3 * 0.8, 25 * 0.8], [0.3 * 1.2, 25 * 1.2], color="0.9", zorder=0)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set(
        xlabel="true copies + 0.3",
        ylabel="estimated copies + 0.3",
        title="Copy-number estimate (band: +-20%)",
    )
    ax.legend(fontsize=7, frameon=False)
    ax = axes[2]
    if not pur.empty:
        ax.errorbar(
            pur["true_purity"],
            pur["estimate"],
            yerr=[pur["estimate"] - pur["ci_low"], pur["ci_high"] - pur["estimate"]],
            fmt="o",
            color="black",
            markersize=4,
            capsize=2,
        )
        ax.plot([0, 1], [0, 1], color="0.6", linewidth=0.6)
    ax.set(
        xlabel="true purity",
        ylabel="estimated purity (95% interval)",
        title="Purity from somatic SNVs (200x)",
        xlim=(0, 1),
        ylim=(0, 1.05),
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)


# --------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="a small slice of the grid")
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument(
        "--depths",
        type=int,
        nargs="+",
        choices=DEPTHS,
        help=f"demo-capture tumour depths (default: all, {DEPTHS}); a reduced grid says so",
    )
    ap.add_argument(
        "--captures",
        nargs="+",
        choices=CAPTURES,
        help="only these captures (a slice: results get a '_<captures>' suffix, no summary)",
    )
    ap.add_argument("--workdir", default=str(PROJECT / "bench" / "work" / "cnv"))
    ap.add_argument("--out", default=str(PROJECT / "bench" / "results"))
    ap.add_argument("--mirror", default=str(PROJECT.parent / "shared" / "data"))
    args = ap.parse_args()
    t0 = time.time()
    version = cnvkit_version()  # before hours of work: CNVkit must run
    work = Path(args.workdir).resolve() / ("quick" if args.quick else "full")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    mirror = str(Path(args.mirror).resolve())

    cache = prepare_cache(work, args.cores, mirror)
    caches = {c: capture_cache(cache, c) for c in CAPTURES}
    samples = design(args.quick, args.depths)
    if args.captures:
        samples = samples[samples["capture"].isin(args.captures)].reset_index(drop=True)
    sites = snv_sites(cache, N_CLONAL_SNVS + N_SUBCLONAL_SNVS)
    jobs = []
    for r in samples.to_dict("records"):
        tpath = work / "truth" / f"{r['sample']}.yaml"
        tpath.parent.mkdir(parents=True, exist_ok=True)
        doc = truth_doc(pd.Series(r), sites if r["capture"] == "demo" else [])
        doc = yaml.safe_dump(doc, sort_keys=False)
        if not tpath.exists() or tpath.read_text() != doc:
            tpath.write_text(doc)
        depth = r["depth"] * (NORMAL_FRACTION if r["type"] == "normal" else 1.0)
        jobs.append(
            (
                r["sample"],
                str(tpath),
                r["type"] != "normal",
                depth,
                str(cache),
                str(caches[r["capture"]] / "panel" / "targets.bed"),
                str(work / "reads" / r["sample"]),
            )
        )
    # the largest first, so that the two workers finish together
    jobs.sort(key=lambda j: -j[3])
    t_sim = time.time()
    pairs = 0
    with ProcessPoolExecutor(max_workers=args.cores) as pool:
        for name, n, secs in pool.map(simulate_one, jobs):
            pairs += n
            if secs:
                print(f"simulated {name}: {n} pairs in {secs:.0f} s", flush=True)
    t_sim = time.time() - t_sim

    t_wf = time.time()
    for (capture, depth), grp in samples.groupby(["capture", "depth"]):
        run = work / run_name(capture, depth)
        overlay = write_run(run, grp, work / "reads", caches[capture], mirror)
        wanted = [f"results/coverage/{s}.targets.tsv" for s in grp["sample"]]
        # the background of the in-process methods (the genes.tsv below needs them too)
        wanted += [f"results/coverage/{s}.antitargets.tsv" for s in grp["sample"]]
        wanted += [f"results/align/{s}.markdup.txt" for s in grp["sample"]]
        wanted += [f"results/cnv/{s}.genes.tsv" for s in grp.loc[grp["type"] != "normal", "sample"]]
        print(f"workflow run {run.name} ({len(grp)} samples)", flush=True)
        snakemake(run, overlay, wanted, args.cores, work / "snakemake.log")
    t_wf = time.time() - t_wf

    t_ck = time.time()
    print(f"CNVkit {version}", flush=True)
    ck = run_cnvkit(samples, work, caches, args.cores)
    t_ck = time.time() - t_ck

    inst, pur, secs = evaluate(samples, work, caches)
    table = cells(inst)
    seconds = method_seconds(secs, ck, samples)
    goal = goals(inst, seconds)
    suffix = "_quick" if args.quick else ""
    if args.captures:  # a slice for a look at a few cells: tables only, never the summary
        suffix += "_" + "_".join(args.captures)
        for name, df in (("cnv_instances", inst), ("cnv_goals", goal), ("cnv", table)):
            df.to_csv(out / f"{name}{suffix}.tsv", sep="\t", index=False)
        print(goal.to_string())
        return
    observed = {}
    for depth in samples["depth"].unique():
        run = work / run_name("demo", depth)
        bb = []
        for s in (f"C{depth}-1", f"C{depth}-1-N"):
            cov = pd.read_csv(run / f"results/coverage/{s}.targets.tsv", sep="\t")
            bb.append(float(cov["mean_depth"].median()))
        observed[int(depth)] = bb
    timing = dict(
        wall_min=(time.time() - t0) / 60,
        sim_min=t_sim / 60,
        wf_min=t_wf / 60,
        cnvkit_min=t_ck / 60,
        cores=args.cores,
        n_samples=len(samples),
        pairs=pairs,
        cnvkit_version=version,
        off_target=off_target_option(),
    )
    inst.to_csv(out / f"cnv_instances{suffix}.tsv", sep="\t", index=False)
    table.to_csv(out / f"cnv{suffix}.tsv", sep="\t", index=False)
    goal.to_csv(out / f"cnv_goals{suffix}.tsv", sep="\t", index=False)
    seconds.to_csv(out / f"cnv_seconds{suffix}.tsv", sep="\t", index=False)
    ck.to_csv(out / f"cnv_cnvkit_steps{suffix}.tsv", sep="\t", index=False)
    pur.to_csv(out / f"cnv_purity{suffix}.tsv", sep="\t", index=False)
    md = summary_md(inst, goal, pur, timing, observed, ck, args.quick)
    (out / f"cnv_summary{suffix}.md").write_text(md)
    plot(inst, pur, out / f"cnv{suffix}.png")
    print(md)


if __name__ == "__main__":
    main()
