"""Issue 12, item 7: one normalised name per drug, non-drugs, and what a therapy line's
separators mean (tumorboard.knowledge.therapies, used by sources, gating and tiers)."""

import csv
import re

import pytest
from test_gating import actionable, kras_crc
from test_tiers import CIVIC_HEADER, TUMOUR_TYPES, civic_row, findings

from tumorboard.knowledge import sources as S
from tumorboard.knowledge import therapies as TH

MISSION = {"BRAF", "KRAS", "NRAS", "ERBB2", "EGFR", "PIK3CA", "TP53", "CDKN2A"}
OLD = "civic/civic_nightly_2018-05_ClinicalEvidenceSummaries.tsv"
NEW = "civic/2024-08-01/01-Aug-2024-ClinicalEvidenceSummaries.tsv"


@pytest.mark.parametrize(
    "spellings, name",
    [
        (["Fam-trastuzumab deruxtecan-nxki", "Trastuzumab Deruxtecan", "DS-8201"],
         "trastuzumab deruxtecan"),
        (["5-FU", "5-fluorouracil", "Fluorouracil"], "fluorouracil"),
        (["PLX4032", "Vemurafenib", "Zelboraf"], "vemurafenib"),
        (["Selumetinib (AZD6244)", "AZD6244", "ARRY-142886"], "selumetinib"),
        (["Trametinib DMSO", "Trametinib"], "trametinib"),
        (["Ado-trastuzumab Emtansine", "Trastuzumab Emtansine"], "trastuzumab emtansine"),
        (["BYL719 (Alpelisib)", "Alpelisib"], "alpelisib"),
        (["Sym004", "Futuximab/Modotuximab Mixture"], "futuximab/modotuximab mixture"),
    ],
)  # fmt: skip
def test_spellings_of_one_drug_are_one_name(spellings, name):
    assert {TH.normalise(s).name for s in spellings} == {name}
    assert TH.drug_names(spellings) == [name]  # one drug, however many spellings


def test_a_name_is_never_split_on_slash():
    assert TH.therapy_label(["PI3K/BET Inhibitor LY294002"], None) == "PI3K/BET inhibitor LY294002"
    assert TH.drug_names(["AKTi-1/2", "Cetuximab"]) == ["akti-1/2", "cetuximab"]
    label = TH.therapy_label(["Futuximab/Modotuximab Mixture", "Irinotecan"], "Combination")
    assert label == "futuximab/modotuximab mixture + irinotecan"


def test_separators_say_combination_alternatives_sequence_or_not_stated():
    two = ["Panitumumab", "Cetuximab"]
    assert TH.therapy_label(two, "Combination") == "cetuximab + panitumumab"
    assert TH.therapy_label(two, "Substitutes") == "cetuximab or panitumumab"
    seq = TH.therapy_label(["Oxaliplatin", "Cetuximab"], "Sequential")
    assert seq == "oxaliplatin then cetuximab"  # the source's order
    unstated = TH.therapy_label(two, None)
    assert unstated == "cetuximab, panitumumab (together or alternatives: not stated)"
    for label in (TH.therapy_label(two, k) for k in ("Combination", "Substitutes", None)):
        assert " / " not in label


def test_non_drugs_are_named_as_such():
    assert TH.non_drug_only(["Chemotherapy"]) and TH.non_drug_only(["Radiation Therapy"])
    assert TH.non_drug_only(["Adjuvant Chemotherapy", "Cytoreductive Surgery"])
    assert TH.non_drug_only(["Whole Brain Radiotherapy"])  # unlisted: a modality by its words
    assert not TH.non_drug_only(["Cetuximab", "Radiation Therapy"])
    assert TH.therapy_label(["Cetuximab", "Radiation Therapy"], "Combination") == (
        "cetuximab + radiation therapy (not a drug)"
    )
    assert TH.drug_names(["Cetuximab", "Radiation Therapy"]) == ["cetuximab"]
    # a named regimen is drugs: shown with them, its drugs gated like any other
    assert TH.therapy_label(["EAP Protocol"], None) == (
        "EAP regimen (etoposide + doxorubicin + cisplatin)"
    )
    assert "cisplatin" in TH.drug_names(["EAP Protocol"])


def test_table_rejects_a_spelling_given_to_two_drugs(tmp_path):
    bad = tmp_path / "drug_names.tsv"
    bad.write_text("name\tkind\tcomponents\tsynonyms\nvemurafenib\tdrug\t\tPLX4032\n"
                   "dabrafenib\tdrug\t\tPLX4032\n")  # fmt: skip
    with pytest.raises(TH.TherapyNameError, match=r"drug_names.tsv: row 2 .*'PLX4032'"):
        TH.load_table(bad)


