"""Cohort view: MAF conversion (cBioPortal conventions), discrete CNA coding, tiers, summary
table and oncoprint."""

import copy
import csv
import json
from pathlib import Path

import pytest

from tumorboard.cohort import formats, tables
from tumorboard.cohort.formats import MafAlleles, maf_alleles, variant_classification

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "findings_example.json"


@pytest.fixture
def example():
    return json.loads(EXAMPLE.read_text())


def other_patient(findings, pid):
    doc = copy.deepcopy(findings)
    doc["patient"], doc["tumour_sample"], doc["normal_sample"] = pid, f"{pid}-T", f"{pid}-N"
    return doc


# --------------------------------------------------------------------------- MAF alleles


def test_snv_keeps_its_position_and_alleles():
    assert maf_alleles(25245350, "C", "T") == MafAlleles(25245350, 25245350, "C", "T", "SNP")


def test_deletion_drops_the_padding_base_and_spans_the_deleted_bases():
    # EGFR E746_A750del as VCF writes it: padding G, then 15 deleted bases
    al = maf_alleles(55174772, "GGAATTAAGAGAAGCA", "G")
    assert al == MafAlleles(55174773, 55174787, "GAATTAAGAGAAGCA", "-", "DEL")
    assert al.end - al.start + 1 == 15


def test_insertion_spans_the_two_flanking_reference_bases():
    assert maf_alleles(100, "A", "ATTG") == MafAlleles(100, 101, "-", "TTG", "INS")


def test_mnvs_are_dnp_tnp_onp():
    assert maf_alleles(10, "GC", "AT") == MafAlleles(10, 11, "GC", "AT", "DNP")
    assert maf_alleles(10, "GCA", "TTT") == MafAlleles(10, 12, "GCA", "TTT", "TNP")
    assert maf_alleles(10, "GCAT", "TTTA").variant_type == "ONP"


def test_shared_bases_are_trimmed_on_both_sides():
    # an MNV written with a shared flanking base on each side is a plain DNP
    assert maf_alleles(10, "AGCT", "AATT") == MafAlleles(11, 12, "GC", "AT", "DNP")
    # a non-minimal deletion (example findings): prefix CCGC shared, GC deleted
    assert maf_alleles(21971154, "CCGCGC", "CCGC") == MafAlleles(
        21971158, 21971159, "GC", "-", "DEL"
    )


def test_delins_is_classed_by_net_length_change():
    assert maf_alleles(10, "ACG", "ATTTT") == MafAlleles(11, 12, "CG", "TTTT", "INS")
    assert maf_alleles(10, "ACGTA", "AT") == MafAlleles(11, 14, "CGTA", "T", "DEL")


def test_lower_case_alleles_are_upper_cased_and_non_variants_refused():
    assert maf_alleles(5, "c", "t").ref == "C"
    with pytest.raises(ValueError):
        maf_alleles(5, "A", "A")


# --------------------------------------------------------------------------- classification


@pytest.mark.parametrize(
    ("consequence", "ref", "alt", "expected"),
    [
        ("missense", "C", "T", "Missense_Mutation"),
        ("stop_gained", "C", "T", "Nonsense_Mutation"),
        ("frameshift", "CCG", "C", "Frame_Shift_Del"),
        ("frameshift", "C", "CA", "Frame_Shift_Ins"),
        ("inframe_deletion", "GGAATTAAGAGAAGCA", "G", "In_Frame_Del"),
        ("inframe_insertion", "G", "GGCAGCA", "In_Frame_Ins"),
        ("inframe_altering", "GCA", "GTTTTA", "In_Frame_Ins"),
        ("inframe_altering", "GC", "AT", "Missense_Mutation"),
        ("splice_acceptor", "A", "G", "Splice_Site"),
        ("missense&splice_region", "C", "T", "Missense_Mutation"),
        ("*frameshift", "CA", "C", "Frame_Shift_Del"),
        ("synonymous", "C", "T", "Silent"),
        ("stop_lost", "T", "C", "Nonstop_Mutation"),
        ("start_lost", "A", "G", "Translation_Start_Site"),
        ("intron", "A", "G", "Intron"),
        ("5_prime_utr", "A", "G", "5'UTR"),
        ("something_new", "A", "G", "Targeted_Region"),
    ],
)
def test_variant_classification_from_csq(consequence, ref, alt, expected):
    assert variant_classification(consequence, maf_alleles(100, ref, alt)) == expected


