"""AMP/ASCO/CAP 2017 tiers: table-driven evidence tiers, and actionability of demo-like findings
against the real 2018 CIViC export plus the project's biomarker table."""

from pathlib import Path

import pytest

from tumorboard.knowledge import sources as S
from tumorboard.knowledge import tiers as T
from tumorboard.knowledge.tumour_types import DEFAULT_TABLE as TUMOUR_TYPES
from tumorboard.knowledge.tumour_types import TumourTypeError

DATA = Path(__file__).resolve().parents[1] / "data"
CURRENT = DATA / "civic_current_ClinicalEvidenceSummaries.tsv"
RAS = [12, 13, 59, 61, 117, 146]


def variant(gene, short, consequence="missense", exon=None, hotspot=True, **kw):
    v = {"gene": gene, "chrom": "chr1", "pos": 1, "ref": "A", "alt": "T", "hgvs_c": "c.1A>T",
         "hgvs_p": None, "protein_short": short, "consequence": consequence, "exon": exon,
         "hotspot": hotspot}  # fmt: skip
    v.update(kw)
    return v


def hotspots(gene, codons, status="not detected", reason=None):
    return [{"gene": gene, "codon": c, "codon_end": None, "event": "any", "label": f"{gene} {c}",
             "status": status, "depth": 500, "lod_vaf": 0.01, "variant": None, "reason": reason}
            for c in codons]  # fmt: skip


def findings(tumour_type, variants=(), copy_number=(), hs=()):
    return {"tumour_type": tumour_type, "variants": list(variants),
            "copy_number": list(copy_number), "hotspots": list(hs)}  # fmt: skip


@pytest.fixture(scope="module")
def kb(mirror, project):
    res = project / "resources"
    return S.build(
        mirror / "civic" / "civic_nightly_2018-05_ClinicalEvidenceSummaries.tsv",
        res / "biomarkers.tsv",
        TUMOUR_TYPES,
    )


def run(kb, f, tumour_type=None):
    items = T.actionability(f, kb, tumour_type)
    T.validate_items(items)
    return items


def by_label(items):
    return {it["alteration"]: it for it in items}


def therapies(item, tier=None):
    return {
        (t["therapy"], t["response"])
        for t in item["therapies"]
        if tier is None or f"{t['tier']}-{t['tier_level']}" == tier
    }


# --------------------------------------------------------------------------------------------
# Evidence tiers
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "level, relation, specific, tier",
    [
        ("A", "same", True, "Tier I-A"),
        ("A", "broader", True, "Tier I-A"),
        ("A", "tumour-agnostic", True, "Tier I-A"),
        ("B", "same", True, "Tier I-B"),
        ("A", "other", True, "Tier II-C"),
        ("B", "narrower", True, "Tier II-C"),
        ("A", "excluded", True, "Tier II-C"),
        ("C", "same", True, "Tier II-C"),
        ("C", "other", True, "Tier II-C"),
        ("D", "same", True, "Tier II-D"),
        ("E", "same", True, "Tier II-D"),
        ("A", "same", False, "Tier II-C"),  # gene-level evidence, variant at no hotspot
    ],
)
def test_evidence_tier(level, relation, specific, tier):
    assert T.evidence_tier(level, relation, specific).label == tier


def test_best_tier_is_the_lowest_rank():
    assert T.best_tier([T.TIER_IID, T.TIER_IB, T.TIER_IIC]) == T.TIER_IB
    assert T.best_tier([]) is None


# --------------------------------------------------------------------------------------------
# Real 2018 CIViC + biomarker table
# --------------------------------------------------------------------------------------------


def test_braf_v600e_melanoma_is_tier_ia_with_vemurafenib_and_dabrafenib(kb):
    items = run(kb, findings("melanoma", [variant("BRAF", "V600E", exon=15)]))
    top = items[0]
    assert (top["alteration"], top["tier_label"]) == ("BRAF p.V600E", "Tier I-A")
    ia = therapies(top, "I-A")
    assert ("vemurafenib", "sensitivity") in ia
    assert ("dabrafenib + trametinib", "sensitivity") in ia
    ids = {e["id"]: e for e in top["evidence"]}
    # CIViC's level A items name skin melanoma: a subtype of the sheet's "melanoma"
    assert ids["EID1409"]["tumour_type_match"] == "narrower"
    assert ids["EID1411"]["therapy"] == "dabrafenib / trametinib"


