"""Gene models: read Ensembl-style GFF3, keep MANE Select, move onto demo contigs, map codons.

The GFF3 flavour is the one ``bcftools csq`` reads (``ID=gene:X``,
``ID=transcript:T;Parent=gene:X``, exon/CDS/UTR lines with ``Parent=transcript:T``).  A
hand-written reader is used because the format is nine tab-separated columns and the dialect
is fixed by csq; a general GFF library would add a dependency without removing any check below.
"""

from __future__ import annotations

import gzip
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from .contigs import ContigMap

FEATURES = ("exon", "CDS", "five_prime_UTR", "three_prime_UTR")


def _attrs(text: str) -> dict[str, str]:
    out = {}
    for part in text.strip().split(";"):
        if "=" in part:
            k, v = part.split("=", 1)
            out[k] = unquote(v)
    return out


def _strip_version(acc: str) -> str:
    return acc.split(".")[0]


@dataclass
class Transcript:
    id: str  # as in the GFF3, without the "transcript:" prefix
    gene: str
    gene_id: str
    chrom: str
    strand: str
    start: int
    end: int
    attributes: dict[str, str] = field(default_factory=dict)
    exons: list[tuple[int, int]] = field(default_factory=list)  # 1-based closed, ascending
    cds: list[tuple[int, int]] = field(default_factory=list)
    lines: list[list[str]] = field(default_factory=list)  # child feature rows, for re-writing

    @property
    def versioned_id(self) -> str:
        if "." in self.id or "version" not in self.attributes:
            return self.id
        return f"{self.id}.{self.attributes['version']}"

    def coding_positions(self) -> list[int]:
        """Genomic positions of the CDS in transcript order (5'->3' of the gene), stop included."""
        pos: list[int] = []
        for s, e in sorted(self.cds):
            pos.extend(range(s, e + 1))
        return pos if self.strand == "+" else pos[::-1]

    def codon_positions(self, codon: int) -> list[int]:
        """Genomic positions (transcript order) of the three bases of ``codon`` (1-based)."""
        cp = self.coding_positions()
        i = (codon - 1) * 3
        if codon < 1 or i + 3 > len(cp):
            raise ValueError(f"{self.gene} {self.versioned_id} has no codon {codon}")
        return cp[i : i + 3]

    def exon_number(self, pos: int) -> int | None:
        """1-based exon number (in transcript order) holding genomic ``pos``."""
        ordered = sorted(self.exons) if self.strand == "+" else sorted(self.exons, reverse=True)
        for n, (s, e) in enumerate(ordered, start=1):
            if s <= pos <= e:
                return n
        return None


@dataclass
class GeneModels:
    header: list[str]
    genes: dict[str, list[str]]  # gene_id -> GFF row
    transcripts: list[Transcript]
    _index: tuple | None = field(default=None, init=False, repr=False, compare=False)

    def by_gene(self, gene: str) -> list[Transcript]:
        return [t for t in self.transcripts if t.gene == gene]

    def transcript(self, gene: str) -> Transcript:
        found = self.by_gene(gene)
        if len(found) != 1:
            raise KeyError(f"expected one transcript for {gene}, found {len(found)}")
        return found[0]

    def transcripts_at(self, chrom: str, pos: int) -> list[Transcript]:
        """Transcripts whose span holds ``pos`` on ``chrom``, in file (list) order.

        Bisects per-chromosome sorted starts, looking back at most the longest transcript's
        span; the index is built on first use (again if the list has changed length)."""
        if self._index is None or self._index[0] != len(self.transcripts):
            by_chrom: dict[str, list[tuple[int, int]]] = {}
            for i, t in enumerate(self.transcripts):
                by_chrom.setdefault(t.chrom, []).append((t.start, i))
            index = {}
            for c, items in by_chrom.items():
                items.sort()
                span = max(self.transcripts[i].end - s for s, i in items)
                index[c] = ([s for s, _ in items], [i for _, i in items], span)
            self._index = (len(self.transcripts), index)
        entry = self._index[1].get(chrom)
        if entry is None:
            return []
        starts, order, span = entry
        lo, hi = bisect_left(starts, pos - span), bisect_right(starts, pos)
        hits = sorted(i for i in order[lo:hi] if self.transcripts[i].end >= pos)
        return [self.transcripts[i] for i in hits]


def read_gff3(path: str | Path) -> GeneModels:
    opener = gzip.open if str(path).endswith(".gz") else open
    genes: dict[str, list[str]] = {}
    gene_names: dict[str, str] = {}
    tx: dict[str, Transcript] = {}
    children: list[list[str]] = []
    with opener(path, "rt") as fh:
        for n, line in enumerate(fh, start=1):
            if line.startswith("#") or not line.strip():
                continue
            row = line.rstrip("\n").split("\t")
            if len(row) != 9:
                raise ValueError(f"{path}:{n}: expected 9 tab-separated columns, found {len(row)}")
            a = _attrs(row[8])
            if row[2] == "gene":
                gid = a["ID"].removeprefix("gene:")
                genes[gid] = row
                gene_names[gid] = a.get("Name", gid)
            elif "ID" in a and a["ID"].startswith("transcript:"):
                tid = a["ID"].removeprefix("transcript:")
                gid = a.get("Parent", "").removeprefix("gene:")
                tx[tid] = Transcript(tid, "", gid, row[0], row[6], int(row[3]), int(row[4]), a)
            elif row[2] in FEATURES:
                children.append(row)
    for row in children:
        parent = _attrs(row[8]).get("Parent", "").removeprefix("transcript:")
        t = tx.get(parent)
        if t is None:
            continue
        t.lines.append(row)
        if row[2] == "exon":
            t.exons.append((int(row[3]), int(row[4])))
        elif row[2] == "CDS":
            t.cds.append((int(row[3]), int(row[4])))
    for t in tx.values():
        t.gene = gene_names.get(t.gene_id, t.gene_id)
        t.exons.sort()
        t.cds.sort()
    return GeneModels(["##gff-version 3"], genes, list(tx.values()))


