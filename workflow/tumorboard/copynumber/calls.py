"""Gene estimates, absolute copies and calls, shared by both copy-number methods.

The thresholds and options (``Settings``), the tumour purity used (``Purity``), the gene table's
columns, and from a gene's log2 ratio (with its standard error) or its absolute copies:

* Absolute copies in tumour cells, assuming a diploid background and a normal-cell admixture of
  ``1 - p``: depth ratio ``R = (p*C + 2*(1 - p)) / 2``, so ``C = 2 + 2*(R - 1)/p``.  The interval
  combines the ratio's and the purity's (``copies_interval``).
* Calls (``call_gene``): amplified / equivocal / neutral / loss / homozygous deletion from the
  configured thresholds, or "not evaluable" with the reason (purity unknown or too low, too few
  targets, or an interval that does not support the call).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

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
    min_background_bins: int = 10
    antitarget_gene_window: int = 50000
    sheet_purity_sd: float = 0.05

    @classmethod
    def from_config(cls, cfg: dict) -> Settings:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in cfg.items() if k in names})


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


def copies_from_ratio(ratio: float, purity: float | None) -> float:
    """Absolute copies in tumour cells from a depth ratio (diploid background, purity ``p``)."""
    if purity is None:
        return 2 * ratio
    return max(0.0, 2 + 2 * (ratio - 1) / purity)


def ratio_from_copies(copies: float, purity: float) -> float:
    return (purity * copies + 2 * (1 - purity)) / 2


def weighted_median(x: np.ndarray, w: np.ndarray) -> float:
    """Weighted median (mean of the two middle values at an exact half); gene estimates."""
    order = np.argsort(x)
    x, w = x[order], w[order]
    cw = np.cumsum(w)
    half = cw[-1] / 2
    i = int(np.searchsorted(cw, half))
    if i < len(x) - 1 and math.isclose(cw[i], half):
        return float((x[i] + x[i + 1]) / 2)
    return float(x[i])


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


def gene_row(r: dict, purity: Purity, s: Settings, source: str) -> dict:
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


def gene_table(genes: pd.DataFrame, purity: Purity, s: Settings, source: str) -> pd.DataFrame:
    """The gene table (``GENE_COLUMNS``): one ``gene_row`` per gene estimate."""
    rows = [gene_row(r, purity, s, source) for r in genes.to_dict("records")]
    return pd.DataFrame(rows, columns=GENE_COLUMNS)


def _rnd(x, nd):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), nd)
