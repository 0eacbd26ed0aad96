"""Issue 14, item 1: a hotspot allele seen in the tumour but filtered by the caller (as a normal
artefact when the normal FASTQ is the tumour's own) reads "detected, filtered (<filters>)" in
the findings, on page 1 and in the Hotspots section; never "not detected", never wild type."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from test_tiers import RAS, findings, hotspots

from tumorboard.calling import hotspots as H
from tumorboard.knowledge import matching as M
from tumorboard.knowledge import vocabulary as V
from tumorboard.report.document import hotspot_text, negative_summary, validate_findings

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "findings_example.json"
SWAPPED = "nlod,normal_artifact,panel_of_normals"  # what the swapped-normal run gave KRAS G12D


def rejected(alt_reads, vaf, filters, short="G12D"):
    return {"gene": "KRAS", "chrom": "chr12", "pos": 25245350, "ref": "C", "alt": "T",
            "protein_short": short, "hgvs_c": "c.35G>A", "alt_reads": alt_reads, "vaf": vaf,
            "filters": filters}  # fmt: skip


def row():
    return hotspots("KRAS", [12])[0] | {"subthreshold": None, "filters": None}


def test_an_allele_filtered_only_as_a_normal_artefact_is_detected_filtered():
    r = row()
    H.filtered_evidence(r, [rejected(150, 0.3, SWAPPED)])
    assert r["status"] == "detected, filtered"
    assert r["variant"] == "G12D" and r["filters"] == SWAPPED
    text = hotspot_text(r, 100, [])
    assert text.startswith(f"KRAS 12: detected, filtered ({SWAPPED}) — G12D")
    assert "not detected" not in text


def test_too_few_alt_reads_stays_not_detected_with_sub_threshold_evidence():
    r = row()
    H.filtered_evidence(r, [rejected(2, 0.004, "alt_reads,low_vaf,tlod")])
    assert r["status"] == "not detected" and r["filters"] is None
    assert "2 alt reads (0.4%)" in r["subthreshold"]
    # an artefact filter on top of too few reads: still not seen well enough to call
    assert not H.seen_in_tumour(rejected(2, 0.004, "alt_reads,strand_bias"))
    assert H.seen_in_tumour(rejected(40, 0.2, "strand_bias"))
    assert not H.seen_in_tumour(rejected(40, 0.2, ""))


def test_wild_type_is_never_established_from_a_filtered_allele():
    hs = hotspots("KRAS", RAS) + hotspots("NRAS", RAS)
    assert M.wild_type_status(["KRAS", "NRAS"], hs).established is True
    hs[0].update(status="detected, filtered", variant="G12D", filters=SWAPPED)
    wt = M.wild_type_status(["KRAS", "NRAS"], hs)
    assert wt.established is None
    assert f"KRAS 12 G12D detected, filtered ({SWAPPED})" in wt.reason
    ctx = M.FindingsContext(findings("colorectal adenocarcinoma", hs=hs))
    res = M.evaluate(V.parse_profile("KRAS wild type AND NRAS wild type"), ctx)
    assert res.state is None
    # nor is the allele's absence established ("NOT KRAS G12D")
    res = M.evaluate(V.parse_profile("NOT KRAS G12D"), ctx)
    assert res.state is None and "detected, filtered" in res.reasons[0]


def test_tp53_wild_type_reason_names_the_filtered_allele():
    hs = hotspots("TP53", [175, 248, 273])
    hs[0].update(status="detected, filtered", variant="R175H", filters=SWAPPED)
    wt = M.wild_type_status(["TP53"], hs)
    assert wt.established is None and "TP53 175 R175H detected, filtered" in wt.reason


def test_findings_and_page_one_say_detected_filtered():
    doc = json.loads(EXAMPLE.read_text())
    doc = copy.deepcopy(doc)
    i, kras = next((i, h) for i, h in enumerate(doc["hotspots"]) if h["label"] == "KRAS G12")
    doc["variants"] = [v for v in doc["variants"] if v["gene"] != "KRAS"]
    kras.update(status="detected, filtered", variant="G12D", filters=SWAPPED)
    validate_findings(doc)  # the schema knows the status and its filters
    line = next(x for x in negative_summary(doc) if x.startswith("KRAS"))
    assert f"G12D detected, filtered ({SWAPPED})" in line
