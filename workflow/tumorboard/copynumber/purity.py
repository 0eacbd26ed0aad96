"""Tumour purity from somatic SNV allele fractions in copy-neutral regions (``estimate_purity``),
used by the read-depth method when the sample sheet gives no purity.  The estimate needs several
clonal somatic SNVs; with few the interval is wide, and with too few the purity stays unknown.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tumorboard.reference.panel import BACKBONE

from .calls import Purity, Settings


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
