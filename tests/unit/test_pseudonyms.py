"""Pseudonymous cohort outputs (config cohort.pseudonymise): the cohort files made as the rules
make them (summary, MAF, CNA table, oncoprint order, cBioPortal study) carry no patient or
sample identifier of the sheet, and the key written apart maps each pseudonym back."""

import copy
import csv
import json

import pytest
from test_cohort import EXAMPLE, other_patient

from tumorboard.cohort import cbioportal, formats, pseudonyms, tables, validate

GENES = ["BRAF", "CDKN2A", "EGFR", "ERBB2", "KRAS", "TP53"]
IDS = ["Doe_Jane_1961", "Doe_Jane_1961-T1", "Doe_Jane_1961-blood", "Roe.R", "Roe.R-FFPE"]


@pytest.fixture
def cohort():
    """Two patients named as a site might name them; a QC reason naming the tumour sample."""
    jane = json.loads(EXAMPLE.read_text())
    jane["patient"], jane["tumour_sample"], jane["normal_sample"] = IDS[:3]
    jane["qc"]["samples"][0]["sample"], jane["qc"]["samples"][1]["sample"] = IDS[1:3]
    for row in jane["coverage"]:
        row["sample"] = IDS[1] if row["sample"] == "DEMO01-T" else IDS[2]
    jane["qc"]["reasons"] = [f"{IDS[1]}: only 80% of targets reach 100x"]
    roe = other_patient(jane, "Roe.R")
    roe["tumour_sample"], roe["normal_sample"] = "Roe.R-FFPE", None
    roe["input"] = {"kind": "vcf", "vcf": "Roe.R-FFPE.mutect2.vcf.gz"}
    roe["qc"] = {"verdict": "not assessed", "reasons": [], "samples": []}
    roe["coverage"], roe["copy_number"] = [], []
    return [jane, roe]


def cohort_files(docs, out):
    """What rules cohort_tables and cbioportal_study write from the (pseudonymised) findings."""
    tables.write_tsv(tables.summary_rows(docs), tables.SUMMARY_COLUMNS, out / "summary.tsv")
    formats.write_maf(formats.maf_rows(docs), out / "mutations.maf")
    columns, rows = formats.cna_table(docs)
    tables.write_tsv(rows, columns, out / "cna.txt")
    cbioportal.write_study(docs, out / "cbioportal", out / "mutations.maf", out / "cna.txt",
                           "tumorboard_test", GENES)  # fmt: skip
    return out


def test_pseudonymised_cohort_files_carry_no_identifier_and_the_key_maps_back(cohort, tmp_path):
    original = copy.deepcopy(cohort)
    docs = pseudonyms.cohort_view(cohort, {"pseudonymise": True, "pseudonym_prefix": "PT"})
    assert cohort == original  # the findings themselves are untouched
    out = cohort_files(docs, tmp_path / "cohort")
    assert validate.check_study(out / "cbioportal") == []  # still importable
    text = "\n".join(p.read_text() for p in sorted(out.rglob("*")) if p.is_file())
    leaked = [i for i in IDS if i in text]
    assert not leaked
    assert "Roe" not in text and "Doe" not in text
    # the pseudonyms are there instead: summary rows, MAF barcodes, CNA columns
    summary = list(csv.DictReader((out / "summary.tsv").open(), delimiter="\t"))
    assert {r["patient"] for r in summary} == {"PT001", "PT002"}
    assert {r["tumour_sample"] for r in summary} == {"PT001-T", "PT002-T"}
    maf = (out / "mutations.maf").read_text()
    assert "PT001-T\tPT001-N" in maf and "PT002-T\t" in maf
    assert (out / "cna.txt").read_text().splitlines()[0] == "Hugo_Symbol\tPT001-T"
    assert docs[0]["qc"]["reasons"] == ["PT001-T: only 80% of targets reach 100x"]
    assert tables.oncoprint_order(docs, GENES)[1] == ["PT001", "PT002"]

    key_file = tmp_path / "pseudonyms" / "key.tsv"
    pseudonyms.write_key(pseudonyms.assign(original, "PT"), key_file)
    key = list(csv.DictReader(key_file.open(), delimiter="\t"))
    assert key == [
        {"pseudonym": "PT001", "patient": IDS[0], "tumour_pseudonym": "PT001-T",
         "tumour_sample": IDS[1], "normal_pseudonym": "PT001-N", "normal_sample": IDS[2]},
        {"pseudonym": "PT002", "patient": "Roe.R", "tumour_pseudonym": "PT002-T",
         "tumour_sample": "Roe.R-FFPE", "normal_pseudonym": "", "normal_sample": ""},
    ]  # fmt: skip


def test_without_the_option_the_cohort_files_name_the_sheet_ids(cohort, tmp_path):
    docs = pseudonyms.cohort_view(cohort, {"pseudonymise": False, "pseudonym_prefix": "PT"})
    text = (cohort_files(docs, tmp_path) / "summary.tsv").read_text()
    assert IDS[0] in text and "PT001" not in text
