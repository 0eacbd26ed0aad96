"""Gene copy number from external copy-number segments, for a patient that starts from a VCF
(``read_segments`` + ``genes_from_segments``): PCGR CNA TSV with absolute allele-specific copies
(``nMajor``/``nMinor``) or a log2 ``Segment_Mean``, mapped onto the panel's GRCh38 targets.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from tumorboard.reference.contigs import grch38_chrom
from tumorboard.reference.panel import BACKBONE, read_bed

from .calls import (
    GENE_COLUMNS,
    Purity,
    Settings,
    gene_row,
    ratio_from_copies,
    weighted_median,
)


class SegmentsError(ValueError):
    """The copy-number segments cannot be used; the message is one line naming the file, the
    row and the problem."""


# chromosomes a segment may sit on (GRCh38 primary assembly, either naming)
_CHROMS = {f"chr{c}" for c in [*range(1, 23), "X", "Y", "M"]}


def _number(path, n: int, col: str, value: str, kind=float):
    try:
        x = kind(value)
    except (TypeError, ValueError):
        raise SegmentsError(f"{path}: row {n}: {col} = {value!r} is not a number") from None
    if kind is float and not math.isfinite(x):
        raise SegmentsError(f"{path}: row {n}: {col} = {value!r} is not a finite number")
    return x


def read_segments(path: str | Path) -> pd.DataFrame:
    """PCGR copy-number segments: ``Chromosome Start End nMajor nMinor`` (absolute copies,
    PCGR >= 2) or ``Chromosome Start End Segment_Mean`` (log2 ratio, PCGR 1.x); 1-based,
    closed.  Returns ``chrom start end`` plus ``copies`` or ``log2``.  A missing column, a
    value that is not a number, an unknown chromosome or a segment ending before it starts
    raises SegmentsError naming the row (the header is row 1)."""
    try:
        df = pd.read_csv(path, sep="\t", comment="#", dtype=str, keep_default_na=False)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SegmentsError(f"{path}: not a readable tab-separated table ({msg})") from None
    df.columns = [str(c).strip() for c in df.columns]
    cols = set(df.columns)
    missing = [c for c in ("Chromosome", "Start", "End") if c not in cols]
    if missing:
        raise SegmentsError(
            f"{path}: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(expected Chromosome, Start, End and nMajor+nMinor or Segment_Mean; has: "
            f"{', '.join(df.columns)})"
        )
    if {"nMajor", "nMinor"} <= cols:
        values = ["nMajor", "nMinor"]
    elif "Segment_Mean" in cols:
        values = ["Segment_Mean"]
    else:
        raise SegmentsError(
            f"{path}: neither nMajor+nMinor nor Segment_Mean columns (has: {', '.join(df.columns)})"
        )
    rows = []
    for n, r in enumerate(df.to_dict("records"), start=2):
        chrom = grch38_chrom(str(r["Chromosome"]).strip())
        if chrom not in _CHROMS:
            raise SegmentsError(
                f"{path}: row {n}: unknown chromosome {r['Chromosome']!r} (1-22, X, Y, M, "
                "with or without chr)"
            )
        start, end = (_number(path, n, c, str(r[c]).strip(), int) for c in ("Start", "End"))
        if end < start:
            raise SegmentsError(
                f"{path}: row {n}: segment {chrom}:{start}-{end} ends before it starts"
            )
        nums = [_number(path, n, c, str(r[c]).strip()) for c in values]
        rows.append((chrom, start, end, sum(nums)))
    out = pd.DataFrame(rows, columns=["chrom", "start", "end", "value"])
    out["start"], out["end"] = out["start"].astype(int), out["end"].astype(int)
    return out.rename(columns={"value": "copies" if len(values) == 2 else "log2"})


def read_targets_grch38(path: str | Path) -> pd.DataFrame:
    """Panel targets in GRCh38 (``targets.grch38.bed``, BED4, 0-based, read by ``read_bed``)."""
    return pd.DataFrame(
        [(t.contig, t.start, t.end, t.name) for t in read_bed(path)],
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
        lr = weighted_median(ok["log2_ratio"].to_numpy(float), size)
        est = {
            "gene": gene,
            "n_targets": int(len(ok)),
            "log2_ratio": lr,
            "log2_ratio_mad": float(np.median(np.abs(ok["log2_ratio"] - lr))),
            "log2_ratio_se": 0.0,
        }
        if absolute:
            est["copies"] = weighted_median(ok["segment_copies"].to_numpy(float), size)
        estimates.append(est)
    table = pd.DataFrame(
        [gene_row(e, purity, settings, source) for e in estimates], columns=GENE_COLUMNS
    )
    if absolute and purity.value is None:
        table["purity_source"] = "not needed (absolute copies from the segments)"
    tt["gene_log2_ratio"] = tt["target"].map(
        dict(zip(table["gene"], table["log2_ratio"], strict=True))
    )
    return table, tt
