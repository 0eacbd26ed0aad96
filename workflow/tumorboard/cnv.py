"""Gene copy number from tumour/normal per-target depth (first version).

Per target: depth normalised by the sample's median target depth (library size), log2 of tumour
over normal, centred on the median of the backbone tiles (off-gene background).  Per gene: the
median over its targets, with the median absolute deviation as spread.  With purity ``p`` the
ratio ``R`` of a gene present in ``C`` copies in tumour cells is ``(p*C + 2*(1-p)) / 2``, so
``C = 2 + 2*(R - 1)/p``.  GC and target-size normalisation and purity estimation come later.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

BACKBONE = "backbone"


@dataclass(frozen=True)
class CallThresholds:
    amplification_copies: float = 6.0
    equivocal_copies: float = 4.0
    loss_copies: float = 1.5
    min_normal_depth: float = 20.0


def target_log2(
    tumour: pd.DataFrame, normal: pd.DataFrame, min_normal_depth: float
) -> pd.DataFrame:
    """Per-target log2 tumour/normal ratio, library-size normalised and background centred."""
    key = ["contig", "start", "end", "target"]
    df = tumour[key + ["chrom", "grch38_start", "grch38_end", "mean_depth"]].merge(
        normal[key + ["mean_depth"]], on=key, suffixes=("_tumour", "_normal"), validate="one_to_one"
    )
    usable = df["mean_depth_normal"] >= min_normal_depth
    t = df["mean_depth_tumour"] / df.loc[usable, "mean_depth_tumour"].median()
    n = df["mean_depth_normal"] / df.loc[usable, "mean_depth_normal"].median()
    with np.errstate(divide="ignore", invalid="ignore"):
        log2 = np.log2(t.clip(lower=1e-3) / n)
    log2[~usable] = np.nan
    background = usable & (df["target"] == BACKBONE)
    centre = log2[background].median() if background.sum() >= 5 else log2[usable].median()
    df["log2_ratio"] = (log2 - centre).round(4)
    df["usable"] = usable
    return df


def copies_from_ratio(ratio: float, purity: float | None) -> float:
    if purity is None:
        return 2 * ratio
    return max(0.0, 2 + 2 * (ratio - 1) / purity)


def call(copies: float | None, t: CallThresholds) -> str:
    if copies is None:
        return "not evaluable"
    if copies >= t.amplification_copies:
        return "amplified"
    if copies >= t.equivocal_copies:
        return "equivocal"
    if copies <= t.loss_copies:
        return "loss"
    return "neutral"


def gene_table(targets: pd.DataFrame, purity: float | None, t: CallThresholds) -> pd.DataFrame:
    rows = []
    genes = targets[(targets["target"] != BACKBONE) & targets["usable"]]
    for gene, grp in genes.groupby("target", sort=True):
        lr = grp["log2_ratio"]
        med = float(lr.median())
        mad = float((lr - med).abs().median())
        copies = copies_from_ratio(2**med, purity) if purity is not None else None
        rows.append(
            {
                "gene": gene,
                "n_targets": int(len(grp)),
                "log2_ratio": round(med, 3),
                "log2_ratio_mad": round(mad, 3),
                "copy_number": None if copies is None else round(copies, 2),
                "call": call(copies, t),
                "purity": purity,
            }
        )
    columns = ["gene", "n_targets", "log2_ratio", "log2_ratio_mad", "copy_number", "call", "purity"]
    return pd.DataFrame(rows, columns=columns)
