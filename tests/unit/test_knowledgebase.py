"""The knowledge base: both CIViC layouts are read into one record type, alterations are parsed
into matchable forms, and findings match by gene + protein change (never by coordinate)."""

import json
from pathlib import Path

import pytest

from tumorboard.knowledge import matching as M
from tumorboard.knowledge import sources as S
from tumorboard.knowledge import vocabulary as V
from tumorboard.knowledge.tumour_types import DEFAULT_TABLE as TUMOUR_TYPES

DATA = Path(__file__).resolve().parents[1] / "data"
CURRENT = DATA / "civic_current_ClinicalEvidenceSummaries.tsv"
CIVIC_2018 = "civic/civic_nightly_2018-05_ClinicalEvidenceSummaries.tsv"
RAS = [12, 13, 59, 61, 117, 146]


def variant(gene, short, consequence="missense", exon=None, hotspot=True, **kw):
    v = {
        "gene": gene,
        "chrom": "chr1",
        "pos": 1,
        "ref": "A",
        "alt": "T",
        "hgvs_c": "c.1A>T",
        "hgvs_p": None,
        "protein_short": short,
        "consequence": consequence,
        "exon": exon,
        "hotspot": hotspot,
    }
    v.update(kw)
    return v


def hotspots(gene, codons, status="not detected", reason=None):
    return [
        {
            "gene": gene,
            "codon": c,
            "codon_end": None,
            "event": "any",
            "label": f"{gene} {c}",
            "status": status,
            "depth": 500 if status != "not evaluable" else 0,
            "lod_vaf": 0.01,
            "variant": None,
            "reason": reason,
        }
        for c in codons
    ]


def findings(variants=(), copy_number=(), hs=()):
    return {"variants": list(variants), "copy_number": list(copy_number), "hotspots": list(hs)}


# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, kind, start, end, alt",
    [
        ("V600E", "sub", 600, 600, "E"),
        ("p.Val600Glu", "sub", 600, 600, "E"),
        ("Q179X", "sub", 179, 179, "*"),
        ("R213*", "sub", 213, 213, "*"),
        ("p.Gly12=", "sub", 12, 12, "G"),
        ("E746_A750del", "del", 746, 750, ""),
        ("E746_A750DEL", "del", 746, 750, ""),
        ("I843DEL", "del", 843, 843, ""),
        ("DEL 755-759", "del", 755, 759, ""),
        ("L747_P753delinsS", "delins", 747, 753, "S"),
        ("M774DELINSWLV", "delins", 774, 774, "WLV"),
        ("A767_V769dup", "dup", 767, 769, ""),
        ("A767_V769dupASV", "dup", 767, 769, "ASV"),
        ("V769_D770insASV", "ins", 769, 770, "ASV"),
        ("V769_770insASV", "ins", 769, 770, "ASV"),
        ("M774INSAYVM", "ins", 774, 775, "AYVM"),
        ("A68Gfs*51", "fs", 68, 68, "G"),
        ("p.Ala68GlyfsTer51", "fs", 68, 68, "G"),
        ("W288FS", "fs", 288, 288, ""),
        ("K159FS*16", "fs", 159, 159, ""),
        ("M1?", "start", 1, 1, ""),
    ],
)
def test_protein_change_names_parse(text, kind, start, end, alt):
    pc = V.parse_protein(text)
    assert (pc.kind, pc.start, pc.end, pc.alt) == (kind, start, end, alt)


@pytest.mark.parametrize("text", ["VIII", "ITD", "RS61764370", "OVEREXPRESSION", "V600"])
def test_non_protein_changes_are_not_parsed(text):
    assert V.parse_protein(text) is None