def test_maf_rows_follow_cbioportal_conventions(example, tmp_path):
    rows = formats.maf_rows([example])
    kras, cdkn2a = rows
    assert kras["Hugo_Symbol"] == "KRAS" and kras["Chromosome"] == "12"
    assert (kras["Start_Position"], kras["End_Position"]) == ("25245350", "25245350")
    assert kras["HGVSp_Short"] == "p.G12D" and kras["HGVSp"] == "p.Gly12Asp"
    assert (kras["t_alt_count"], kras["t_ref_count"], kras["t_depth"]) == ("154", "344", "498")
    assert (kras["n_alt_count"], kras["n_ref_count"]) == ("0", "251")
    assert kras["Tumor_Sample_Barcode"] == "DEMO01-T"
    assert kras["Matched_Norm_Sample_Barcode"] == "DEMO01-N"
    assert kras["NCBI_Build"] == "GRCh38" and kras["Variant_Type"] == "SNP"
    assert cdkn2a["Variant_Classification"] == "Frame_Shift_Del"
    assert (cdkn2a["Reference_Allele"], cdkn2a["Tumor_Seq_Allele2"]) == ("GC", "-")
    assert cdkn2a["HGVSp_Short"] == "p.A68Gfs*51"

    out = tmp_path / "mutations.maf"
    formats.write_maf(rows, out)
    lines = out.read_text().splitlines()
    assert lines[0] == "#version 2.4"
    header = lines[1].split("\t")
    required = [
        "Hugo_Symbol",
        "NCBI_Build",
        "Chromosome",
        "Start_Position",
        "End_Position",
        "Variant_Classification",
        "Reference_Allele",
        "Tumor_Seq_Allele2",
        "Tumor_Sample_Barcode",
        "HGVSp_Short",
        "t_ref_count",
        "t_alt_count",
    ]
    assert set(required) <= set(header)
    assert all(len(line.split("\t")) == len(header) for line in lines[2:])


def item(pointers, gene, alteration, tier, level, therapies=(), status="established"):
    """An actionability item as tumorboard.knowledge.tiers writes it (only the fields used here)."""
    return {
        "finding": list(pointers),
        "gene": gene,
        "alteration": alteration,
        "status": status,
        "tier": tier,
        "tier_level": level,
        "therapies": [
            {"therapy": name, "response": response, "tier": tier, "tier_level": level}
            for name, response in therapies
        ],
    }


def test_tier_reaches_the_maf_driver_columns(example):
    example["actionability"] = [item(["/variants/0"], "KRAS", "KRAS p.G12D", "II", "C")]
    kras, cdkn2a = formats.maf_rows([example])
    assert kras["cbp_driver_tiers"] == "Tier IIC" and len(kras["cbp_driver_tiers"]) <= 20
    assert kras["cbp_driver_tiers_annotation"] == "AMP/ASCO/CAP tier IIC"
    assert cdkn2a["cbp_driver_tiers"] == cdkn2a["cbp_driver_tiers_annotation"] == ""


# --------------------------------------------------------------------------- copy number


@pytest.mark.parametrize(
    ("call", "copies", "code"),
    [
        ("amplified", 8.1, "2"),
        ("equivocal", 4.5, "1"),
        ("neutral", 2.0, "0"),
        ("loss", 1.1, "-1"),
        ("loss", 0.2, "-2"),
        ("loss", None, "-1"),
        ("not evaluable", None, "NA"),
    ],
)
def test_cna_coding(call, copies, code):
    assert formats.cna_value({"gene": "X", "call": call, "copy_number": copies}) == code


def test_cna_table_has_one_column_per_profiled_sample(example, tmp_path):
    second = other_patient(example, "P2")
    second["copy_number"] = [
        {"gene": "CDKN2A", "n_targets": 3, "log2_ratio": -2.0, "copy_number": 0.1, "call": "loss"}
    ]
    tumour_only = other_patient(example, "P3")
    tumour_only["copy_number"] = []
    columns, rows = formats.cna_table([example, second, tumour_only])
    assert columns == ["Hugo_Symbol", "DEMO01-T", "P2-T"]
    table = {r["Hugo_Symbol"]: r for r in rows}
    assert table["ERBB2"] == {"Hugo_Symbol": "ERBB2", "DEMO01-T": "2", "P2-T": "NA"}
    assert table["CDKN2A"]["P2-T"] == "-2"
    out = tmp_path / "cna.txt"
    tables.write_tsv(rows, columns, out)
    assert out.read_text().splitlines()[0] == "Hugo_Symbol\tDEMO01-T\tP2-T"


# --------------------------------------------------------------------------- tiers, summary


def test_tiers_sort_by_level_then_letter():
    assert tables.best_tier(["III", "IIC", "Tier IB", "IV"]) == "IB"
    assert sorted(["IV", "IIC", "IA", "III", "IID", "IB"], key=tables.tier_key) == [
        "IA",
        "IB",
        "IIC",
        "IID",
        "III",
        "IV",
    ]
    assert tables.best_tier([]) == ""