def test_braf_v600e_skin_melanoma_counts_civic_level_a(kb):
    top = run(kb, findings("skin melanoma", [variant("BRAF", "V600E", exon=15)]))[0]
    ids = {e["id"]: e for e in top["evidence"]}
    for eid in ("EID1409", "EID1411"):
        assert (ids[eid]["tier"], ids[eid]["tier_level"], ids[eid]["tumour_type_match"]) == (
            "I",
            "A",
            "same",
        )
    assert ids["EID1409"]["url"] == "https://civicdb.org/links/evidence_items/1409"
    # melanoma facts of the biomarker table apply to cutaneous melanoma (broader type)
    assert ids["TB017"]["tumour_type_match"] == "broader"


def test_pik3ca_h1047r_breast_gives_alpelisib(kb):
    top = run(kb, findings("breast cancer", [variant("PIK3CA", "H1047R", exon=21)]))[0]
    assert top["tier_label"] == "Tier I-A"
    assert ("alpelisib + fulvestrant", "sensitivity") in therapies(top, "I-A")
    alp = next(e for e in top["evidence"] if e["therapy"] == "alpelisib + fulvestrant")
    assert alp["source"] == "tumorboard biomarkers" and "FDA 2019" in alp["citation"]


def demo_like():
    hs = hotspots("KRAS", RAS) + hotspots("NRAS", RAS, "not evaluable", "gene not in this panel")
    hs[0].update(status="detected", variant="G12D")
    return findings(
        "colorectal adenocarcinoma",
        [
            variant("BRAF", "V600E", exon=15),
            variant("CDKN2A", "A68Gfs*51", "frameshift", 2, hotspot=False),
            variant("EGFR", "E746_A750del", "inframe_deletion", 19),
            variant("EGFR", "L858R", exon=21),
            variant("KRAS", "G12D", exon=2),
            variant("TP53", "R175H", exon=5),
        ],
        [{"gene": "ERBB2", "call": "amplified"}, {"gene": "KRAS", "call": "neutral"}],
        hs,
    )


def test_demo_like_colorectal_patient(kb):
    items = run(kb, demo_like())
    got = by_label(items)
    kras = got["KRAS p.G12D"]
    assert kras["tier_label"] == "Tier I-A" and kras["finding"] == ["/variants/4"]
    assert {("cetuximab", "resistance"), ("panitumumab", "resistance")} <= therapies(kras, "I-A")
    braf = got["BRAF p.V600E"]
    assert braf["tier_label"] == "Tier I-A"
    assert ("cetuximab + encorafenib", "sensitivity") in therapies(braf, "I-A")
    agnostic = next(e for e in braf["evidence"] if e["id"] == "TB024")
    assert (agnostic["tumour_type_match"], agnostic["counts"]) == ("excluded", False)
    assert got["EGFR p.L858R"]["tier_label"] == "Tier II-C"  # NSCLC evidence, other type
    assert got["EGFR p.E746_A750del"]["tier_label"] == "Tier II-C"
    assert got["CDKN2A p.A68Gfs*51"]["tier_label"] == "Tier III"
    assert got["ERBB2 amplification"]["tier"] in ("I", "II")
    # KRAS is mutated: RAS wild-type gates nothing, and is not reported
    assert not [it for it in items if "KRAS/NRAS wild-type" in it["alteration"]]
    ranks = [({"I": 0, "II": 1, "III": 2, "IV": 3}.get(it["tier"], 4)) for it in items]
    assert ranks == sorted(ranks)


def test_ras_wild_type_colorectal_is_a_tier_i_finding(kb):
    hs = hotspots("KRAS", RAS) + hotspots("NRAS", RAS)
    items = run(kb, findings("colorectal cancer", hs=hs))
    wt = by_label(items)["KRAS/NRAS wild-type (codons 12, 13, 59, 61, 117, 146)"]
    assert (wt["kind"], wt["status"], wt["tier_label"]) == ("wild type", "established", "Tier I-A")
    assert {("cetuximab", "sensitivity"), ("panitumumab", "sensitivity")} <= therapies(wt, "I-A")
    assert wt["finding"] == [f"/hotspots/{i}" for i in range(12)]


