"""Approvals the authored biomarker table carries for the mission genes (issue 12, item 8): each
row added on 2026-12-02 parses and matches its biomarker in its tumour type with the right
direction and tier, and the PIK3CA rows (HR-positive, HER2-negative labels) do not give an
ERBB2-amplified breast tumour Tier I-A."""

from pathlib import Path

import pytest
from test_tiers import findings, variant

from tumorboard.knowledge import sources as S
from tumorboard.knowledge import tiers as T
from tumorboard.knowledge import vocabulary as V
from tumorboard.report.document import _actionable

TABLE = Path(__file__).resolve().parents[2] / "resources" / "biomarkers.tsv"
PIK3CA_ROWS = {"TB033": "alpelisib + fulvestrant", "TB034": "capivasertib + fulvestrant",
               "TB035": "fulvestrant + inavolisib + palbociclib"}  # fmt: skip


ERBB2_NEUTRAL = {"gene": "ERBB2", "call": "neutral"}
ERBB2_AMP = {"gene": "ERBB2", "call": "amplified"}


@pytest.fixture(scope="module")
def rows():
    return {r.id: r for r in S.read_biomarkers(TABLE).records}


# id: (gene, tumour type code, therapy, response, level)
NEW_ROWS = {
    "TB047": ("ERBB2", "NSCLC", "trastuzumab deruxtecan", "sensitivity", "A"),
    "TB048": ("ERBB2", "NSCLC", "zongertinib", "sensitivity", "A"),
    "TB049": ("EGFR", "NSCLC", "afatinib", "sensitivity", "A"),
    "TB050": ("BRAF", "COADREAD", "cetuximab", "resistance", "B"),
    "TB051": ("BRAF", "COADREAD", "panitumumab", "resistance", "B"),
    "TB052": ("AKT1", "BREAST", "capivasertib + fulvestrant", "sensitivity", "A"),
    "TB053": ("PTEN", "BREAST", "capivasertib + fulvestrant", "sensitivity", "A"),
}


@pytest.mark.parametrize("rid", sorted(NEW_ROWS))
def test_new_row_parses_with_its_source(rows, rid):
    gene, code, therapy, response, level = NEW_ROWS[rid]
    r = rows[rid]
    assert (r.tumour_type, r.therapy, r.response, r.level) == (code, therapy, response, level)
    assert gene in r.genes()
    assert not [a for a in r.expression.leaves() if a.kind in (V.UNSUPPORTED, V.FUSION)]
    assert r.citation and r.indication


def test_pik3ca_akt1_pten_rows_carry_the_her2_negative_condition(rows):
    for rid in [*PIK3CA_ROWS, "TB052", "TB053"]:
        r = rows[rid]
        assert r.profile.endswith("AND NOT ERBB2 amplification"), rid
        assert "HER2-negative" in r.indication and "confirm" in r.indication, rid


def test_ihc_defined_her2_rows_say_confirm_by_ihc_ish(rows):
    for rid in ("TB001", "TB002", "TB003", "TB004", "TB005", "TB036", "TB037", "TB038", "TB039",
                "TB040"):  # fmt: skip
        assert "confirm by IHC/ISH" in rows[rid].indication, rid


def _entry(items, rid):
    """(item, evidence entry) of biomarker row ``rid`` among established findings."""
    for it in items:
        for e in it["evidence"]:
            if e["id"] == rid and it["status"] == "established":
                return it, e
    return None, None


# id, tumour type (sample-sheet words), variants, copy number, expected tier of the row
CASES = [
    ("TB047", "lung adenocarcinoma",
     [variant("ERBB2", "Y772_A775dup", "inframe_insertion", 20)], [], ("I", "A")),
    ("TB047", "non-small cell lung cancer", [variant("ERBB2", "S310F", exon=8)], [], ("I", "A")),
    ("TB048", "lung adenocarcinoma", [variant("ERBB2", "L755S", exon=19)], [], ("I", "A")),
    ("TB049", "lung adenocarcinoma", [variant("EGFR", "G719A", exon=18)], [], ("I", "A")),
    ("TB049", "lung adenocarcinoma", [variant("EGFR", "L861Q", exon=21)], [], ("I", "A")),
    ("TB049", "lung adenocarcinoma", [variant("EGFR", "S768I", exon=20)], [], ("I", "A")),
    ("TB050", "colorectal adenocarcinoma", [variant("BRAF", "V600E", exon=15)], [], ("I", "B")),
    ("TB051", "colorectal adenocarcinoma", [variant("BRAF", "V600E", exon=15)], [], ("I", "B")),
    ("TB052", "breast cancer", [variant("AKT1", "E17K", exon=3)], [ERBB2_NEUTRAL], ("I", "A")),
    ("TB053", "breast cancer", [variant("PTEN", "R130fs", "frameshift", 5, False)],
     [ERBB2_NEUTRAL], ("I", "A")),
]  # fmt: skip


