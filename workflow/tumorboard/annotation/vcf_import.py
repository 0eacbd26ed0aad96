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
import re
from dataclasses import dataclass
from pathlib import Path

import pysam

from tumorboard.reference.contigs import ContigMap, grch38_chrom


class VcfImportError(ValueError):
    """The VCF cannot be used; the message is one line naming the file and the record."""


# Primary-assembly lengths (NCBI GenBank assembly reports GCA_000001405.15 / .1); a ##contig
# length that differs from GRCh38's says the VCF was called on another build.
GRCH38_LENGTHS = {
    "chr1": 248956422, "chr2": 242193529, "chr3": 198295559, "chr4": 190214555,
    "chr5": 181538259, "chr6": 170805979, "chr7": 159345973, "chr8": 145138636,
    "chr9": 138394717, "chr10": 133797422, "chr11": 135086622, "chr12": 133275309,
    "chr13": 114364328, "chr14": 107043718, "chr15": 101991189, "chr16": 90338345,
    "chr17": 83257441, "chr18": 80373285, "chr19": 58617616, "chr20": 64444167,
    "chr21": 46709983, "chr22": 50818468, "chrX": 156040895, "chrY": 57227415,
}  # fmt: skip
GRCH37_LENGTHS = {
    "chr1": 249250621, "chr2": 243199373, "chr3": 198022430, "chr4": 191154276,
    "chr5": 180915260, "chr6": 171115067, "chr7": 159138663, "chr8": 146364022,
    "chr9": 141213431, "chr10": 135534747, "chr11": 135006516, "chr12": 133851895,
    "chr13": 115169878, "chr14": 107349540, "chr15": 102531392, "chr16": 90354753,
    "chr17": 81195210, "chr18": 78077248, "chr19": 59128983, "chr20": 63025520,
    "chr21": 48129895, "chr22": 51304566, "chrX": 155270560, "chrY": 59373566,
}  # fmt: skip
# names of older builds in a ##reference line (file names such as human_g1k_v37.fasta,
# hs37d5.fa, ucsc.hg19.fasta, Homo_sapiens_assembly19.fasta, GRCh37.p13)
_OLD_BUILD = re.compile(
    r"(grch37|grch36|hg19|hg18|ncbi3[67]|hs37|g1k_v37|assembly19|(?<![a-z0-9])b37(?![0-9]))",
    re.IGNORECASE,
)
BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")


def check_build(header: pysam.VariantHeader, path: str | Path) -> None:
    """Refuse a VCF whose header says it is not on GRCh38: a ``##reference`` naming an older
    build, or a ``##contig`` length that differs from GRCh38's (a VCF without these lines, as
    the TCGA VCFs lifted over to GRCh38, passes; its REF bases are checked on import)."""
    for rec in header.records:
        if rec.key in ("reference", "assembly") and rec.value and _OLD_BUILD.search(rec.value):
            raise VcfImportError(
                f"{path}: ##{rec.key}={rec.value} names another build than GRCh38 "
                "(lift the calls over to GRCh38, e.g. with CrossMap or Picard LiftoverVcf)"
            )
    for name, contig in header.contigs.items():
        chrom, length = grch38_chrom(name), contig.length
        want = GRCH38_LENGTHS.get(chrom)
        if want is None or length is None or length == want:
            continue
        build = " (GRCh37's length)" if GRCH37_LENGTHS.get(chrom) == length else ""
        raise VcfImportError(
            f"{path}: ##contig {name} has length {length:,}{build}, GRCh38's is {want:,}: "
            "the VCF is not on GRCh38 (lift it over, e.g. with CrossMap)"
        )


def check_bgzf_eof(path: str | Path) -> None:
    """A bgzipped VCF ends with the BGZF end-of-file block; without it the file was cut short
    (an interrupted copy) and later records would be silently missing."""
    with open(path, "rb") as fh:
        magic = fh.read(4)
        if magic[:2] != b"\x1f\x8b":
            return
        if not (magic[3:4] and magic[3] & 4):  # no FEXTRA field: plain gzip, which htslib
            raise VcfImportError(  # cannot read as a VCF
                f"{path}: compressed with gzip, not bgzip: recompress it "
                "(zcat in.vcf.gz | bgzip > out.vcf.gz)"
            )
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - len(BGZF_EOF)))
        if fh.read() != BGZF_EOF:
            raise VcfImportError(
                f"{path}: truncated bgzip file (no BGZF end-of-file block): the copy was "
                "cut short; copy it again"
            )


def _support_fields(header: pysam.VariantHeader) -> bool:
    fmt, info = set(header.formats), set(header.info)
    return bool(
        "AD" in fmt
        or {"AF", "DP"} <= fmt
        or {"ADT", "DPT"} <= fmt
        or {"TDP", "TVAF"} <= info
        or {"DP", "AF"} <= info
    )