@pytest.mark.parametrize(
    "text, kind",
    [
        ("V600E", V.PROTEIN),
        ("S310F/Y", V.PROTEIN),
        ("V600", V.CODON),
        ("G12/G13", V.CODON),
        ("EXON 19 DELETION", V.EXON),
        ("Exon 20 Insertion", V.EXON),
        ("exon 2 mutation", V.EXON),
        ("AMPLIFICATION", V.AMPLIFICATION),
        ("Amplification", V.AMPLIFICATION),
        ("LOSS", V.LOSS),
        ("DELETION", V.LOSS),
        ("WILD TYPE", V.WILD_TYPE),
        ("Wildtype", V.WILD_TYPE),
        ("MUTATION", V.MUTATION),
        ("ACTIVATING MUTATION", V.ACTIVATING),
        ("LOSS-OF-FUNCTION", V.TRUNCATING),
        ("FRAMESHIFT MUTATION", V.FRAMESHIFT),
        ("EML4-ALK E6;A20", V.FUSION),
        ("ALK FUSIONS", V.FUSION),
        ("Fusion", V.FUSION),
        ("R200W (c.598C>T)", V.PROTEIN),
        ("OVEREXPRESSION", V.UNSUPPORTED),
        ("EXON 14 SKIPPING MUTATION", V.UNSUPPORTED),
        ("COPY-NEUTRAL LOSS OF HETEROZYGOSITY", V.UNSUPPORTED),
        ("Ex19 del L858R", V.UNSUPPORTED),  # ambiguous in CIViC 2018: never guessed
        ("V600E AMPLIFICATION", V.UNSUPPORTED),
    ],
)
def test_alteration_kinds(text, kind):
    assert V.parse_alteration("GENE", text).kind == kind


def test_alternatives_expand():
    a = V.parse_alteration("ERBB2", "S310F/Y")
    assert [(c.ref, c.start, c.alt) for c in a.changes] == [("S", 310, "F"), ("S", 310, "Y")]
    assert V.parse_alteration("KRAS", "G12/G13").codons == (("G", 12), ("G", 13))


def test_profiles_parse_with_precedence_and_parentheses():
    p = V.parse_profile("(KRAS G12C OR KRAS G12D) AND NOT NRAS Q61K")
    assert isinstance(p, V.And) and not isinstance(p, V.Or)
    assert isinstance(p.args[0], V.Or) and isinstance(p.args[1], V.Not)
    assert p.genes() == ["KRAS", "NRAS"]
    q = V.parse_profile("EGFR L858R OR EGFR exon 19 deletion")
    assert [a.kind for a in q.args] == [V.PROTEIN, V.EXON]
    fusion = V.parse_profile("EML4::ALK Fusion")
    assert fusion.kind == V.FUSION
    assert V.profile_from_dict(p.to_dict()) == p


@pytest.mark.parametrize("bad", ["BRAF", "(BRAF V600E", "BRAF V600E AND", "BRAF V600E )"])
def test_malformed_profiles_are_refused(bad):
    with pytest.raises(V.KnowledgeBaseError):
        V.parse_profile(bad)


# --------------------------------------------------------------------------------------------
# Matching (table-driven)
# --------------------------------------------------------------------------------------------

