"""Hotspot codons: positions from the MANE models, tumour depth, status and limit of detection.

A hotspot is *detected* when a PASS somatic variant changes its codon; it is *detected, filtered*
when no PASS variant does but a candidate the caller rejected does, with tumour evidence enough to
be called (none of the read-count filters ``alt_reads``, ``low_vaf``, ``tlod``) and only artefact or
normal filters against it (``nlod``, ``normal_artifact``, ``panel_of_normals``, ...): the allele was
seen, so the codon is never reported as not detected nor taken as wild type (a normal FASTQ that is
the tumour's own turns every somatic hotspot into this).  Otherwise it is *not
detected* only when the tumour depth over the codon reaches ``min_depth``, and the statement
carries the limit of detection at that depth: the smallest allele fraction ``f`` that the caller
would call with ``probability``, i.e. ``P(X >= k) >= probability`` with ``X ~ Binomial(depth, f)``
and ``k`` the fewest alt reads that pass the caller's hotspot rule at that depth (minimum alt
reads, the VAF floor and the tumour log-odds, decided by ``caller.judge`` on reads of base quality
``LOD_BASE_QUALITY``).  Below ``min_depth``, or for genes outside the panel, the hotspot is *not
evaluable* and never called wild-type.

The depth leaves out fragments that look like a paralogue's (more other high-quality mismatches
than the caller's ``max_mismatch_excess``, counted as its mismatch_burden filter counts them): on a
reference that lacks a pseudogene, its reads pile up on the gene and would otherwise be counted as
wild-type coverage (the chr22 PIK3CA pseudogene over exons 9-13, in the real GIAB panel reads of
the Hartwig test data).  A hotspot whose own fragments fall short of ``min_depth`` is not evaluable.
"""

from __future__ import annotations

import csv
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import pysam
from scipy.optimize import brentq
from scipy.stats import binom

from tumorboard.calling.caller import MAX_QUAL, CallerParams, Evidence, fragment_mismatches, judge
from tumorboard.calling.reads import usable
from tumorboard.reference.contigs import ContigMap
from tumorboard.reference.genemodel import GeneModels


@dataclass(frozen=True)
class Hotspot:
    gene: str
    codon: int
    ref_aa: str
    exon: str
    examples: str
    codon_end: int | None = None  # exon-level events span codon..codon_end
    event: str = "any"  # any, deletion or insertion

    @property
    def label(self) -> str:
        if self.codon_end is None:
            return f"{self.gene} {self.ref_aa}{self.codon}"
        return f"{self.gene} exon {self.exon} {self.event}"

    def codons(self) -> range:
        return range(self.codon, (self.codon_end or self.codon) + 1)

    def matches(self, variant: dict) -> bool:
        """Does a variant of the right gene have the kind of change this hotspot is about?"""
        ref, alt = variant["ref"], variant["alt"]
        if self.event == "deletion":
            return len(ref) > len(alt)
        if self.event == "insertion":
            return len(alt) > len(ref)
        return True


def read_hotspots(path: str | Path) -> list[Hotspot]:
    with open(path, newline="") as fh:
        rows = csv.DictReader((ln for ln in fh if not ln.startswith("#")), delimiter="\t")
        return [
            Hotspot(
                r["gene"],
                int(r["codon"]),
                r["ref_aa"],
                r["exon"],
                r["examples"],
                int(r["codon_end"]) if r.get("codon_end") else None,
                r.get("event") or "any",
            )
            for r in rows
        ]


def genomic_span(h: Hotspot, tx) -> list[int]:
    """All genomic positions (transcript coordinates of ``tx``) of the hotspot's codons."""
    return [p for c in h.codons() for p in tx.codon_positions(c)]


def hotspot_regions(hotspots: list[Hotspot], models: GeneModels) -> list[tuple[str, int, int]]:
    """0-based half-open regions (models' contigs) where the caller's hotspot tier applies."""
    genes = {t.gene: t for t in models.transcripts}
    out = []
    for h in hotspots:
        tx = genes.get(h.gene)
        if tx is None:
            continue
        pos = genomic_span(h, tx)
        out.append((tx.chrom, min(pos) - 1, max(pos)))
    return out


# Base quality assumed for the tumour log-odds of the limit of detection: Q30, the usual Illumina
# benchmark (indels and MNVs are weighed at Q40, so for them this is conservative).  Reads of
# lower quality need more alt reads to reach the TLOD threshold.
LOD_BASE_QUALITY = 30
# the reasons that depend on how many alt reads the depth gives (the artefact filters do not)
_DEPTH_REASONS = frozenset({"alt_reads", "low_vaf", "tlod"})


