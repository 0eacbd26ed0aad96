"""Page 1 of the report: which therapies go in which column and in what order (issue 12 item 4),
germline variants reported apart from the tiers (item 9a), and the knowledge-base sizes in the
provenance block (item 9c)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tumorboard.knowledge import tiers as T
from tumorboard.knowledge.tumour_types import SAME_TYPE, load_ontology
from tumorboard.report.document import build_view
from tumorboard.report.html import render_report

DATA = Path(__file__).resolve().parents[1] / "data"
EXAMPLE = DATA / "findings_example.json"
_TIER = {("same", "A"): ("I", "A"), ("same", "B"): ("I", "B")}


@pytest.fixture
def findings() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def ev(eid, therapy, response, level, where="same", source="CIViC", citation="PMID:1"):
    """One counted evidence entry as tiers.actionability writes it (tier by Li et al. 2017)."""
    tier = _TIER.get((where, level)) or (("II", "D") if level in "DE" else ("II", "C"))
    return {"source": source, "id": eid, "url": None, "profile": "KRAS G12D",
            "match": "protein change", "specific": True, "level": level, "direction": "Supports",
            "significance": response, "response": response, "therapy": therapy,
            "therapy_interaction": None, "disease": "d", "tumour_type": None,
            "tumour_type_match": where, "counts": True, "tier": tier[0], "tier_level": tier[1],
            "citation": citation, "indication": None, "statement": None}  # fmt: skip


def item(evidence: list[dict]) -> dict:
    """An actionable finding whose therapy lines are listed alphabetically (the page must order
    them itself), each with its best tier."""
    best: dict[tuple[str, str], dict] = {}
    for e in evidence:
        t = best.setdefault((e["therapy"], e["response"]), {
            "therapy": e["therapy"], "response": e["response"], "tier": e["tier"],
            "tier_level": e["tier_level"], "tumour_types": [], "evidence": []})  # fmt: skip
        if (e["tier"], e["tier_level"]) < (t["tier"], t["tier_level"]):
            t.update(tier=e["tier"], tier_level=e["tier_level"])
        t["evidence"].append(e["id"])
    return {"finding": ["/variants/0"], "kind": "variant", "gene": "KRAS",
            "alteration": "KRAS p.G12D", "status": "established", "reason": None, "tier": "I",
            "tier_level": "A", "tier_label": "Tier I-A", "tier_basis": "b",
            "therapies": sorted(best.values(), key=lambda t: t["therapy"]),
            "evidence": evidence}  # fmt: skip


def page1(findings: dict, evidence: list[dict]) -> dict:
    findings["actionability"] = [item(evidence)]
    (row,) = build_view(findings, None)["actionable"]
    return row


def names(lines: list[str]) -> list[str]:
    return [x.split(" (")[0] for x in lines if not x.startswith("+")]


# ------------------------------------------------------------------------- item 4: columns


def test_resistance_in_the_patients_tumour_type_is_never_in_the_other_types_column(findings):
    row = page1(findings, [
        ev("EID1", "cetuximab", "resistance", "C"),  # Tier II-C, in the patient's type
        ev("EID2", "regorafenib", "resistance", "D", "tumour-agnostic"),
        ev("EID3", "trametinib", "resistance", "B", "other"),  # resistance elsewhere: not listed
        ev("EID4", "sotorasib", "sensitivity", "B", "other"),
    ])  # fmt: skip
    assert row["other"] == "sotorasib"
    # both belong to the patient's column: Tier II lines there are counted on page 1
    assert row["resistant"] == ["2 Tier II lines (Evidence details)"]


def test_sensitivity_in_the_patients_tumour_type_is_never_in_the_other_types_column(findings):
    row = page1(findings, [
        ev("EID1", "binimetinib", "sensitivity", "C"),  # Tier II-C here, level A elsewhere
        ev("TB1", "binimetinib", "sensitivity", "A", "other", "tumorboard biomarkers", "FDA 2018"),
        ev("EID2", "panitumumab", "resistance", "B"),  # resistance here, sensitivity elsewhere
        ev("EID3", "panitumumab", "sensitivity", "B", "other"),
        ev("EID4", "sotorasib", "sensitivity", "B", "other"),
    ])  # fmt: skip
    assert row["other"] == "sotorasib"
    assert row["sensitive"] == ["1 Tier II line (Evidence details)"]
    from tumorboard.report.document import page1_columns

    here, _ = page1_columns(item(findings["actionability"][0]["evidence"]))
    binimetinib = next(t for t in here if t["therapy"] == "binimetinib")
    assert binimetinib["evidence"] == ["EID1"]  # the ids of this tumour type only


def test_order_is_level_then_approval_then_name(findings):
    fda = {"source": "tumorboard biomarkers", "citation": "FDA 2020 (label); NCCN guideline"}
    row = page1(findings, [
        ev("EID1", "abemaciclib", "sensitivity", "B"),
        ev("EID2", "afatinib", "sensitivity", "A"),  # CIViC level A, no approval
        ev("TB1", "zanubrutinib", "sensitivity", "A", **fda),  # an approval, level A
        ev("EID3", "adagrasib", "sensitivity", "C"),
        ev("EID4", "alpelisib", "sensitivity", "C", "other"),
        ev("EID5", "afuresertib", "sensitivity", "D", "other"),
        ev("TB2", "zongertinib", "sensitivity", "A", "other", **fda),
        ev("EID6", "amivantamab", "sensitivity", "A", "other"),
        ev("EID7", "abiraterone", "sensitivity", "B", "other"),
    ])  # fmt: skip
    assert row["sensitive"][0] == "zanubrutinib (I-A; TB1)"
    assert names(row["sensitive"][:2]) == ["zanubrutinib", "afatinib"]
    assert row["other"] == "zongertinib, amivantamab, abiraterone +2 more"


def test_other_types_column_of_real_findings_excludes_the_patients_type(kb, findings):
    """KRAS p.G12D and ERBB2 amplification in colorectal cancer, against CIViC 2018 and the
    biomarker table: no therapy in the other-types column (all of it, not only the three names
    page 1 prints) has counted evidence in colorectal cancer, and all are sensitivity lines."""
    from tumorboard.report.document import page1_columns

    variant = dict(findings["variants"][0], germline=False)
    f = {"tumour_type": "colorectal adenocarcinoma", "variants": [variant],
         "copy_number": [{"gene": "ERBB2", "call": "amplified"}], "hotspots": []}  # fmt: skip
    items = {a["alteration"]: a for a in T.actionability(f, kb)}
    for label in ("KRAS p.G12D", "ERBB2 amplification"):
        a = items[label]
        here = {e["therapy"] for e in a["evidence"]
                if e["counts"] and e["tumour_type_match"] in SAME_TYPE}  # fmt: skip
        here_lines, other_lines = page1_columns(a)
        assert other_lines, label
        assert not {t["therapy"] for t in other_lines} & here, label
        assert {t["response"] for t in other_lines} == {"sensitivity"}
        assert {t["therapy"] for t in here_lines} == here
        findings["actionability"] = [a]
        other = build_view(findings, None)["actionable"][0]["other"]
        padded = ", " + re.sub(r" \+\d+ more$", "", other) + ", "
        assert not {n for n in here if f", {n}, " in padded}, (label, other)
    kras = page1_columns(items["KRAS p.G12D"])
    assert ("cetuximab", "resistance") in {(t["therapy"], t["response"]) for t in kras[0]}
    assert "cetuximab" not in {t["therapy"] for t in kras[1]}


# ------------------------------------------------------------------------- item 9a: germline


def test_germline_variant_gets_no_tier_and_is_listed_apart(kb):
    somatic = {"gene": "KRAS", "chrom": "chr12", "pos": 1, "ref": "C", "alt": "T",
               "hgvs_c": "c.35G>A", "hgvs_p": None, "protein_short": "G12D",
               "consequence": "missense", "exon": 2, "hotspot": True}  # fmt: skip
    germ = dict(somatic, gene="BRAF", protein_short="V600E", exon=15, germline=True, vaf=0.49)
    silent = dict(somatic, gene="TP53", protein_short="R72P", exon=4, hotspot=False,
                  germline=True, vaf=0.51)  # fmt: skip
    f = {"tumour_type": "colorectal adenocarcinoma", "variants": [somatic, germ, silent],
         "copy_number": [], "hotspots": []}  # fmt: skip
    items = T.actionability(f, kb)
    T.validate_items(items)
    pointers = {p for it in items for p in it["finding"]}
    assert "/variants/0" in pointers
    assert not pointers & {"/variants/1", "/variants/2"}  # neither I-A (V600E) nor IV
    assert not any(it["tier"] == "IV" for it in items)
    listed = T.germline_findings(f)
    assert [(g["finding"], g["alteration"]) for g in listed] == [
        ("/variants/1", "BRAF p.V600E"),
        ("/variants/2", "TP53 p.R72P"),
    ]
    assert all("not tiered" in g["note"] for g in listed)


def test_report_lists_germline_apart_and_the_schema_carries_it(findings, tmp_path):
    findings["variants"][0]["germline"] = True
    findings["actionability"] = []
    findings["germline"] = T.germline_findings(findings)
    out = tmp_path / "r.html"
    render_report(findings, None, out)  # validates against findings.schema.json
    html = out.read_text(encoding="utf-8")
    assert "Germline findings (not tiered)" in html
    assert "KRAS p.G12D (VAF 31.0%): germline variant" in html
    assert build_view(findings, None)["germline"][0].startswith("KRAS p.G12D")


# ------------------------------------------------------------------------- item 9c: sizes


def test_provenance_counts_the_tumour_type_table_rows(kb, findings):
    prov = {k["id"]: k for k in kb.provenance()}
    n_types = len(load_ontology().types)
    assert n_types == 30
    assert prov["tumour_types"]["rows"] == n_types
    findings["knowledge_base"] = kb.provenance()
    lines = build_view(findings, None)["knowledge_base"]
    (line,) = [x for x in lines if x.startswith("tumorboard tumour types")]
    assert line.endswith(f"{n_types} rows)")
    assert "; 0 rows" not in " ".join(lines)
    assert any(f"{prov['civic_evidence']['records']} records" in x for x in lines)