MATCHING = [
    # profile, variant (gene, protein_short, consequence, exon, hotspot), matches?
    ("BRAF V600E", ("BRAF", "V600E", "missense", 15, True), True),
    ("BRAF V600E", ("BRAF", "V600K", "missense", 15, True), False),
    ("BRAF V600E", ("KRAS", "V600E", "missense", 15, True), False),  # gene matters
    ("BRAF V600E/V600K", ("BRAF", "V600K", "missense", 15, True), True),
    ("BRAF V600", ("BRAF", "V600E", "missense", 15, True), True),
    ("BRAF V600", ("BRAF", "V600=", "synonymous", 15, False), False),
    ("KRAS G12", ("KRAS", "G12D", "missense", 2, True), True),
    ("KRAS G12", ("KRAS", "G13D", "missense", 2, True), False),
    ("KRAS G12D", ("KRAS", "G12C", "missense", 2, True), False),
    ("KRAS G12C", ("KRAS", "G12C", "missense", 2, True), True),
    ("KRAS G12/G13", ("KRAS", "G13D", "missense", 2, True), True),
    ("KRAS G12/G13/A59/Q61/K117/A146", ("KRAS", "A146T", "missense", 4, True), True),
    ("EGFR exon 19 deletion", ("EGFR", "E746_A750del", "inframe_deletion", 19, True), True),
    ("EGFR exon 19 deletion", ("EGFR", "L747_P753delinsS", "inframe_deletion", 19, True), True),
    ("EGFR exon 19 deletion", ("EGFR", "L858R", "missense", 21, True), False),
    ("EGFR exon 19 deletion", ("EGFR", "E746_A750del", "inframe_deletion", 20, True), False),
    ("EGFR E746_A750del", ("EGFR", "E746_A750del", "inframe_deletion", 19, True), True),
    ("EGFR E746_A750del", ("EGFR", "L747_A750del", "inframe_deletion", 19, True), False),
    ("EGFR exon 20 insertion", ("EGFR", "A767_V769dup", "inframe_insertion", 20, True), True),
    ("EGFR exon 20 insertion", ("EGFR", "V769_D770insASV", "inframe_insertion", 20, True), True),
    ("EGFR A767_V769dupASV", ("EGFR", "V769_D770insASV", "inframe_insertion", 20, True), True),
    ("EGFR V769_770insASV", ("EGFR", "V769_D770insASV", "inframe_insertion", 20, True), True),
    ("CDKN2A W110fs", ("CDKN2A", "W110Gfs*12", "frameshift", 2, False), True),
    ("CDKN2A LOSS-OF-FUNCTION", ("CDKN2A", "A68Gfs*51", "frameshift", 2, False), True),
    ("CDKN2A LOSS-OF-FUNCTION", ("CDKN2A", "R80*", "stop_gained", 2, False), True),
    ("CDKN2A LOSS-OF-FUNCTION", ("CDKN2A", "A57V", "missense", 2, False), False),
    ("TP53 MUTATION", ("TP53", "R175H", "missense", 5, True), True),
    ("TP53 MUTATION", ("TP53", "R175=", "synonymous", 5, False), False),
    ("PIK3CA ACTIVATING MUTATION", ("PIK3CA", "H1047R", "missense", 21, True), True),
    ("PIK3CA ACTIVATING MUTATION", ("PIK3CA", "R88Q", "missense", 2, False), False),
    ("BRAF V600E AND BRAF V600M", ("BRAF", "V600E", "missense", 15, True), False),
    ("BRAF V600E OR BRAF V600K", ("BRAF", "V600E", "missense", 15, True), True),
    ("ALK EML4::ALK Fusion", ("ALK", "F1174L", "missense", 23, True), False),
    ("ERBB2 OVEREXPRESSION", ("ERBB2", "S310F", "missense", 8, True), False),
]


@pytest.mark.parametrize("profile, v, expected", MATCHING)
def test_variant_matching(profile, v, expected):
    gene, short, csq, exon, hot = v
    ctx = M.FindingsContext(findings([variant(gene, short, csq, exon, hot)]))
    res = M.evaluate(V.parse_profile(profile), ctx)
    assert bool(res.state) is expected
    if expected:
        assert res.sets == [frozenset({"/variants/0"})]


def test_three_letter_hgvs_is_used_when_the_short_form_is_missing():
    v = variant("BRAF", None, hgvs_p="p.Val600Glu")
    ctx = M.FindingsContext(findings([v]))
    assert M.evaluate(V.parse_profile("BRAF V600E"), ctx).state is True


def test_genomic_coordinates_are_never_used(mirror):
    # CIViC 2018 places BRAF V600E at GRCh37 7:140453136; the finding is GRCh38 7:140753336.
    civic = S.read_civic(mirror / CIVIC_2018)
    braf = [r for r in civic.records if r.profile == "BRAF V600E"]
    assert braf
    v38 = variant("BRAF", "V600E", exon=15, chrom="chr7", pos=140753336)
    kb = S.KnowledgeBase(braf, [])
    assert len(M.match(kb, findings([v38]))) == len(braf)
    # the same GRCh37 position with another gene/protein change matches nothing
    other = variant("KRAS", "G12D", exon=2, chrom="chr7", pos=140453136)
    assert M.match(kb, findings([other])) == []


@pytest.mark.parametrize(
    "profile, short, hotspot, specific",
    [
        ("KRAS G12D", "G12D", True, True),
        ("KRAS G12", "G12D", True, True),
        ("KRAS EXON 2 MUTATION", "G12D", True, True),
        ("KRAS EXON 2 MUTATION", "E31K", False, False),
        ("KRAS MUTATION", "G12D", True, False),  # names any KRAS mutation, not this one
        ("KRAS MUTATION", "L19F", False, False),
    ],
)
def test_gene_and_exon_level_mutation_matches_are_not_specific(profile, short, hotspot, specific):
    ctx = M.FindingsContext(findings([variant("KRAS", short, exon=2, hotspot=hotspot)]))
    res = M.evaluate(V.parse_profile(profile), ctx)
    assert res.state is True and res.how["/variants/0"][1] is specific