def clean_evidence(alt: int, depth: int, base_quality: int = LOD_BASE_QUALITY) -> Evidence:
    """``alt`` of ``depth`` reads with no artefact: every base of ``base_quality``, both strands
    equally, MAPQ 60, alleles mid-read (what the limit of detection assumes)."""
    q, ref = min(base_quality, MAX_QUAL), depth - alt
    return Evidence(
        ref_quals=[q] * ref,
        alt_quals=[q] * alt,
        ref_fwd=ref - ref // 2,
        ref_rev=ref // 2,
        alt_fwd=alt - alt // 2,
        alt_rev=alt // 2,
        alt_mapq=[60] * alt,
        alt_positions=[50] * alt,
    )


def called_alt_reads(
    depth: int, p: CallerParams, base_quality: int = LOD_BASE_QUALITY
) -> int | None:
    """The fewest alt reads among ``depth`` that the caller's hotspot rule passes (``judge`` on
    reads of ``base_quality``: minimum alt reads, VAF floor, TLOD); None if none do."""
    for alt in range(p.hotspot_min_alt_reads, depth + 1):
        ev = clean_evidence(alt, depth, base_quality)
        reasons, _, _ = judge(ev, None, p, hotspot=True)
        if _DEPTH_REASONS.isdisjoint(reasons):
            return alt
    return None


def hotspot_lod(
    depth: int, p: CallerParams, probability: float = 0.95, base_quality: int = LOD_BASE_QUALITY
) -> float | None:
    """Smallest VAF the caller calls at a hotspot with ``probability`` at ``depth``."""
    alt = called_alt_reads(depth, p, base_quality)
    return None if alt is None else limit_of_detection(depth, alt, probability)


def limit_of_detection(depth: int, min_alt_reads: int, probability: float = 0.95) -> float | None:
    """Smallest VAF that gives at least ``min_alt_reads`` alt reads at ``depth`` with
    ``probability`` (binomial)."""
    if depth < min_alt_reads:
        return None

    def excess(f: float) -> float:
        return float(binom.sf(min_alt_reads - 1, depth, f)) - probability

    if excess(1.0) < 0:
        return None
    return float(brentq(excess, 1e-9, 1.0, xtol=1e-7))


def paralogous_fragments(
    bam: pysam.AlignmentFile, contig: str, positions: list[int], caller: CallerParams
) -> set[str]:
    """Fragments over 1-based ``positions`` with more other high-quality mismatches (read and
    mate, outside the codon) than ``caller.max_mismatch_excess``: a paralogue's reads."""
    lo, hi = min(positions) - 1, max(positions)
    names = {r.query_name for r in bam.fetch(contig, lo, hi) if usable(r, caller.min_mapq)}
    counts = fragment_mismatches(bam, contig, lo, hi, names, caller.min_baseq)
    return {n for n, k in counts.items() if k > caller.max_mismatch_excess}


def codon_depth(
    bam: pysam.AlignmentFile,
    contig: str,
    positions: list[int],
    min_mapq: int,
    min_baseq: int,
    exclude: set[str] = frozenset(),
) -> int:
    """Minimum depth over 1-based ``positions`` counting reads the caller would count, except
    the fragments named in ``exclude``."""
    lo, hi = min(positions) - 1, max(positions)
    cov = bam.count_coverage(
        contig,
        lo,
        hi,
        quality_threshold=min_baseq,
        read_callback=lambda read: usable(read, min_mapq) and read.query_name not in exclude,
    )
    per_base = [sum(base[i] for base in cov) for i in range(hi - lo)]
    return int(min(per_base[p - 1 - lo] for p in positions))


def seen_in_tumour(candidate: dict) -> bool:
    """Was a rejected candidate's allele seen in the tumour: none of its filters is one that
    depends on how many alt reads there are (``alt_reads``, ``low_vaf``, ``tlod``), so the tumour
    evidence alone would have been called and only artefact or normal filters (``nlod``,
    ``normal_artifact``, ``panel_of_normals``, strand, position, quality) rejected it."""
    reasons = {r.strip() for r in str(candidate.get("filters") or "").replace(";", ",").split(",")}
    return bool(reasons - {""}) and _DEPTH_REASONS.isdisjoint(reasons)


