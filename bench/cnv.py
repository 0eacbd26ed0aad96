"""Copy-number benchmark: gene copy number x purity x depth, from real simulated reads.

    .venv/bin/python bench/cnv.py            # full grid (~18 min on 2 cores)
    .venv/bin/python bench/cnv.py --quick    # a small slice, to try the machinery

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

Depth is the median target depth reached (mosdepth, duplicates removed): the simulator's
``depth`` gives about 1.33 times that over the targets (measured on diploid samples; the summary
reports what was reached), so it is asked for 0.75 x the grid depth.  Every tumour has its own
matched normal, simulated independently at half the tumour depth (as the demo): one normal
shared by all tumours of a depth would put one common error on all of them.

Compared in the same run on the same coverage tables:

* ``tumorboard``: ``tumorboard.copynumber.depth.copy_number_from_depth`` against the matched
  normal, purity from the "sheet" (the truth);
* ``tumorboard_pooled``: the same against a pooled reference of the other normals of that depth
  (the path of a tumour-only patient);
* ``workflow``: the workflow's own ``results/cnv/{patient}.genes.tsv`` (matched normal; at 200x
  the sheet leaves purity blank, so the purity is the workflow's SNV estimate);
* ``naive``: unnormalised depth ratio (mean gene depth tumour / normal), purity-adjusted,
  thresholds on the point estimate;
* ``naive_libsize``: the same after dividing each sample by its mean target depth.

Outputs: bench/results/cnv.tsv (one row per cell and method), cnv_instances.tsv (every gene
instance), cnv_purity.tsv, cnv_summary.md, cnv.png.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import hashlib
import math
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import pysam
import yaml

from tumorboard.copynumber.calls import Purity, Settings, call, copies_from_ratio
from tumorboard.copynumber.depth import copy_number_from_depth, gc_content
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
SETTINGS = Settings.from_config(
    yaml.safe_load((PROJECT / "config" / "config.yaml").read_text())["copy_number"]
)


# --------------------------------------------------------------------------- design


def design(quick: bool) -> pd.DataFrame:
    """One row per simulated sample: name, depth, type, purity, copies per gene."""
    purities = [0.3, 0.7] if quick else PURITIES
    depths = [200] if quick else DEPTHS
    rows = []
    for d_i, depth in enumerate(depths):
        for k in (1, 2):
            rows.append(
                dict(sample=f"C{depth}-{k}", depth=depth, type="control", purity=0.5)
                | {g: 2 for g in GENES}
            )
        for p_i, purity in enumerate(purities):
            for name, cns in (("A", PANEL_A), ("B", PANEL_B)):
                shift = p_i + 2 * d_i + (3 if name == "B" else 0)
                rolled = cns[-(shift % 6) :] + cns[: -(shift % 6)] if shift % 6 else list(cns)
                rows.append(
                    dict(
                        sample=f"T{depth}-p{round(purity * 100)}-{name}",
                        depth=depth,
                        type="tumour",
                        purity=purity,
                    )
                    | dict(zip(GENES, rolled, strict=True))
                )
    # every tumour has its own matched normal (independent reads): a normal shared by all the
    # tumours of a depth would add one common error to all of them
    normals = [
        dict(sample=f"{r['sample']}-N", depth=r["depth"], type="normal", purity=0.0) for r in rows
    ]
    return pd.DataFrame(rows + normals)


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


def _fast_gzip():
    # simulate.py writes FASTQ with Python's default gzip level 9; level 1 makes the same reads
    # four times faster (only the compression differs)
    return type(
        "FastGzip",
        (),
        {"GzipFile": staticmethod(functools.partial(gzip.GzipFile, compresslevel=1))},
    )


def simulate_one(args: tuple) -> tuple[str, int, float]:
    name, truth_path, tumour, depth, cache, out_dir = args
    done = Path(out_dir) / "done"
    stamp = f"{Path(truth_path).read_text()}\n{tumour} {depth} {SIM_DEPTH_FACTOR} {PADDING}\n"
    if done.exists() and done.read_text() == stamp:
        return name, int((Path(out_dir) / "pairs").read_text()), 0.0
    simulate.gzip = _fast_gzip()
    start = time.time()
    fasta = Path(cache) / "reference" / "genome.fa"
    contigs = ContigMap.from_tsv(Path(cache) / "reference" / "contigs.tsv")
    truth = simulate.load_truth(truth_path, contigs, fasta)
    with pysam.FastaFile(str(fasta)) as fa:
        lengths = dict(zip(fa.references, fa.lengths, strict=True))
    regions = simulate.simulation_regions(
        panel.read_bed(Path(cache) / "panel" / "targets.bed"), PADDING, lengths
    )
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    pairs = simulate.simulate_sample(
        truth, fasta, regions, tumour, depth * SIM_DEPTH_FACTOR, _seed(name), [f"{out_dir}/L001"]
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
    """Sheets + overlay for one depth: each tumour with its matched normal; at 200x the purity
    column is left blank (the workflow estimates it from the somatic SNVs)."""
    run.mkdir(parents=True, exist_ok=True)
    depth = int(samples["depth"].iloc[0])
    blank = depth == 200
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
            }
        )
    )
    return overlay


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
    )


def evaluate(samples: pd.DataFrame, work: Path, cache: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every gene instance under every method (controls at every grid purity)."""
    rows, purity_rows = [], []
    gc = None
    fasta = cache / "reference" / "genome.fa"
    for depth, grp in samples.groupby("depth"):
        run = work / f"run{depth}"

        def coverage(sample, run=run):
            return pd.read_csv(run / f"results/coverage/{sample}.targets.tsv", sep="\t")

        all_normals = {s: coverage(s) for s in grp.loc[grp["type"] == "normal", "sample"]}
        for r in grp[grp["type"] != "normal"].to_dict("records"):
            name = r["sample"]
            tum, normal = coverage(name), all_normals[f"{name}-N"]
            others = [n for s, n in all_normals.items() if s != f"{name}-N"]
            if gc is None:
                gc = gc_content(fasta, tum)
            wf = pd.read_csv(run / f"results/cnv/{name}.genes.tsv", sep="\t").set_index("gene")
            purities = PURITIES if r["type"] == "control" else [r["purity"]]
            for purity in purities:
                sheet = Purity.from_sheet(purity)
                matched, _, _ = copy_number_from_depth(tum, [normal], gc, sheet, SETTINGS)
                pooled, _, _ = copy_number_from_depth(tum, others, gc, sheet, SETTINGS)
                matched, pooled = matched.set_index("gene"), pooled.set_index("gene")
                naive = naive_copies(tum, normal, purity, libsize=False)
                naive_lib = naive_copies(tum, normal, purity, libsize=True)
                for gene in GENES:
                    base = dict(
                        sample=name,
                        kind=r["type"],
                        depth=depth,
                        purity=purity,
                        gene=gene,
                        true_copies=float(r[gene]),
                        n_targets=int(matched.loc[gene, "n_targets"]),
                    )
                    rows.append(_row(base, "tumorboard", matched.loc[gene]))
                    rows.append(_row(base, "tumorboard_pooled", pooled.loc[gene]))
                    for method, est in (("naive", naive), ("naive_libsize", naive_lib)):
                        label = call(est[gene], SETTINGS)
                        rows.append(base | dict(method=method, copies=est[gene], call=label))
                    if r["type"] == "tumour" or purity == 0.5:
                        rows.append(_row(base, "workflow", wf.loc[gene]))
            if depth == 200:
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
    return pd.DataFrame(rows), pd.DataFrame(purity_rows)


