"""Per-target coverage tables from mosdepth output, and per-gene summaries.

mosdepth (``--by targets.bed --thresholds ...``) writes ``<prefix>.regions.bed.gz`` (mean depth per
target) and ``<prefix>.thresholds.bed.gz`` (bases at or above each threshold).  The table written
here joins both and adds the GRCh38 position of each target.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd

from tumorboard.reference.contigs import ContigMap
from tumorboard.reference.panel import BACKBONE


def _read_bed_gz(path: str | Path) -> pd.DataFrame:
    with gzip.open(path, "rt") as fh:
        first = fh.readline()
    header = first.lstrip("#").rstrip("\n").split("\t") if first.startswith("#") else None
    df = pd.read_csv(path, sep="\t", header=None, comment="#", compression="gzip")
    if header:
        df.columns = header
    return df


def target_table(
    regions_bed: str | Path, thresholds_bed: str | Path | None, contigs: ContigMap
) -> pd.DataFrame:
    """mosdepth ``--by`` regions (and ``--thresholds`` counts as fractions, when given) with
    GRCh38 positions."""
    reg = pd.read_csv(
        regions_bed,
        sep="\t",
        header=None,
        compression="gzip",
        names=["contig", "start", "end", "target", "mean_depth"],
    )
    df, length = reg, reg["end"] - reg["start"]
    if thresholds_bed:
        thr = _read_bed_gz(thresholds_bed)
        thr.columns = ["contig", "start", "end", "target", *thr.columns[4:]]
        df = reg.merge(
            thr, on=["contig", "start", "end", "target"], how="left", validate="one_to_one"
        )
        for col in [c for c in thr.columns[4:]]:
            df[f"fraction_ge_{col.rstrip('X')}x"] = (df.pop(col) / length).round(4)
    pos = [contigs.to_grch38(c, s + 1) for c, s in zip(df["contig"], df["start"], strict=True)]
    df.insert(4, "chrom", [p[0] for p in pos])
    df.insert(5, "grch38_start", [p[1] for p in pos])  # 1-based
    df.insert(6, "grch38_end", df["grch38_start"] + length - 1)
    df["mean_depth"] = df["mean_depth"].round(2)
    return df


def gene_summary(targets: pd.DataFrame, sample: str, min_depth: int) -> list[dict]:
    """Per-gene coverage (backbone left out): mean, minimum, fraction of targets >= min_depth."""
    out = []
    genes = targets[targets["target"] != BACKBONE]
    for gene, grp in genes.groupby("target", sort=True):
        out.append(
            {
                "sample": sample,
                "gene": str(gene),
                "n_targets": int(len(grp)),
                "mean_depth": round(
                    float(
                        (grp["mean_depth"] * (grp["end"] - grp["start"])).sum()
                        / (grp["end"] - grp["start"]).sum()
                    ),
                    1,
                ),
                "min_depth": round(float(grp["mean_depth"].min()), 1),
                "fraction_ge_min_depth": round(float((grp["mean_depth"] >= min_depth).mean()), 3),
            }
        )
    return out