def filtered_evidence(row: dict, weak: list[dict]) -> None:
    """Update a hotspot ``row`` without a PASS call from the rejected candidates ``weak`` over it:
    "detected, filtered" (with the allele and its filters) when one was seen in the tumour
    (:func:`seen_in_tumour`), since the allele was seen the codon is then neither "not detected"
    nor wild type; and the strongest rejected candidate as sub-threshold evidence."""
    if not weak:
        return
    seen = [v for v in weak if seen_in_tumour(v)]
    best = max(seen or weak, key=lambda v: v["alt_reads"])
    if seen:
        row["status"] = "detected, filtered"
        row["variant"] = (
            best.get("protein_short") or best.get("hgvs_c") or (f"{best['ref']}>{best['alt']}")
        )
        row["filters"] = best["filters"]
        row["reason"] = None
    row["subthreshold"] = (
        f"{best['alt_reads']} alt reads ({best['vaf']:.1%}) for {best['ref']}>"
        f"{best['alt']} at {best['chrom']}:{best['pos']}, filtered: {best['filters']}"
    )


def _overlapping(variants: list[dict], h: Hotspot, chrom: str, lo: int, hi: int) -> list[dict]:
    return [
        v
        for v in variants
        if v["gene"] == h.gene
        and v["chrom"] == chrom
        and v["pos"] <= hi
        and v["pos"] + max(len(v["ref"]), 1) - 1 >= lo
        and h.matches(v)
    ]


def evaluate(
    hotspots: list[Hotspot],
    models: GeneModels,
    contigs: ContigMap,
    bam_path: str,
    variants: list[dict],
    min_depth: int,
    caller: CallerParams,
    probability: float,
    filtered: list[dict] | None = None,
) -> list[dict]:
    """One status row per hotspot.  ``variants`` are PASS findings with GRCh38 ``chrom``/``pos``,
    ``ref``, ``alt``, ``gene`` and ``protein_short``; ``filtered`` are candidates the caller
    rejected (same keys plus ``alt_reads`` and ``filters``), reported as sub-threshold evidence.
    ``caller`` holds the read filters (``min_mapq``, ``min_baseq``) the depth counts with and the
    hotspot rule the limit of detection uses."""
    genes = {t.gene: t for t in models.transcripts}
    out = []
    with pysam.AlignmentFile(bam_path) if bam_path else nullcontext() as bam:
        for h in hotspots:
            row = {
                "gene": h.gene,
                "codon": h.codon,
                "codon_end": h.codon_end,
                "event": h.event,
                "label": h.label,
                "chrom": None,
                "start": None,
                "end": None,
                "status": "not evaluable",
                "depth": 0,
                "lod_vaf": None,
                "variant": None,
                "reason": None,
                "subthreshold": None,
                "filters": None,
                "paralogous_fragments": 0,
            }
            tx = genes.get(h.gene)
            if tx is None:
                row["reason"] = "gene not in this panel"
                out.append(row)
                continue
            cpos = genomic_span(h, tx)
            chrom, g_lo = contigs.to_grch38(tx.chrom, min(cpos))
            g_hi = g_lo + max(cpos) - min(cpos)
            row.update(chrom=chrom, start=g_lo, end=g_hi)
            hit = _overlapping(variants, h, chrom, g_lo, g_hi)
            if hit:
                row["status"] = "detected"
                row["variant"] = ", ".join(
                    sorted({v.get("protein_short") or v.get("hgvs_c") or "?" for v in hit})
                )
            if bam is None:  # started from a VCF: no reads to genotype the hotspot with
                if not hit:
                    row["reason"] = "started from a VCF: no reads to genotype this hotspot"
                out.append(row)
                continue
            paralogous = paralogous_fragments(bam, tx.chrom, cpos, caller)
            depth = codon_depth(
                bam, tx.chrom, cpos, caller.min_mapq, caller.min_baseq, exclude=paralogous
            )
            row["depth"] = depth
            row["paralogous_fragments"] = len(paralogous)
            weak = _overlapping(filtered or [], h, chrom, g_lo, g_hi)
            if not hit and depth >= min_depth:
                row["status"] = "not detected"
            elif not hit:
                row["reason"] = f"depth {depth}x below the minimum {min_depth}x"
                if paralogous:
                    row["reason"] += (
                        f" once {len(paralogous)} fragments with a paralogue's mismatch burden "
                        "are left out"
                    )
            if not hit:
                filtered_evidence(row, weak)
            lod = hotspot_lod(depth, caller, probability)
            row["lod_vaf"] = round(lod, 4) if lod is not None else None
            out.append(row)
    return out


def mark_hotspot_variants(statuses: list[dict], variants: list[dict]) -> None:
    """Set ``hotspot`` on every variant that a detected hotspot reports."""
    for st in statuses:
        if st["status"] != "detected":
            continue
        for v in variants:
            if (
                v["gene"] == st["gene"]
                and v["chrom"] == st["chrom"]
                and v["pos"] <= st["end"]
                and v["pos"] + len(v["ref"]) - 1 >= st["start"]
            ):
                v["hotspot"] = True
