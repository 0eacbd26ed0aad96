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
        ("A", "same", False, "Tier II-C"),  # gene-level evidence, variant at no hotspot
    ],
)
def test_evidence_tier(level, relation, specific, tier):
    # ``level`` is the AMP/ASCO/CAP level (after amp_level), not the source's own
    assert T.evidence_tier(level, relation, specific).label == tier


def test_civic_levels_map_to_amp_levels_not_one_to_one():
    # Li et al. 2017: A approval/guideline, B well-powered studies with consensus, C small
    # studies / investigational, D preclinical or a few case reports.  CIViC: A validated,
    # B clinical evidence, C case study, D preclinical, E inferential.
    assert T.CIVIC_TO_AMP == {"A": "B", "B": "C", "C": "D", "D": "D", "E": None}
    assert [T.amp_level(S.CIVIC, lv) for lv in "ABCDE"] == ["B", "C", "D", "D", None]
    # the authored table (approvals, guidelines) is written in AMP levels and keeps them
    assert [T.amp_level(S.BIOMARKERS, lv) for lv in "ABCD"] == ["A", "B", "C", "D"]
    same = {lv: T.evidence_tier(T.amp_level(S.CIVIC, lv), "same").label for lv in "ABCD"}
    assert same == {"A": "Tier I-B", "B": "Tier II-C", "C": "Tier II-D", "D": "Tier II-D"}
    assert T.evidence_tier(T.amp_level(S.BIOMARKERS, "A"), "same").label == "Tier I-A"


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
    assert ids["EID1411"]["therapy"] == (
        "dabrafenib, trametinib (together or alternatives: not stated)"
    )


def test_braf_v600e_skin_melanoma_counts_civic_level_a(kb):
    top = run(kb, findings("skin melanoma", [variant("BRAF", "V600E", exon=15)]))[0]
    assert top["tier_label"] == "Tier I-A"  # the authored approvals (TB017, TB018)
    ids = {e["id"]: e for e in top["evidence"]}
    # CIViC level A is AMP/ASCO/CAP level B (the item records no approval): Tier I-B
    for eid in ("EID1409", "EID1411"):
        assert (ids[eid]["tier"], ids[eid]["tier_level"], ids[eid]["tumour_type_match"]) == (
            "I",
            "B",
            "same",
        )
    assert ids["EID1409"]["url"] == "https://civicdb.org/links/evidence_items/1409"
    # melanoma facts of the biomarker table apply to cutaneous melanoma (broader type)
    assert ids["TB017"]["tumour_type_match"] == "broader"


def test_pik3ca_h1047r_breast_gives_alpelisib(kb):
    # the PIK3CA rows are HER2-negative (NOT ERBB2 amplification): ERBB2 copy number is called
    erbb2 = [{"gene": "ERBB2", "call": "neutral"}]
    top = run(kb, findings("breast cancer", [variant("PIK3CA", "H1047R", exon=21)], erbb2))[0]
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
    # KRAS G12D beside BRAF V600E: cetuximab + encorafenib needs RAS wild type (GR001), so the
    # approval (TB025) is set aside with its reason, not a therapy option for this patient
    assert braf["tier_label"] != "Tier I-A"
    assert ("cetuximab + encorafenib", "sensitivity") not in therapies(braf)
    gated = {x["evidence"]: x["reason"] for x in braf["set_aside"]}
    assert "requires RAS wild type; KRAS p.G12D present (GR001)" in gated["TB025"]
    agnostic = next(e for e in braf["evidence"] if e["id"] == "TB024")
    assert (agnostic["tumour_type_match"], agnostic["counts"]) == ("excluded", False)
    # CIViC level B items in CRC are AMP/ASCO/CAP level C: dabrafenib + trametinib (EID1415)
    # and irinotecan + selumetinib (EID1326, 31 patients) are Tier II-C, not I-B
    for item, eid in ((braf, "EID1415"), (kras, "EID1326")):
        e = next(e for e in item["evidence"] if e["id"] == eid)
        assert (e["level"], e["tumour_type_match"], e["tier"], e["tier_level"]) == (
            "B",
            "same",
            "II",
            "C",
        )
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
    # CIViC 2018 rates C797S resistance to osimertinib level B in NSCLC (AMP/ASCO/CAP level C)
    # and the authored table level C: Tier II-C, as resistance; gene-level "EGFR mutation"
    # sensitivity evidence is capped at Tier II
    assert c797s["tier_label"] == "Tier II-C"
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
    # NSCLC evidence (CIViC level B = AMP/ASCO/CAP level C), broader than lung adenocarcinoma
    assert combo["tier_label"] == "Tier II-C"
    assert by_label(items)["EGFR p.T790M"]["tier_label"] == "Tier III"