def test_actionability_items_reach_the_findings_they_point_at(example):
    example["actionability"] = [
        item(["/variants/0"], "KRAS", "KRAS p.G12D", "II", "C", [("drug A", "sensitivity")]),
        item(["/variants/0"], "KRAS", "KRAS G12", "I", "A", [("drug B", "resistance")]),
        item(
            ["/copy_number/0"],
            "ERBB2",
            "ERBB2 amplification",
            "I",
            "B",
            [("drug C", "sensitivity")],
        ),
        item(["/hotspots/1"], "NRAS", "KRAS/NRAS wild-type", "II", "D"),
        item(["/variants/1"], "CDKN2A", "CDKN2A p.A68Gfs*51", None, None, status="not established"),
    ]
    rows = {(r["gene"], r["alteration"]): r for r in tables.summary_rows([example])}
    assert rows[("KRAS", "G12D")]["tier"] == "IA"
    assert rows[("KRAS", "G12D")]["therapies"] == "drug A; drug B (resistance)"
    assert rows[("ERBB2", "amplification")]["tier"] == "IB"
    assert rows[("ERBB2", "amplification")]["copy_number"] == "8.1"
    assert rows[("NRAS", "KRAS/NRAS wild-type")]["category"] == "other"
    assert rows[("NRAS", "KRAS/NRAS wild-type")]["tier"] == "IID"
    assert rows[("CDKN2A", "A68Gfs*51")]["tier"] == ""  # not established
    # neutral copy number is not a finding
    assert ("KRAS", "neutral") not in rows


def test_items_without_pointers_match_by_gene_and_protein_or_category(example):
    example["actionability"] = [
        {"gene": "KRAS", "alteration": "p.G12D", "tier": "IIC", "therapies": ["drug A"]},
        {"gene": "KRAS", "alteration": "KRAS G12D", "tier": "IA", "therapies": ["drug B"]},
        {"gene": "ERBB2", "alteration": "Amplification", "tier": "IIC"},
        {"gene": "TP53", "alteration": "R175H", "tier": "IID"},
    ]
    rows = {(r["gene"], r["alteration"]): r for r in tables.summary_rows([example])}
    assert rows[("KRAS", "G12D")]["tier"] == "IA"
    assert rows[("KRAS", "G12D")]["therapies"] == "drug A; drug B"
    assert rows[("ERBB2", "amplification")]["tier"] == "IIC"
    assert rows[("TP53", "R175H")]["category"] == "other"  # no such variant here


def test_a_patient_without_alterations_is_still_listed(example, tmp_path):
    empty = other_patient(example, "P9")
    empty["variants"], empty["copy_number"] = [], []
    rows = tables.summary_rows([example, empty])
    assert [r for r in rows if r["patient"] == "P9"] == [
        {
            **dict.fromkeys(tables.SUMMARY_COLUMNS, ""),
            "patient": "P9",
            "tumour_sample": "P9-T",
            "tumour_type": "colorectal adenocarcinoma",
            "category": "none",
            "alteration": "no somatic alteration reported",
        }
    ]
    out = tmp_path / "summary.tsv"
    tables.write_tsv(rows, tables.SUMMARY_COLUMNS, out)
    with open(out, newline="") as fh:
        assert len(list(csv.DictReader(fh, delimiter="\t"))) == len(rows)


def test_duplicate_patients_are_refused(tmp_path, example):
    for name in ("a.json", "b.json"):
        (tmp_path / name).write_text(json.dumps(example))
    with pytest.raises(ValueError, match="DEMO01"):
        tables.load_findings([tmp_path / "a.json", tmp_path / "b.json"])


# --------------------------------------------------------------------------- oncoprint


def test_oncoprint_orders_genes_by_frequency_and_patients_by_memo_sort(example):
    second = other_patient(example, "P2")
    second["variants"] = []
    third = other_patient(example, "P3")
    third["variants"], third["copy_number"] = [], []
    genes, patients, cells = tables.oncoprint_order(
        [third, second, example], ["TP53", "KRAS", "CDKN2A", "ERBB2"]
    )
    assert genes == ["ERBB2", "KRAS", "CDKN2A", "TP53"]
    assert patients == ["DEMO01", "P2", "P3"]
    assert {a.kind for a in cells[("ERBB2", "DEMO01")]} == {"amp"}
    assert {a.kind for a in cells[("CDKN2A", "DEMO01")]} == {"truncating"}


def test_oncoprint_png_is_written_and_deterministic(example, tmp_path):
    cohort_docs = [example, other_patient(example, "P2")]
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    tables.write_oncoprint(cohort_docs, ["KRAS", "CDKN2A", "ERBB2"], a)
    tables.write_oncoprint(cohort_docs, ["KRAS", "CDKN2A", "ERBB2"], b)
    assert a.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert a.read_bytes() == b.read_bytes()
