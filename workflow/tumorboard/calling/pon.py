"""Panel of normals: alleles seen in normal samples, used to reject germline variants and
recurrent artefacts (essential in tumour-only mode).

Built from a ``bcftools mpileup -a AD`` pileup of all normal samples of the cohort: an allele
enters the panel when at least ``min_samples`` normals carry it in ≥ ``min_alt_reads`` reads and
at ≥ ``min_vaf``.  Written as a sites-only bgzipped, indexed VCF with INFO/PON_COUNT.
"""

from __future__ import annotations

import pysam


def build(
    pileup: str,
    normals: list[str],
    out_vcf: str,
    min_alt_reads: int,
    min_vaf: float,
    min_samples: int,
) -> int:
    n_sites = 0
    with pysam.VariantFile(pileup) as vin:
        header = pysam.VariantHeader()
        for contig in vin.header.contigs.values():
            header.contigs.add(contig.name, length=contig.length)
        header.info.add("PON_COUNT", 1, "Integer", "Normal samples carrying the allele")
        header.add_line(f"##pon_normals={','.join(normals)}")
        with pysam.VariantFile(out_vcf, "wz", header=header) as out:
            for rec in vin:
                for i, alt in enumerate(rec.alts or (), start=1):
                    if alt == "<*>":
                        continue
                    count = 0
                    for s in normals:
                        ad = rec.samples[s].get("AD")
                        if not ad or ad[0] is None:
                            continue
                        depth = sum(x or 0 for x in ad)
                        if (ad[i] or 0) >= min_alt_reads and (ad[i] or 0) >= min_vaf * depth:
                            count += 1
                    if count >= min_samples:
                        r = out.new_record(
                            contig=rec.contig, start=rec.start, alleles=(rec.ref, alt)
                        )
                        r.info["PON_COUNT"] = count
                        out.write(r)
                        n_sites += 1
    pysam.tabix_index(out_vcf, preset="vcf", force=True)
    return n_sites


def read_sites(path: str) -> set[tuple[str, int, str, str]]:
    """(contig, 1-based pos, REF, ALT) of every allele in a panel-of-normals VCF."""
    with pysam.VariantFile(path) as vin:
        return {(r.contig, r.pos, r.ref.upper(), a.upper()) for r in vin for a in (r.alts or ())}
