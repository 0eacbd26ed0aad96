"""Gene copy number from per-target read depth, or from external copy-number segments.

Read depth (``copy_number_from_depth``), step by step:

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
   (``estimate_purity``) with a bootstrap interval, else unknown.
7. Absolute copies in tumour cells, assuming a diploid background and a normal-cell admixture of
   ``1 - p``: depth ratio ``R = (p*C + 2*(1 - p)) / 2``, so ``C = 2 + 2*(R - 1)/p``.  The interval
   combines the ratio's and the purity's.
8. Calls (``call_gene``): amplified / equivocal / neutral / loss / homozygous deletion from the
   configured thresholds, or "not evaluable" with the reason (purity unknown or too low, too few
   targets, or an interval that does not support the call).

External segments (``read_segments`` + ``genes_from_segments``): PCGR CNA TSV with absolute
allele-specific copies (``nMajor``/``nMinor``) or a log2 ``Segment_Mean``.

Limits: a single-sample depth model cannot tell whole-genome doubling from diploidy (copies are
relative to the background ploidy), nor copy-neutral LOH; focal events smaller than a target
spacing are invisible; the purity estimate needs several clonal somatic SNVs in copy-neutral
regions (see ``estimate_purity``).
"""

from __future__ import annotations

import csv
import math
import warnings
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd

BACKBONE = "backbone"
KEY = ["contig", "start", "end", "target"]
READ_LENGTH = 150  # only relative target weights depend on it; the noise scale is estimated
BIAS_P_VALUE = 0.01  # GC/size correction applied when its F test is below this
GENE_COLUMNS = [
    "gene",
    "n_targets",
    "log2_ratio",
    "log2_ratio_mad",
    "copy_number",
    "call",
    "purity",
    "log2_ratio_se",
    "copy_number_ci_low",
    "copy_number_ci_high",
    "reason",
    "purity_source",
    "purity_ci_low",
    "purity_ci_high",
    "source",
]
CALLS = ("amplified", "equivocal", "neutral", "loss", "homozygous deletion", "not evaluable")


@dataclass(frozen=True)
class Settings:
    """Thresholds and options; defaults and documentation live in the config schema."""

    amplification_copies: float = 6.0  # HER2: >= 6 copies per cell (ASCO/CAP 2018)
    equivocal_copies: float = 4.0  # 4 to < 6 equivocal (ASCO/CAP 2013 HER2 ISH)
    loss_copies: float = 1.5  # half-way between one and two copies
    homozygous_deletion_copies: float = 0.5  # half-way between none and one copy
    min_normal_depth: float = 20.0
    min_targets: int = 3
    min_purity: float = 0.2
    confidence: float = 0.95
    bias_correction: bool = True
    systematic_sd: float = 0.05
    neutral_log2: float = 0.2
    purity_min_snvs: int = 3
    purity_min_depth: int = 50
    purity_bootstrap: int = 1000
    seed: int = 1

    @classmethod
    def from_config(cls, cfg: dict) -> Settings:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in cfg.items() if k in names})


# Kept for callers of the first version.
CallThresholds = Settings


@dataclass(frozen=True)
class Purity:
    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    source: str = "unknown"  # "sample sheet", "somatic SNV allele fractions", "unknown"
    n_snvs: int = 0
    note: str = ""

    @classmethod
    def from_sheet(cls, value: float | None) -> Purity:
        if value is None:
            return cls(None, note="tumour purity not given in the sample sheet")
        return cls(float(value), float(value), float(value), "sample sheet")


# --------------------------------------------------------------------------- depth -> ratios


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


def _weighted_median(x: np.ndarray, w: np.ndarray) -> float:
    order = np.argsort(x)
    x, w = x[order], w[order]
    cw = np.cumsum(w)
    half = cw[-1] / 2
    i = int(np.searchsorted(cw, half))
    if i < len(x) - 1 and math.isclose(cw[i], half):
        return float((x[i] + x[i + 1]) / 2)
    return float(x[i])


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
    centre = _weighted_median(corrected[ref_set].to_numpy(), df.loc[ref_set, "weight"].to_numpy())
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
        est = _weighted_median(x, w)
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


# --------------------------------------------------------------------------- purity


def copies_from_ratio(ratio: float, purity: float | None) -> float:
    """Absolute copies in tumour cells from a depth ratio (diploid background, purity ``p``)."""
    if purity is None:
        return 2 * ratio
    return max(0.0, 2 + 2 * (ratio - 1) / purity)


