"""COLO829 (real reads): the three sites of ``truth_COLO829.tsv`` in the tumorboard VCF, with the
caller's own read counts and, independently, ``bcftools mpileup`` allele counts from the BAMs."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pysam
from runs import Patient
from variants import Allele, Genome, trim


@dataclass(frozen=True)
class Site:
    name: str
    allele: Allele  # GRCh38, trimmed
    expected: str


SITES = (
    Site(
        "CDKN2A p.A68fs (2-bp deletion)",
        trim(Allele("chr9", 21971154, "CCGCGC", "CCGC")),
        "PASS, tumour VAF near 1 (homozygous somatic)",
    ),
    Site(
        "CDKN2A-region germline het",
        Allele("chr9", 21970917, "C", "T"),
        "not PASS (heterozygous in the normal, lost in the tumour)",
    ),
    Site("BRAF V600E", Allele("chr7", 140753336, "A", "T"), "PASS"),
)


def vcf_record(genome: Genome, vcf: Path, site: Site) -> dict:
    """FILTER and FORMAT/AD (tumour, normal) of the record spelling ``site``, if any."""
    contig, cpos = genome.locate(site.allele.chrom, site.allele.pos)
    with pysam.VariantFile(str(vcf)) as f:
        samples = list(f.header.samples)
        for rec in f.fetch(contig, max(0, cpos - 5), cpos + 5):
            a = trim(
                Allele(
                    site.allele.chrom, genome.to_grch38(rec.chrom, rec.pos)[1], rec.ref, rec.alts[0]
                )
            )
            if a == site.allele:
                return {
                    "filter": ";".join(rec.filter) or ".",
                    **{k: _ad(rec, s) for k, s in zip(("tumour", "normal"), samples, strict=False)},
                }
    return {"filter": "not in VCF"}


def _ad(rec: pysam.VariantRecord, sample: str) -> str:
    ad = rec.samples[sample].get("AD")
    if not ad or ad[0] is None:
        return "."
    ref, alt = ad[0] or 0, ad[1] or 0
    return f"{alt} alt / {ref + alt}"


def pileup_counts(genome: Genome, p: Patient, site: Site) -> dict:
    """ "alt / depth" per sample from ``bcftools mpileup -a AD`` at the site (MAPQ, BQ >= 20)."""
    contig, cpos = genome.locate(site.allele.chrom, site.allele.pos)
    out = p.workdir / f"pileup_{site.allele.chrom}_{site.allele.pos}.vcf"
    subprocess.run(
        [
            "bcftools",
            "mpileup",
            "-f",
            genome.fasta,
            "-r",
            f"{contig}:{cpos}-{cpos}",
            "-a",
            "AD",
            "-q",
            "20",
            "-Q",
            "20",
            "-d",
            "10000",
            "-L",
            "10000",
            "-o",
            str(out),
            str(p.bam(p.tumour)),
            str(p.bam(p.normal)),
        ],
        check=True,
        capture_output=True,
    )
    counts: dict[str, tuple[int, int]] = {}
    with pysam.VariantFile(str(out)) as vcf:
        for rec in vcf:
            pos = genome.to_grch38(rec.chrom, rec.pos)[1]
            hits = [
                trim(Allele(site.allele.chrom, pos, rec.ref, a)) == site.allele
                for a in rec.alts or ()
            ]
            for name, sample in (("tumour", p.tumour), ("normal", p.normal)):
                ad = [x or 0 for x in rec.samples[sample]["AD"]]
                alt = sum(n for hit, n in zip(hits, ad[1:], strict=False) if hit)
                if alt or name not in counts:
                    counts[name] = (alt, sum(ad))
    return {k: f"{a} alt / {d}" for k, (a, d) in counts.items()}


def report(genome: Genome, p: Patient) -> list[dict]:
    rows = []
    for s in SITES:
        rec = vcf_record(genome, p.vcf, s)
        pile = pileup_counts(genome, p, s)
        pile = {k: pile.get(k, "no reads") for k in ("tumour", "normal")}
        rows.append(
            {
                "site": s.name,
                "variant": f"{s.allele.chrom}:{s.allele.pos} {s.allele.ref}>{s.allele.alt}",
                "expected": s.expected,
                "tumorboard FILTER": rec["filter"],
                "caller AD tumour": rec.get("tumour", "-"),
                "caller AD normal": rec.get("normal", "-"),
                "mpileup tumour": pile["tumour"],
                "mpileup normal": pile["normal"],
                "met": _met(s, rec),
            }
        )
    return rows


def _met(s: Site, rec: dict) -> str:
    passed = rec["filter"] == "PASS"
    if s.expected.startswith("not PASS"):
        return "yes" if not passed else "NO"
    return "yes" if passed else "NO"