@pytest.mark.parametrize(
    "call, amplified, lost",
    [
        ("amplified", True, False),
        ("equivocal", False, False),
        ("neutral", False, False),
        ("loss", False, True),
        ("homozygous deletion", False, True),
        ("not evaluable", False, False),
    ],
)
def test_copy_number_categories(call, amplified, lost):
    ctx = M.FindingsContext(findings(copy_number=[{"gene": "ERBB2", "call": call}]))
    assert bool(M.evaluate(V.parse_profile("ERBB2 amplification"), ctx).state) is amplified
    assert bool(M.evaluate(V.parse_profile("ERBB2 LOSS"), ctx).state) is lost


# --------------------------------------------------------------------------------------------
# Wild type and NOT: only when evaluable
# --------------------------------------------------------------------------------------------


def test_ras_wild_type_needs_every_hotspot_evaluable():
    hs = hotspots("KRAS", RAS) + hotspots("NRAS", RAS)
    wt = M.wild_type_status(["KRAS", "NRAS"], hs)
    assert wt.established is True
    assert wt.label == "KRAS/NRAS wild-type (codons 12, 13, 59, 61, 117, 146)"
    assert len(wt.refs) == 12 and wt.reason is None


def test_ras_wild_type_not_established_when_nras_is_not_in_the_panel():
    hs = hotspots("KRAS", RAS) + hotspots("NRAS", RAS, "not evaluable", "gene not in this panel")
    wt = M.wild_type_status(["KRAS", "NRAS"], hs)
    assert wt.established is None
    assert (
        "NRAS codons 12, 13, 59, 61, 117, 146 not evaluable (gene not in this panel)" in wt.reason
    )
    ctx = M.FindingsContext(findings(hs=hs))
    res = M.evaluate(V.parse_profile("KRAS wild type AND NRAS wild type"), ctx)
    assert res.state is None and "NRAS" in res.reasons[0]


def test_one_shallow_codon_leaves_wild_type_not_established():
    hs = hotspots("KRAS", [12, 13, 59, 61, 117]) + hotspots("KRAS", [146], "not evaluable", "x")
    assert M.wild_type_status(["KRAS"], hs).established is None


def test_a_detected_hotspot_refutes_wild_type():
    hs = hotspots("KRAS", RAS) + hotspots("NRAS", RAS, "not evaluable", "gene not in this panel")
    hs[0]["status"], hs[0]["variant"] = "detected", "G12D"
    wt = M.wild_type_status(["KRAS", "NRAS"], hs)
    assert wt.established is False
    ctx = M.FindingsContext(findings(hs=hs))
    assert M.evaluate(V.parse_profile("KRAS wild type AND NRAS wild type"), ctx).state is False


def test_a_variant_outside_the_hotspots_refutes_wild_type():
    hs = hotspots("TP53", [175, 248, 273])
    wt = M.wild_type_status(["TP53"], hs, [variant("TP53", "P72fs", "frameshift", 4, False)])
    assert wt.established is False and "TP53 P72fs" in wt.reason
    silent = M.wild_type_status(["TP53"], hs, [variant("TP53", "P72=", "synonymous", 4, False)])
    # three codons do not make TP53 wild type (issue 12, item 5): not established
    assert silent.established is None


def test_no_hotspots_genotyped_is_not_wild_type():
    wt = M.wild_type_status(["KRAS"], [])
    assert wt.established is None
    assert wt.reason == "KRAS codons 12, 13, 59, 61, 117, 146 not genotyped by this panel"


