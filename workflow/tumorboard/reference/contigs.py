"""Reference contigs and their GRCh38 coordinates, for both reference modes.

Demo reference: a contig such as ``KRAS_chr12_25204646_25251936`` holds GRCh38
chr12:25,204,646-25,251,936 on the plus strand, so ``grch38_pos = contig_pos + 25204645``.
Site reference (a user's GRCh38 FASTA): every sequence is a whole chromosome and the map is the
identity (``ContigMap.identity``); only the name is normalised (``1`` -> ``chr1``, ``MT`` ->
``chrM``) so that users see one naming.  The table written by the reference rules (contig,
chrom, start, end, offset) is the single source of that mapping.

This module also checks that the other inputs (BED, gene models, VCF, BAM/CRAM headers) name
their sequences the way the reference FASTA does, before any long step runs.
"""

from __future__ import annotations

import bisect
import csv
import gzip
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

_NAME = re.compile(
    r"^(?:(?P<gene>[A-Za-z0-9]+)_)?(?P<chrom>chr[0-9XYM]+)_(?P<start>\d+)_(?P<end>\d+)$"
)


@dataclass(frozen=True)
class Contig:
    name: str
    chrom: str
    start: int  # 1-based GRCh38 position of contig base 1
    end: int

    @property
    def offset(self) -> int:
        return self.start - 1

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def parse_contig_name(name: str) -> Contig:
    """Contig from a name carrying its GRCh38 span (``GENE_chrN_start_end``, ``chrN_start_end``)."""
    m = _NAME.match(name)
    if not m:
        raise ValueError(f"contig name {name!r} does not carry a GRCh38 span (GENE_chrN_start_end)")
    return Contig(name, m["chrom"], int(m["start"]), int(m["end"]))


def grch38_chrom(name: str) -> str:
    """UCSC-style chromosome name of a reference sequence name (``7`` -> ``chr7``,
    ``MT`` -> ``chrM``); other names (``chr1_KI270706v1_random``, ``HLA-A*01:01``) unchanged."""
    if name in ("MT", "M", "chrMT"):
        return "chrM"
    if re.fullmatch(r"[0-9]{1,2}|X|Y", name):
        return f"chr{name}"
    return name


class ContigMap:
    """Two-way mapping between reference-contig and GRCh38 coordinates."""

    def __init__(self, contigs: list[Contig]):
        self.by_name = {c.name: c for c in contigs}
        self.contigs = list(contigs)
        # per chromosome, contigs sorted by start: a position is found by bisection, not by
        # scanning every contig (a whole-exome VCF has ~50k records)
        self._index: dict[str, tuple[list[int], list[Contig]]] = {}
        for c in sorted(self.contigs, key=lambda c: (c.chrom, c.start)):
            starts, found = self._index.setdefault(c.chrom, ([], []))
            starts.append(c.start)
            found.append(c)

    @classmethod
    def identity(cls, fai: str | Path) -> ContigMap:
        """The map of a whole-chromosome reference (site mode), from its ``.fai``."""
        lengths = fai_lengths(fai)
        return cls([Contig(n, grch38_chrom(n), 1, lengths[n]) for n in lengths])

    @classmethod
    def from_tsv(cls, path: str | Path) -> ContigMap:
        with open(path, newline="") as fh:
            rows = list(csv.DictReader(fh, delimiter="\t"))
        return cls([Contig(r["contig"], r["chrom"], int(r["start"]), int(r["end"])) for r in rows])

    def to_tsv(self, path: str | Path) -> None:
        with open(path, "w", newline="") as fh:
            w = csv.writer(fh, delimiter="\t", lineterminator="\n")
            w.writerow(["contig", "chrom", "start", "end", "offset", "length"])
            for c in self.contigs:
                w.writerow([c.name, c.chrom, c.start, c.end, c.offset, c.length])

    def to_grch38(self, contig: str, pos: int) -> tuple[str, int]:
        c = self.by_name[contig]
        if not 1 <= pos <= c.length:
            raise ValueError(f"{contig}:{pos} is outside the contig (length {c.length})")
        return c.chrom, pos + c.offset

    def from_grch38(self, chrom: str, pos: int) -> tuple[str, int] | None:
        """The contig holding GRCh38 ``chrom:pos``, or None when the demo reference lacks it."""
        chrom = grch38_chrom(chrom)
        starts, found = self._index.get(chrom, ((), ()))
        i = bisect.bisect_right(starts, pos) - 1
        if i >= 0 and found[i].start <= pos <= found[i].end:
            return found[i].name, pos - found[i].offset
        return None


