"""Start from a somatic VCF (GRCh38) instead of reads.

Variants inside the demo reference's loci are moved onto its contigs (REF checked against the
sequence) so that the rest of the workflow annotates them like its own calls.  Variants outside
the loci cannot be annotated here; they are kept, with the MANE Select gene whose span holds them,
as "not annotated".  Depth and allele fraction are read from whatever the caller wrote: FORMAT AD
(+ DP / AF), FORMAT AF + DP, PCGR/TCGA-style FORMAT ADT + DPT, or INFO TDP + TVAF, in that order.
"""

from __future__ import annotations

import bisect
import csv
import gzip
from dataclasses import dataclass
from pathlib import Path

import pysam

from tumorboard.reference.contigs import ContigMap, grch38_chrom


class VcfImportError(ValueError):
    """The VCF cannot be used; the message is one line naming the file and the record."""


@dataclass(frozen=True)
class Support:
    depth: int
    alt_reads: int | None
    vaf: float


def _first(value):
    if isinstance(value, tuple | list):
        return value[0] if value else None
    return value


def support(rec: pysam.VariantRecord, sample: str | None) -> Support | None:
    """Depth / alt reads / VAF of the first ALT allele, from FORMAT or INFO fields."""
    fmt = rec.samples[sample] if sample is not None else {}
    ad = fmt.get("AD") if "AD" in rec.format else None
    if ad and None not in ad[:2] and sum(ad) > 0:
        return Support(int(sum(ad)), int(ad[1]), ad[1] / sum(ad))
    if "AF" in rec.format and "DP" in rec.format:
        af, dp = _first(fmt.get("AF")), fmt.get("DP")
        if af is not None and dp:
            return Support(int(dp), round(af * dp), float(af))
    if "ADT" in rec.format and "DPT" in rec.format:
        adt = fmt.get("ADT")
        parts = adt.split(",") if isinstance(adt, str) else list(adt or ())
        if len(parts) >= 2 and parts[1] not in (".", None):
            ref_n, alt_n = int(parts[0]), int(parts[1])
            return Support(ref_n + alt_n, alt_n, alt_n / (ref_n + alt_n))
    info = rec.info
    if "TDP" in info and "TVAF" in info:
        dp, af = _first(info["TDP"]), _first(info["TVAF"])
        return Support(int(dp), round(af * dp), float(af))
    if "DP" in info and "AF" in info:
        dp, af = _first(info["DP"]), _first(info["AF"])
        return Support(int(dp), round(af * dp), float(af))
    return None


def mane_gene_spans(mane_summary: str | Path) -> list[tuple[str, int, int, str]]:
    """(chrom, start, end, symbol) of every MANE Select gene."""
    out = []
    with gzip.open(mane_summary, "rt") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["MANE_status"] == "MANE Select":
                chrom = grch38_chrom(row["GRCh38_chr"])
                out.append((chrom, int(row["chr_start"]), int(row["chr_end"]), row["symbol"]))
    return out


class GeneSpans:
    """The MANE gene spans indexed for look-up by bisection: a whole-exome VCF has ~50k records
    and MANE ~19k genes, so a scan per record would not do."""

    def __init__(self, spans: list[tuple[str, int, int, str]]):
        by_chrom: dict[str, list[tuple[int, int, int, str]]] = {}
        for order, (c, s, e, g) in enumerate(spans):
            by_chrom.setdefault(c, []).append((s, e, order, g))
        self._index = {}
        for c, rows in by_chrom.items():
            rows.sort()
            self._index[c] = ([r[0] for r in rows], rows, max(r[1] - r[0] for r in rows))

    def at(self, chrom: str, pos: int) -> str | None:
        """The first gene (in the spans' order) whose span holds ``chrom:pos``."""
        starts, rows, longest = self._index.get(chrom, ([], [], 0))
        lo = bisect.bisect_left(starts, pos - longest)
        hi = bisect.bisect_right(starts, pos)
        hits = [(order, g) for s, e, order, g in rows[lo:hi] if s <= pos <= e]
        return min(hits)[1] if hits else None


