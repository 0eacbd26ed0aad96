"""Demo reference and panel targets, built from the verified resources.

Targets are the coding exons of each gene's MANE Select transcript, padded (default 20 bp to keep
splice sites), plus a copy-number *backbone*: evenly spaced tiles on the control contigs, as
capture panels carry, so that tumour/normal depth ratios have a diploid-ish background.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pysam

from .contigs import Contig, ContigMap
from .genemodel import GeneModels

BACKBONE = "backbone"


@dataclass(frozen=True, order=True)
class Target:
    contig: str
    start: int  # 0-based, BED
    end: int
    name: str  # gene symbol, or "backbone"


def build_reference(
    fastas: list[str | Path], contigs: list[Contig], out_fa: str | Path, out_tsv: str | Path
) -> None:
    """Concatenate one-record FASTAs (in the given order) into the demo reference."""
    with open(out_fa, "w") as out:
        for path in fastas:
            with open(path) as fh:
                out.write(fh.read())
    pysam.faidx(str(out_fa))
    ContigMap(contigs).to_tsv(out_tsv)


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for s, e in sorted(intervals):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged]


def gene_targets(models: GeneModels, pad: int) -> list[Target]:
    """Coding exons +/- ``pad`` of every transcript in ``models`` (contig coordinates), merged."""
    out: list[Target] = []
    for t in models.transcripts:
        iv = [(s - 1 - pad, e + pad) for s, e in t.cds]
        out.extend(Target(t.chrom, max(0, s), e, t.gene) for s, e in _merge(iv))
    return sorted(out)


def backbone_targets(
    fasta: str | Path, contigs: list[str], per_contig: int, size: int
) -> list[Target]:
    """``per_contig`` tiles of ``size`` bp spread evenly along each contig, none holding N."""
    out: list[Target] = []
    with pysam.FastaFile(str(fasta)) as fa:
        for contig in contigs:
            length = fa.get_reference_length(contig)
            step = length // (per_contig + 1)
            for i in range(1, per_contig + 1):
                start = i * step
                if "N" not in fa.fetch(contig, start, start + size).upper():
                    out.append(Target(contig, start, start + size, BACKBONE))
    return sorted(out)


def write_bed(targets: list[Target], path: str | Path, contig_map: ContigMap | None = None) -> None:
    """BED4 on the demo contigs, or on GRCh38 chromosomes when ``contig_map`` is given."""
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        for t in targets:
            if contig_map is None:
                w.writerow([t.contig, t.start, t.end, t.name])
            else:
                chrom, pos = contig_map.to_grch38(t.contig, t.start + 1)
                w.writerow([chrom, pos - 1, pos - 1 + (t.end - t.start), t.name])


def read_bed(path: str | Path) -> list[Target]:
    with open(path) as fh:
        return [
            Target(r[0], int(r[1]), int(r[2]), r[3] if len(r) > 3 else "")
            for r in csv.reader(fh, delimiter="\t")
            if r and not r[0].startswith("#")
        ]