def test_ras_wild_type_not_established_when_nras_is_not_evaluable(kb):
    hs = hotspots("KRAS", RAS) + hotspots("NRAS", RAS, "not evaluable", "gene not in this panel")
    items = run(kb, findings("colorectal adenocarcinoma", hs=hs))
    ne = [it for it in items if it["status"] == "not established"]
    wt = next(it for it in ne if it["alteration"].startswith("KRAS/NRAS wild-type"))
    assert wt["tier"] is None and wt["tier_label"] == "not established"
    assert "NRAS codons 12, 13, 59, 61, 117, 146 not evaluable" in wt["reason"]
    assert {t["therapy"] for t in wt["therapies"]} >= {"cetuximab", "panitumumab"}
    assert all(t["tier"] is None for t in wt["therapies"])
    assert not any(e["counts"] for e in wt["evidence"])
    assert items[-1]["status"] == "not established"  # listed after every tiered finding


def test_ras_wild_type_is_not_reported_outside_its_tumour_type(kb):
    hs = hotspots("KRAS", RAS) + hotspots("NRAS", RAS)
    items = run(kb, findings("breast cancer", hs=hs))
    assert not [it for it in items if it["kind"] == "wild type"]


def test_erbb2_amplification(kb):
    breast = run(
        kb, findings("breast cancer", copy_number=[{"gene": "ERBB2", "call": "amplified"}])
    )
    amp = by_label(breast)["ERBB2 amplification"]
    assert amp["tier_label"] == "Tier I-A"
    assert {("trastuzumab", "sensitivity"), ("pertuzumab + trastuzumab", "sensitivity")} <= (
        therapies(amp, "I-A")
    )
    # colorectal, RAS wild-type established: the HER2 facts that need RAS wild-type apply
    hs = hotspots("KRAS", RAS) + hotspots("NRAS", RAS) + hotspots("BRAF", [600])
    crc = run(
        kb,
        findings("colorectal adenocarcinoma", copy_number=[{"gene": "ERBB2", "call": "amplified"}],
                 hs=hs),
    )  # fmt: skip
    combo = next(it for it in crc if it["kind"] == "combination" and "TB005" in
                 {e["id"] for e in it["evidence"]})  # fmt: skip
    assert combo["tier_label"] == "Tier I-A"
    assert ("trastuzumab + tucatinib", "sensitivity") in therapies(combo, "I-A")
    assert set(combo["finding"]) >= {"/copy_number/0", "/hotspots/0", "/hotspots/6"}


def test_resistance_is_shown_as_resistance(kb):
    items = run(kb, findings("non-small cell lung cancer", [variant("EGFR", "C797S", exon=20)]))
    c797s = by_label(items)["EGFR p.C797S"]
    assert ("osimertinib", "resistance") in therapies(c797s)
    # CIViC 2018 rates C797S resistance to osimertinib level B in NSCLC: Tier I-B, as
    # resistance; gene-level "EGFR mutation" sensitivity evidence is capped at Tier II
    assert c797s["tier_label"] == "Tier I-B"
    assert "resistance to osimertinib" in c797s["tier_basis"]
    assert {t["tier"] for t in c797s["therapies"] if t["response"] == "sensitivity"} == {"II"}


def test_tier_iii_and_iv(kb):
    items = run(
        kb,
        findings(
            "colorectal cancer",
            [
                variant("TP53", "P72=", "synonymous", 4, hotspot=False),
                variant("KRAS", "E31K", exon=2, hotspot=False),
                variant("BRAF", "V600E", exon=15, germline=True),
            ],
            [{"gene": "CDKN2A", "call": "loss"}],
        ),
    )
    got = by_label(items)
    assert got["TP53 p.P72="]["tier_label"] == "Tier IV"
    assert got["TP53 p.P72="]["reason"] == "no predicted protein change"
    assert got["KRAS p.E31K"]["tier"] in ("II", "III")  # gene-level KRAS evidence at most II
    assert got["CDKN2A loss"]["tier"] in ("II", "III")