@pytest.mark.parametrize(
    "nras_status, state",
    [("not detected", True), ("not evaluable", None), ("detected", False)],
)
def test_not_part_needs_evaluable_absence(nras_status, state):
    hs = hotspots("NRAS", [61], nras_status, "depth 20x below the minimum 100x")
    v = [variant("KRAS", "G12D", exon=2)]
    if nras_status == "detected":
        v.append(variant("NRAS", "Q61K", exon=3))
    ctx = M.FindingsContext(findings(v, hs=hs))
    res = M.evaluate(V.parse_profile("(KRAS G12C OR KRAS G12D) AND NOT NRAS Q61K"), ctx)
    assert res.state is state
    if state:
        assert res.sets == [frozenset({"/variants/0"})]


def test_not_of_a_gene_mutation_needs_the_gene_wild_type():
    p = V.parse_profile("ERBB2 Amplification AND NOT KRAS Mutation")
    amp = [{"gene": "ERBB2", "call": "amplified"}]
    wt = M.FindingsContext(findings(copy_number=amp, hs=hotspots("KRAS", RAS)))
    assert M.evaluate(p, wt).state is True
    unknown = M.FindingsContext(findings(copy_number=amp))
    assert M.evaluate(p, unknown).state is None
    mutated = M.FindingsContext(findings([variant("KRAS", "G12D", exon=2)], amp))
    assert M.evaluate(p, mutated).state is False


def test_and_profile_needs_every_part():
    p = V.parse_profile("EGFR L858R AND EGFR T790M")
    one = M.FindingsContext(findings([variant("EGFR", "L858R", exon=21)]))
    assert M.evaluate(p, one).state is False
    both = M.FindingsContext(
        findings([variant("EGFR", "L858R", exon=21), variant("EGFR", "T790M", exon=20)])
    )
    res = M.evaluate(p, both)
    assert res.state is True and res.sets == [frozenset({"/variants/0", "/variants/1"})]


def test_or_profile_gives_one_match_per_present_branch():
    p = V.parse_profile("EGFR L858R OR EGFR exon 19 deletion")
    ctx = M.FindingsContext(
        findings(
            [
                variant("EGFR", "L858R", exon=21),
                variant("EGFR", "E746_A750del", "inframe_deletion", 19),
            ]
        )
    )
    assert sorted(map(sorted, M.evaluate(p, ctx).sets)) == [["/variants/0"], ["/variants/1"]]


# --------------------------------------------------------------------------------------------
# Reading both CIViC layouts, the biomarker table, and the versioned build
# --------------------------------------------------------------------------------------------


def test_current_layout_is_read_from_its_header():
    exp = S.read_civic(CURRENT)
    assert exp.layout == S.CURRENT_LAYOUT
    assert exp.rows == 14
    assert exp.excluded == {
        "evidence type Prognostic": 1,
        "flagged": 1,
        "germline variant origin": 1,
        "status submitted": 1,
    }
    assert exp.release_date == "2026-10-14"
    by_id = {r.id: r for r in exp.records}
    assert sorted(by_id) == [f"EID{i}" for i in (9001, 9002, 9003, 9004, 9005, 9006, 9007, 9008,
                                                 9013, 9014)]  # fmt: skip
    braf = by_id["EID9001"]
    assert (braf.genes(), braf.tumour_type, braf.doid) == (["BRAF"], "MEL", "DOID:1909")
    assert braf.therapy == "dabrafenib + trametinib"
    assert braf.response == "sensitivity" and braf.level == "A"
    assert braf.url == "https://civicdb.org/links/evidence_items/9001"
    assert braf.citation == "PMID:10000001"
    assert by_id["EID9003"].therapy == "cetuximab or panitumumab"  # substitutes: either
    assert by_id["EID9005"].citation == "ASCO abstract 12345"
    assert isinstance(by_id["EID9002"].expression, V.And)
    assert by_id["EID9002"].statement.startswith('Placeholder statement 2 with "quotes" and a\ttab')
    assert by_id["EID9007"].direction == "Does Not Support"
    assert by_id["EID9008"].expression.kind == V.FUSION
    assert by_id["EID9014"].tumour_type is None  # glioblastoma: another tumour type