def ratio_from_copies(copies: float, purity: float) -> float:
    return (purity * copies + 2 * (1 - purity)) / 2


def snv_allele_counts(vcf: str | Path) -> pd.DataFrame:
    """PASS single-nucleotide somatic calls with FORMAT AD of the first (tumour) sample."""
    import pysam

    rows = []
    with pysam.VariantFile(str(vcf)) as fh:
        if not list(fh.header.samples) or "AD" not in fh.header.formats:
            return pd.DataFrame(columns=["contig", "pos", "alt_reads", "depth"])
        sample = list(fh.header.samples)[0]
        for rec in fh:
            if list(rec.filter.keys()) != ["PASS"] or not rec.alts:
                continue
            if len(rec.ref) != 1 or len(rec.alts[0]) != 1:
                continue
            ad = rec.samples[sample].get("AD")
            if not ad or any(a is None for a in ad[:2]):
                continue
            rows.append((rec.contig, rec.pos, int(ad[1]), int(sum(a or 0 for a in ad))))
    return pd.DataFrame(rows, columns=["contig", "pos", "alt_reads", "depth"])


# mixture weights: clonal heterozygous, subclonal (VAF uniform below the clonal peak), other
# (uniform on 0-1: LOH, gains, germline leaking through, artefacts)
_MIXTURE = (0.6, 0.3, 0.1)
_PURITY_GRID = np.round(np.arange(0.05, 1.0 + 1e-9, 0.005), 3)


