"""Demo-reference contigs are slices of GRCh38; map their positions back to real GRCh38.

A contig such as ``KRAS_chr12_25204646_25251936`` holds GRCh38 chr12:25,204,646-25,251,936 on the
plus strand, so ``grch38_pos = contig_pos + 25204645``.  The table written by the ``reference``
rule (contig, chrom, start, end, offset) is the single source of that mapping; users only ever
see GRCh38 positions.
"""

from __future__ import annotations

import csv
import re
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


class ContigMap:
    """Two-way mapping between demo-contig and GRCh38 coordinates."""

    def __init__(self, contigs: list[Contig]):
        self.by_name = {c.name: c for c in contigs}
        self.contigs = list(contigs)

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
        chrom = chrom if chrom.startswith("chr") else f"chr{chrom}"
        for c in self.contigs:
            if c.chrom == chrom and c.start <= pos <= c.end:
                return c.name, pos - c.offset
        return None