def test_old_2018_layout_real_export(mirror):
    exp = S.read_civic(mirror / CIVIC_2018)
    assert exp.layout == S.OLD_LAYOUT
    assert exp.rows == 2525
    assert exp.release_date == "2018-05-06"
    assert exp.excluded["evidence type Prognostic"] == 435
    assert all(r.evidence_type == "Predictive" for r in exp.records)
    by_id = {r.id: r for r in exp.records}
    vem = by_id["EID1409"]  # BRAF V600E, skin melanoma, vemurafenib, level A
    assert (vem.profile, vem.tumour_type, vem.level, vem.therapy) == (
        "BRAF V600E",
        "SKCM",
        "A",
        "vemurafenib",
    )
    assert vem.therapy_interaction is None  # not stated in 2018 exports
    # not stated in the 2018 export: said so, never a "/" that could be read as either
    assert by_id["EID1411"].therapy == (
        "dabrafenib, trametinib (together or alternatives: not stated)"
    )
    assert vem.citation.startswith("PMID:") and vem.url.startswith("https://civicdb.org/")
    kinds = {r.expression.kind for r in exp.records if isinstance(r.expression, V.Alteration)}
    assert {V.PROTEIN, V.CODON, V.EXON, V.AMPLIFICATION, V.WILD_TYPE, V.FUSION} <= kinds
    compound = [r for r in exp.records if r.profile == "BRAF V600E+V600M"]
    assert compound and isinstance(compound[0].expression, V.And)


def test_unknown_export_layout_is_refused(tmp_path):
    p = tmp_path / "x.tsv"
    p.write_text("gene\tvariant\nBRAF\tV600E\n")
    with pytest.raises(V.KnowledgeBaseError, match="not a CIViC ClinicalEvidenceSummaries"):
        S.read_civic(p)


def test_biomarker_table_is_well_formed():
    table = S.read_biomarkers(DATA.parent.parent / "resources" / "biomarkers.tsv")
    assert table.release_date
    assert len(table.records) >= 30
    for r in table.records:
        assert r.level in "ABCD" and r.citation and r.tumour_type
        assert not [a for a in r.expression.leaves() if a.kind in (V.UNSUPPORTED, V.FUSION)]
    genes = {g for r in table.records for g in r.genes()}
    assert {"ERBB2", "KRAS", "NRAS", "BRAF", "EGFR", "PIK3CA"} <= genes


BIOMARKER_HEADER = (
    "id\tgene\talteration\ttumour_type\texclude_tumour_types\ttherapy\tdirection\tlevel\t"
    "indication\tsource\n"
)


@pytest.mark.parametrize(
    "row, message",
    [
        ("TB1\tBRAF\tBRAF V600E\tNOPE\t\tx\tsensitivity\tA\t\tFDA", "unknown tumour type"),
        ("TB1\tBRAF\tBRAF VIII\tMEL\t\tx\tsensitivity\tA\t\tFDA", "cannot match"),
        ("TB1\tKRAS\tBRAF V600E\tMEL\t\tx\tsensitivity\tA\t\tFDA", "gene KRAS is not in"),
        ("TB1\tBRAF\tBRAF V600E\tMEL\t\tx\tmaybe\tA\t\tFDA", "direction"),
        ("TB1\tBRAF\tBRAF V600E\tMEL\t\tx\tsensitivity\tZ\t\tFDA", "level"),
        ("TB1\tBRAF\tBRAF V600E\tMEL\t\tx\tsensitivity\tA\t\t", "needs its source"),
    ],
)
def test_bad_biomarker_rows_are_refused(tmp_path, row, message):
    p = tmp_path / "b.tsv"
    p.write_text(BIOMARKER_HEADER + row + "\n")
    with pytest.raises(V.KnowledgeBaseError, match=message):
        S.read_biomarkers(p)


def test_build_is_versioned_validated_and_round_trips(tmp_path, project):
    res = project / "resources"
    kb = S.build(CURRENT, res / "biomarkers.tsv", TUMOUR_TYPES)
    out = tmp_path / "kb.json"
    S.write_kb(kb, out)
    doc = json.loads(out.read_text())
    S.validate(doc)
    civic, table, onto = doc["sources"]
    assert civic["layout"] == S.CURRENT_LAYOUT and civic["release_date"] == "2026-10-14"
    assert len(civic["sha256"]) == 64 and table["release_date"] and onto["sha256"]
    assert doc["record_count"] == len(doc["records"]) == civic["records"] + table["records"]
    again = S.load_kb(out)
    assert [r.to_dict() for r in again.records] == doc["records"]
    S.write_kb(again, tmp_path / "kb2.json")  # deterministic: same bytes again
    assert (tmp_path / "kb2.json").read_bytes() == out.read_bytes()
    assert all(len(s["sha256"]) == 64 for s in again.sources)
    prov = again.provenance()
    assert [p["id"] for p in prov] == ["civic_evidence", "biomarkers", "tumour_types"]
    assert prov[0]["release_date"] == "2026-10-14" and len(prov[0]["sha256"]) == 64


