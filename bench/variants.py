"""Small-variant helpers: GRCh38 access to the demo reference, VCF-style normalisation, and
matching a call to a truth event even when the two are written differently."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pysam

from tumorboard.reference.contigs import ContigMap


@dataclass(frozen=True)
class Allele:
    chrom: str  # GRCh38
    pos: int  # 1-based, VCF style
    ref: str
    alt: str

    @property
    def end(self) -> int:
        return self.pos + len(self.ref) - 1

    @property
    def kind(self) -> str:
        """SNV, MNV, DEL, INS or COMPLEX (after trimming)."""
        if len(self.ref) == len(self.alt):
            return "SNV" if len(self.ref) == 1 else "MNV"
        if len(self.alt) == 1 and self.alt[0] == self.ref[0]:
            return "DEL"
        if len(self.ref) == 1 and self.alt[0] == self.ref[0]:
            return "INS"
        return "COMPLEX"

    def changed_span(self) -> tuple[int, int]:
        """GRCh38 bases the event changes (for an insertion: the two bases around it)."""
        if self.kind == "INS":
            return self.pos, self.pos + 1
        if self.kind == "DEL":
            return self.pos + 1, self.end
        return self.pos, self.end


class Genome:
    """The demo reference (contigs are GRCh38 slices) read in GRCh38 coordinates."""

    def __init__(self, fasta: str | Path, contigs_tsv: str | Path):
        self.fasta = str(fasta)
        self.fa = pysam.FastaFile(self.fasta)
        self.map = ContigMap.from_tsv(contigs_tsv)

    def locate(self, chrom: str, pos: int) -> tuple[str, int]:
        hit = self.map.from_grch38(chrom, pos)
        if hit is None:
            raise ValueError(f"{chrom}:{pos} is not in the demo reference")
        return hit

    def seq(self, chrom: str, start: int, end: int) -> str:
        """GRCh38 bases ``start``..``end`` (1-based, closed)."""
        contig, cpos = self.locate(chrom, start)
        return self.fa.fetch(contig, cpos - 1, cpos + end - start).upper()

    def to_grch38(self, contig: str, pos: int) -> tuple[str, int]:
        return self.map.to_grch38(contig, pos)


def trim(a: Allele) -> Allele:
    """Drop bases shared at the end, then at the start (keeping one base), of REF and ALT."""
    pos, ref, alt = a.pos, a.ref.upper(), a.alt.upper()
    while len(ref) > 1 and len(alt) > 1 and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    while len(ref) > 1 and len(alt) > 1 and ref[0] == alt[0]:
        ref, alt, pos = ref[1:], alt[1:], pos + 1
    return Allele(a.chrom, pos, ref, alt)


def left_normalise(genome: Genome, a: Allele) -> Allele:
    """Left-aligned, parsimonious form (the algorithm of ``bcftools norm``, Tan et al. 2015)."""
    pos, ref, alt = a.pos, a.ref.upper(), a.alt.upper()
    if genome.seq(a.chrom, pos, pos + len(ref) - 1) != ref:
        raise ValueError(f"REF {ref} differs from the reference at {a.chrom}:{pos}")
    changed = True
    while changed:
        changed = False
        if ref and alt and ref[-1] == alt[-1]:
            ref, alt, changed = ref[:-1], alt[:-1], True
        if not ref or not alt:
            pos -= 1
            base = genome.seq(a.chrom, pos, pos)
            ref, alt, changed = base + ref, base + alt, True
    return trim(Allele(a.chrom, pos, ref, alt))


def apply(window: str, start: int, a: Allele) -> str:
    """``window`` (GRCh38 bases from ``start``) with ``a`` applied."""
    i = a.pos - start
    return window[:i] + a.alt + window[i + len(a.ref) :]


def same_event(genome: Genome, a: Allele, b: Allele, flank: int = 60) -> bool:
    """True when ``a`` and ``b`` make the same haplotype (e.g. two spellings of one indel)."""
    if a.chrom != b.chrom:
        return False
    lo = min(a.pos, b.pos) - flank
    hi = max(a.end, b.end) + flank
    window = genome.seq(a.chrom, lo, hi)
    return apply(window, lo, a) == apply(window, lo, b)