def _num(x):
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def cells(inst: pd.DataFrame) -> pd.DataFrame:
    out = []
    keys = ["method", "depth", "purity", "true_copies"]
    for key, g in inst.groupby(keys, sort=True):
        est = g["copies"].astype(float)
        rel = (est - g["true_copies"]).abs() / g["true_copies"].where(g["true_copies"] > 0)
        absd = (est - g["true_copies"]).abs()
        calls = g["call"].value_counts()
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
            )
        )
    return pd.DataFrame(out)


# --------------------------------------------------------------------------- summary


def targets_met(inst: pd.DataFrame, method: str) -> list[tuple[str, str, bool]]:
    m = inst[inst["method"] == method]
    amp = m[(m["true_copies"] >= 6) & (m["purity"] >= 0.3)]
    sens = (amp["call"] == "amplified").mean()
    flagged = amp["call"].isin(["amplified", "equivocal"]).mean()
    amp8 = amp[amp["true_copies"] >= 8]
    sens8 = (amp8["call"] == "amplified").mean()
    dip = m[m["true_copies"] == 2]
    fp = int((dip["call"] == "amplified").sum())
    hi = m[(m["purity"] >= 0.5) & m["copies"].notna()]
    rel = (hi["copies"] - hi["true_copies"]).abs() / hi["true_copies"].where(hi["true_copies"] > 0)
    rel = rel.dropna()
    cellwise = (
        hi.assign(rel=rel).dropna(subset=["rel"]).groupby(["depth", "purity", "true_copies"])["rel"]
    )
    worst_cell = cellwise.median().max() if len(rel) else float("nan")
    return [
        (
            "amplification (CN >= 6) called 'amplified', purity >= 30%",
            f"{sens:.1%} of {len(amp)} (CN >= 8: {sens8:.1%} of {len(amp8)}; "
            f"'amplified' or 'equivocal': {flagged:.1%})",
            sens >= 0.95,
        ),
        (
            "no amplification call on diploid genes, whole grid",
            f"{fp} of {len(dip)}",
            fp == 0,
        ),
        (
            "copy number within 20% of the truth, purity >= 50%",
            f"{(rel <= 0.2).mean():.1%} of {len(rel)} instances; worst cell median error "
            f"{worst_cell:.1%}",
            bool((rel <= 0.2).all()) if len(rel) else False,
        ),
    ]