def _purity_loglik(alt: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """log-likelihood of each SNV (columns) at each purity of the grid (rows)."""
    from scipy.stats import beta, binom

    p = _PURITY_GRID[:, None] / 2
    a, n = alt[None, :], depth[None, :]
    clonal = binom.pmf(a, n, p)
    sub = beta.cdf(p, a + 1, n - a + 1) / ((n + 1) * p)
    other = 1.0 / (n + 1)
    wc, ws, wo = _MIXTURE
    return np.log(wc * clonal + ws * sub + wo * other)


def estimate_purity(
    alt: np.ndarray | list[int], depth: np.ndarray | list[int], settings: Settings
) -> Purity:
    """Purity from somatic SNV allele fractions in copy-neutral regions.

    A clonal heterozygous SNV in a diploid region has VAF ``p/2``.  Each SNV is modelled as
    clonal (binomial at ``p/2``), subclonal (VAF uniform on 0..``p/2``) or other (uniform on
    0..1); the maximum-likelihood ``p`` on a 0.005 grid is the estimate, and the SNVs are
    bootstrapped for the interval.  With few SNVs the interval is wide and honest about it; a
    truncal LOH mutation or germline leak-through pulls the estimate up, which makes the
    copy-number estimates conservative (closer to 2), never more extreme.
    """
    alt, depth = np.asarray(alt, dtype=float), np.asarray(depth, dtype=float)
    keep = (depth >= settings.purity_min_depth) & (alt > 0)
    alt, depth = alt[keep], depth[keep]
    n = len(alt)
    if n < settings.purity_min_snvs:
        return Purity(
            None,
            source="unknown",
            n_snvs=n,
            note=(
                f"tumour purity not given and not estimable: {n} usable somatic SNVs in "
                f"copy-neutral regions (at least {settings.purity_min_snvs} needed)"
            ),
        )
    ll = _purity_loglik(alt, depth)
    best = float(_PURITY_GRID[int(np.argmax(ll.sum(axis=1)))])
    rng = np.random.default_rng(settings.seed)
    boots = []
    for _ in range(settings.purity_bootstrap):
        idx = rng.integers(0, n, n)
        boots.append(_PURITY_GRID[int(np.argmax(ll[:, idx].sum(axis=1)))])
    tail = (1 - settings.confidence) / 2
    lo, hi = np.quantile(boots, [tail, 1 - tail]) if boots else (best, best)
    return Purity(
        best,
        float(min(lo, best)),
        float(max(hi, best)),
        "somatic SNV allele fractions",
        n,
        f"estimated from {n} somatic SNVs (clonal-peak mixture model, bootstrap interval)",
    )


def neutral_snvs(snvs: pd.DataFrame, targets: pd.DataFrame, genes: pd.DataFrame, limit: float):
    """SNVs inside targets of copy-neutral genes (|log2| <= ``limit``) or backbone tiles."""
    if snvs.empty:
        return snvs
    neutral = set(genes.loc[genes["log2_ratio"].abs() <= limit, "gene"]) | {BACKBONE}
    tg = targets[targets["target"].isin(neutral) & targets["usable"]]
    keep = []
    for i, s in snvs.iterrows():
        hit = tg[(tg["contig"] == s["contig"]) & (tg["start"] < s["pos"]) & (tg["end"] >= s["pos"])]
        if not hit.empty:
            keep.append(i)
    return snvs.loc[keep]


# --------------------------------------------------------------------------- calls


def _band(copies: float, s: Settings) -> str:
    if copies >= s.amplification_copies:
        return "amplified"
    if copies >= s.equivocal_copies:
        return "equivocal"
    if copies <= s.homozygous_deletion_copies:
        return "homozygous deletion"
    if copies <= s.loss_copies:
        return "loss"
    return "neutral"


def format_copies(copies: float, s: Settings) -> str:
    """One decimal, or two where one would round across a call threshold (5.96 copies is
    equivocal under a 6-copy threshold and must not read "6.0")."""
    text = f"{copies:.1f}"
    return text if _band(float(text), s) == _band(copies, s) else f"{copies:.2f}"


def call(copies: float | None, s: Settings) -> str:
    """Category of a point estimate (no uncertainty); ``None`` is not evaluable."""
    return "not evaluable" if copies is None else _band(copies, s)


def call_gene(
    copies: float | None,
    ci: tuple[float, float] | None,
    n_targets: int,
    purity: Purity,
    s: Settings,
    absolute: bool = False,
) -> tuple[str, str]:
    """(call, reason).  The interval must support the call:

    * amplified needs the lower bound at or above the equivocal threshold;
    * neutral, loss and homozygous deletion need the upper bound below the amplification
      threshold (an amplification that cannot be excluded is not a negative result);
    * homozygous deletion needs the upper bound at or below the loss threshold, a loss the upper
      bound below two copies, and neutral the lower bound above the homozygous-deletion
      threshold.

    ``absolute``: copies come already purity-adjusted (external segments), so an unknown purity
    does not stop the call; a known purity below the minimum still does.
    """
    if purity.value is None and not absolute:
        return "not evaluable", purity.note or "tumour purity unknown: copies cannot be estimated"
    if purity.value is not None and purity.value < s.min_purity:
        return "not evaluable", (
            f"tumour purity {purity.value:.0%} is below the {s.min_purity:.0%} needed for "
            "copy-number calls"
        )
    if n_targets < s.min_targets:
        return "not evaluable", f"{n_targets} usable targets (at least {s.min_targets} needed)"
    if copies is None:
        return "not evaluable", "no estimate"
    band = _band(copies, s)
    lo, hi = ci if ci is not None else (copies, copies)
    where = f"{format_copies(copies, s)} copies, {s.confidence:.0%} interval {lo:.1f}-{hi:.1f}"
    if band == "amplified" and lo < s.equivocal_copies:
        return "not evaluable", f"{where}: too uncertain to call an amplification"
    if band not in ("amplified", "equivocal") and hi >= s.amplification_copies:
        return "not evaluable", f"{where}: an amplification cannot be excluded"
    if band == "homozygous deletion" and hi > s.loss_copies:
        return "not evaluable", f"{where}: a homozygous deletion is not confirmed"
    if band == "neutral" and lo <= s.homozygous_deletion_copies:
        return "not evaluable", f"{where}: a homozygous deletion cannot be excluded"
    if band == "loss" and hi >= 2:
        return "not evaluable", f"{where}: a loss is not confirmed (two copies not excluded)"
    if band == "loss" and lo <= s.homozygous_deletion_copies:
        return "loss", f"{where}: a homozygous deletion is not excluded"
    if band == "equivocal":
        return "equivocal", where
    return band, ""


def copies_interval(
    log2: float, se: float, purity: Purity, confidence: float
) -> tuple[float, float, float]:
    """Point estimate and interval of absolute copies (ratio and purity uncertainty)."""
    from scipy.stats import norm

    z = float(norm.ppf(0.5 + confidence / 2))
    p = purity.value
    lo_p = purity.ci_low if purity.ci_low is not None else p
    hi_p = purity.ci_high if purity.ci_high is not None else p
    ratios = (2 ** (log2 - z * se), 2 ** (log2 + z * se))
    corners = [copies_from_ratio(r, q) for r in ratios for q in (lo_p, hi_p)]
    return copies_from_ratio(2**log2, p), min(corners), max(corners)


def _gene_row(r: dict, purity: Purity, s: Settings, source: str) -> dict:
    """One output row from a gene estimate ``r`` (log2 with its SE, or absolute ``copies``)."""
    absolute = _rnd(r.get("copies"), 6) is not None
    copies = ci = None
    if absolute:
        copies = float(r["copies"])
    elif purity.value is not None and _rnd(r.get("log2_ratio_se"), 6) is not None:
        copies, lo, hi = copies_interval(r["log2_ratio"], r["log2_ratio_se"], purity, s.confidence)
        ci = (lo, hi)
    given = r.get("reason")
    if isinstance(given, str) and given:  # (a missing reason is NaN in a DataFrame row)
        label, reason = "not evaluable", given
    else:
        label, reason = call_gene(copies, ci, int(r["n_targets"]), purity, s, absolute)
    return {
        "gene": r["gene"],
        "n_targets": int(r["n_targets"]),
        "log2_ratio": _rnd(r.get("log2_ratio"), 3),
        "log2_ratio_mad": _rnd(r.get("log2_ratio_mad"), 3),
        "copy_number": None if copies is None else round(copies, 2),
        "call": label,
        "purity": purity.value,
        "log2_ratio_se": _rnd(r.get("log2_ratio_se"), 4),
        "copy_number_ci_low": None if ci is None else round(ci[0], 2),
        "copy_number_ci_high": None if ci is None else round(ci[1], 2),
        "reason": reason,
        "purity_source": purity.source,
        "purity_ci_low": purity.ci_low,
        "purity_ci_high": purity.ci_high,
        "source": source,
    }


def _finish(genes: pd.DataFrame, purity: Purity, s: Settings, source: str) -> pd.DataFrame:
    rows = [_gene_row(r, purity, s, source) for r in genes.to_dict("records")]
    return pd.DataFrame(rows, columns=GENE_COLUMNS)


def _rnd(x, nd):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), nd)


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
    table = _finish(genes, purity, settings, source)
    est = dict(zip(table["gene"], table["log2_ratio"], strict=True))
    targets["gene_log2_ratio"] = targets["target"].map(est)
    for c in ("log2_raw", "log2_bias", "log2_ratio", "gc"):
        targets[c] = targets[c].round(4)
    targets["weight"] = targets["weight"].round(2)
    return table, targets, purity


