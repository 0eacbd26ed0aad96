"""Gene copy number from per-target read depth (``copy_number_from_depth``), step by step:

1. Reference depth: the matched normal, or, for a tumour without one, a pooled reference of the
   cohort's normals (each normal divided by its median target depth, then the per-target median
   across normals; with three or more normals their per-target spread enters the weights).
2. Library size: tumour and reference depths are divided by their median over usable targets
   (targets with at least ``min_normal_depth`` in the reference); log2 tumour / reference.
3. GC content and target size: a robust (Huber) regression of the log2 ratio on target GC
   (quadratic) and log2 target length, *within* genes: one intercept per gene (and per backbone
   contig) absorbs copy number, so the bias curve is learnt from the spread of targets inside
   each gene and never from the genes' copy-number differences.  The fitted bias is removed
   when the three terms are significant (F test, p < 0.01); otherwise nothing is removed.
4. Centring: the median of the backbone tiles (off-gene, diploid background) is log2 0.
5. Gene level: weighted median of the gene's targets (weights: inverse of the Poisson variance
   of both depths plus a systematic floor); standard error from the pooled scale of all
   targets' residuals (or the gene's own scale when larger) and of the centre.
6. Purity: the sample sheet's, else estimated from somatic SNV allele fractions
   (``copynumber.purity.estimate_purity``) with a bootstrap interval, else unknown.
7. Absolute copies and their interval, and 8. calls: ``copynumber.calls``.

Limits: a single-sample depth model cannot tell whole-genome doubling from diploidy (copies are
relative to the background ploidy), nor copy-neutral LOH; focal events smaller than a target
spacing are invisible; the purity estimate needs several clonal somatic SNVs in copy-neutral
regions (see ``copynumber.purity.estimate_purity``).
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from tumorboard.reference.panel import BACKBONE

from .calls import Purity, Settings, gene_table, weighted_median
from .purity import estimate_purity, neutral_snvs

KEY = ["contig", "start", "end", "target"]
READ_LENGTH = 150  # only relative target weights depend on it; the noise scale is estimated
BIAS_P_VALUE = 0.01  # GC/size correction applied when its F test is below this


def gc_content(fasta: str | Path, targets: pd.DataFrame) -> np.ndarray:
    """G+C fraction of each target (``contig``, 0-based ``start``, ``end``), N bases ignored."""
    import pysam

    out = np.full(len(targets), np.nan)
    with pysam.FastaFile(str(fasta)) as fa:
        spans = zip(targets["contig"], targets["start"], targets["end"], strict=True)
        for i, (c, s, e) in enumerate(spans):
            seq = fa.fetch(str(c), int(s), int(e)).upper()
            acgt = sum(seq.count(b) for b in "ACGT")
            if acgt:
                out[i] = (seq.count("G") + seq.count("C")) / acgt
    return out


def pooled_reference(normals: list[pd.DataFrame]) -> pd.DataFrame:
    """Per-target reference depth from one or more normal coverage tables.

    Each normal is divided by its median target depth (library size); the reference is the
    per-target median of these, rescaled to the normals' median library size.  ``raw_depth``
    (median raw depth, for the minimum-depth filter) and, with three or more normals, the
    robust per-target SD of their log2 depths (``log2_sd``) come with it.
    """
    if not normals:
        raise ValueError("copy number needs at least one normal coverage table")
    base = normals[0][KEY].copy()
    raw = []
    for n in normals:
        m = base.merge(n[KEY + ["mean_depth"]], on=KEY, how="left", validate="one_to_one")
        raw.append(m["mean_depth"].to_numpy(float))
    raw = np.vstack(raw)
    lib = np.array([np.nanmedian(r[r > 0]) if (r > 0).any() else np.nan for r in raw])
    norm = raw / lib[:, None]
    with warnings.catch_warnings():  # a normal without coverage: NaN reference, no warning
        warnings.simplefilter("ignore", RuntimeWarning)
        base["depth_reference"] = np.nanmedian(norm, axis=0) * np.nanmedian(lib)
    base["reference_raw_depth"] = np.nanmedian(raw, axis=0)
    base["n_normals"] = len(normals)
    if len(normals) >= 3:
        with np.errstate(divide="ignore"):
            lg = np.log2(np.clip(norm, 1e-3, None))
        dev = np.abs(lg - np.nanmedian(lg, axis=0))
        base["reference_log2_sd"] = 1.4826 * np.nanmedian(dev, axis=0)
    else:
        base["reference_log2_sd"] = np.nan
    return base


def _group_demean(a: np.ndarray, groups: np.ndarray, w: np.ndarray) -> np.ndarray:
    out = np.array(a, dtype=float, copy=True)
    for g in np.unique(groups):
        m = groups == g
        ws = w[m].sum()
        if ws > 0:
            out[m] -= np.average(a[m], axis=0, weights=w[m])
    return out


def _bias_design(gc: np.ndarray, size: np.ndarray) -> np.ndarray:
    g = gc - 0.5
    return np.column_stack([g, g**2, np.log2(np.clip(size, 1, None)) - np.log2(200)])


def fit_bias(
    y: np.ndarray, gc: np.ndarray, size: np.ndarray, groups: np.ndarray, w: np.ndarray
) -> tuple[np.ndarray, float, float]:
    """Robust (Huber) within-group regression of ``y`` on GC (quadratic) and log2 size.

    Returns the coefficients (``_bias_design`` columns), the robust scale of the standardised
    residuals, and the p-value of the F test of the three terms against group means alone
    (with the final Huber weights).  Too little within-group variation gives zeros and p = 1.
    """
    from scipy.stats import f as f_dist

    x = _bias_design(gc, size)
    n, k = x.shape
    n_groups = len(np.unique(groups))
    dof = n - n_groups - k
    beta = np.zeros(k)
    if n < 20 or dof < 10:
        r = _group_demean(y, groups, w) * np.sqrt(w)
        return beta, _robust_scale(r, n, n_groups), 1.0
    h = np.ones(n)
    for _ in range(50):
        ww = w * h
        yc, xc = _group_demean(y, groups, ww), _group_demean(x, groups, ww)
        sw = np.sqrt(ww)
        new, *_ = np.linalg.lstsq(xc * sw[:, None], yc * sw, rcond=None)
        r = (yc - xc @ new) * np.sqrt(w)
        s = _robust_scale(r, n, n_groups + k)
        h = np.ones(n) if s <= 1e-12 else np.minimum(1.0, 1.345 * s / np.maximum(np.abs(r), 1e-12))
        done = np.allclose(new, beta, atol=1e-7)
        beta = new
        if done:
            break
    ww = w * h
    yc, xc = _group_demean(y, groups, ww), _group_demean(x, groups, ww)
    rss1 = float(np.sum(ww * (yc - xc @ beta) ** 2))
    rss0 = float(np.sum(ww * yc**2))
    if rss1 <= 1e-15:
        return beta, s, 0.0 if rss0 > 1e-15 else 1.0
    f_stat = max(0.0, (rss0 - rss1) / k) / (rss1 / dof)
    return beta, s, float(f_dist.sf(f_stat, k, dof))


def _robust_scale(r: np.ndarray, n: int, n_params: int) -> float:
    mad = 1.4826 * float(np.median(np.abs(r - np.median(r)))) if len(r) else 0.0
    return mad * math.sqrt(n / max(1, n - n_params)) if n > n_params else mad


def target_ratios(
    tumour: pd.DataFrame,
    normals: list[pd.DataFrame],
    gc: np.ndarray | None,
    settings: Settings,
) -> tuple[pd.DataFrame, float]:
    """Per-target log2 tumour/reference ratios, normalised and centred (steps 1-4).

    Returns the table and the pooled robust scale of the standardised target residuals."""
    ref = pooled_reference(normals)
    cols = KEY + ["chrom", "grch38_start", "grch38_end", "mean_depth"]
    if gc is not None and len(gc) != len(tumour):
        raise ValueError("GC content and the tumour coverage table differ in length")
    df = tumour[cols].rename(columns={"mean_depth": "depth_tumour"})
    df["gc"] = np.nan if gc is None else np.asarray(gc, dtype=float)
    df = df.merge(ref, on=KEY, how="inner", validate="one_to_one").reset_index(drop=True)
    df["size"] = df["end"] - df["start"]
    usable = (df["reference_raw_depth"] >= settings.min_normal_depth) & (df["size"] > 0)
    df["usable"] = usable
    if not usable.any():
        for c in ("log2_raw", "log2_bias", "log2_ratio", "weight"):
            df[c] = np.nan
        return df, float("nan")

    lib_t = df.loc[usable, "depth_tumour"].median()
    lib_r = df.loc[usable, "depth_reference"].median()
    # an empty target (homozygous deletion in a pure tumour) is floored at half a read of depth
    t = df["depth_tumour"].clip(lower=0.5) / max(lib_t, 0.5)
    r = df["depth_reference"].clip(lower=0.5) / lib_r
    df["log2_raw"] = np.log2(t / r)

    span = (df["size"] + READ_LENGTH) / READ_LENGTH
    reads_t = (df["depth_tumour"] * span).clip(lower=1)
    reads_r = (df["depth_reference"] * span * df["n_normals"]).clip(lower=1)
    var = (1 / math.log(2)) ** 2 * (1 / reads_t + 1 / reads_r) + settings.systematic_sd**2
    var = var + df["reference_log2_sd"].fillna(0) ** 2
    df["weight"] = 1 / var

    groups = np.where(
        df["target"] == BACKBONE, BACKBONE + ":" + df["contig"].astype(str), df["target"]
    )
    fit = usable & np.isfinite(df["log2_raw"]) & (np.isfinite(df["gc"]) | (gc is None))
    m = fit.to_numpy()
    y, w = df["log2_raw"].to_numpy(), df["weight"].to_numpy()
    r0 = _group_demean(y[m], groups[m], w[m]) * np.sqrt(w[m])
    scale = _robust_scale(r0, int(m.sum()), len(np.unique(groups[m])))
    df["log2_bias"] = 0.0
    df.attrs["bias"] = "not applied"
    if settings.bias_correction and gc is not None:
        gcs, sizes = df["gc"].to_numpy(), df["size"].to_numpy()
        beta, scale_fit, p_value = fit_bias(y[m], gcs[m], sizes[m], groups[m], w[m])
        # model selection: keep the correction only when the terms are clearly needed, so a
        # library without GC/size bias is not given a curve fitted to noise
        if p_value < BIAS_P_VALUE:
            x = _bias_design(np.where(np.isfinite(gcs), gcs, np.nanmean(gcs[m])), sizes)
            df["log2_bias"] = (x - np.average(x[m], axis=0, weights=w[m])) @ beta
            df.attrs["bias"] = (
                f"GC {beta[0]:+.3f}, GC^2 {beta[1]:+.3f}, log2 size {beta[2]:+.3f} "
                f"(F test p = {p_value:.1e})"
            )
            scale = scale_fit
        else:
            df.attrs["bias"] = f"not applied (F test p = {p_value:.2g})"
    corrected = df["log2_raw"] - df["log2_bias"]
    bb = usable & (df["target"] == BACKBONE)
    ref_set = bb if bb.sum() >= 5 else usable
    centre = weighted_median(corrected[ref_set].to_numpy(), df.loc[ref_set, "weight"].to_numpy())
    df["log2_ratio"] = corrected - centre
    df.loc[~usable, "log2_ratio"] = np.nan
    df.attrs["centre_se"] = (
        1.2533 * scale / math.sqrt(df.loc[ref_set, "weight"].sum()) if scale == scale else 0.0
    )
    return df, scale


def gene_log2(targets: pd.DataFrame, scale: float) -> pd.DataFrame:
    """Gene-level log2 ratio: weighted median, MAD, standard error (step 5)."""
    rows = []
    centre_se = targets.attrs.get("centre_se", 0.0)
    panel = sorted(set(targets.loc[targets["target"] != BACKBONE, "target"]))
    genes = targets[(targets["target"] != BACKBONE) & targets["usable"]]
    for gene in panel:
        grp = genes[genes["target"] == gene]
        if grp.empty:  # a gene of the panel is reported, never dropped: "not evaluable"
            rows.append(
                {
                    "gene": str(gene),
                    "n_targets": 0,
                    "log2_ratio": math.nan,
                    "log2_ratio_mad": math.nan,
                    "log2_ratio_se": math.nan,
                    "reason": "no usable targets (no coverage, or reference depth below "
                    "copy_number.min_normal_depth)",
                }
            )
            continue
        x, w = grp["log2_ratio"].to_numpy(), grp["weight"].to_numpy()
        est = weighted_median(x, w)
        k = scale if scale == scale else 0.0
        if len(x) >= 5:
            k = max(k, 1.4826 * float(np.median(np.abs((x - est) * np.sqrt(w)))))
        se = math.sqrt((1.2533 * k / math.sqrt(w.sum())) ** 2 + centre_se**2)
        rows.append(
            {
                "gene": str(gene),
                "n_targets": int(len(x)),
                "log2_ratio": est,
                "log2_ratio_mad": float(np.median(np.abs(x - est))),
                "log2_ratio_se": se,
            }
        )
    return pd.DataFrame(
        rows,
        columns=["gene", "n_targets", "log2_ratio", "log2_ratio_mad", "log2_ratio_se", "reason"],
    )


def copy_number_from_depth(
    tumour: pd.DataFrame,
    normals: list[pd.DataFrame],
    gc: np.ndarray | None,
    purity: Purity,
    settings: Settings,
    snvs: pd.DataFrame | None = None,
    matched: bool | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, Purity]:
    """Gene table, per-target table and the purity used (steps 1-8).

    ``snvs`` (``snv_allele_counts``) are used only when ``purity`` has no value.  ``matched``:
    the single normal is the patient's own (default: whenever there is one normal)."""
    targets, scale = target_ratios(tumour, normals, gc, settings)
    genes = gene_log2(targets, scale)
    if purity.value is None and snvs is not None:
        use = neutral_snvs(snvs, targets, genes, settings.neutral_log2)
        purity = estimate_purity(use["alt_reads"], use["depth"], settings)
    n = len(normals)
    if matched is None:
        matched = n == 1
    plural = "normal" if n == 1 else "normals"
    source = (
        "read depth vs matched normal"
        if matched
        else f"read depth vs pooled reference of {n} {plural}"
    )
    table = gene_table(genes, purity, settings, source)
    est = dict(zip(table["gene"], table["log2_ratio"], strict=True))
    targets["gene_log2_ratio"] = targets["target"].map(est)
    for c in ("log2_raw", "log2_bias", "log2_ratio", "gc"):
        targets[c] = targets[c].round(4)
    targets["weight"] = targets["weight"].round(2)
    return table, targets, purity
