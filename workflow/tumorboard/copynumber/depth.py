"""Gene copy number from per-target read depth (``copy_number_from_depth``), step by step:

1. Reference depth: the matched normal, or, for a tumour without one, a pooled reference of the
   cohort's normals (each normal divided by its median target depth, then the per-target median
   across normals; with three or more normals their per-target spread enters the weights).
2. Library size: tumour and reference depths are divided by their median over usable targets
   (targets with at least ``min_normal_depth`` in the reference); log2 tumour / reference.
   Antitarget bins (rows named ``antitarget``: off-target reads, ``copynumber.antitarget``) are
   scaled by their own medians: off-target depth has another scale than on-target depth.
3. GC content and target size: a robust (Huber) regression of the log2 ratio on target GC
   (quadratic) and log2 target length, *within* genes: one intercept per gene (and per backbone
   contig) absorbs copy number, so the bias curve is learnt from the spread of targets inside
   each gene and never from the genes' copy-number differences.  The fitted bias is removed
   when the three terms are significant (F test, p < 0.01); otherwise nothing is removed.
   Antitarget bins get their own fit (one intercept per contig).
4. Centring (``_centre``): the antitarget bins away from the reported genes are the background
   (log2 0), contigs whose median deviates by more than ``neutral_log2`` left out; the on-target
   scale is tied to it by the capture offset, measured on each gene (and backbone contig) as its
   on-target level minus that of its own intronic/flanking antitarget bins, which carry the same
   copy number, so an amplified gene holding most targets cannot become the baseline.  Genes
   copy-neutral on that scale (and backbone tiles) then give the precise on-target centre.  Without
   antitargets: the backbone tiles (with the genes that do not deviate from them).  Fewer than
   ``min_background_bins`` background bins: every gene "not evaluable: too little background".
5. Gene level: weighted median of the gene's targets (weights: inverse of the Poisson variance
   of both depths plus a systematic floor); standard error from the pooled scale of all
   targets' residuals (or the gene's own scale when larger), the centre's error (background
   spread and capture-offset scatter) and the tumour's excess of duplicate-marked reads.
6. Purity: the sample sheet's (with ``sheet_purity_sd`` as its uncertainty), else estimated
   from somatic SNV allele fractions (``copynumber.purity.estimate_purity``) with a bootstrap
   interval, else unknown.
7. Absolute copies and their interval, and 8. calls: ``copynumber.calls``.

Limits: a single-sample depth model cannot tell whole-genome doubling from diploidy (copies are
relative to the background ploidy), nor copy-neutral LOH; focal events smaller than a target
spacing are invisible; the purity estimate needs several clonal somatic SNVs in copy-neutral
regions (see ``copynumber.purity.estimate_purity``).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from tumorboard.reference.panel import BACKBONE

from .antitarget import ANTITARGET
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


def _normalise(
    part: pd.DataFrame, gc: np.ndarray | None, settings: Settings, groups: np.ndarray, anti: bool
) -> tuple[pd.DataFrame, float]:
    """Library size, weights and GC/size correction of one kind of bin (targets, or antitarget
    bins, each on its own: off-target depth has another scale and another bias).  Adds
    ``usable``, ``log2_raw``, ``weight``, ``log2_bias`` and ``log2_corrected``; returns the pooled
    robust scale of the standardised residuals (``nan`` when nothing is usable)."""
    df = part
    if anti:
        # off-target depth is low (a few x): usable when it has reads in the reference and is not
        # far below the typical bin (partly unmappable or N sequence)
        typical = df.loc[df["reference_raw_depth"] > 0, "depth_reference"].median()
        usable = (df["reference_raw_depth"] > 0) & (df["depth_reference"] >= 0.25 * typical)
    else:
        usable = df["reference_raw_depth"] >= settings.min_normal_depth
    usable = usable & (df["size"] > 0)
    df["usable"] = usable
    for c in ("log2_raw", "weight", "log2_bias", "log2_corrected"):
        df[c] = np.nan
    if not usable.any():
        return df, float("nan")
    lib_t = df.loc[usable, "depth_tumour"].median()
    lib_r = df.loc[usable, "depth_reference"].median()
    # an empty target (homozygous deletion in a pure tumour) is floored at half a read of depth
    floor = 0.5 * READ_LENGTH / df["size"].clip(lower=1) if anti else 0.5
    t = np.maximum(df["depth_tumour"], floor) / max(lib_t, 1e-9)
    r = np.maximum(df["depth_reference"], floor) / max(lib_r, 1e-9)
    df["log2_raw"] = np.log2(t / r)

    span = (df["size"] + READ_LENGTH) / READ_LENGTH
    reads_t = (df["depth_tumour"] * span).clip(lower=1)
    reads_r = (df["depth_reference"] * span * df["n_normals"]).clip(lower=1)
    var = (1 / math.log(2)) ** 2 * (1 / reads_t + 1 / reads_r) + settings.systematic_sd**2
    var = var + df["reference_log2_sd"].fillna(0) ** 2
    df["weight"] = 1 / var

    has_gc = gc is not None and np.isfinite(df["gc"]).any()
    fit = usable & np.isfinite(df["log2_raw"]) & (np.isfinite(df["gc"]) | (not has_gc))
    m = fit.to_numpy()
    y, w = df["log2_raw"].to_numpy(), df["weight"].to_numpy()
    r0 = _group_demean(y[m], groups[m], w[m]) * np.sqrt(w[m])
    scale = _robust_scale(r0, int(m.sum()), len(np.unique(groups[m])))
    df["log2_bias"] = 0.0
    note = "not applied"
    if settings.bias_correction and has_gc and m.sum():
        gcs, sizes = df["gc"].to_numpy(), df["size"].to_numpy()
        beta, scale_fit, p_value = fit_bias(y[m], gcs[m], sizes[m], groups[m], w[m])
        # model selection: keep the correction only when the terms are clearly needed, so a
        # library without GC/size bias is not given a curve fitted to noise
        if p_value < BIAS_P_VALUE:
            x = _bias_design(np.where(np.isfinite(gcs), gcs, np.nanmean(gcs[m])), sizes)
            df["log2_bias"] = (x - np.average(x[m], axis=0, weights=w[m])) @ beta
            note = (
                f"GC {beta[0]:+.3f}, GC^2 {beta[1]:+.3f}, log2 size {beta[2]:+.3f} "
                f"(F test p = {p_value:.1e})"
            )
            scale = scale_fit
        else:
            note = f"not applied (F test p = {p_value:.2g})"
    df["log2_corrected"] = df["log2_raw"] - df["log2_bias"]
    df.attrs["bias"] = note
    return df, scale


def _se_median(scale: float, w: np.ndarray) -> float:
    """Standard error of a weighted median of standardised-scale ``scale`` values."""
    return 1.2533 * scale / math.sqrt(w.sum()) if scale == scale and w.sum() > 0 else 0.0


def _wmed(x: pd.Series, w: pd.Series) -> float:
    return weighted_median(x.to_numpy(), w.to_numpy())


def _robust_background(
    y: pd.Series, w: pd.Series, groups: pd.Series, limit: float, rounds: int = 5
) -> tuple[float, list[str], pd.Series]:
    """Centre of background bins that no copy-number change defines: the weighted median of
    all bins, then again without the groups (contigs) whose own median deviates from it by more
    than ``limit`` (log2), until nothing changes.  Returns centre, excluded groups, used mask."""
    use = pd.Series(True, index=y.index)
    centre = _wmed(y, w)
    excluded: list[str] = []
    for _ in range(rounds):
        level = {g: _wmed(y[groups == g], w[groups == g]) for g in groups.unique()}
        out = sorted(g for g, v in level.items() if abs(v - centre) > limit)
        new_use = ~groups.isin(out)
        if not new_use.any():  # everything deviates: no background to trust
            return centre, sorted(level), new_use
        new_centre = _wmed(y[new_use], w[new_use])
        done = out == excluded and math.isclose(new_centre, centre)
        centre, excluded, use = new_centre, out, new_use
        if done:
            break
    return centre, excluded, use


def target_ratios(
    tumour: pd.DataFrame,
    normals: list[pd.DataFrame],
    gc: np.ndarray | None,
    settings: Settings,
) -> tuple[pd.DataFrame, float]:
    """Per-target log2 tumour/reference ratios, normalised and centred (steps 1-4).

    Rows whose ``target`` is ``antitarget`` are off-target bins (``copynumber.antitarget``);
    they are normalised and bias-corrected on their own and make the background.  Returns the
    table (antitarget rows included) and the pooled robust scale of the standardised target
    residuals.  ``attrs``: ``bias``, ``centre_se`` and ``background`` (what the centre rests
    on; ``background["enough"]`` False: too little background for any call)."""
    cols = KEY + ["chrom", "grch38_start", "grch38_end", "mean_depth"]
    if gc is not None and len(gc) != len(tumour):
        raise ValueError("GC content and the tumour coverage table differ in length")
    df = tumour[cols].rename(columns={"mean_depth": "depth_tumour"})
    df["gc"] = np.nan if gc is None else np.asarray(gc, dtype=float)
    df["size"] = df["end"] - df["start"]
    parts, scales = [], {}
    for anti in (False, True):
        sel = (df["target"] == ANTITARGET) == anti
        if not sel.any():
            continue
        ref = pooled_reference([n[(n["target"] == ANTITARGET) == anti] for n in normals])
        part = df[sel].merge(ref, on=KEY, how="inner", validate="one_to_one")
        if anti:
            groups = ANTITARGET + ":" + part["contig"].astype(str).to_numpy()
        else:
            groups = np.where(
                part["target"] == BACKBONE,
                BACKBONE + ":" + part["contig"].astype(str),
                part["target"],
            )
        part, scales[anti] = _normalise(part, gc, settings, np.asarray(groups), anti)
        parts.append(part)
    df = pd.concat(parts, ignore_index=True) if parts else df.iloc[:0]
    bias = " ".join(p.attrs.get("bias", "") for p in parts[:1])
    if len(parts) == 2:
        bias += f"; antitargets: {parts[1].attrs.get('bias', '')}"
    df.attrs["bias"] = bias or "not applied"
    scale = scales.get(False, float("nan"))
    df["log2_ratio"] = np.nan
    centre_se, background = _centre(df, settings, scale, scales.get(True, float("nan")))
    df.attrs["centre_se"] = centre_se
    background["bias"] = df.attrs["bias"]
    df.attrs["background"] = background
    return df, scale


def _neutral_genes(
    df: pd.DataFrame, on: pd.Series, genes: list[str], w: pd.Series, limit: float, se: float
) -> list[str]:
    """The copy-neutral genes on the antitarget-tied scale (``log2_ratio``), for the on-target
    centre.  The genes are grouped by their on-target levels (single linkage: a gap larger than
    ``limit`` splits groups); among the groups whose level is within ``limit + 2 se`` of 0 (the
    tied scale is uncertain by ``se``, large when the off-target reads are few), the one with
    the most genes is the neutral one (ties: the one nearest 0).  A gene's on-target level is
    precise where the tied scale may not be: the antitarget scale only decides which group is
    diploid, and an amplified gene counts as one gene whatever its number of targets.  (Before:
    the genes within ``limit`` of 0 on the tied scale; a shallow background put none there and
    left the centre on the tied scale's error, every diploid gene 2.5 copies.)"""
    level = {}
    for g in genes:
        m = on & (df["target"] == g)
        if m.any():
            level[g] = _wmed(df.loc[m, "log2_ratio"], w[m])
    if not level:
        return []
    if not math.isfinite(se):
        return [g for g, v in level.items() if abs(v) <= limit]
    order = sorted(level, key=lambda g: (level[g], g))
    groups, current = [], [order[0]]
    for a, b in zip(order, order[1:], strict=False):
        if level[b] - level[a] > limit:
            groups.append(current)
            current = []
        current.append(b)
    groups.append(current)
    candidates = []
    for grp in groups:
        m = on & df["target"].isin(grp)
        centre = _wmed(df.loc[m, "log2_ratio"], w[m])
        if abs(centre) <= limit + 2 * se:
            candidates.append((-len(grp), abs(centre), grp))
    return sorted(min(candidates)[2]) if candidates else []


def _centre(df: pd.DataFrame, s: Settings, scale_t: float, scale_a: float) -> tuple[float, dict]:
    """Step 4: put ``log2_ratio`` (in place) on a scale where the diploid background is 0.

    With antitarget bins: the antitarget scale is centred on its background bins (those more
    than ``antitarget_gene_window`` bp from every gene under test), robustly (contigs whose
    median deviates by more than ``neutral_log2`` are left out, repeatedly); the target scale
    is tied to it by the capture offset, the weighted median over genes (and backbone contigs)
    of the gene's on-target level minus the level of the antitarget bins in and around it: both
    carry the gene's copy number, so an amplified or deleted gene gives the same offset as a
    diploid one and never moves the baseline.  On that scale, genes within ``neutral_log2`` of 0
    are copy-neutral: the final on-target centre is the weighted median of their targets and
    the backbone tiles (deep bins, a precise centre), the changed genes left out.  Without
    antitargets (or without a pair to tie the scales), the backbone tiles are the background.
    Fewer than ``min_background_bins`` background bins: too little background (``enough``
    False)."""
    on = df["usable"] & ~df["target"].isin([ANTITARGET])
    at = df["usable"] & (df["target"] == ANTITARGET)
    bb = on & (df["target"] == BACKBONE)
    genes = sorted(set(df.loc[df["target"] != ANTITARGET, "target"]) - {BACKBONE})
    y, w = df["log2_corrected"], df["weight"]
    info: dict = {
        "mode": "none",
        "antitarget_bins": int((df["target"] == ANTITARGET).sum()),
        "antitarget_bins_used": 0,
        "backbone_tiles": int((df["target"] == BACKBONE).sum()),
        "backbone_tiles_used": int(bb.sum()),
        "excluded": [],
        "offset_pairs": 0,
        "min_background_bins": s.min_background_bins,
    }
    # antitarget bins in and around a gene under test share its copy number
    near = pd.Series(False, index=df.index)
    locus = pd.Series("", index=df.index, dtype=object)
    for g in genes:
        for contig, t in df[df["target"] == g].groupby("contig"):
            lo, hi = t["start"].min() - s.antitarget_gene_window, t["end"].max()
            m = at & (df["contig"] == contig) & (df["end"] > lo)
            m &= df["start"] < hi + s.antitarget_gene_window
            near |= m
            locus[m] = g
    background = at & ~near
    centre_se = 0.0
    if background.sum() >= s.min_background_bins:
        contig = df["contig"].astype(str)
        c_a, excluded, used = _robust_background(
            y[background], w[background], contig[background], s.neutral_log2
        )
        used_idx = used[used].index
        se_a = _se_median(scale_a, w[used_idx])
        pairs = []  # (offset, variance)
        for g in genes:
            t_m, a_m = on & (df["target"] == g), locus == g
            if t_m.sum() and a_m.sum():
                pairs.append(
                    (
                        _wmed(y[t_m], w[t_m]) - _wmed(y[a_m], w[a_m]),
                        _se_median(scale_t, w[t_m]) ** 2 + _se_median(scale_a, w[a_m]) ** 2,
                    )
                )
        for c in sorted(set(df.loc[bb, "contig"])):
            t_m = bb & (df["contig"] == c)
            a_m = background & (df["contig"] == c)
            if a_m.sum():
                pairs.append(
                    (
                        _wmed(y[t_m], w[t_m]) - _wmed(y[a_m], w[a_m]),
                        _se_median(scale_t, w[t_m]) ** 2 + _se_median(scale_a, w[a_m]) ** 2,
                    )
                )
        if len(used_idx) >= s.min_background_bins and pairs:
            d = np.array([p[0] for p in pairs])
            v = np.maximum(np.array([p[1] for p in pairs]), 1e-8)
            offset = weighted_median(d, 1 / v)
            se_d = 1.2533 * math.sqrt(1 / (1 / v).sum())
            if len(d) >= 3:  # offsets scatter more than their errors: the scatter counts
                mad = float(np.median(np.abs(d - offset)))
                se_d = max(se_d, 1.2533 * 1.4826 * mad / math.sqrt(len(d)))
            se = math.sqrt(se_a**2 + se_d**2)
            df.loc[on, "log2_ratio"] = y[on] - offset - c_a
            df.loc[at, "log2_ratio"] = y[at] - c_a
            # refinement: the antitarget scale says which genes are copy-neutral; their targets
            # and the backbone tiles (deep on-target bins) then give a more precise centre
            neutral = _neutral_genes(df, on, genes, w, s.neutral_log2, se)
            changed = [g for g in genes if g not in neutral and (on & (df["target"] == g)).any()]
            levels = [_wmed(y[m], w[m]) for g in neutral for m in [on & (df["target"] == g)]]
            for c in sorted(set(df.loc[bb, "contig"])):
                m = bb & (df["contig"] == c)
                levels.append(_wmed(y[m], w[m]))
            ref = bb | (on & df["target"].isin(neutral))
            if ref.any():
                c_t = _wmed(y[ref], w[ref])
                se_t = _se_median(scale_t, w[ref])
                if len(levels) >= 3:  # genes and contigs scatter more than their targets
                    mad = float(np.median(np.abs(np.array(levels) - c_t)))
                    se_t = max(se_t, 1.2533 * 1.4826 * mad / math.sqrt(len(levels)))
                df.loc[on, "log2_ratio"] = y[on] - c_t
                se = se_t
            info.update(
                mode="antitargets",
                antitarget_bins_used=len(used_idx),
                excluded=[f"contig {c}" for c in excluded] + [f"gene {g}" for g in changed],
                offset_pairs=len(pairs),
                capture_offset_log2=round(offset, 4),
                genes_in_background=neutral if ref.any() else [],
                enough=True,
            )
            return se, info
        info["excluded"] = [f"contig {c}" for c in excluded]
    # backbone tiles (and genes under test that do not deviate from them) as the background
    if bb.sum() >= s.min_background_bins:
        c0 = _wmed(y[bb], w[bb])
        ref, excluded = bb.copy(), []
        for g in genes:
            m = on & (df["target"] == g)
            if m.sum() and abs(_wmed(y[m], w[m]) - c0) <= s.neutral_log2:
                ref |= m
            elif m.sum():
                excluded.append(g)
        centre = _wmed(y[ref], w[ref])
        df.loc[on, "log2_ratio"] = y[on] - centre
        if at.any():
            df.loc[at, "log2_ratio"] = y[at] - _wmed(y[at], w[at])
        info.update(mode="backbone", excluded=info["excluded"] + excluded, enough=True)
        info["genes_in_background"] = sorted(set(df.loc[ref & ~bb, "target"]))
        return _se_median(scale_t, w[ref]), info
    info["enough"] = False
    return centre_se, info


def gene_log2(targets: pd.DataFrame, scale: float, duplicates: float = 0.0) -> pd.DataFrame:
    """Gene-level log2 ratio: weighted median, MAD, standard error (step 5).

    The standard error holds the gene's own noise, the centre's (``attrs["centre_se"]``) and a
    duplicate-marking term.  ``duplicates``: the tumour's excess fraction of reads marked
    duplicate over the normal's.  Duplicates at a uniform rate are scaled away with the library
    size, but chance fragment collisions grow with depth, so a gene at ``r`` times the tumour's
    typical depth may lose up to ``duplicates * r`` of its reads against ``duplicates`` for the
    background: |log2((1 - duplicates*r) / (1 - duplicates))| enters as a systematic SD (issue
    13: 8.3% of an amplified gene's tumour reads removed against 1.6% in the normal)."""
    rows = []
    centre_se = targets.attrs.get("centre_se", 0.0)
    background = targets.attrs.get("background", {})
    thin = background.get("enough") is False
    kinds = targets["target"].isin([BACKBONE, ANTITARGET])
    panel = sorted(set(targets.loc[~kinds, "target"]))
    genes = targets[~kinds & targets["usable"]]
    for gene in panel:
        grp = genes[genes["target"] == gene]
        reason = None
        if grp.empty:  # a gene of the panel is reported, never dropped: "not evaluable"
            reason = (
                "no usable targets (no coverage, or reference depth below "
                "copy_number.min_normal_depth)"
            )
        elif thin:
            reason = (
                f"too little background: {background.get('antitarget_bins_used', 0)} antitarget "
                f"bins and {background.get('backbone_tiles_used', 0)} backbone tiles usable "
                f"(at least {background.get('min_background_bins')} needed; "
                "copy_number.min_background_bins)"
            )
        if reason:
            rows.append(
                {
                    "gene": str(gene),
                    "n_targets": int(len(grp)),
                    "log2_ratio": math.nan,
                    "log2_ratio_mad": math.nan,
                    "log2_ratio_se": math.nan,
                    "reason": reason,
                }
            )
            continue
        x, w = grp["log2_ratio"].to_numpy(), grp["weight"].to_numpy()
        est = weighted_median(x, w)
        k = scale if scale == scale else 0.0
        if len(x) >= 5:
            k = max(k, 1.4826 * float(np.median(np.abs((x - est) * np.sqrt(w)))))
        lost = min(0.9, duplicates * 2.0**est)
        dup = abs(math.log2((1 - lost) / (1 - min(0.9, duplicates)))) if duplicates else 0.0
        se = math.sqrt((1.2533 * k / math.sqrt(w.sum())) ** 2 + centre_se**2 + dup**2)
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


def sheet_interval(purity: Purity, settings: Settings) -> Purity:
    """A sample-sheet purity (a pathologist's estimate) with the stated uncertainty
    ``settings.sheet_purity_sd`` as its interval (at ``settings.confidence``), within 0.01-1."""
    from scipy.stats import norm

    if purity.source != "sample sheet" or purity.value is None or settings.sheet_purity_sd <= 0:
        return purity
    if purity.ci_low != purity.value or purity.ci_high != purity.value:
        return purity
    half = float(norm.ppf(0.5 + settings.confidence / 2)) * settings.sheet_purity_sd
    return replace(
        purity,
        ci_low=round(max(0.01, purity.value - half), 4),
        ci_high=round(min(1.0, purity.value + half), 4),
    )


def copy_number_from_depth(
    tumour: pd.DataFrame,
    normals: list[pd.DataFrame],
    gc: np.ndarray | None,
    purity: Purity,
    settings: Settings,
    snvs: pd.DataFrame | None = None,
    matched: bool | None = None,
    duplicates: tuple[float, float] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, Purity]:
    """Gene table, per-target table and the purity used (steps 1-8).

    ``tumour`` and each of ``normals`` are coverage tables (``contig``, ``start``, ``end``,
    ``target``, ``chrom``, ``grch38_start``, ``grch38_end``, ``mean_depth``); rows whose
    ``target`` is ``antitarget`` are off-target bins (``copynumber.antitarget``, depth from the
    same BAM), the background the ratios are centred on; ``gc`` covers every row.  Without
    antitarget rows the backbone tiles are the background (at least
    ``settings.min_background_bins`` of either, else every gene is "not evaluable: too little
    background").  ``snvs`` (``snv_allele_counts``) are used only when ``purity`` has no value.
    ``matched``: the single normal is the patient's own (default: whenever there is one
    normal).  ``duplicates``: fractions of reads marked duplicate in the tumour and in the
    normal(s) (``duplicate_fraction``); the tumour's excess widens the intervals
    (``gene_log2``).  A sample-sheet purity without an interval is given one of
    +/- ``settings.sheet_purity_sd`` (as an SD).
    The per-target table's ``attrs["background"]`` says what the centre rests on."""
    targets, scale = target_ratios(tumour, normals, gc, settings)
    dup = 0.0
    if duplicates is not None:
        dup = min(max(float(duplicates[0]) - float(duplicates[1]), 0.0), 0.9)
    targets.attrs["background"]["duplicate_excess"] = round(dup, 4)
    genes = gene_log2(targets, scale, dup)
    if purity.value is None and snvs is not None:
        use = neutral_snvs(snvs, targets, genes, settings.neutral_log2)
        purity = estimate_purity(use["alt_reads"], use["depth"], settings)
    purity = sheet_interval(purity, settings)
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