# --- naming checks across inputs --------------------------------------------------------------


class ContigNameError(Exception):
    """An input names its sequences differently from the reference FASTA (one-line message)."""


def fai_lengths(fai: str | Path) -> dict[str, int]:
    """Sequence name -> length, in the order of a FASTA index (``.fai``)."""
    with open(fai) as fh:
        return {r[0]: int(r[1]) for r in (line.split("\t") for line in fh if line.strip())}


def gff_names(path: str | Path, max_lines: int = 200_000) -> list[str]:
    """Sequence names of a GFF3/GTF, from its first ``max_lines`` feature lines (the naming
    style is what matters, and a whole-genome file is sorted by chromosome)."""
    opener = gzip.open if str(path).endswith(".gz") else open
    names: dict[str, None] = {}
    with opener(path, "rt") as fh:
        for n, line in enumerate(fh):
            if n >= max_lines:
                break
            if line.startswith("#") or not line.strip():
                continue
            names[line.split("\t", 1)[0]] = None
    return list(names)


def header_names(path: str | Path) -> list[str]:
    """@SQ names of a BAM/CRAM, or ##contig names of a VCF (empty when it declares none)."""
    import pysam

    p = str(path)
    if p.endswith((".bam", ".cram", ".sam")):
        with pysam.AlignmentFile(p, check_sq=False) as fh:
            return list(fh.references)
    with pysam.VariantFile(p) as fh:
        return list(fh.header.contigs)


def _style(names: Iterable[str]) -> str:
    names = list(names)
    if any(n.startswith("chr") for n in names):
        return "chr1, chr2, ... (UCSC)"
    if any(re.fullmatch(r"[0-9]{1,2}|X|Y|MT", n) for n in names):
        return "1, 2, ... (Ensembl/NCBI)"
    return "other names"


def check_names(
    what: str, path: str | Path, names: Iterable[str], reference: list[str], fasta: str | Path
) -> None:
    """Every sequence ``names`` of ``path`` must be a sequence of the reference FASTA; the
    error says which file, an example name, and how to fix it."""
    ref = set(reference)
    missing = [n for n in names if n not in ref]
    if not missing:
        return
    n = missing[0]
    same = [r for r in reference if grch38_chrom(r) == grch38_chrom(n)]
    if same:
        fix = "sed 's/^chr//'" if n.startswith("chr") else "sed 's/^/chr/'"
        how = (
            f"the reference names it {same[0]!r}: {what} uses {_style(missing)}, the reference "
            f"{_style(reference)}; rename the {what}'s sequences to the reference's names "
            f"(for a BED: {fix})"
        )
    else:
        how = (
            f"the reference FASTA {fasta} has no such sequence (is the {what} for GRCh38 and "
            f"this reference?)"
        )
    more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
    raise ContigNameError(f"{what} {path}: sequence {n!r}{more} is not in the reference; {how}")


def translate_name(name: str, reference: set[str]) -> str | None:
    """The reference's name for ``name`` when they differ only by the ``chr`` prefix (as
    somatic VCFs from other pipelines often do), else None."""
    if name in reference:
        return name
    for cand in (grch38_chrom(name), name.removeprefix("chr"), "MT" if name == "chrM" else ""):
        if cand in reference:
            return cand
    return None