def test_schema_violation_is_reported(tmp_path, project):
    res = project / "resources"
    kb = S.build(CURRENT, res / "biomarkers.tsv", TUMOUR_TYPES)
    kb.records[0].level = "Z"
    with pytest.raises(V.KnowledgeBaseError, match="fails its schema at /records/0/level"):
        S.write_kb(kb, tmp_path / "kb.json")


# --------------------------------------------------------------------------------------------
# Knowledge currency: the CIViC release of 1 August 2024, unreadable profiles, source ages
# --------------------------------------------------------------------------------------------

CIVIC_2024 = "civic/2024-08-01/01-Aug-2024-ClinicalEvidenceSummaries.tsv"


@pytest.mark.parametrize(
    "profile, gene, text",
    [
        ("ALK Alternative Transcript (ATI)", "ALK", "Alternative Transcript (ATI)"),
        ("BAP1 ALTERNATIVE TRANSCRIPT (ATI)", "BAP1", "ALTERNATIVE TRANSCRIPT (ATI)"),
        ("VHL Null (Partial deletion of Exons 2 & 3)", "VHL",
         "Null (Partial deletion of Exons 2 & 3)"),
    ],
)  # fmt: skip
def test_parentheses_inside_a_variant_name_are_part_of_the_name(profile, gene, text):
    p = V.parse_profile(profile)
    assert isinstance(p, V.Alteration) and (p.gene, p.text) == (gene, text)
    assert p.kind == V.UNSUPPORTED  # read, kept, never matched


def test_grouping_parentheses_as_civic_writes_them():
    # CIViC's complex molecular-profile names: "( ... )" with spaces, after AND / OR / NOT
    p = V.parse_profile("BRAF Amplification AND ( BRAF V600E OR BRAF V600K )")
    assert isinstance(p, V.And) and isinstance(p.args[1], V.Or)
    assert [a.text for a in p.leaves()] == ["Amplification", "V600E", "V600K"]
    q = V.parse_profile("( ALK Alternative Transcript (ATI) OR ALK F1174L ) AND NOT KRAS G12D")
    assert isinstance(q.args[0], V.Or) and isinstance(q.args[1], V.Not)
    assert q.args[0].args[0].text == "Alternative Transcript (ATI)"
    for bad in ("BRAF (V600E)", "BRAF V600E (ATI", "( BRAF V600E"):
        with pytest.raises(V.KnowledgeBaseError):
            V.parse_profile(bad)


def test_civic_2024_release_reads_every_row(mirror):
    import csv

    path = mirror / CIVIC_2024
    with open(path, newline="", encoding="utf-8") as fh:
        profiles = [r["molecular_profile"] for r in csv.DictReader(fh, delimiter="\t")]
    assert len(profiles) == 4375
    failures = []
    for p in profiles:  # every row's profile, whatever its evidence type
        try:
            V.parse_profile(p)
        except V.KnowledgeBaseError as exc:
            failures.append(str(exc))
    assert failures == []
    exp = S.read_civic(path)
    assert (exp.layout, exp.rows, exp.release_date) == (S.CURRENT_LAYOUT, 4375, "2024-07-29")
    assert exp.skipped == [] and "unreadable profile" not in exp.excluded
    assert len(exp.records) + sum(exp.excluded.values()) == 4375
    by_id = {r.id: r for r in exp.records}
    assert by_id["EID1936"].expression.text == "Alternative Transcript (ATI)"  # row 1724
    assert isinstance(by_id["EID6262"].expression, V.And)
    assert by_id["EID9431"].genes() == ["KRAS"]  # KRAS G12C, sotorasib


