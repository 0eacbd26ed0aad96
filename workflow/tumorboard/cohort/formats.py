"""The two cohort files cBioPortal imports, from every patient's findings JSON: a MAF of the
variants and a discrete copy-number table of the gene calls.

MAF conventions (GDC / vcf2maf, what cBioPortal reads): 1-based positions; alleles without the
VCF padding base and "-" for an empty allele; an insertion spans the two reference bases around
it (Start_Position = the base before, End_Position = the base after); a deletion spans the
deleted bases; Chromosome without the "chr" prefix, as cBioPortal documents it.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tumorboard.cohort.tables import cell_text, consequence_terms, patient_alterations

# --------------------------------------------------------------------------- MAF

MAF_COLUMNS = [
    "Hugo_Symbol",
    "Center",
    "NCBI_Build",
    "Chromosome",
    "Start_Position",
    "End_Position",
    "Strand",
    "Variant_Classification",
    "Variant_Type",
    "Reference_Allele",
    "Tumor_Seq_Allele1",
    "Tumor_Seq_Allele2",
    "Tumor_Sample_Barcode",
    "Matched_Norm_Sample_Barcode",
    "Mutation_Status",
    "HGVSc",
    "HGVSp",
    "HGVSp_Short",
    "Transcript_ID",
    "Consequence",
    "t_depth",
    "t_ref_count",
    "t_alt_count",
    "n_depth",
    "n_ref_count",
    "n_alt_count",
    "cbp_driver_tiers",
    "cbp_driver_tiers_annotation",
]


@dataclass(frozen=True)
class MafAlleles:
    start: int
    end: int
    ref: str
    alt: str
    variant_type: str


def maf_alleles(pos: int, ref: str, alt: str) -> MafAlleles:
    """VCF (1-based POS, REF, ALT with padding base) -> MAF positions and alleles.

    The shared leading bases (the VCF padding base) are removed first, then shared trailing
    bases; an empty allele becomes "-"."""
    ref, alt = ref.upper(), alt.upper()
    if not ref or not alt or ref == alt:
        raise ValueError(f"not a variant: {pos} {ref}>{alt}")
    lead = 0
    while lead < min(len(ref), len(alt)) and ref[lead] == alt[lead]:
        lead += 1
    r, a = ref[lead:], alt[lead:]
    while r and a and r[-1] == a[-1]:
        r, a = r[:-1], a[:-1]
    start = pos + lead
    if not r:  # insertion between start - 1 and start
        return MafAlleles(start - 1, start, "-", a, "INS")
    end = start + len(r) - 1
    if not a:
        return MafAlleles(start, end, r, "-", "DEL")
    if len(r) == len(a):
        vtype = {1: "SNP", 2: "DNP", 3: "TNP"}.get(len(r), "ONP")
    else:  # delins: classed by net length change, as vcf2maf does
        vtype = "INS" if len(a) > len(r) else "DEL"
    return MafAlleles(start, end, r, a, vtype)


# bcftools csq terms in order of severity (VEP's order), each with its MAF classification.
_CLASSIFICATION = [
    ("splice_acceptor", "Splice_Site"),
    ("splice_donor", "Splice_Site"),
    ("stop_gained", "Nonsense_Mutation"),
    ("frameshift", "Frame_Shift"),
    ("stop_lost", "Nonstop_Mutation"),
    ("start_lost", "Translation_Start_Site"),
    ("inframe_insertion", "In_Frame_Ins"),
    ("inframe_deletion", "In_Frame_Del"),
    ("inframe_altering", "In_Frame"),
    ("missense", "Missense_Mutation"),
    ("splice_region", "Splice_Region"),
    ("synonymous", "Silent"),
    ("stop_retained", "Silent"),
    ("start_retained", "Silent"),
    ("coding_sequence", "Targeted_Region"),
    ("5_prime_utr", "5'UTR"),
    ("3_prime_utr", "3'UTR"),
    ("non_coding", "RNA"),
    ("intron", "Intron"),
    ("intergenic", "IGR"),
]


def variant_classification(consequence: str, alleles: MafAlleles) -> str:
    """MAF Variant_Classification of the most severe bcftools csq term."""
    terms = set(consequence_terms(consequence))
    for term, cls in _CLASSIFICATION:
        if term not in terms:
            continue
        if cls == "Frame_Shift":
            return "Frame_Shift_Ins" if alleles.variant_type == "INS" else "Frame_Shift_Del"
        if cls == "In_Frame":
            if len(alleles.ref.strip("-")) == len(alleles.alt.strip("-")):
                return "Missense_Mutation"
            return "In_Frame_Ins" if alleles.variant_type == "INS" else "In_Frame_Del"
        return cls
    return "Targeted_Region"


def _ref_count(depth: int | None, alt: int | None) -> str:
    return "" if depth is None or alt is None else str(max(depth - alt, 0))


def maf_rows(cohort: Sequence[dict]) -> list[dict[str, str]]:
    rows = []
    for findings in cohort:
        variants = findings["variants"]
        # patient_alterations lists the variants first, in order
        alterations = patient_alterations(findings)[: len(variants)]
        for v, alteration in zip(variants, alterations, strict=True):
            al = maf_alleles(v["pos"], v["ref"], v["alt"])
            tier = alteration.tier
            rows.append(
                {
                    "Hugo_Symbol": v["gene"],
                    "Center": "tumorboard",
                    "NCBI_Build": findings["reference"]["build"],
                    "Chromosome": v["chrom"].removeprefix("chr"),
                    "Start_Position": str(al.start),
                    "End_Position": str(al.end),
                    "Strand": "+",
                    "Variant_Classification": variant_classification(v["consequence"], al),
                    "Variant_Type": al.variant_type,
                    "Reference_Allele": al.ref,
                    "Tumor_Seq_Allele1": al.ref,
                    "Tumor_Seq_Allele2": al.alt,
                    "Tumor_Sample_Barcode": findings["tumour_sample"],
                    "Matched_Norm_Sample_Barcode": findings.get("normal_sample") or "",
                    "Mutation_Status": "Somatic",
                    "HGVSc": v.get("hgvs_c") or "",
                    "HGVSp": v.get("hgvs_p") or "",
                    "HGVSp_Short": f"p.{v['protein_short']}" if v.get("protein_short") else "",
                    "Transcript_ID": v["transcript"],
                    "Consequence": v["consequence"],
                    "t_depth": str(v["depth"]),
                    "t_ref_count": _ref_count(v["depth"], v["alt_reads"]),
                    "t_alt_count": str(v["alt_reads"]),
                    "n_depth": cell_text(v.get("normal_depth")),
                    "n_ref_count": _ref_count(v.get("normal_depth"), v.get("normal_alt_reads")),
                    "n_alt_count": cell_text(v.get("normal_alt_reads")),
                    # cBioPortal: free text of at most 20 characters, blank when none
                    "cbp_driver_tiers": f"Tier {tier}" if tier else "",
                    "cbp_driver_tiers_annotation": (f"AMP/ASCO/CAP tier {tier}" if tier else ""),
                }
            )
    return rows


def write_maf(rows: Sequence[dict[str, str]], path: str | Path) -> None:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as fh:
        fh.write("#version 2.4\n")
        writer = csv.DictWriter(fh, fieldnames=MAF_COLUMNS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


# --------------------------------------------------------------------------- copy number

DEEP_LOSS_COPIES = 0.5  # below this many copies a loss is called homozygous (cBioPortal -2)


def cna_value(row: dict) -> str:
    """cBioPortal discrete CNA code of one gene call: -2 deep loss, -1 loss, 0 diploid, 1 gain
    (equivocal), 2 amplification; NA when not evaluable."""
    call = row["call"]
    if call == "amplified":
        return "2"
    if call == "equivocal":
        return "1"
    if call == "neutral":
        return "0"
    if call == "loss":
        copies = row.get("copy_number")
        return "-2" if copies is not None and copies < DEEP_LOSS_COPIES else "-1"
    return "NA"


def cna_table(cohort: Sequence[dict]) -> tuple[list[str], list[dict[str, str]]]:
    """(columns, rows): Hugo_Symbol + one column per tumour sample that has copy-number calls
    (samples without them, e.g. tumour-only, are not profiled and left out)."""
    profiled = [f for f in cohort if f["copy_number"]]
    samples = [f["tumour_sample"] for f in profiled]
    genes = list(dict.fromkeys(c["gene"] for f in profiled for c in f["copy_number"]))
    rows = []
    for gene in genes:
        row = {"Hugo_Symbol": gene}
        for f in profiled:
            calls = [c for c in f["copy_number"] if c["gene"] == gene]
            row[f["tumour_sample"]] = cna_value(calls[0]) if calls else "NA"
        rows.append(row)
    return ["Hugo_Symbol", *samples], rows