def _mission_therapies(path, gene_of):
    with open(path, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            if r["evidence_type"] == "Predictive" and gene_of(r) & MISSION:
                yield from S._split_outside_parentheses(r.get("therapies") or r.get("drugs") or "")


def test_table_covers_every_mission_gene_drug_of_both_exports_and_the_table(mirror, project):
    table = TH.load_table()
    names = set(_mission_therapies(mirror / OLD, lambda r: {r["gene"]}))
    def genes(r):
        return set(re.findall(r"\b[A-Z0-9]+\b", r["molecular_profile"]))

    names |= set(_mission_therapies(mirror / NEW, genes))
    for r in S.read_biomarkers(project / "resources" / "biomarkers.tsv").records:
        names |= set(r.therapies)
    missing = sorted(n for n in names if " ".join(n.split()).casefold() not in table)
    assert len(names) > 200 and missing == []


def test_same_drug_from_both_civic_spellings_is_one_line(tmp_path, project):
    """NCIt's "Trastuzumab Deruxtecan" and the FDA's "Fam-trastuzumab deruxtecan-nxki", for one
    finding: one therapy line, not two."""
    civic = tmp_path / "civic.tsv"
    civic.write_text(
        CIVIC_HEADER
        + civic_row(9201, "ERBB2 Amplification", "Breast Cancer", 1612,
                    "Trastuzumab Deruxtecan", "B")
        + civic_row(9202, "ERBB2 Amplification", "Breast Cancer", 1612,
                    "Fam-trastuzumab deruxtecan-nxki", "B")  # fmt: skip
    )
    kb = S.build(civic, project / "resources" / "biomarkers.tsv", TUMOUR_TYPES)

    f = findings("breast invasive ductal carcinoma", [], [{"gene": "ERBB2", "call": "amplified"}])
    amp = next(it for it in actionable(f, kb) if it["alteration"] == "ERBB2 amplification")
    lines = [t for t in amp["therapies"] if "deruxtecan" in t["therapy"]]
    assert [t["therapy"] for t in lines] == ["trastuzumab deruxtecan"]
    assert {"EID9201", "EID9202"} <= set(lines[0]["evidence"])


def test_non_drug_only_item_is_kept_counted_and_never_a_therapy_line(tmp_path, project):
    civic = tmp_path / "civic.tsv"
    civic.write_text(
        CIVIC_HEADER
        + civic_row(9301, "KRAS G12D", "Colorectal Cancer", 9256, "Chemotherapy", "B", "")
        + civic_row(9302, "KRAS G12D", "Colorectal Cancer", 9256,
                    "Hyperthermic Intraperitoneal Chemotherapy,Cytoreductive Surgery",
                    "B")
        + civic_row(9303, "KRAS G12D", "Colorectal Cancer", 9256,
                    "Radiation Therapy,Trametinib", "B")
    )
    kb = S.build(civic, project / "resources" / "biomarkers.tsv", TUMOUR_TYPES)
    assert {r.id for r in kb.records} >= {"EID9301", "EID9302"}  # kept in the knowledge base
    assert kb.sources[0]["non_drug_only"] == 2
    S.validate(kb.to_dict())
    kras = next(it for it in actionable(kras_crc(), kb) if it["alteration"] == "KRAS p.G12D")
    lines = [t["therapy"] for t in kras["therapies"]]
    assert not any("chemotherapy" in t or "surgery" in t for t in lines), lines
    assert "radiation therapy (not a drug) + trametinib" in lines
    ev = {e["id"]: e for e in kras["evidence"]}
    assert not ev["EID9301"]["counts"] and not ev["EID9302"]["counts"]


def test_a_gate_applies_to_every_spelling_and_class_of_its_drugs(tmp_path, project):
    """KRAS-mutant colorectal cancer: an anti-EGFR antibody named by its class, or the antibody
    mixture by its NCIt name (with its "/"), is gated like cetuximab."""
    civic = tmp_path / "civic.tsv"
    civic.write_text(
        CIVIC_HEADER
        + civic_row(9401, "KRAS G12D", "Colorectal Cancer", 9256,
                    "Anti-EGFR Monoclonal Antibody", "B")
        + civic_row(9402, "KRAS G12D", "Colorectal Cancer", 9256,
                    "Futuximab/Modotuximab Mixture", "B")
    )
    kb = S.build(civic, project / "resources" / "biomarkers.tsv", TUMOUR_TYPES)
    kras = next(it for it in actionable(kras_crc(), kb) if it["alteration"] == "KRAS p.G12D")
    ev = {e["id"]: e for e in kras["evidence"]}
    for eid in ("EID9401", "EID9402"):
        assert not ev[eid]["counts"] and "requires RAS wild type" in ev[eid]["set_aside"], eid


def test_methods_and_report_say_what_the_separators_and_non_drugs_mean(project):
    import yaml

    from tumorboard.report.document import _knowledge_base
    from tumorboard.report.methods import methods_paragraphs

    config = yaml.safe_load((project / "config" / "config.yaml").read_text())
    src = {"name": "CIViC clinical evidence summaries", "release_date": "2024-08-01"}
    text = " ".join(methods_paragraphs(config, {}, from_vcf=True, knowledge_base=[src]))
    for phrase in ('"a + b" means given together', '"a or b" alternatives', '"a then b"',
                   "not stated", 'never split on "/"', "all non-drugs"):  # fmt: skip
        assert phrase in text, phrase
    legend = (project / "workflow/tumorboard/templates/report.html.j2").read_text()
    assert '"a or b" alternatives' in legend and '"(not a drug)"' in legend
    kb = [{"name": "CIViC", "file": "c.tsv", "release_date": "2024-08-01", "sha256": "0" * 64,
           "records": 2512, "non_drug_only": 13}]  # fmt: skip
    assert "13 naming only non-drugs" in _knowledge_base({"knowledge_base": kb})[0]


def test_a_name_with_its_code_in_parentheses_is_the_drug():
    """ "Selumetinib (AZD6244)"-style names: either part known gives the drug, whichever order."""
    from tumorboard.knowledge.therapies import normalise

    assert normalise("AZD-6244 (selumetinib)").name == "selumetinib"
    assert normalise("Vemurafenib (RG7204X)").name == "vemurafenib"
    assert normalise("Compound (X-1)").name == "compound (X-1)"  # unknown: kept, plain words lower
