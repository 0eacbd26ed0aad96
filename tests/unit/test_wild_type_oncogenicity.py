"""Issue 12, item 5 (wild-type claims cover only what was tested, consider copy number, and are
findings only where a guideline uses them) and item 9 (oncogenicity apart from actionability)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_tiers import RAS, findings, hotspots, run, variant

from tumorboard.knowledge import matching as M
from tumorboard.knowledge import oncogenicity as O
from tumorboard.knowledge import sources as S
from tumorboard.knowledge import tiers as T
from tumorboard.knowledge import vocabulary as V
from tumorboard.knowledge.tumour_types import DEFAULT_TABLE as TUMOUR_TYPES
from tumorboard.report.document import build_view
from tumorboard.report.html import render_html

DATA = Path(__file__).resolve().parents[1] / "data"
CURRENT = DATA / "civic_current_ClinicalEvidenceSummaries.tsv"
EXAMPLE = DATA / "findings_example.json"
TP53_HOTSPOTS = [175, 248, 273]


def wild_type_items(items, gene):
    return [it for it in items if it["alteration"].startswith(f"{gene} wild-type")
            or it["alteration"].startswith(f"{gene}/")]  # fmt: skip


# --------------------------------------------------------------------------------------------
# Item 5: a wild-type statement covers only what was tested
# --------------------------------------------------------------------------------------------


def test_tp53_wild_type_is_not_declared_from_three_codons(kb):
    hs = hotspots("TP53", TP53_HOTSPOTS)
    ctx = M.FindingsContext(findings("colorectal cancer", hs=hs))
    res = M.evaluate(V.parse_profile("TP53 wild type"), ctx)
    assert res.state is None
    assert res.reasons == [
        "TP53 wild type needs all coding exons tested; only TP53 codons 175, 248, 273 were "
        "genotyped (the rest of TP53 was not tested for wild type)"
    ]
    # the 2018 CIViC TP53 wild-type items (EID875: cetuximab + CAPOX in colorectal cancer)
    # made "TP53 wild-type (codons 175, 248, 273)" a Tier II-C finding: no longer
    items = run(kb, findings("colorectal adenocarcinoma", hs=hs))
    assert not wild_type_items(items, "TP53")


def test_the_exons_an_evidence_item_tested_are_what_wild_type_needs():
    # CIViC EID1149 says its TP53 testing covered exons 5-8
    assert M.exons_named("sequencing of TP53 (exons 5-8) in 200 patients") == "exons 5-8"
    assert M.exons_named("TP53 exons 5 to 8") == "exons 5-8"
    assert M.exons_named("no region named") is None
    wt = M.wild_type_status(["TP53"], hotspots("TP53", TP53_HOTSPOTS), tested="exons 5-8")
    assert wt.established is None and wt.label == "TP53 wild-type (exons 5-8)"
    assert "needs exons 5-8 tested; only TP53 codons 175, 248, 273" in wt.reason
    # genes with a guideline-defined codon list keep it whatever the item says
    assert M.required_regions("KRAS", "exon 2") == "codons 12, 13, 59, 61, 117, 146"


def test_never_wild_type_with_a_homozygous_deletion(kb):
    hs = hotspots("TP53", TP53_HOTSPOTS) + hotspots("KRAS", RAS)
    homdel = [{"gene": "TP53", "call": "homozygous deletion"},
              {"gene": "KRAS", "call": "homozygous deletion"}]  # fmt: skip
    for gene in ("TP53", "KRAS"):
        wt = M.wild_type_status([gene], hs, [], homdel)
        assert wt.established is False
        assert wt.reason == f"mutated or deleted: {gene} homozygous deletion"
    items = run(kb, findings("colorectal adenocarcinoma", copy_number=homdel[:1], hs=hs))
    assert [it["alteration"] for it in items if it["gene"] == "TP53"] == [
        "TP53 homozygous deletion"
    ]  # and no TP53 wild-type line, established or not
    # a truncating variant is loss of function too
    trunc = M.wild_type_status(
        ["TP53"], hs, [variant("TP53", "R196*", "stop_gained", hotspot=False)]
    )
    assert trunc.established is False


@pytest.fixture(scope="module")
def low_level_kb(tmp_path_factory, project):
    """Wild-type items with only preclinical (level D) or tumour-agnostic support."""
    src = (project / "resources" / "biomarkers.tsv").read_text().splitlines()
    head = [ln for ln in src if ln.startswith("#")] + [
        next(ln for ln in src if ln.startswith("id\t"))
    ]
    rows = [
        "TB901\tKRAS\tKRAS wild type AND NRAS wild type\tCOADREAD\t\tdrug-preclinical\t"
        "sensitivity\tD\tpreclinical fixture\tfixture",
        "TB902\tKRAS\tKRAS wild type\tSOLID\t\tdrug-agnostic\tsensitivity\tA\t"
        "tumour-agnostic fixture\tfixture",
    ]
    p = tmp_path_factory.mktemp("kb") / "biomarkers.tsv"
    p.write_text("\n".join(head + rows) + "\n")
    civic = tmp_path_factory.mktemp("civic") / "civic.tsv"
    civic.write_text(CURRENT.read_text().splitlines()[0] + "\n")
    return S.build(civic, p, TUMOUR_TYPES)


def test_a_preclinical_or_tumour_agnostic_wild_type_item_produces_no_finding(low_level_kb):
    hs = hotspots("KRAS", RAS) + hotspots("NRAS", RAS)
    for tumour_type in ("colorectal adenocarcinoma", "melanoma"):
        items = run(low_level_kb, findings(tumour_type, hs=hs))
        assert not [it for it in items if it["kind"] == "wild type"], tumour_type
    # not established either: no "not established" wild-type line for them
    shallow = hotspots("KRAS", RAS) + hotspots("NRAS", RAS, "not evaluable", "x")
    items = run(low_level_kb, findings("colorectal adenocarcinoma", hs=shallow))
    assert not [it for it in items if it["kind"] == "wild type"]


def test_ras_wild_type_in_colorectal_cancer_is_still_established(kb):
    hs = hotspots("KRAS", RAS) + hotspots("NRAS", RAS)
    items = run(kb, findings("colorectal adenocarcinoma", hs=hs))
    (wt,) = wild_type_items(items, "KRAS")
    assert wt["alteration"] == "KRAS/NRAS wild-type (codons 12, 13, 59, 61, 117, 146)"
    assert (wt["status"], wt["tier_label"]) == ("established", "Tier I-A")
    lines = {(t["therapy"], t["response"]) for t in wt["therapies"]}
    assert {("cetuximab", "sensitivity"), ("panitumumab", "sensitivity")} <= lines
    # a panel that genotyped only some of the codons: not established, saying what was missing
    partial = hotspots("KRAS", RAS) + hotspots("NRAS", [12, 13, 61])
    items = run(kb, findings("colorectal adenocarcinoma", hs=partial))
    (ne,) = wild_type_items(items, "KRAS")
    assert ne["status"] == "not established"
    assert "NRAS codons 59, 117, 146 not genotyped by this panel" in ne["reason"]


# --------------------------------------------------------------------------------------------
# Item 9: oncogenicity apart from the therapy tier
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "v, label",
    [
        (variant("KRAS", "G12D", hotspot=True), O.ONCOGENIC),
        (variant("CDKN2A", "A68Gfs*51", "frameshift", hotspot=False), O.LIKELY_ONCOGENIC),
        (variant("TP53", "R196*", "stop_gained", hotspot=False), O.LIKELY_ONCOGENIC),
        (variant("TP53", None, "splice_donor", hotspot=False), O.LIKELY_ONCOGENIC),
        (variant("CDKN2A", "D84N", hotspot=False), O.UNKNOWN),  # missense, no hotspot
        # KRAS is no tumour suppressor
        (variant("KRAS", "K5fs", "frameshift", hotspot=False), O.UNKNOWN),
        (variant("KRAS", "G12=", "synonymous", hotspot=True), O.UNKNOWN),
    ],
)
def test_oncogenicity_rules(v, label):
    got, basis = O.classify(v)
    assert got == label and basis
    if label == O.LIKELY_ONCOGENIC:
        assert "Cancer Gene Census" in basis


def test_the_tumour_suppressor_table_names_a_source_for_each_gene():
    table = O.read_tumour_suppressors()
    assert {"CDKN2A", "TP53"} <= set(table)
    assert all(src.strip() for src in table.values())


def test_truncating_cdkn2a_is_likely_oncogenic_not_unknown_significance(kb):
    f = findings(
        "colorectal adenocarcinoma", [variant("CDKN2A", "A68Gfs*51", "frameshift", hotspot=False)]
    )
    O.annotate(f["variants"])
    assert f["variants"][0]["oncogenicity"] == "likely oncogenic"
    (it,) = run(kb, f)
    assert it["tier_label"] == "Tier III"  # the tier is about therapy evidence, unchanged
    assert "unknown significance" not in it["reason"]


def test_page1_shows_oncogenicity_next_to_the_tier(kb):
    f = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    O.annotate(f["variants"])
    f["actionability"] = T.actionability(f, kb)
    rows = {r["alteration"]: r for r in build_view(f, None)["actionable"]}
    assert rows["CDKN2A p.A68Gfs*51"]["oncogenicity"] == "likely oncogenic"
    assert rows["KRAS p.G12D"]["oncogenicity"] == "oncogenic"
    assert rows["ERBB2 amplification"]["oncogenicity"] == ""
    html = render_html(f, None)  # validates the findings (schema: variants[].oncogenicity)
    assert '<strong>III</strong><br><span class="muted">likely oncogenic</span>' in html
    # findings written before the label: computed for the page
    for v in f["variants"]:
        del v["oncogenicity"], v["oncogenicity_basis"]
    rows = {r["alteration"]: r for r in build_view(f, None)["actionable"]}
    assert rows["CDKN2A p.A68Gfs*51"]["oncogenicity"] == "likely oncogenic"
