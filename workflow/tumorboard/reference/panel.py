"""Demo reference and panel targets, built from the verified resources.

Targets are the coding exons of each gene's MANE Select transcript, padded (default 20 bp to keep
splice sites), plus a copy-number *backbone*: evenly spaced tiles on the control contigs, as
capture panels carry, so that tumour/normal depth ratios have a diploid-ish background.
"""

from __future__ import annotations

import bisect
import csv
import gzip
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
    """BED3+ (plain or gzip); header, ``track`` and ``browser`` lines skipped.  A malformed
    line raises ValueError naming the file and line."""
    opener = gzip.open if str(path).endswith(".gz") else open
    out = []
    with opener(path, "rt") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip() or line.startswith(("#", "track", "browser")):
                continue
            r = line.rstrip("\n").split("\t")
            try:
                start, end = int(r[1]), int(r[2])
            except (IndexError, ValueError):
                raise ValueError(f"{path}:{n}: not a BED line (chrom, start, end)") from None
            if not 0 <= start < end:
                raise ValueError(f"{path}:{n}: start {start} / end {end} is not a BED interval")
            out.append(Target(r[0], start, end, r[3] if len(r) > 3 else ""))
    return out


def label_targets(
    targets: list[Target], models: GeneModels, genes: list[str] | None = None
) -> list[Target]:
    """Name each capture target by the gene whose MANE Select coding exons it overlaps most;
    targets overlapping no coding exon of a reported gene (``genes``; empty = every gene) are
    copy-number background (``backbone``).  Overlapping targets are merged first, so that no
    base is counted twice."""
    wanted = set(genes or [])
    cds: dict[str, list[tuple[int, int, str]]] = {}
    for t in models.transcripts:
        if wanted and t.gene not in wanted:
            continue
        cds.setdefault(t.chrom, []).extend((s - 1, e, t.gene) for s, e in t.cds)
    index = {}
    for chrom, ivs in cds.items():
        ivs.sort()
        index[chrom] = ([s for s, _, _ in ivs], ivs, max(e - s for s, e, _ in ivs))
    merged: list[list] = []
    for t in sorted(targets):
        if merged and merged[-1][0] == t.contig and t.start < merged[-1][2]:
            merged[-1][2] = max(merged[-1][2], t.end)
        else:
            merged.append([t.contig, t.start, t.end])
    out = []
    for contig, start, end in merged:
        best, best_bp = BACKBONE, 0
        if contig in index:
            starts, ivs, longest = index[contig]
            i = bisect.bisect_left(starts, start - longest)
            overlap: dict[str, int] = {}
            while i < len(ivs) and ivs[i][0] < end:
                s, e, gene = ivs[i]
                bp = min(e, end) - max(s, start)
                if bp > 0:
                    overlap[gene] = overlap.get(gene, 0) + bp
                i += 1
            if overlap:
                best, best_bp = max(sorted(overlap.items()), key=lambda kv: kv[1])
        out.append(Target(contig, start, end, best))
    return out


def site_targets(
    bed: str | Path | None, models: GeneModels, genes: list[str], pad: int
) -> list[Target]:
    """Site-mode targets: the capture BED labelled by ``label_targets``, or, without a BED, the
    MANE Select coding exons (+/- ``pad``) of ``genes``.  A requested gene the gene models do
    not have is an error."""
    known = {t.gene for t in models.transcripts}
    absent = [g for g in genes if g not in known]
    if absent:
        raise ValueError(
            f"panel.genes: {', '.join(absent)} has no MANE Select protein-coding transcript "
            "in the gene models (annotation.gene_models)"
        )
    if bed:
        return label_targets(read_bed(bed), models, genes)
    wanted = set(genes)
    sub = GeneModels(models.header, {}, [t for t in models.transcripts if t.gene in wanted])
    return gene_targets(sub, pad)


def reported_genes(
    configured: list[str], targets_bed: str | Path, findings: list[dict] = ()
) -> list[str]:
    """The genes reported: ``panel.genes`` when given; else (site mode, ``genes: []``) every gene
    the labelled targets name and every gene with a reported variant (a VCF-start patient's
    calls are reported in any gene)."""
    if configured:
        return list(configured)
    genes = {t.name for t in read_bed(targets_bed)} - {BACKBONE}
    genes |= {v["gene"] for doc in findings for v in doc.get("variants", [])}
    return sorted(genes)