def summary_md(
    inst: pd.DataFrame,
    table: pd.DataFrame,
    pur: pd.DataFrame,
    timing: dict,
    observed: dict,
) -> str:
    lines = ["# Copy-number benchmark", ""]
    lines.append(
        f"Run: {timing['wall_min']:.1f} min wall on {timing['cores']} cores "
        f"({timing['n_samples']} simulated samples, {timing['pairs'] / 1e6:.1f} M read pairs; "
        f"simulation {timing['sim_min']:.1f} min, workflow {timing['wf_min']:.1f} min)."
    )
    lines.append(
        "Observed median target depth (diploid tumour / normal): "
        + ", ".join(f"{d}x grid: {v[0]:.0f}x / {v[1]:.0f}x" for d, v in sorted(observed.items()))
        + "."
    )
    lines += ["", "## Targets", "", "| method | target | result | met |", "|---|---|---|---|"]
    for method in ("tumorboard", "tumorboard_pooled", "workflow", "naive", "naive_libsize"):
        for name, result, ok in targets_met(inst, method):
            lines.append(f"| {method} | {name} | {result} | {'yes' if ok else 'no'} |")
    lines += [
        "",
        "`tumorboard`: `tumorboard.copynumber` against the matched normal, sheet purity.  "
        "`tumorboard_pooled`: the same against a pooled reference of the other normals of that "
        "depth (the tumour-only path).  `workflow`: the workflow's own `results/cnv` table "
        "(matched normal; at 200x the sheet has no purity, so it is the SNV estimate).  "
        "`naive`: unnormalised mean depth ratio, purity-adjusted.  `naive_libsize`: the same "
        "after dividing each sample by its mean target depth.  Diploid genes: two all-diploid "
        "tumours per depth analysed at every grid purity (workflow: at 50% only).",
        "",
        "## Amplification calls per cell (tumorboard, matched normal)",
        "",
        "Fraction of gene instances called *amplified* (n per cell in brackets); rows: true "
        "copies, columns: purity.",
        "",
    ]
    tb = table[table["method"] == "tumorboard"]
    for depth in sorted(tb["depth"].unique()):
        d = tb[tb["depth"] == depth]
        lines.append(f"**{depth}x**")
        lines.append("")
        purities = sorted(d["purity"].unique())
        lines.append("| copies | " + " | ".join(f"{p:.0%}" for p in purities) + " |")
        lines.append("|---|" + "---|" * len(purities))
        for cn in sorted(d["true_copies"].unique()):
            cells_ = []
            for p in purities:
                c = d[(d["true_copies"] == cn) & (d["purity"] == p)]
                if c.empty:
                    cells_.append("")
                    continue
                c = c.iloc[0]
                extra = f", NE {c['not_evaluable']}" if c["not_evaluable"] else ""
                cells_.append(f"{c['amp_rate']:.2f} ({c['n']}{extra})")
            lines.append(f"| {cn:g} | " + " | ".join(cells_) + " |")
        lines.append("")
    lines += [
        "NE: not evaluable (purity below 20%, or an interval that does not support a call).",
        "",
        "## Copy-number error per cell (tumorboard): median |estimate - truth| / truth",
        "",
    ]
    for depth in sorted(tb["depth"].unique()):
        d = tb[tb["depth"] == depth]
        purities = sorted(d["purity"].unique())
        lines.append(f"**{depth}x**")
        lines.append("")
        lines.append("| copies | " + " | ".join(f"{p:.0%}" for p in purities) + " |")
        lines.append("|---|" + "---|" * len(purities))
        for cn in sorted(d["true_copies"].unique()):
            vals = []
            for p in purities:
                c = d[(d["true_copies"] == cn) & (d["purity"] == p)]
                vals.append(_error_cell(c.iloc[0] if not c.empty else None))
            lines.append(f"| {cn:g} | " + " | ".join(vals) + " |")
        lines.append("")
    lines += ["(0 copies: absolute error in copies.)", "", "## Calls by method", ""]
    calls = inst.groupby(["method", "true_copies"])["call"].value_counts().unstack(fill_value=0)
    lines.append(calls.to_markdown())
    if not pur.empty:
        cover = (pur["ci_low"] <= pur["true_purity"]) & (pur["true_purity"] <= pur["ci_high"])
        err = (pur["estimate"] - pur["true_purity"]).abs()
        lines += [
            "",
            "## Purity from somatic SNVs (200x, sheet purity blank)",
            "",
            f"Median absolute error {err.median():.3f}, worst {err.max():.3f}; the 95% bootstrap "
            f"interval holds the truth in {cover.mean():.0%} of {len(pur)} tumours.",
            "",
            pur.round(3).to_markdown(index=False),
        ]
    return "\n".join(lines) + "\n"