@pytest.mark.parametrize("rid, tumour, variants, cn, tier", CASES)
def test_new_row_matches_its_biomarker_in_its_tumour_type(kb, rid, tumour, variants, cn, tier):
    items = T.actionability(findings(tumour, variants, cn), kb)
    it, e = _entry(items, rid)
    assert e is not None, f"{rid} does not match"
    assert e["counts"] and (e["tier"], e["tier_level"]) == tier
    _, _, therapy, response, _ = NEW_ROWS[rid]
    assert (e["therapy"], e["response"]) == (therapy, response)


def test_zongertinib_is_not_tier_i_in_squamous_nsclc(kb):
    f = findings("lung squamous cell carcinoma", [variant("ERBB2", "L755S", exon=19)])
    _, e = _entry(T.actionability(f, kb), "TB048")
    assert e is not None and e["tumour_type_match"] == "excluded" and not e["counts"]


def test_zongertinib_does_not_cover_extracellular_s310f(kb):
    f = findings("lung adenocarcinoma", [variant("ERBB2", "S310F", exon=8)])
    assert _entry(T.actionability(f, kb), "TB048") == (None, None)


def test_braf_v600e_crc_keeps_the_encorafenib_combination_as_sensitivity(kb):
    f = findings("colorectal adenocarcinoma", [variant("BRAF", "V600E", exon=15)])
    it, _ = _entry(T.actionability(f, kb), "TB050")
    lines = {(t["therapy"], t["response"]): (t["tier"], t["tier_level"]) for t in it["therapies"]}
    assert lines[("cetuximab + encorafenib", "sensitivity")] == ("I", "A")
    assert lines[("cetuximab", "resistance")] == ("I", "B")


def _pik3ca_tier_i_a(items):
    return {
        e["id"]
        for it in items
        for e in it["evidence"]
        if e["id"] in PIK3CA_ROWS and e["counts"] and (e["tier"], e["tier_level"]) == ("I", "A")
    }


def test_pik3ca_h1047r_her2_amplified_breast_is_not_tier_i_a_from_pi3k_akt_rows(kb):
    f = findings("breast cancer", [variant("PIK3CA", "H1047R", exon=21)], [ERBB2_AMP])
    items = T.actionability(f, kb)
    assert _pik3ca_tier_i_a(items) == set()
    pik3ca = next(it for it in items if it["alteration"] == "PIK3CA p.H1047R")
    assert not {t["therapy"] for t in pik3ca["therapies"]} & set(PIK3CA_ROWS.values())
    # the rows are listed with the reason they do not apply, never dropped silently
    rows = {e["id"]: e for e in pik3ca["evidence"] if e["id"] in PIK3CA_ROWS}
    assert set(rows) == set(PIK3CA_ROWS)
    why = "the indication requires no ERBB2 amplification; ERBB2 amplification present"
    assert all(not e["counts"] and why in e["set_aside"] for e in rows.values())
    assert {x["therapy"] for x in pik3ca["set_aside"] if why in x["reason"]} == set(
        PIK3CA_ROWS.values()
    )
    # page 1: under "Not for this patient", each drug named, with the reason
    row = next(r for r in _actionable({"actionability": items, "variants": f["variants"]})
               if r["alteration"] == "PIK3CA p.H1047R")  # fmt: skip
    (line,) = row["not_for_patient"]
    assert all(d in line for d in PIK3CA_ROWS.values()) and line.endswith(why)
    assert not any(d in " ".join(row["sensitive"]) for d in PIK3CA_ROWS.values())


def test_pik3ca_h1047r_her2_non_amplified_breast_is_tier_i_a(kb):
    f = findings("breast cancer", [variant("PIK3CA", "H1047R", exon=21)], [ERBB2_NEUTRAL])
    assert _pik3ca_tier_i_a(T.actionability(f, kb)) == set(PIK3CA_ROWS)


def test_pik3ca_rows_are_not_established_without_an_erbb2_copy_number_call(kb):
    f = findings("breast cancer", [variant("PIK3CA", "H1047R", exon=21)])
    items = T.actionability(f, kb)
    assert _pik3ca_tier_i_a(items) == set()
    pending = [it for it in items if it["status"] == "not established"
               and {e["id"] for e in it["evidence"]} & set(PIK3CA_ROWS)]  # fmt: skip
    assert pending and all("ERBB2 copy number" in it["reason"] for it in pending)