def import_vcf(
    vcf_in: str,
    sample: str,
    contigs: ContigMap,
    fasta: str,
    out_vcf: str,
    outside_tsv: str,
    spans: list[tuple[str, int, int, str]],
) -> tuple[int, int]:
    """Write PASS records inside the loci to ``out_vcf`` (demo contigs, sample renamed to
    ``sample``) and the others to ``outside_tsv``; returns (inside, outside) counts."""
    inside = outside = 0
    genes = GeneSpans(spans)
    with pysam.VariantFile(vcf_in) as vin, pysam.FastaFile(fasta) as fa:
        src = list(vin.header.samples)[0] if vin.header.samples else None
        header = pysam.VariantHeader()
        for c in contigs.contigs:
            header.contigs.add(c.name, length=c.length)
        header.info.add("SOMATIC", 0, "Flag", "Imported somatic call")
        header.formats.add("GT", 1, "String", "Genotype")
        header.formats.add("AD", "R", "Integer", "Reads supporting REF and ALT (derived)")
        header.formats.add("DP", 1, "Integer", "Depth")
        header.formats.add("AF", "A", "Float", "Allele fraction")
        header.add_sample(sample)
        header.add_line(f"##tumorboard_imported_from={Path(vcf_in).name}")
        records = []
        with open(outside_tsv, "w", newline="") as fh:
            w = csv.writer(fh, delimiter="\t", lineterminator="\n")
            w.writerow(["gene", "chrom", "pos", "ref", "alt", "depth", "alt_reads", "vaf"])
            for rec in vin:
                if "PASS" not in rec.filter.keys() and len(rec.filter.keys()) > 0:
                    continue
                chrom = grch38_chrom(rec.chrom)
                sup = support(rec, src)
                if sup is None:
                    raise VcfImportError(
                        f"{vcf_in}: record {rec.chrom}:{rec.pos} has no depth/allele fraction "
                        "(looked for FORMAT AD, AF+DP, ADT+DPT and INFO TDP+TVAF, DP+AF)"
                    )
                alt = rec.alts[0]
                hit = contigs.from_grch38(chrom, rec.pos)
                if hit is not None:
                    contig, cpos = hit
                    seen = fa.fetch(contig, cpos - 1, cpos - 1 + len(rec.ref)).upper()
                    if seen and set(seen) == {"N"}:  # a gap in the reference: no sequence here
                        hit = None
                if hit is None:
                    w.writerow(
                        [
                            genes.at(chrom, rec.pos) or "",
                            chrom,
                            rec.pos,
                            rec.ref,
                            alt,
                            sup.depth,
                            sup.alt_reads,
                            round(sup.vaf, 4),
                        ]
                    )
                    outside += 1
                    continue
                if seen != rec.ref.upper():
                    raise VcfImportError(
                        f"{vcf_in}: record {rec.chrom}:{rec.pos} REF {rec.ref} differs from GRCh38 "
                        f"({seen}): is the VCF on GRCh38?"
                    )
                records.append((contig, cpos, rec.ref.upper(), alt.upper(), sup))
        with pysam.VariantFile(out_vcf, "w", header=header) as out:
            for contig, cpos, ref, alt, sup in sorted(records):
                r = out.new_record(contig=contig, start=cpos - 1, alleles=(ref, alt))
                r.info["SOMATIC"] = True
                r.filter.add("PASS")
                alt_n = sup.alt_reads if sup.alt_reads is not None else round(sup.vaf * sup.depth)
                f = r.samples[sample]
                f["GT"] = (0, 1)
                f["AD"] = (sup.depth - alt_n, alt_n)
                f["DP"] = sup.depth
                f["AF"] = (round(sup.vaf, 4),)
                out.write(r)
                inside += 1
    return inside, outside
