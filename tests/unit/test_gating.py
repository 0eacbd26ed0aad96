"""Issue 12, items 2 and 3: co-alteration gates, one line per drug, unusual combinations, and
specific evidence over generic (tumorboard.knowledge.gating, applied by tiers.actionability)."""

import pytest
from test_tiers import RAS, findings, hotspots, variant

from tumorboard.knowledge import gating
from tumorboard.knowledge import tiers as T
from tumorboard.knowledge.tumour_types import SAME_TYPE
from tumorboard.report.document import _actionable


def kras_crc(*extra, cn=()):
    hs = hotspots("KRAS", RAS) + hotspots("NRAS", RAS)
    hs[0].update(status="detected", variant="G12D")
    return findings("colorectal adenocarcinoma",
                    [variant("KRAS", "G12D", exon=2), *extra], list(cn), hs)  # fmt: skip


def actionable(f, kb):
    items = T.actionability(f, kb)
    T.validate_items(items)
    return items


HER2 = ("trastuzumab", "pertuzumab", "tucatinib", "lapatinib", "neratinib")


def test_rules_file_reads_and_names_its_sources():
    rules = {r.id: r for r in gating.load_rules()}
    assert {"GR001", "GR002", "GR003", "GR101"} <= set(rules)
    assert all(r.source for r in rules.values())
    # every anti-EGFR antibody the sources name, by its normalised name (knowledge.therapies)
    assert rules["GR001"].drugs == {"cetuximab", "panitumumab", "nimotuzumab",
                                    "futuximab/modotuximab mixture",
                                    "anti-egfr monoclonal antibody"}  # fmt: skip
    assert gating.drugs({"drugs": ["cetuximab", "encorafenib"]}) == {"cetuximab", "encorafenib"}


def test_kras_mutant_crc_gets_no_her2_or_anti_egfr_sensitivity(kb):
    f = kras_crc(cn=[{"gene": "ERBB2", "call": "amplified"}])
    items = actionable(f, kb)
    for it in items:
        for e in it["evidence"]:
            if e["counts"] and e["response"] == "sensitivity":
                ds = gating.drugs(e)
                assert not ds & {"cetuximab", "panitumumab", *HER2}, (it["alteration"], e["id"])
    amp = next(it for it in items if it["alteration"] == "ERBB2 amplification")
    reasons = {x["therapy"]: x["reason"] for x in amp["set_aside"]}
    assert (
        "not for this patient: requires RAS wild type; KRAS p.G12D present (GR002)"
        in (reasons["trastuzumab"])
    )
    # page 1: the gated HER2 lines are shown with their reason, never as a therapy option
    row = next(r for r in _actionable({"actionability": items, "variants": f["variants"]})
               if r["alteration"] == "ERBB2 amplification")  # fmt: skip
    assert not any(t in " ".join(row["sensitive"]) for t in HER2)
    assert "trastuzumab" not in row["other"]
    assert any("requires RAS wild type; KRAS p.G12D present" in x for x in row["not_for_patient"])


def test_cetuximab_appears_once_as_resistance_with_its_reason(kb):
    # the L858R brings cetuximab sensitivity (CIViC, lung); KRAS G12D brings the resistance
    f = kras_crc(variant("EGFR", "L858R", exon=21))
    items = actionable(f, kb)
    rows = _actionable({"actionability": items, "variants": f["variants"]})
    lines = [(r["alteration"], d, x) for r in rows for d in ("sensitive", "resistant", "other")
             for x in ([r[d]] if isinstance(r[d], str) else r[d])
             if x.split(" (")[0].split(",")[0] == "cetuximab"]  # fmt: skip
    assert len(lines) == 1
    alteration, direction, text = lines[0]
    assert (alteration, direction) == ("KRAS p.G12D", "resistant")
    assert "requires RAS wild type; KRAS p.G12D present" in text
    assert not any(x.startswith("cetuximab:") for r in rows for x in r["not_for_patient"])


def test_same_drug_both_directions_is_one_line_with_the_reason(kb):
    # BRAF V600E CRC: vemurafenib resistance in CRC (CIViC) against melanoma approvals
    f = findings("colorectal adenocarcinoma", [variant("BRAF", "V600E", exon=15)],
                 hs=hotspots("KRAS", RAS) + hotspots("NRAS", RAS))  # fmt: skip
    items = actionable(f, kb)
    braf = next(it for it in items if it["alteration"] == "BRAF p.V600E")
    vem = [t for t in braf["therapies"] if t["therapy"] == "vemurafenib"]
    assert [t["response"] for t in vem] == ["resistance"]
    assert "outweighs sensitivity" in vem[0]["note"]
    assert any(x["kind"] == "reconciled" and x["therapy"] == "vemurafenib"
               for x in braf["set_aside"])  # fmt: skip