# --------------------------------------------------------------------------- external segments


def _chrom(c) -> str:
    c = str(c).strip()
    return c if c.startswith("chr") else f"chr{c}"


def read_segments(path: str | Path) -> pd.DataFrame:
    """PCGR copy-number segments: ``Chromosome Start End nMajor nMinor`` (absolute copies,
    PCGR >= 2) or ``Chromosome Start End Segment_Mean`` (log2 ratio, PCGR 1.x); 1-based,
    closed.  Returns ``chrom start end`` plus ``copies`` or ``log2``."""
    df = pd.read_csv(path, sep="\t", comment="#", dtype={"Chromosome": str})
    cols = set(df.columns)
    if not {"Chromosome", "Start", "End"} <= cols:
        raise ValueError(
            f"{path}: expected columns Chromosome, Start, End and nMajor+nMinor or Segment_Mean"
        )
    out = pd.DataFrame(
        {
            "chrom": df["Chromosome"].map(_chrom),
            "start": df["Start"].astype(int),
            "end": df["End"].astype(int),
        }
    )
    if {"nMajor", "nMinor"} <= cols:
        out["copies"] = (df["nMajor"] + df["nMinor"]).astype(float)
    elif "Segment_Mean" in cols:
        out["log2"] = df["Segment_Mean"].astype(float)
    else:
        raise ValueError(f"{path}: neither nMajor/nMinor nor Segment_Mean columns")
    bad = out[out["end"] < out["start"]]
    if not bad.empty:
        r = bad.iloc[0]
        raise ValueError(
            f"{path}: segment {r['chrom']}:{r['start']}-{r['end']} ends before it starts"
        )
    return out


def read_targets_grch38(path: str | Path) -> pd.DataFrame:
    """Panel targets in GRCh38 (``targets.grch38.bed``, BED4, 0-based)."""
    with open(path) as fh:
        rows = [r for r in csv.reader(fh, delimiter="\t") if r and not r[0].startswith("#")]
    return pd.DataFrame(
        [(r[0], int(r[1]), int(r[2]), r[3]) for r in rows],
        columns=["chrom", "start", "end", "target"],
    )