def test_unknown_tumour_type_is_an_error(kb):
    with pytest.raises(TumourTypeError, match="valid tumour types"):
        T.actionability(findings("bowel thing", [variant("BRAF", "V600E")]), kb)


# --------------------------------------------------------------------------------------------
# Small knowledge bases: direction, complex profiles, gene-level evidence
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def current_kb(project):
    res = project / "resources"
    kb = S.build(CURRENT, res / "biomarkers.tsv", TUMOUR_TYPES)
    kb.records = [r for r in kb.records if r.source == S.CIVIC]
    return kb


def test_does_not_support_is_listed_but_not_counted(current_kb):
    items = run(current_kb, findings("colorectal cancer", [variant("BRAF", "V600E", exon=15)]))
    braf = by_label(items)["BRAF p.V600E"]
    ev = {e["id"]: e for e in braf["evidence"]}
    assert ev["EID9007"]["direction"] == "Does Not Support" and not ev["EID9007"]["counts"]
    assert ev["EID9001"]["tumour_type_match"] == "other"
    assert braf["tier_label"] == "Tier II-C"  # melanoma level A: another tumour type


def test_and_profile_is_a_combination_finding(current_kb):
    f = findings(
        "lung adenocarcinoma",
        [variant("EGFR", "L858R", exon=21), variant("EGFR", "T790M", exon=20)],
    )
    items = run(current_kb, f)
    combo = by_label(items)["EGFR p.L858R + EGFR p.T790M"]
    assert combo["kind"] == "combination" and combo["finding"] == ["/variants/0", "/variants/1"]
    # NSCLC evidence (level B) is broader than lung adenocarcinoma: Tier I-B
    assert combo["tier_label"] == "Tier I-B"
    assert by_label(items)["EGFR p.T790M"]["tier_label"] == "Tier III"


@pytest.mark.parametrize(
    "alteration, v, tier",
    [
        ("KRAS G12D", ("KRAS", "G12D", 2, True), "Tier I-A"),
        ("KRAS exon 2 mutation", ("KRAS", "G12D", 2, True), "Tier I-A"),
        ("KRAS exon 2 mutation", ("KRAS", "E31K", 2, False), "Tier II-C"),
        ("KRAS mutation", ("KRAS", "G12D", 2, True), "Tier II-C"),
        ("KRAS mutation", ("KRAS", "L19F", 2, False), "Tier II-C"),
    ],
)
def test_gene_and_exon_level_mutation_evidence_is_capped(tmp_path, alteration, v, tier):
    table = tmp_path / "b.tsv"
    table.write_text(
        "id\tgene\talteration\ttumour_type\texclude_tumour_types\ttherapy\tdirection\tlevel\t"
        "indication\tsource\n"
        f"TB900\tKRAS\t{alteration}\tCOADREAD\t\tcetuximab\tresistance\tA\t\ttest fact\n"
    )
    kb = S.build(CURRENT, table, TUMOUR_TYPES)
    kb.records = [r for r in kb.records if r.source == S.BIOMARKERS]
    gene, short, exon, hot = v
    top = run(kb, findings("colorectal cancer", [variant(gene, short, exon=exon, hotspot=hot)]))[0]
    assert top["tier_label"] == tier
    if tier != "Tier I-A":
        assert "any mutation of the gene or exon" in top["tier_basis"]


def test_unevaluable_not_condition_is_named_by_its_profile(current_kb):
    f = findings(
        "colorectal cancer",
        [variant("KRAS", "G12D", exon=2)],
        hs=hotspots("NRAS", [61], "not evaluable", "gene not in this panel"),
    )
    items = run(current_kb, f)
    ne = next(it for it in items if it["status"] == "not established")
    assert ne["alteration"] == "(KRAS G12C OR KRAS G12D) AND NOT NRAS Q61K"
    assert ne["finding"] == ["/variants/0"] and "gene not in this panel" in ne["reason"]
    assert by_label(items)["KRAS p.G12D"]["status"] == "established"