def test_braf_v600e_with_kras_g12d_is_flagged(kb):
    f = kras_crc(variant("BRAF", "V600E", exon=15))
    flags = T.co_occurrence(f)
    assert [x["rule"] for x in flags] == ["GR101"]
    assert set(flags[0]["alterations"].split(" + ")) == {"BRAF p.V600E", "KRAS p.G12D"}
    assert "mutually exclusive" in flags[0]["note"] and "confirm" in flags[0]["note"]
    assert not T.co_occurrence(findings("colorectal adenocarcinoma",
                                        [variant("BRAF", "V600E", exon=15)]))  # fmt: skip
    # GR003: anti-EGFR without a BRAF inhibitor is no option in BRAF V600E CRC
    braf = next(it for it in actionable(f, kb) if it["alteration"] == "BRAF p.V600E")
    assert not any(e["counts"] and e["response"] == "sensitivity"
                   and gating.drugs(e) & {"cetuximab", "panitumumab"}
                   for e in braf["evidence"])  # fmt: skip


def test_ras_wild_type_crc_keeps_anti_egfr_and_her2(kb):
    hs = hotspots("KRAS", RAS) + hotspots("NRAS", RAS) + hotspots("BRAF", [600])
    f = findings("colorectal adenocarcinoma", copy_number=[{"gene": "ERBB2", "call": "amplified"}],
                 hs=hs)  # fmt: skip
    items = actionable(f, kb)
    assert not [x for it in items for x in it.get("set_aside", []) if x["kind"] == "gated"]
    got = {(t["therapy"], t["response"]) for it in items for t in it["therapies"]}
    assert {("cetuximab", "sensitivity"), ("trastuzumab + tucatinib", "sensitivity")} <= got


@pytest.mark.parametrize("drug", ["erlotinib", "gefitinib"])
def test_t790m_gets_no_first_generation_tki_sensitivity_from_generic_egfr_items(kb, drug):
    f = findings("non-small cell lung cancer", [variant("EGFR", "T790M", exon=20)])
    t790m = next(it for it in actionable(f, kb) if it["alteration"] == "EGFR p.T790M")
    assert (drug, "resistance") in {(t["therapy"], t["response"]) for t in t790m["therapies"]}
    counted = [e for e in t790m["evidence"] if e["counts"] and drug in gating.drugs(e)]
    # what still counts for the drug is T790M's own evidence (e.g. CIViC EID277, preclinical)
    assert all(e["specific"] for e in counted)
    generic = [e for e in t790m["evidence"] if not e["specific"]
               and drug in gating.drugs(e)
               and e["response"] == "sensitivity"]  # fmt: skip
    assert generic and all(not e["counts"] and "generic" in e["set_aside"] for e in generic)


def test_alternatives_are_one_line_per_drug(kb2024):
    """CIViC 2024 'cetuximab or panitumumab' (Substitutes) holds for each drug alone: on page 1
    it joins the cetuximab and panitumumab lines instead of being a third line."""
    from tumorboard.knowledge.therapies import lines

    either = {"therapy": "cetuximab or panitumumab", "therapy_interaction": "Substitutes",
              "drugs": ["panitumumab", "cetuximab"]}  # fmt: skip
    both = {"therapy": "cetuximab + encorafenib", "therapy_interaction": "Combination",
            "drugs": ["cetuximab", "encorafenib"]}  # fmt: skip
    assert lines(either) == ["cetuximab", "panitumumab"]
    assert lines(both) == ["cetuximab + encorafenib"]
    f = kras_crc()
    items = actionable(f, kb2024)
    kras = next(it for it in items if it["alteration"] == "KRAS p.G12D")
    names = [t["therapy"] for t in kras["therapies"]]
    assert not any(" or " in n and "cetuximab" in n for n in names), names
    cetuximab = next(t for t in kras["therapies"] if t["therapy"] == "cetuximab")
    assert cetuximab["response"] == "resistance" and (
        cetuximab["tier"],
        cetuximab["tier_level"],
    ) == ("I", "A")