def test_civic_2024_knowledge_base_builds(mirror, project, tmp_path):
    from tumorboard.reference.resources import load_manifest

    res = load_manifest(project / "resources" / "manifest.yaml")["civic_evidence_2024_08"]
    assert res.licence.startswith("CC0") and res.mirror == CIVIC_2024
    kb = S.build(mirror / CIVIC_2024, project / "resources" / "biomarkers.tsv", TUMOUR_TYPES, res)
    S.write_kb(kb, tmp_path / "kb.json")
    civic = json.loads((tmp_path / "kb.json").read_text())["sources"][0]
    assert civic["id"] == "civic_evidence_2024_08" and civic["release_date"] == "2024-08-01"
    assert (civic["rows"], civic["records"], civic["skipped_profiles"]) == (4375, 2512, [])


def test_unreadable_profile_is_skipped_counted_and_listed(tmp_path, project):
    lines = CURRENT.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split("\t")
    col = header.index("molecular_profile")
    row = lines[1].rstrip("\n").split("\t")
    eid = row[header.index("evidence_id")]
    row[col] = "BRAF V600E AND"
    bad = tmp_path / "civic.tsv"
    bad.write_text("".join([lines[0], "\t".join(row) + "\n", *lines[2:]]), encoding="utf-8")
    good = S.read_civic(CURRENT)
    exp = S.read_civic(bad)  # no failed build
    assert len(exp.records) == len(good.records) - 1
    assert exp.excluded["unreadable profile"] == 1
    assert exp.skipped == [
        {"id": f"EID{eid}", "profile": "BRAF V600E AND", "error": exp.skipped[0]["error"]}
    ]
    kb = S.build(bad, project / "resources" / "biomarkers.tsv", TUMOUR_TYPES)
    S.write_kb(kb, tmp_path / "kb.json")  # the schema accepts the list
    civic = json.loads((tmp_path / "kb.json").read_text())["sources"][0]
    assert civic["skipped_profiles"][0]["profile"] == "BRAF V600E AND"
    assert civic["excluded"]["unreadable profile"] == 1


def test_default_civic_source_is_the_2024_release(project):
    import yaml

    schema = yaml.safe_load(
        (project / "workflow/tumorboard/schemas/config.schema.yaml").read_text()
    )
    knowledge = schema["properties"]["knowledge"]["properties"]
    assert knowledge["civic"]["default"] == "civic_evidence_2024_08"
    config = yaml.safe_load((project / "config" / "config.yaml").read_text())
    assert config["knowledge"]["civic"] == "civic_evidence_2024_08"  # what a run uses
    assert knowledge["max_age_years"]["default"] == 2 and knowledge["as_of"]["default"] == ""


SOURCES = [
    {"name": "CIViC clinical evidence summaries", "release_date": "2018-05-06"},
    {"name": "tumorboard regulatory and guideline biomarkers", "release_date": "2026-11-24"},
    {"name": "tumorboard tumour types (OncoTree ids, DOIDs)", "release_date": None},
]


def test_source_ages_are_counted_to_the_newest_release_by_default():
    c = S.currency(SOURCES)
    assert (c["as_of"], c["as_of_basis"]) == ("2026-11-24", S.AS_OF_NEWEST)
    assert c["line"] == (
        "CIViC clinical evidence summaries, release 2018-05-06; tumorboard regulatory and "
        "guideline biomarkers, release 2026-11-24; tumorboard tumour types, undated"
    )
    assert c["warnings"] == [
        "CIViC clinical evidence summaries release 2018-05-06 is 8.6 years old (more than 2) on "
        "2026-11-24 (newest source release): therapy evidence may be out of date"
    ]
    assert [s["stale"] for s in c["sources"]] == [True, False, False]  # undated: not judged


def test_source_age_threshold_and_as_of_date_are_configurable():
    assert S.currency(SOURCES, max_age_years=10)["warnings"] == []
    c = S.currency(SOURCES, max_age_years=2, as_of="2027-06-01")
    assert "on 2027-06-01 (knowledge.as_of)" in c["warnings"][0]
    assert [s["age_years"] for s in c["sources"]] == [9.1, 0.5, None]
    with pytest.raises(V.KnowledgeBaseError, match="YYYY-MM-DD"):
        S.currency(SOURCES, as_of="June 2027")
