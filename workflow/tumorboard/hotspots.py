"""Hotspot codons: positions from the MANE models, tumour depth, status and limit of detection.

A hotspot is *detected* when a PASS somatic variant changes its codon; otherwise it is *not
detected* only when the tumour depth over the codon reaches ``min_depth``, and the statement
carries the limit of detection at that depth: the smallest allele fraction ``f`` for which
``P(X >= min_alt_reads) >= probability`` with ``X ~ Binomial(depth, f)``.  Below ``min_depth``,
or for genes outside the panel, the hotspot is *not evaluable* and never called wild-type.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pysam
from scipy.optimize import brentq
from scipy.stats import binom

from .contigs import ContigMap
from .genemodel import GeneModels


@dataclass(frozen=True)
class Hotspot:
    gene: str
    codon: int
    ref_aa: str
    exon: str
    examples: str

    @property
    def label(self) -> str:
        return f"{self.gene} {self.ref_aa}{self.codon}"


def read_hotspots(path: str | Path) -> list[Hotspot]:
    with open(path, newline="") as fh:
        rows = csv.DictReader((ln for ln in fh if not ln.startswith("#")), delimiter="\t")
        return [
            Hotspot(r["gene"], int(r["codon"]), r["ref_aa"], r["exon"], r["examples"]) for r in rows
        ]


def limit_of_detection(depth: int, min_alt_reads: int, probability: float = 0.95) -> float | None:
    """Smallest VAF detected with ``probability`` at ``depth`` given the alt-read rule."""
    if depth < min_alt_reads:
        return None

    def excess(f: float) -> float:
        return float(binom.sf(min_alt_reads - 1, depth, f)) - probability

    if excess(1.0) < 0:
        return None
    return float(brentq(excess, 1e-9, 1.0, xtol=1e-7))


def codon_depth(
    bam: pysam.AlignmentFile, contig: str, positions: list[int], min_mapq: int, min_baseq: int
) -> int:
    """Minimum depth over 1-based ``positions`` counting reads the caller would count."""

    def usable(read: pysam.AlignedSegment) -> bool:
        return (
            not (
                read.is_unmapped
                or read.is_secondary
                or read.is_supplementary
                or read.is_duplicate
                or read.is_qcfail
            )
            and read.mapping_quality >= min_mapq
        )

    lo, hi = min(positions) - 1, max(positions)
    cov = bam.count_coverage(contig, lo, hi, quality_threshold=min_baseq, read_callback=usable)
    per_base = [sum(base[i] for base in cov) for i in range(hi - lo)]
    return int(min(per_base[p - 1 - lo] for p in positions))


def evaluate(
    hotspots: list[Hotspot],
    models: GeneModels,
    contigs: ContigMap,
    bam_path: str,
    variants: list[dict],
    min_depth: int,
    min_alt_reads: int,
    probability: float,
    min_mapq: int,
    min_baseq: int,
) -> list[dict]:
    """One status row per hotspot.  ``variants`` are PASS findings with GRCh38 ``chrom``/``pos``,
    ``ref``, ``gene`` and ``protein_short``."""
    genes = {t.gene: t for t in models.transcripts}
    out = []
    with pysam.AlignmentFile(bam_path) as bam:
        for h in hotspots:
            row = {
                "gene": h.gene,
                "codon": h.codon,
                "label": h.label,
                "chrom": None,
                "start": None,
                "end": None,
                "status": "not evaluable",
                "depth": 0,
                "lod_vaf": None,
                "variant": None,
                "reason": None,
            }
            tx = genes.get(h.gene)
            if tx is None:
                row["reason"] = "gene not in this panel"
                out.append(row)
                continue
            cpos = tx.codon_positions(h.codon)
            chrom, g_lo = contigs.to_grch38(tx.chrom, min(cpos))
            g_hi = g_lo + 2
            row.update(chrom=chrom, start=g_lo, end=g_hi)
            depth = codon_depth(bam, tx.chrom, cpos, min_mapq, min_baseq)
            row["depth"] = depth
            hit = [
                v
                for v in variants
                if v["gene"] == h.gene
                and v["chrom"] == chrom
                and v["pos"] <= g_hi
                and v["pos"] + max(len(v["ref"]), 1) - 1 >= g_lo
            ]
            if hit:
                row["status"] = "detected"
                row["variant"] = ", ".join(
                    sorted({v.get("protein_short") or v["hgvs_c"] or "?" for v in hit})
                )
            elif depth >= min_depth:
                row["status"] = "not detected"
            else:
                row["reason"] = f"depth {depth}x below the minimum {min_depth}x"
            row["lod_vaf"] = (
                round(lod, 4)
                if (lod := limit_of_detection(depth, min_alt_reads, probability)) is not None
                else None
            )
            out.append(row)
    return out