def test_kras_mutant_crc_with_her2_amplification_gets_no_her2_tki_2024(kb2024):
    """The 2024 release brings afatinib sensitivity for ERBB2-amplified colorectal cancer (a case
    report): a HER2-targeted drug like the others, gated on RAS status (GR002)."""
    f = kras_crc(cn=[{"gene": "ERBB2", "call": "amplified"}])
    items = actionable(f, kb2024)
    her2 = {*HER2, "afatinib", "trastuzumab deruxtecan"}
    for it in items:
        for e in it["evidence"]:
            if e["counts"] and e["response"] == "sensitivity":
                assert not gating.drugs(e) & her2, (it["alteration"], e["id"], e["therapy"])
    amp = next(it for it in items if it["alteration"] == "ERBB2 amplification")
    assert "afatinib" in {x["therapy"] for x in amp["set_aside"] if x["kind"] == "gated"}

# ------------------------------------------------- RAS wild type: established, or not (issue 12)


def ras_wild_type_crc(*variants, cn=(), braf=False):
    hs = hotspots("KRAS", RAS) + hotspots("NRAS", RAS) + (hotspots("BRAF", [600]) if braf else [])
    for i, h in enumerate(hs):  # depths and limits of detection differ per codon, as in a run
        h.update(depth=400 + 10 * i, lod_vaf=round(0.02 + 0.001 * i, 4))
    return findings("colorectal adenocarcinoma", list(variants), list(cn), hs)


def page1_rows(f, items):
    return {r["alteration"]: r for r in _actionable({**f, "actionability": items})}


WT = "KRAS/NRAS wild-type (codons 12, 13, 59, 61, 117, 146)"


def test_ras_wild_type_row_states_anti_egfr_with_min_depth_and_lod(kb):
    f = ras_wild_type_crc(variant("PIK3CA", "H1047R", exon=21),
                          cn=[{"gene": "KRAS", "call": "neutral"}])  # fmt: skip
    items = actionable(f, kb)
    row = page1_rows(f, items)[WT]
    assert row["tier"] == "Tier I-A" and row["established"]
    assert [x.split(" —")[0] for x in row["sensitive"]] == [
        "cetuximab (I-A; TB007)", "panitumumab (I-A; TB008)"]  # fmt: skip
    # the depth and limit of detection behind "not mutated": the worst of the 12 codons
    assert row["measure"] == "12 codons not mutated: min depth 400x; LoD ≤ 3.1% VAF"


def test_one_nras_codon_not_evaluable_establishes_no_ras_wild_type(kb):
    f = ras_wild_type_crc(variant("PIK3CA", "H1047R", exon=21))
    a146 = next(h for h in f["hotspots"] if (h["gene"], h["codon"]) == ("NRAS", 146))
    a146.update(status="not evaluable", depth=60, lod_vaf=None,
                reason="depth 60x < minimum 100x")  # fmt: skip
    items = actionable(f, kb)
    wt = next(it for it in items if it["alteration"] == WT)
    assert (wt["status"], wt["tier"]) == ("not established", None)
    assert "NRAS codon 146 not evaluable (depth 60x < minimum 100x)" in wt["reason"]
    # no anti-EGFR line counts in colorectal cancer, and page 1 lists none as an option
    assert not [e for it in items for e in it["evidence"] if e["counts"]
                and e["response"] == "sensitivity" and e["tumour_type_match"] in SAME_TYPE
                and gating.drugs(e) & {"cetuximab", "panitumumab"}]  # fmt: skip
    rows = page1_rows(f, items)
    assert rows[WT]["tier"] == "not established" and rows[WT]["measure"] == ""
    assert not any("cetuximab" in x or "panitumumab" in x
                   for r in rows.values() for x in r["sensitive"])  # fmt: skip


def test_ras_amplification_establishes_no_ras_wild_type(kb):
    f = ras_wild_type_crc(cn=[{"gene": "KRAS", "call": "amplified"}])
    wt = next(it for it in actionable(f, kb) if it["alteration"] == WT)
    assert wt["status"] == "not established" and "KRAS amplified" in wt["reason"]


def test_braf_v600e_ras_wild_type_crc_states_wild_type_and_gr003(kb):
    f = ras_wild_type_crc(variant("BRAF", "V600E", exon=15), braf=True)
    f["hotspots"][-1].update(status="detected", variant="V600E")
    items = actionable(f, kb)
    wt = next(it for it in items if it["alteration"] == WT)
    # RAS wild type is still stated (BEACON/BREAKWATER need it), without a tier: the
    # anti-EGFR lines it would open are set aside by GR003
    assert (wt["status"], wt["tier"], wt["tier_label"]) == ("established", None, "no tier")
    gr003 = ("not for this patient: requires BRAF V600 wild type unless given with a BRAF "
             "inhibitor; BRAF p.V600E present (GR003)")  # fmt: skip
    assert {(x["therapy"], x["rule"]) for x in wt["set_aside"]} == {
        ("cetuximab", "GR003"), ("panitumumab", "GR003")}  # fmt: skip
    assert wt["reason"] == f"cetuximab, panitumumab: {gr003}"
    braf_inhibitors = {r.id: r for r in gating.load_rules()}["GR003"].unless_drugs
    assert not [e for it in items for e in it["evidence"] if e["counts"]
                and e["response"] == "sensitivity"
                and gating.drugs(e) & {"cetuximab", "panitumumab"}
                and not gating.drugs(e) & braf_inhibitors]  # fmt: skip
    rows = page1_rows(f, items)
    assert rows[WT]["tier"] == "no tier" and rows[WT]["reason"].endswith("(GR003)")
    assert rows[WT]["measure"].startswith("12 codons not mutated")
    braf = rows["BRAF p.V600E"]
    assert braf["sensitive"][0].startswith("cetuximab + encorafenib (I-A")
    assert any(x.startswith("cetuximab (I-B") and x.endswith("(GR003)")
               for x in braf["resistant"])  # fmt: skip