@pytest.mark.parametrize(
    "alteration, v, tier",
    [
        ("KRAS G12D", ("KRAS", "G12D", 2, True), "Tier I-A"),
        ("KRAS exon 2 mutation", ("KRAS", "G12D", 2, True), "Tier I-A"),
        # generic (issue 12, item 3): the vocabulary cannot tell which class "mutation" means,
        # so the item drops to the lowest level (AMP/ASCO/CAP D)
        ("KRAS exon 2 mutation", ("KRAS", "E31K", 2, False), "Tier II-D"),
        ("KRAS mutation", ("KRAS", "G12D", 2, True), "Tier II-D"),
        ("KRAS mutation", ("KRAS", "L19F", 2, False), "Tier II-D"),
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
        assert "generic" in top["tier_basis"]


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


# --------------------------------------------------------------------------------------------
# CIViC levels are mapped to AMP/ASCO/CAP levels (issue 12, item 1)
# --------------------------------------------------------------------------------------------

CIVIC_HEADER = (
    "molecular_profile\tmolecular_profile_id\tdisease\tdoid\tphenotypes\ttherapies\t"
    "therapy_interaction_type\tevidence_type\tevidence_direction\tevidence_level\tsignificance\t"
    "evidence_statement\tcitation_id\tsource_type\tasco_abstract_id\tcitation\tnct_ids\trating\t"
    "evidence_status\tevidence_id\tvariant_origin\tlast_review_date\tevidence_civic_url\t"
    "molecular_profile_civic_url\tis_flagged\n"
)


def civic_row(eid, profile, disease, doid, therapies, level, interaction="Combination"):
    return (
        f"{profile}\t1\t{disease}\t{doid}\t\t{therapies}\t{interaction}\tPredictive\tSupports\t"
        f"{level}\tSensitivity/Response\tTest item (not CIViC text).\t{eid}\tPubMed\t\tTest\t\t3\t"
        f"accepted\t{eid}\tSomatic\t2024-08-01 00:00:00 UTC\t\t\tfalse\n"
    )


@pytest.fixture
def small_kb(tmp_path, project):
    """CIViC items as the demo meets them in colorectal cancer (levels as CIViC rates them)."""
    civic = tmp_path / "civic.tsv"
    civic.write_text(
        CIVIC_HEADER
        # BRAF V600E CRC cohort on dabrafenib + trametinib (CIViC EID1415 is rated B)
        + civic_row(1415, "BRAF V600E", "Colorectal Cancer", 9256, "Dabrafenib,Trametinib", "B")
        # KRAS G12D, irinotecan + selumetinib, 31 patients stopped early (EID1326, rated B)
        + civic_row(1326, "KRAS G12D", "Colorectal Cancer", 9256, "Irinotecan,Selumetinib", "B")
        # a CIViC level A item in colorectal cancer: validated, but no approval on the item
        + civic_row(9100, "BRAF V600E", "Colorectal Cancer", 9256, "Cetuximab,Encorafenib", "A")
        # a case study and an inferential item in colorectal cancer
        + civic_row(9101, "KRAS G12D", "Colorectal Cancer", 9256, "Trametinib", "C", "")
        + civic_row(9102, "KRAS G12D", "Colorectal Cancer", 9256, "Sorafenib", "E", "")
    )
    return S.build(civic, project / "resources" / "biomarkers.tsv", TUMOUR_TYPES)


def crc(*variants):
    return findings("colorectal adenocarcinoma", list(variants))


def test_civic_b_dabrafenib_trametinib_in_colorectal_is_not_tier_ib(small_kb):
    braf = by_label(run(small_kb, crc(variant("BRAF", "V600E", exon=15))))["BRAF p.V600E"]
    ev = {e["id"]: e for e in braf["evidence"]}
    e = ev["EID1415"]
    assert (e["level"], e["tumour_type_match"], e["counts"]) == ("B", "same", True)
    assert (e["tier"], e["tier_level"]) == ("II", "C")  # CIViC B = AMP C, not I-B
    dt = next(t for t in braf["therapies"] if t["therapy"] == "dabrafenib + trametinib")
    assert (dt["tier"], dt["tier_level"]) == ("II", "C")
    assert ("dabrafenib + trametinib", "sensitivity") not in therapies(braf, "I-B")


def test_civic_b_irinotecan_selumetinib_for_kras_g12d_is_not_tier_ib(small_kb):
    kras = by_label(run(small_kb, crc(variant("KRAS", "G12D", exon=2))))["KRAS p.G12D"]
    ev = {e["id"]: e for e in kras["evidence"]}
    assert (ev["EID1326"]["tier"], ev["EID1326"]["tier_level"]) == ("II", "C")
    assert ("irinotecan + selumetinib", "sensitivity") in therapies(kras, "II-C")
    assert not therapies(kras, "I-B")
    # a case study is AMP level D; an inferential item is listed but does not count
    assert (ev["EID9101"]["tier"], ev["EID9101"]["tier_level"]) == ("II", "D")
    assert (ev["EID9102"]["counts"], ev["EID9102"]["tier"]) == (False, None)
    # KRAS G12D in CRC stays Tier I-A: the authored anti-EGFR resistance facts (TB009/TB010)
    assert kras["tier_label"] == "Tier I-A"
    assert {("cetuximab", "resistance"), ("panitumumab", "resistance")} == therapies(kras, "I-A")


def test_authored_fda_approval_stays_tier_ia(small_kb):
    braf = by_label(run(small_kb, crc(variant("BRAF", "V600E", exon=15))))["BRAF p.V600E"]
    assert braf["tier_label"] == "Tier I-A"
    assert braf["tier_basis"].startswith("tumorboard biomarkers TB025: level A, sensitivity")
    assert ("cetuximab + encorafenib", "sensitivity") in therapies(braf, "I-A")
    ev = {e["id"]: e for e in braf["evidence"]}
    assert (ev["TB025"]["level"], ev["TB025"]["tier"], ev["TB025"]["tier_level"]) == ("A", "I", "A")
    # the CIViC level A item on the same therapy is AMP level B: I-B beside the approval
    assert (ev["EID9100"]["tier"], ev["EID9100"]["tier_level"]) == ("I", "B")


def test_tier_basis_names_both_levels_for_civic(small_kb):
    f = findings("colorectal adenocarcinoma", [variant("BRAF", "V600E", exon=15)])
    small_kb.records = [r for r in small_kb.records if r.source == S.CIVIC]
    braf = by_label(run(small_kb, f))["BRAF p.V600E"]
    assert braf["tier_label"] == "Tier I-B"
    assert braf["tier_basis"].startswith("CIViC EID9100: level A (AMP/ASCO/CAP level B)")