def _error_cell(c) -> str:
    if c is None:
        return ""
    if pd.notna(c["median_rel_error"]):
        return f"{c['median_rel_error']:.1%}"
    return f"abs {c['median_abs_error']:.2f}" if pd.notna(c["median_abs_error"]) else ""


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
        "naive": ("0.6", (0, (1, 1))),
        "naive_libsize": ("0.7", ":"),
    }
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
        title="Amplification calls, purity >= 30%, both depths",
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
    ap.add_argument("--workdir", default=str(PROJECT / "bench" / "work" / "cnv"))
    ap.add_argument("--out", default=str(PROJECT / "bench" / "results"))
    ap.add_argument("--mirror", default=str(PROJECT.parent / "shared" / "data"))
    args = ap.parse_args()
    t0 = time.time()
    work = Path(args.workdir).resolve() / ("quick" if args.quick else "full")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    mirror = str(Path(args.mirror).resolve())

    cache = prepare_cache(work, args.cores, mirror)
    samples = design(args.quick)
    sites = snv_sites(cache, N_CLONAL_SNVS + N_SUBCLONAL_SNVS)
    jobs = []
    for r in samples.to_dict("records"):
        tpath = work / "truth" / f"{r['sample']}.yaml"
        tpath.parent.mkdir(parents=True, exist_ok=True)
        doc = yaml.safe_dump(truth_doc(pd.Series(r), sites), sort_keys=False)
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
    for depth, grp in samples.groupby("depth"):
        run = work / f"run{depth}"
        overlay = write_run(run, grp, work / "reads", cache, mirror)
        wanted = [f"results/coverage/{s}.targets.tsv" for s in grp["sample"]]
        wanted += [f"results/cnv/{s}.genes.tsv" for s in grp.loc[grp["type"] != "normal", "sample"]]
        print(f"workflow run at {depth}x ({len(grp)} samples)", flush=True)
        snakemake(run, overlay, wanted, args.cores, work / "snakemake.log")
    t_wf = time.time() - t_wf

    inst, pur = evaluate(samples, work, cache)
    table = cells(inst)
    observed = {}
    for depth in samples["depth"].unique():
        run = work / f"run{depth}"
        bb = []
        for s in (f"C{depth}-1", f"C{depth}-1-N"):
            cov = pd.read_csv(run / f"results/coverage/{s}.targets.tsv", sep="\t")
            bb.append(float(cov["mean_depth"].median()))
        observed[int(depth)] = bb
    timing = dict(
        wall_min=(time.time() - t0) / 60,
        sim_min=t_sim / 60,
        wf_min=t_wf / 60,
        cores=args.cores,
        n_samples=len(samples),
        pairs=pairs,
    )
    suffix = "_quick" if args.quick else ""
    inst.to_csv(out / f"cnv_instances{suffix}.tsv", sep="\t", index=False)
    table.to_csv(out / f"cnv{suffix}.tsv", sep="\t", index=False)
    pur.to_csv(out / f"cnv_purity{suffix}.tsv", sep="\t", index=False)
    (out / f"cnv_summary{suffix}.md").write_text(summary_md(inst, table, pur, timing, observed))
    plot(inst, pur, out / f"cnv{suffix}.png")
    print((out / f"cnv_summary{suffix}.md").read_text())


if __name__ == "__main__":
    main()
