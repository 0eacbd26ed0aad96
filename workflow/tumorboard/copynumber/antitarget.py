"""Antitarget bins: the off-target background every hybrid-capture library has.

As CNVkit's ``antitarget`` command: the accessible sequence of each contig (runs of N of at least
``min_gap`` bp removed, as ``cnvkit.py access``), minus every target widened by ``margin`` bp on
each side (fragments overlapping a target make a shoulder of on-target depth around it), cut into
bins of about ``avg_size`` bp: a gap of length L becomes ``max(1, round(L / avg_size))`` equal bins,
and gaps shorter than ``min_size`` are dropped.  CNVkit's defaults are an average of 150 kb, a
minimum of 2 * 150 kb / 32 = 9375 bp and a margin of 2 * 250 bp (twice its assumed insert size).

Which contigs carry antitargets: every contig given (the demo reference: all its loci and control
contigs), or, for a whole genome (``autosomes_only``), the autosomes ``1``-``22`` / ``chr1``-
``chr22``: the sex chromosomes differ between a tumour and a pooled reference of normals of the
other sex, and unplaced/alt contigs are unmappable or duplicated.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from tumorboard.reference.panel import Target

ANTITARGET = "antitarget"
AUTOSOME = re.compile(r"^(chr)?([1-9]|1[0-9]|2[0-2])$")


def accessible_regions(seq: str, min_gap: int) -> list[tuple[int, int]]:
    """0-based half-open stretches of ``seq`` between runs of N (or n) of ``min_gap`` bp or more;
    shorter N runs stay inside (as ``cnvkit.py access -s``)."""
    out: list[tuple[int, int]] = []
    start = 0
    for m in re.finditer(r"[Nn]+", seq):
        if m.end() - m.start() >= min_gap:
            if m.start() > start:
                out.append((start, m.start()))
            start = m.end()
    if start < len(seq):
        out.append((start, len(seq)))
    return out


def subtract(regions: list[tuple[int, int]], holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``regions`` minus ``holes`` (both 0-based half-open, on one contig)."""
    holes = sorted(holes)
    out = []
    for s, e in regions:
        cur = s
        for hs, he in holes:
            if he <= cur or hs >= e:
                continue
            if hs > cur:
                out.append((cur, hs))
            cur = max(cur, he)
            if cur >= e:
                break
        if cur < e:
            out.append((cur, e))
    return out


def split_bins(start: int, end: int, avg_size: int, min_size: int) -> list[tuple[int, int]]:
    """``[start, end)`` cut into ``max(1, round(length / avg_size))`` near-equal bins; nothing when
    shorter than ``min_size``."""
    length = end - start
    if length < min_size:
        return []
    n = max(1, round(length / avg_size))
    edges = [start + (length * i) // n for i in range(n + 1)]
    return [(a, b) for a, b in zip(edges[:-1], edges[1:], strict=True) if b - a >= min_size]


def antitarget_bins(
    targets: Iterable[Target],
    sequences: Iterable[tuple[str, str]],
    avg_size: int,
    min_size: int,
    margin: int,
    min_gap: int = 5000,
) -> list[Target]:
    """Antitarget bins (named ``antitarget``) on the ``(contig, sequence)`` pairs given."""
    if avg_size <= 0 or min_size <= 0 or margin < 0:
        raise ValueError("antitarget sizes must be positive and the margin not negative")
    holes: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for t in targets:
        holes[t.contig].append((max(0, t.start - margin), t.end + margin))
    out = []
    for contig, seq in sequences:
        for s, e in subtract(accessible_regions(seq, min_gap), holes.get(contig, [])):
            out.extend(
                Target(contig, a, b, ANTITARGET) for a, b in split_bins(s, e, avg_size, min_size)
            )
    return sorted(out)


def antitargets_from_fasta(
    targets: list[Target],
    fasta: str | Path,
    avg_size: int,
    min_size: int,
    margin: int,
    autosomes_only: bool,
    min_gap: int = 5000,
) -> list[Target]:
    """``antitarget_bins`` over the contigs of ``fasta`` (autosomes only for a whole genome),
    one contig in memory at a time."""
    import pysam

    with pysam.FastaFile(str(fasta)) as fa:
        names = [c for c in fa.references if not autosomes_only or AUTOSOME.match(c)]
        if autosomes_only and not names:
            raise ValueError(
                f"{fasta}: no autosome named 1-22 or chr1-chr22, so no antitarget background"
            )
        out: list[Target] = []
        for name in names:
            out += antitarget_bins(
                [t for t in targets if t.contig == name],
                [(name, fa.fetch(name))],
                avg_size,
                min_size,
                margin,
                min_gap,
            )
    return sorted(out)
