"""First somatic filter: tumour-vs-normal allele counts from a ``bcftools mpileup`` pileup.

``bcftools mpileup -a AD,ADF,ADR,DP`` over the tumour and the normal BAM reports, at every
position, the alleles seen with per-sample read counts (no genotype model).  Each non-reference
allele becomes a candidate; it is PASS when the tumour carries enough reads and allele fraction and
the matched normal (when there is one) is covered and free of it.  This is deliberately a count
filter; the statistical caller (log-odds over base qualities, artefact filters) replaces it later.
"""

from __future__ import annotations

from dataclasses import dataclass

import pysam

FILTERS = {
    "alt_reads": "Fewer tumour alt reads than somatic.min_alt_reads",
    "low_vaf": "Tumour allele fraction below somatic.min_vaf",
    "normal_depth": "Matched normal depth below somatic.min_normal_depth",
    "normal_evidence": "Allele seen in the matched normal (germline or contamination)",
    "strand": "All tumour alt reads on one strand (10 or more alt reads)",
}


@dataclass(frozen=True)
class SomaticParams:
    min_alt_reads: int = 5
    min_vaf: float = 0.02
    min_normal_depth: int = 20
    max_normal_vaf: float = 0.02
    max_normal_alt_reads: int = 2
    report_min_alt_reads: int = 2  # candidates with fewer alt reads are not written at all


@dataclass
class Counts:
    ref: int
    alt: int
    alt_fwd: int
    alt_rev: int
    ref_fwd: int = 0
    ref_rev: int = 0

    @property
    def depth(self) -> int:
        return self.ref + self.alt

    @property
    def vaf(self) -> float:
        return self.alt / self.depth if self.depth else 0.0


def _counts(rec: pysam.VariantRecord, sample: str, allele: int) -> Counts:
    s = rec.samples[sample]
    ad, adf, adr = s.get("AD"), s.get("ADF"), s.get("ADR")
    ad = [x or 0 for x in ad] if ad and ad[0] is not None else [0] * len(rec.alleles)
    adf = [x or 0 for x in adf] if adf and adf[0] is not None else [0] * len(rec.alleles)
    adr = [x or 0 for x in adr] if adr and adr[0] is not None else [0] * len(rec.alleles)
    # depth counts reads for REF and every real allele; "<*>" (unseen) carries none
    return Counts(
        ref=sum(ad) - ad[allele],
        alt=ad[allele],
        alt_fwd=adf[allele],
        alt_rev=adr[allele],
        ref_fwd=sum(adf) - adf[allele],
        ref_rev=sum(adr) - adr[allele],
    )


def judge(tumour: Counts, normal: Counts | None, p: SomaticParams) -> list[str]:
    """FILTER reasons for one candidate allele (empty list = PASS)."""
    reasons = []
    if tumour.alt < p.min_alt_reads:
        reasons.append("alt_reads")
    if tumour.vaf < p.min_vaf:
        reasons.append("low_vaf")
    if tumour.alt >= 10 and min(tumour.alt_fwd, tumour.alt_rev) == 0:
        reasons.append("strand")
    if normal is not None:
        if normal.depth < p.min_normal_depth:
            reasons.append("normal_depth")
        if normal.alt > p.max_normal_alt_reads or normal.vaf > p.max_normal_vaf:
            reasons.append("normal_evidence")
    return reasons


def _header(template: pysam.VariantHeader, samples: list[str]) -> pysam.VariantHeader:
    h = pysam.VariantHeader()
    for contig in template.contigs.values():
        h.contigs.add(contig.name, length=contig.length)
    for fid, desc in FILTERS.items():
        h.filters.add(fid, None, None, desc)
    h.info.add("SOMATIC", 0, "Flag", "Candidate somatic allele (see FILTER)")
    h.info.add("INDEL", 0, "Flag", "Insertion or deletion")
    h.formats.add("GT", 1, "String", "Genotype (0/1 where the allele was seen, else 0/0)")
    h.formats.add("AD", "R", "Integer", "Read depth per allele (REF = all other reads)")
    h.formats.add("ADF", "R", "Integer", "Forward-strand read depth per allele")
    h.formats.add("ADR", "R", "Integer", "Reverse-strand read depth per allele")
    h.formats.add("DP", 1, "Integer", "Read depth (REF + ALT reads)")
    h.formats.add("AF", "A", "Float", "Allele fraction of ALT")
    for s in samples:
        h.add_sample(s)
    return h


def filter_pileup(
    pileup: str, out_vcf: str, tumour: str, normal: str | None, p: SomaticParams
) -> int:
    """Write one VCF record per candidate alt allele, with FILTER reasons; returns PASS count."""
    samples = [tumour] + ([normal] if normal else [])
    n_pass = 0
    with pysam.VariantFile(pileup) as vin:
        missing = [s for s in samples if s not in vin.header.samples]
        if missing:
            raise ValueError(
                f"{pileup}: samples {missing} not in the pileup ({list(vin.header.samples)})"
            )
        header = _header(vin.header, samples)
        with pysam.VariantFile(out_vcf, "w", header=header) as vout:
            for rec in vin:
                for i, alt in enumerate(rec.alts or (), start=1):
                    if alt == "<*>":
                        continue
                    t = _counts(rec, tumour, i)
                    if t.alt < p.report_min_alt_reads:
                        continue
                    nc = _counts(rec, normal, i) if normal else None
                    reasons = judge(t, nc, p)
                    out = vout.new_record(
                        contig=rec.contig, start=rec.start, alleles=(rec.ref, alt)
                    )
                    out.info["SOMATIC"] = True
                    if len(rec.ref) != len(alt):
                        out.info["INDEL"] = True
                    for name, c in ((tumour, t), (normal, nc)):
                        if c is None:
                            continue
                        f = out.samples[name]
                        f["GT"] = (0, 1) if c.alt else (0, 0)
                        f["AD"] = (c.ref, c.alt)
                        f["ADF"] = (c.ref_fwd, c.alt_fwd)
                        f["ADR"] = (c.ref_rev, c.alt_rev)
                        f["DP"] = c.depth
                        f["AF"] = (round(c.vaf, 4),)
                    for r in reasons or ["PASS"]:
                        out.filter.add(r)
                    n_pass += not reasons
                    vout.write(out)
    return n_pass