def test_a_row_keeps_the_tier_i_line_behind_its_tier(kb2024):
    """BRAF V600E + KRAS G12D CRC: BRAF's I-B comes from cetuximab/panitumumab resistance, whose
    lines sit under KRAS (one line per drug); the BRAF row names them by reference."""
    f = kras_crc(variant("BRAF", "V600E", exon=15))
    rows = _actionable({"actionability": actionable(f, kb2024), "variants": f["variants"]})
    braf = next(r for r in rows if r["alteration"] == "BRAF p.V600E")
    assert braf["tier"] == "Tier I-B"
    assert "cetuximab, panitumumab (I-B; line under KRAS p.G12D)" in braf["resistant"]
    kras = next(r for r in rows if r["alteration"] == "KRAS p.G12D")
    assert any(x.startswith("cetuximab (I-A") for x in kras["resistant"])


def test_braf_v600e_crc_with_ras_not_evaluable_keeps_the_line_with_what_to_confirm(kb2024):
    """A CRC VCF without reads: BRAF V600E, RAS codons not evaluable.  The anti-EGFR + BRAF
    inhibitor line stays (its label names BRAF V600E only) but says RAS wild type is not
    established and must be confirmed (GR001), never silently."""
    no_reads = "started from a VCF: no reads to genotype this hotspot"
    hs = hotspots("KRAS", RAS, "not evaluable", no_reads) + hotspots(
        "NRAS", RAS, "not evaluable", no_reads) + hotspots("BRAF", [600])  # fmt: skip
    hs[-1].update(status="detected", variant="V600E")
    f = findings("colorectal adenocarcinoma", [variant("BRAF", "V600E", exon=15)], hs=hs)
    items = actionable(f, kb2024)
    braf = next(it for it in items if it["alteration"] == "BRAF p.V600E")
    line = next(t for t in braf["therapies"] if t["therapy"] == "cetuximab + encorafenib")
    assert (line["response"], line["tier"], line["tier_level"]) == ("sensitivity", "I", "A")
    assert line["note"].startswith("confirm first: requires RAS wild type; KRAS/NRAS wild type not")
    assert "(GR001)" in line["note"]
    # RAS wild type established: no caveat on the same line
    hs_wt = hotspots("KRAS", RAS) + hotspots("NRAS", RAS) + hotspots("BRAF", [600])
    hs_wt[-1].update(status="detected", variant="V600E")
    f_wt = findings("colorectal adenocarcinoma", [variant("BRAF", "V600E", exon=15)], hs=hs_wt)
    braf_wt = next(it for it in actionable(f_wt, kb2024) if it["alteration"] == "BRAF p.V600E")
    line_wt = next(t for t in braf_wt["therapies"] if t["therapy"] == "cetuximab + encorafenib")
    assert "confirm first" not in (line_wt.get("note") or "")


def test_reconciled_notes_name_the_finding_and_a_real_tier(kb2024):
    """RAS wild-type CRC with PIK3CA H1047R: CIViC's PIK3CA resistance to 'cetuximab or
    panitumumab' meets both drugs' I-A lines; each note names the PIK3CA finding and its tier
    (the second line must not see the first decision's set-aside, 'Tier None-None')."""
    items = actionable(ras_wild_type_crc(variant("PIK3CA", "H1047R", exon=21)), kb2024)
    wt = next(it for it in items if it["alteration"] == WT)
    notes = {t["therapy"]: t.get("note") or "" for t in wt["therapies"]}
    for drug in ("cetuximab", "panitumumab"):
        assert "None" not in notes[drug], notes[drug]
        if "outweighs" in notes[drug]:
            assert "PIK3CA p.H1047R" in notes[drug]