def concatenate_gff3(paths: list[str | Path], out: str | Path) -> int:
    """Write the features of several GFF3 files (gzipped or plain) as one GFF3: one
    ``##gff-version`` line, the other lines in file order.  The manifest's gene-model files
    (``role: gene_models``) are read as one set this way.  Returns the number of features; a gene
    ID that two files both define stops it (the models would be merged silently otherwise)."""
    seen: dict[str, str] = {}
    n = 0
    with open(out, "w") as fh:
        fh.write("##gff-version 3\n")
        for path in paths:
            opener = gzip.open if str(path).endswith(".gz") else open
            with opener(path, "rt") as src:
                for line in src:
                    if line.startswith("##gff-version") or not line.strip():
                        continue
                    if not line.startswith("#"):
                        row = line.split("\t")
                        if len(row) == 9 and row[2] == "gene":
                            gid = _attrs(row[8].rstrip("\n")).get("ID", "")
                            if gid in seen and seen[gid] != str(path):
                                raise ValueError(
                                    f"{path}: gene {gid} is also defined in {seen[gid]}"
                                )
                            seen[gid] = str(path)
                        n += 1
                    fh.write(line if line.endswith("\n") else line + "\n")
    return n


def read_mane_select(path: str | Path) -> dict[str, dict[str, str]]:
    """MANE summary rows with status 'MANE Select', keyed by gene symbol."""
    opener = gzip.open if str(path).endswith(".gz") else open
    out: dict[str, dict[str, str]] = {}
    with opener(path, "rt") as fh:
        header = fh.readline().lstrip("#").rstrip("\n").split("\t")
        for line in fh:
            row = dict(zip(header, line.rstrip("\n").split("\t"), strict=False))
            if row.get("MANE_status") == "MANE Select":
                out[row["symbol"]] = row
    return out


def select_mane(
    models: GeneModels, mane: dict[str, dict[str, str]], genes: list[str]
) -> GeneModels:
    """Keep, for each of ``genes``, the one transcript that is its MANE Select.

    A transcript matches when its accession (version ignored) equals MANE's Ensembl or RefSeq
    accession.  The MANE ids are recorded on the transcript (``mane_refseq``, ``mane_ensembl``).
    """
    kept: list[Transcript] = []
    for gene in genes:
        row = mane.get(gene)
        if row is None:
            raise ValueError(f"gene {gene} has no MANE Select transcript in the MANE summary")
        wanted = {_strip_version(row["Ensembl_nuc"]), _strip_version(row["RefSeq_nuc"])}
        hits = [t for t in models.by_gene(gene) if _strip_version(t.id) in wanted]
        if len(hits) != 1:
            raise ValueError(
                f"gene {gene}: expected 1 MANE Select transcript ({', '.join(sorted(wanted))}) "
                f"in the gene models, found {len(hits)}"
            )
        t = hits[0]
        t.attributes["mane_refseq"] = row["RefSeq_nuc"]
        t.attributes["mane_ensembl"] = row["Ensembl_nuc"]
        kept.append(t)
    gene_ids = {t.gene_id for t in kept}
    return GeneModels(models.header, {g: r for g, r in models.genes.items() if g in gene_ids}, kept)


def lift_to_contigs(models: GeneModels, contigs: ContigMap) -> GeneModels:
    """Move every feature from GRCh38 chromosome coordinates onto the demo contigs."""

    def move(row: list[str]) -> list[str]:
        start, end = int(row[3]), int(row[4])
        hit = contigs.from_grch38(row[0], start)
        hit_end = contigs.from_grch38(row[0], end)
        if hit is None or hit_end is None or hit[0] != hit_end[0]:
            raise ValueError(f"feature {row[0]}:{start}-{end} is not inside one demo contig")
        return [hit[0], row[1], row[2], str(hit[1]), str(hit_end[1]), *row[5:]]

    genes = {g: move(r) for g, r in models.genes.items()}
    moved: list[Transcript] = []
    for t in models.transcripts:
        c, s = contigs.from_grch38(t.chrom, t.start) or (None, None)
        if c is None:
            raise ValueError(
                f"transcript {t.id} ({t.chrom}:{t.start}) is not in the demo reference"
            )
        off = contigs.by_name[c].offset
        nt = Transcript(
            t.id, t.gene, t.gene_id, c, t.strand, t.start - off, t.end - off, dict(t.attributes)
        )
        nt.exons = [(s - off, e - off) for s, e in t.exons]
        nt.cds = [(s - off, e - off) for s, e in t.cds]
        nt.lines = [move(r) for r in t.lines]
        moved.append(nt)
    return GeneModels(models.header, genes, moved)


def write_gff3(models: GeneModels, path: str | Path) -> None:
    """Write the models in the dialect ``bcftools csq`` reads."""
    with open(path, "w") as fh:
        fh.write("##gff-version 3\n")
        for gid, grow in models.genes.items():
            fh.write("\t".join(grow) + "\n")
            for t in (t for t in models.transcripts if t.gene_id == gid):
                attrs = ";".join(f"{k}={v}" for k, v in t.attributes.items())
                fh.write(
                    "\t".join(
                        [
                            t.chrom,
                            grow[1],
                            "mRNA",
                            str(t.start),
                            str(t.end),
                            ".",
                            t.strand,
                            ".",
                            attrs,
                        ]
                    )
                    + "\n"
                )
                for r in sorted(t.lines, key=lambda r: (int(r[3]), r[2])):
                    fh.write("\t".join(r) + "\n")