def tumour_column(
    header: pysam.VariantHeader, path: str | Path, sample: str, declared: str = ""
) -> str:
    """The sample column holding the tumour: the sheet's ``vcf_sample`` when given, else the
    one ``##tumor_sample=`` names (Mutect2, Strelka), else the one named as the sheet's sample,
    else the column that ``##normal_sample=`` does not name, else the only column.  Never
    "the first one": an ambiguous VCF is refused."""
    cols = list(header.samples)
    listing = ", ".join(cols) if cols else "none"
    if not cols:
        raise VcfImportError(f"{path}: VCF has no sample column (FORMAT fields needed)")
    if declared:
        if declared not in cols:
            raise VcfImportError(
                f"{path}: vcf_sample {declared} is not a column of the VCF (columns: {listing})"
            )
        return declared
    meta = {r.key: r.value for r in header.records if r.key in ("tumor_sample", "normal_sample")}
    tumour, normal = meta.get("tumor_sample"), meta.get("normal_sample")
    if tumour:
        if tumour not in cols:
            raise VcfImportError(
                f"{path}: ##tumor_sample={tumour} is not a column of the VCF (columns: "
                f"{listing}); name the tumour column in the sheet's vcf_sample column"
            )
        return tumour
    if sample in cols:
        return sample
    rest = [c for c in cols if c != normal]
    if len(rest) == 1 and (normal or len(cols) == 1):
        return rest[0]
    why = (
        f"the only column is the normal (##normal_sample={normal})"
        if not rest
        else f"no ##tumor_sample line and no column named {sample}"
    )
    raise VcfImportError(
        f"{path}: cannot tell which column is the tumour ({why}; columns: {listing}): "
        "name it in the sheet's vcf_sample column"
    )


def check_header(path: str | Path, sample: str, declared: str = "") -> str:
    """Checks that need only the header (cheap, run before any rule): the file is a readable
    VCF on GRCh38, with depth/allele-fraction fields, and its tumour column is known; returns
    that column."""
    if not Path(path).is_file():
        raise VcfImportError(f"{path}: file not found")
    check_bgzf_eof(path)
    try:
        with pysam.VariantFile(str(path)) as vcf:
            header = vcf.header
            if not header.contigs and not list(header.samples) and not header.info:
                raise VcfImportError(f"{path}: not a VCF (no ##fileformat / header lines)")
            check_build(header, path)
            column = tumour_column(header, path, sample, declared)
            if not _support_fields(header):
                raise VcfImportError(
                    f"{path}: no depth/allele fraction fields for tumour column {column} (the "
                    "header declares none of FORMAT AD, AF+DP, ADT+DPT, INFO TDP+TVAF, DP+AF)"
                )
    except (OSError, ValueError, NotImplementedError) as exc:
        if isinstance(exc, VcfImportError):
            raise
        raise VcfImportError(f"{path}: not a readable VCF ({exc})") from None
    return column


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
    column: str = "",
) -> tuple[int, int]:
    """Write PASS records inside the loci to ``out_vcf`` (demo contigs, sample renamed to
    ``sample``) and the others to ``outside_tsv``; returns (inside, outside) counts.  The
    tumour's depth is read from ``column`` (default: chosen by ``tumour_column``)."""
    try:
        return _import_vcf(vcf_in, sample, contigs, fasta, out_vcf, outside_tsv, spans, column)
    except VcfImportError:
        raise
    except (OSError, ValueError) as exc:  # htslib: truncated or corrupt data after the header
        raise VcfImportError(f"{vcf_in}: unreadable VCF data ({exc})") from None


_BASES = re.compile(r"^[ACGTN]+$", re.IGNORECASE)


def _alt(rec: pysam.VariantRecord, vcf_in: str) -> str:
    """The record's first ALT, refused unless it is bases (or a symbolic / breakend allele,
    which is listed apart as outside the annotated sequence)."""
    alt = rec.alts[0] if rec.alts else None
    where = f"{vcf_in}: record {rec.chrom}:{rec.pos}"
    if alt is None or alt in (".", "*"):
        raise VcfImportError(f"{where} has no ALT allele (a PASS somatic call needs one)")
    if not _BASES.match(rec.ref):
        raise VcfImportError(f"{where} has an invalid REF {rec.ref!r} (bases A, C, G, T, N)")
    if not _BASES.match(alt) and not (alt.startswith("<") or "[" in alt or "]" in alt):
        raise VcfImportError(f"{where} has an invalid ALT {alt!r} (bases A, C, G, T, N)")
    return alt


def _import_vcf(vcf_in, sample, contigs, fasta, out_vcf, outside_tsv, spans, column):
    inside = outside = 0
    genes = GeneSpans(spans)
    with pysam.VariantFile(vcf_in) as vin, pysam.FastaFile(fasta) as fa:
        src = tumour_column(vin.header, vcf_in, sample, column)
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
                try:
                    sup = support(rec, src)
                except (TypeError, ValueError):  # missing (".") or non-numeric values
                    sup = None
                if sup is None:
                    raise VcfImportError(
                        f"{vcf_in}: record {rec.chrom}:{rec.pos} has no usable depth/allele "
                        f"fraction for tumour column {src} (looked for FORMAT AD, AF+DP, "
                        "ADT+DPT and INFO TDP+TVAF, DP+AF)"
                    )
                alt = _alt(rec, vcf_in)
                hit = contigs.from_grch38(chrom, rec.pos)
                if hit is not None and not _BASES.match(alt):  # symbolic: not annotated here
                    hit, seen = None, ""
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
