"""Germline pharmacogenomics for the therapies a report lists: DPYD, UGT1A1, TPMT and NUDT15.

The germline sample (the matched normal; for a tumour-only patient the tumour, with the caveat that
tumour allele fractions can mislead: copy-number changes and loss of heterozygosity shift them) is
genotyped at the authored sites (``resources/pgx/sites.tsv``; :mod:`.genotype`), each gene gets a
diplotype and a phenotype by CPIC's rules (:mod:`.phenotype`), and every therapy line of the
findings that contains a fluoropyrimidine, irinotecan or a thiopurine is linked to the relevant
phenotype and recommendation (:mod:`.therapies`).  The panel covers these variants only: it is not
a full star-allele call.  Research use only.
"""

from __future__ import annotations

from pathlib import Path

from tumorboard.knowledge.therapies import lines as therapy_lines
from tumorboard.reference.resources import sha256_file

from . import phenotype, tables, therapies
from .genotype import Settings, genotype_sites

SITES, DRUGS, GUIDANCE = "sites.tsv", "drugs.tsv", "guidance.tsv"

SCOPE = (
    "Germline pharmacogenomics: only the variants listed are genotyped (no full star-allele "
    "call, no gene deletions or duplications); a gene with none of them detected is reported as "
    "the reference (*1 or Reference) allele, which other variants could still change. Research "
    "use only: confirm in an accredited laboratory before dosing."
)
TUMOUR_CAVEAT = (
    "No matched normal: genotyped in the tumour. Tumour allele fractions can mislead (copy-number "
    "changes and loss of heterozygosity shift a heterozygous germline variant towards 0 or 1, and "
    "somatic mutations can appear); confirm in a germline sample (blood or saliva)."
)


def genotype_sample(
    bam: str, fasta: str, contigs, tables_dir: str | Path, settings: Settings, sample: str,
    sample_type: str,
) -> dict:  # fmt: skip
    """The pharmacogenomics block of one patient without its therapy links: the sample used,
    every site's call and every gene's phenotype."""
    path = Path(tables_dir) / SITES
    sites = tables.read_sites(path)
    calls = genotype_sites(bam, fasta, contigs, sites, settings)
    block = {
        "origin": "germline",
        "status": "genotyped",
        "sample": sample,
        "sample_type": sample_type,
        "caveat": TUMOUR_CAVEAT if sample_type == "tumour" else None,
        "scope": SCOPE,
        "min_depth": settings.min_depth,
        "tables": {SITES: sha256_file(path)},
        "genes": phenotype.gene_results(calls, sites),
        "therapies": [],
    }
    return block


def not_assessed(reason: str) -> dict:
    """The block of a patient whose reads are not available (a VCF start)."""
    return {"origin": "germline", "status": "not assessed", "reason": reason, "scope": SCOPE,
            "genes": [], "therapies": []}  # fmt: skip


def finding_therapies(actionability: list[dict]) -> list[str]:
    """Every therapy line the findings name (tiered lines, evidence lines and set-aside ones)."""
    names = []
    for a in actionability:
        names += [t["therapy"] for t in a.get("therapies", [])]
        for e in a.get("evidence", []):
            names += therapy_lines(e)
        names += [x["therapy"] for x in a.get("set_aside", []) if x.get("therapy")]
    return list(dict.fromkeys(names))


def link_therapies(block: dict, actionability: list[dict], tables_dir: str | Path) -> dict:
    """``block`` with ``therapies``: the therapy lines of ``actionability`` linked to the genes'
    phenotypes and recommendations."""
    if block["status"] != "genotyped":
        return block
    d = Path(tables_dir)
    block["tables"] = block.get("tables", {}) | {f: sha256_file(d / f) for f in (DRUGS, GUIDANCE)}
    block["therapies"] = therapies.link(
        finding_therapies(actionability),
        block["genes"],
        tables.read_drugs(d / DRUGS),
        tables.read_guidance(d / GUIDANCE),
    )
    return block