def genes_from_segments(
    segments: pd.DataFrame,
    targets: pd.DataFrame,
    purity: Purity,
    settings: Settings,
    source: str = "external segments",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Gene calls from the segments overlapping each gene's panel targets (GRCh38, BED).

    Each target takes the segment covering most of it; a gene takes the target-length-weighted
    median.  Absolute copies are used as given (the segmenting tool adjusted for purity and
    ploidy); a log2 ``Segment_Mean`` is purity-adjusted like a depth ratio (no interval).  The
    log2 ratio shown for absolute copies is the one expected at the sample's purity (100% when
    unknown), floored at -5.
    """
    absolute = "copies" in segments.columns
    p = purity.value if purity.value is not None else 1.0
    rows = []
    for t in targets.to_dict("records"):
        seg = segments[
            (segments["chrom"] == t["chrom"])
            & (segments["start"] <= t["end"])
            & (segments["end"] > t["start"])
        ]
        best, overlap = None, 0
        for sg in seg.to_dict("records"):
            ov = min(sg["end"], t["end"]) - max(sg["start"], t["start"] + 1) + 1
            if ov > overlap:
                best, overlap = sg, ov
        row = {**t, "grch38_start": t["start"] + 1, "grch38_end": t["end"]}
        row["usable"] = best is not None
        row["segment"] = "" if best is None else f"{best['chrom']}:{best['start']}-{best['end']}"
        row["segment_copies"] = best["copies"] if best is not None and absolute else np.nan
        if best is None:
            row["log2_ratio"] = np.nan
        elif absolute:
            ratio = ratio_from_copies(best["copies"], p)
            row["log2_ratio"] = max(-5.0, math.log2(ratio)) if ratio > 0 else -5.0
        else:
            row["log2_ratio"] = float(best["log2"])
        rows.append(row)
    tt = pd.DataFrame(rows)
    estimates = []
    for gene, grp in tt[tt["target"] != BACKBONE].groupby("target", sort=True):
        ok = grp[grp["usable"]]
        if ok.empty:
            estimates.append(
                {
                    "gene": gene,
                    "n_targets": 0,
                    "log2_ratio": 0.0,
                    "log2_ratio_mad": 0.0,
                    "reason": f"no segment covers {gene}",
                }
            )
            continue
        size = (ok["end"] - ok["start"]).to_numpy(float)
        lr = _weighted_median(ok["log2_ratio"].to_numpy(float), size)
        est = {
            "gene": gene,
            "n_targets": int(len(ok)),
            "log2_ratio": lr,
            "log2_ratio_mad": float(np.median(np.abs(ok["log2_ratio"] - lr))),
            "log2_ratio_se": 0.0,
        }
        if absolute:
            est["copies"] = _weighted_median(ok["segment_copies"].to_numpy(float), size)
        estimates.append(est)
    table = pd.DataFrame(
        [_gene_row(e, purity, settings, source) for e in estimates], columns=GENE_COLUMNS
    )
    if absolute and purity.value is None:
        table["purity_source"] = "not needed (absolute copies from the segments)"
    tt["gene_log2_ratio"] = tt["target"].map(
        dict(zip(table["gene"], table["log2_ratio"], strict=True))
    )
    return table, tt


# --------------------------------------------------------------------------- figure


def profile_points(targets: pd.DataFrame) -> list[dict]:
    """Per-target points for the findings JSON (and ``profile_figure``), in panel order."""
    df = targets[targets["log2_ratio"].notna()].copy()
    df["_chr"] = df["chrom"].str.removeprefix("chr").map(lambda c: int(c) if c.isdigit() else 99)
    df = df.sort_values(["_chr", "grch38_start"])
    return [
        {
            "target": str(r["target"]),
            "chrom": str(r["chrom"]),
            "start": int(r["grch38_start"]),
            "log2_ratio": round(float(r["log2_ratio"]), 3),
        }
        for r in df.to_dict("records")
    ]


def profile_figure(points: list[dict], genes: list[dict], purity: float | None, s: Settings):
    """Figure (matplotlib, no pyplot): log2 ratio per target along the panel, genes labelled,
    the gene estimates as bars, and the log2 ratios the call thresholds correspond to at this
    purity (100% assumed when unknown)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 3.8))
    ax = fig.add_subplot()
    if not points:
        ax.text(
            0.5, 0.5, "No copy-number targets", ha="center", va="center", transform=ax.transAxes
        )
        ax.set_xticks([])
        ax.set_yticks([])
        return fig
    p = 1.0 if purity is None else purity
    basis = "purity unknown, 100% assumed" if purity is None else f"purity {purity:.0%}"
    x = np.arange(len(points))
    y = np.array([pt["log2_ratio"] for pt in points])
    names = [pt["target"] for pt in points]
    bb = np.array([n == BACKBONE for n in names])
    ax.scatter(x[bb], y[bb], s=9, color="0.65", label="backbone tile", zorder=2)
    ax.scatter(x[~bb], y[~bb], s=12, color="black", label="gene target", zorder=3)
    est = {g["gene"]: g for g in genes}
    start, n_label = 0, 0
    for i in range(1, len(names) + 1):
        if i == len(names) or names[i] != names[start]:
            if names[start] != BACKBONE:
                g = est.get(names[start])
                if g is not None:
                    ax.hlines(g["log2_ratio"], start - 0.4, i - 0.6, color="black", linewidth=2.2)
                # two label rows, so that neighbouring small genes do not overprint
                label = names[start]
                if g is not None and g.get("call") not in (None, "neutral"):
                    label += f"\n{g['call']}"
                ax.text(
                    (start + i - 1) / 2,
                    1.01 + 0.13 * (n_label % 2),
                    label,
                    transform=ax.get_xaxis_transform(),
                    ha="center",
                    va="bottom",
                    fontsize=8,
                )
                n_label += 1
            ax.axvline(i - 0.5, color="0.85", linewidth=0.6, zorder=1)
            start = i
    levels = [
        (s.amplification_copies, "--", "amplified"),
        (s.equivocal_copies, "-.", "equivocal"),
        (s.loss_copies, ":", "loss"),
        (s.homozygous_deletion_copies, (0, (6, 2, 1, 2, 1, 2)), "homozygous deletion"),
    ]
    handles = []
    from matplotlib.lines import Line2D

    lows = [y.min()]
    for copies, style, label in levels:
        r = ratio_from_copies(copies, p)
        if r <= 0:
            continue
        lv = math.log2(r)
        lows.append(lv)
        ax.axhline(lv, color="black", linestyle=style, linewidth=0.9)
        handles.append(
            Line2D(
                [],
                [],
                color="black",
                linestyle=style,
                label=f"{label}: {copies:g} copies, log2 {lv:+.2f}",
            )
        )
    ax.axhline(0, color="0.4", linewidth=0.6)
    ax.set_ylim(
        max(-5.5, min(lows) - 0.3),
        max(y.max(), math.log2(ratio_from_copies(s.amplification_copies, p))) + 0.4,
    )
    ax.set_xlim(-1, len(points))
    ax.set_xticks([])
    ax.set_xlabel("Panel targets in genome order (gene estimate: bar)")
    ax.set_ylabel("log2 ratio tumour / reference")
    ax.set_title(f"Copy-number profile ({basis})", fontsize=10, pad=48, loc="left")
    pts = ax.get_legend_handles_labels()[0]
    ax.legend(
        handles=pts + handles, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8
    )
    return fig


SVG_RC = {"svg.hashsalt": "tumorboard-cnv", "svg.fonttype": "path", "font.family": "DejaVu Sans"}


def write_profile(fig, path: str | Path) -> None:
    """Deterministic SVG (or PNG by extension) of ``profile_figure``."""
    import matplotlib

    with matplotlib.rc_context(SVG_RC):
        fig.savefig(
            str(path),
            bbox_inches="tight",
            metadata={"Date": None} if str(path).endswith(".svg") else None,
        )


# --------------------------------------------------------------------------- workflow inputs


def copy_number_inputs(patient, sheet_normals: list[str]) -> dict:
    """Named inputs of a patient's copy-number job (for Snakemake's ``unpack``).

    From reads: the tumour's coverage table and the matched normal's, or, for a tumour-only
    patient, those of every normal in the sheet (pooled reference); the somatic VCF too when
    the sheet gives no purity (it is then estimated from the SNVs).  From a VCF: the copy-number
    segments given with it.  ``patient`` is a ``tumorboard.sheet.Patient``.
    """
    t = patient.tumour
    if t.from_vcf:
        return {"segments": t.cna} if t.cna else {}
    normals = [patient.normal.sample] if patient.normal else list(sheet_normals)
    out = {
        "tumour": f"results/coverage/{t.sample}.targets.tsv",
        "normals": [f"results/coverage/{s}.targets.tsv" for s in normals],
    }
    if t.purity is None:
        out["vcf"] = f"results/somatic/{patient.id}.vcf.gz"
    return out
