"""Germline pharmacogenomics: the UGT1A1 TA-repeat counter on hand-built reads, SNV genotypes and
depth, every phenotype rule (DPYD activity score, UGT1A1, TPMT with its *3A / *3B+*3C ambiguity,
NUDT15), the therapy links, the authored tables, and a genotyping run on a hand-built BAM."""

from collections import Counter
from pathlib import Path

import pysam
import pytest

from tumorboard import pharmacogenomics as pgx
from tumorboard.pharmacogenomics import genotype as G
from tumorboard.pharmacogenomics import phenotype as P
from tumorboard.pharmacogenomics import tables as T
from tumorboard.pharmacogenomics import therapies as TH
from tumorboard.reference.contigs import ContigMap, parse_contig_name

PROJECT = Path(__file__).resolve().parents[2]
TABLES = PROJECT / "resources" / "pgx"
SITES = T.read_sites(TABLES / "sites.tsv")
S = G.Settings(min_depth=20)

# a UGT1A1-like promoter: left flank, anchor C, A(TA)6TAA, right flank (GRCh38's *1 context)
LEFT = "GGCTTGCAGTGTATCGATTGGTTTTTGCC"
RIGHT = "GTAGGAGAGGGCGAACCTCTGGCAGGAGCAAAGGCGCCATGGCTGTGGAGTCCCAGG"


def tract(units: int) -> str:
    return "A" + "TA" * units + "TAA"


REF = LEFT + tract(6) + RIGHT
ANCHOR0 = len(LEFT) - 1  # 0-based position of the anchor C
START, END = len(LEFT), len(LEFT) + len(tract(6))


def aligned(seq: str, cigar: str, start: int = 0) -> pysam.AlignedSegment:
    header = pysam.AlignmentHeader.from_dict({"SQ": [{"SN": "ctg", "LN": 1000}]})
    a = pysam.AlignedSegment(header)
    a.query_name, a.query_sequence, a.cigarstring = "r", seq, cigar
    a.reference_id, a.reference_start, a.mapping_quality = 0, start, 60
    a.query_qualities = pysam.qualitystring_to_array("I" * len(seq))
    return a


def units_of(read) -> int | str:
    return G.read_repeat_units(read, (START, END), REF[START - 6 : START], REF[END : END + 6], 6)


@pytest.mark.parametrize("units", [5, 6, 7, 8])
def test_repeat_counter_reads_5_to_8_units_whatever_the_indel_placement(units):
    seq = LEFT + tract(units) + RIGHT
    d = 2 * (units - 6)
    indel = "" if d == 0 else (f"{d}I" if d > 0 else f"{-d}D")
    # the indel just after the anchor (left-aligned, as bwa and VCF put it) ...
    left = f"{len(LEFT)}M{indel}{len(tract(6)) + len(RIGHT)}M" if d else f"{len(seq)}M"
    assert units_of(aligned(seq, left)) == units
    # ... or at the end of the repeat: the count comes from the read's sequence, not the CIGAR
    if d:
        right = f"{len(LEFT) + len(tract(6)) - 3}M{indel}{3 + len(RIGHT)}M"
        if d < 0:
            right = f"{len(LEFT) + len(tract(units)) - 3}M{indel}{3 + len(RIGHT)}M"
        assert units_of(aligned(seq, right)) == units


def test_a_read_ending_in_the_repeat_is_not_counted():
    seq = LEFT + tract(7)[:9]  # ends inside the repeat
    read = aligned(seq, f"{len(LEFT) + 5}M4S")
    assert units_of(read) == G.NOT_SPANNING
    # nor one starting inside it
    seq = tract(7)[-6:] + RIGHT
    assert units_of(aligned(seq, f"{len(seq)}M", START + len(tract(6)) - 6)) == G.NOT_SPANNING


def test_a_shifted_flank_without_the_indel_is_not_counted():
    # a (TA)7 read aligned without its insertion: the right flank mismatches, never read as (TA)6
    seq = LEFT + tract(7) + RIGHT[:10]
    assert units_of(aligned(seq, f"{len(seq)}M")) == G.NOT_SPANNING


def test_a_tract_of_another_form_is_unreadable():
    seq = LEFT + "ATATAGATATATATAA" + RIGHT
    assert units_of(aligned(seq, f"{len(seq)}M")) == G.UNREADABLE


def test_repeat_genotype_homozygous_heterozygous_and_not_evaluable():
    assert G.repeat_genotype(Counter({6: 30, 7: 1}), S)["units"] == [6, 6]
    het = G.repeat_genotype(Counter({7: 19, 6: 21, 5: 1}), S)
    assert het["status"] == "genotyped" and het["units"] == [6, 7]
    assert het["genotype"] == "(TA)6/(TA)7"
    low = G.repeat_genotype(Counter({6: 9, 7: 9}), S)
    assert low["status"] == "not evaluable" and "18 fragments" in low["reason"]
    three = G.repeat_genotype(Counter({5: 10, 6: 10, 8: 10}), S)
    assert three["status"] == "not evaluable"


def test_snv_genotype_bands_depth_and_unexpected_alleles():
    het = G.snv_genotype(Counter({"C": 24, "T": 22}), "C", "T", S)
    assert (het["zygosity"], het["genotype"], het["depth"]) == ("heterozygous", "C/T", 46)
    assert G.snv_genotype(Counter({"T": 40, "C": 1}), "C", "T", S)["alt_copies"] == 2
    assert G.snv_genotype(Counter({"C": 40, "T": 2}), "C", "T", S)["alt_copies"] == 0
    low = G.snv_genotype(Counter({"C": 10, "T": 9}), "C", "T", S)
    assert low["status"] == "not evaluable" and low["reason"] == "depth 19x < minimum 20x"
    odd = G.snv_genotype(Counter({"C": 20, "G": 20}), "C", "T", S)
    assert odd["status"] == "not evaluable" and "allele G" in odd["reason"]
    between = G.snv_genotype(Counter({"C": 85, "T": 15}), "C", "T", S)
    assert between["status"] == "not evaluable" and "fits no genotype" in between["reason"]


# --------------------------------------------------------------------------- phenotypes


def calls(**variants) -> list[dict]:
    """Site calls: every site reference, except ``{allele or site: copies}`` (an int), "NE"
    (not evaluable) or, for the repeat, a pair of TA units."""
    out = []
    for name, rows in G.site_groups(SITES).items():
        r = rows[0]
        key = next((k for k in (r.allele, name) if k in variants), None)
        if r.kind == "ta_repeat":
            value = variants.get("TA", (6, 6))
            if value == "NE":
                out.append({"gene": r.gene, "site": name, "kind": r.kind, "status": "not evaluable",
                            "depth": 3, "chrom": r.chrom, "pos": r.pos})  # fmt: skip
                continue
            names = {int(x.alt): x.allele for x in rows}
            out.append({"gene": r.gene, "site": name, "kind": r.kind, "status": "genotyped",
                        "depth": 40, "units": list(value), "chrom": r.chrom, "pos": r.pos,
                        "genotype": "/".join(f"(TA){u}" for u in value),
                        "alleles": [names.get(u, f"(TA){u}") for u in value]})  # fmt: skip
            continue
        value = variants.get(key, 0) if key else 0
        if value == "NE":
            out.append({"gene": r.gene, "site": name, "kind": r.kind, "status": "not evaluable",
                        "depth": 5, "chrom": r.chrom, "pos": r.pos})  # fmt: skip
        else:
            out.append({"gene": r.gene, "site": name, "kind": r.kind, "status": "genotyped",
                        "depth": 40, "alt_copies": value, "chrom": r.chrom, "pos": r.pos,
                        "allele": r.allele, "hgvs_c": r.hgvs_c,
                        "zygosity": ("reference", "heterozygous", "homozygous")[value],
                        "genotype": "/".join([r.ref] * (2 - value) + [r.alt] * value)})  # fmt: skip
    return out


def gene(result: list[dict], name: str) -> dict:
    return next(g for g in P.gene_results(result, SITES) if g["gene"] == name)


@pytest.mark.parametrize(
    "variants, score, phenotype",
    [
        ({}, 2, P.NORMAL),
        ({"*2A": 1}, 1, P.INTERMEDIATE),
        ({"*2A": 2}, 0, P.POOR),
        ({"HapB3": 1}, 1.5, P.INTERMEDIATE),
        ({"c.2846A>T": 2}, 1, P.INTERMEDIATE),
        ({"*2A": 1, "c.2846A>T": 1}, 0.5, P.POOR),
        ({"*13": 1, "*2A": 1, "HapB3": 1}, 0, P.POOR),  # the two lowest decide
    ],
)
def test_dpyd_activity_score_from_the_two_lowest_activity_alleles(variants, score, phenotype):
    g = gene(calls(**variants), "DPYD")
    assert (g["activity_score"], g["phenotype"], g["key"]) == (score, phenotype, f"{score:g}")


def test_dpyd_compound_heterozygote_is_assumed_in_trans_and_says_so():
    g = gene(calls(**{"*2A": 1, "c.2846A>T": 1}), "DPYD")
    assert g["diplotype"] == "c.1905+1G>A (*2A) / c.2846A>T"
    assert any("in trans" in n and "in cis" in n for n in g["notes"])


def test_dpyd_hapb3_tag_alone_is_reference_and_stands_in_only_for_an_untyped_causal_site():
    alone = gene(calls(**{"HapB3 tag": 1}), "DPYD")
    assert alone["activity_score"] == 2 and any("called reference" in n for n in alone["notes"])
    inferred = gene(calls(**{"HapB3 tag": 1, "HapB3": "NE"}), "DPYD")
    assert inferred["activity_score"] == 1.5 and inferred["phenotype"] == P.INTERMEDIATE
    assert any("inferred from the tag" in n for n in inferred["notes"])


def test_dpyd_not_evaluable_site_leaves_the_score_undetermined_unless_already_zero():
    g = gene(calls(**{"*2A": "NE"}), "DPYD")
    assert g["phenotype"] == P.NOT_DETERMINED and g["activity_score"] is None
    assert "c.1905+1G>A not evaluable" in g["reason"] and g["not_evaluable"] == ["DPYD c.1905+1G>A"]
    assert gene(calls(**{"*2A": "NE", "*13": 2}), "DPYD")["phenotype"] == P.POOR


@pytest.mark.parametrize(
    "variants, diplotype, phenotype",
    [
        ({}, "*1/*1", P.NORMAL),
        ({"TA": (6, 7)}, "*1/*28", P.INTERMEDIATE),
        ({"TA": (7, 7)}, "*28/*28", P.POOR),
        ({"TA": (5, 6)}, "*1/*36", P.NORMAL),
        ({"TA": (6, 8)}, "*1/*37", P.INTERMEDIATE),
        ({"*6": 1}, "*1/*6", P.INTERMEDIATE),
        ({"*6": 1, "TA": (6, 7)}, "*28/*6", P.POOR),
        ({"*80": 1, "TA": (6, 7)}, "*1/*80+*28", P.INTERMEDIATE),
    ],
)
def test_ugt1a1_phenotypes(variants, diplotype, phenotype):
    g = gene(calls(**variants), "UGT1A1")
    assert (g["diplotype"], g["phenotype"]) == (diplotype, phenotype)


def test_ugt1a1_star80_alone_is_unknown_function_and_an_untyped_repeat_not_determined():
    g = gene(calls(**{"*80": 1}), "UGT1A1")
    assert g["phenotype"] == P.INDETERMINATE and "unknown function" in g["reason"]
    assert gene(calls(TA="NE"), "UGT1A1")["phenotype"] == P.NOT_DETERMINED


def test_tpmt_phenotypes_and_the_3a_ambiguity():
    assert gene(calls(), "TPMT")["phenotype"] == P.NORMAL
    assert gene(calls(**{"*2": 1}), "TPMT")["diplotype"] == "*1/*2"
    assert gene(calls(**{"*3C": 1}), "TPMT")["phenotype"] == P.INTERMEDIATE
    amb = gene(calls(**{"*3B": 1, "*3C": 1}), "TPMT")
    assert amb["ambiguous"] and amb["key"] == "ambiguous"
    assert amb["diplotype"] == "*1/*3A or *3B/*3C"
    assert P.INTERMEDIATE in amb["phenotype"] and P.POOR in amb["phenotype"]
    both = gene(calls(**{"*3B": 2, "*3C": 2}), "TPMT")
    assert (both["diplotype"], both["phenotype"], both["ambiguous"]) == ("*3A/*3A", P.POOR, False)
    assert gene(calls(**{"*2": 1, "*3C": 1}), "TPMT")["phenotype"] == P.POOR


def test_nudt15_phenotypes():
    assert gene(calls(**{"*3": 1}), "NUDT15")["phenotype"] == P.INTERMEDIATE
    assert gene(calls(**{"*3": 2}), "NUDT15")["diplotype"] == "*3/*3"
    assert gene(calls(**{"*3": "NE"}), "NUDT15")["phenotype"] == P.NOT_DETERMINED


# --------------------------------------------------------------------------- therapies


def links(therapies: list[str], **variants) -> dict[str, list[dict]]:
    genes = P.gene_results(calls(**variants), SITES)
    out = TH.link(therapies, genes, T.read_drugs(TABLES / "drugs.tsv"),
                  T.read_guidance(TABLES / "guidance.tsv"))  # fmt: skip
    return {t["therapy"]: t["items"] for t in out}


def test_fluoropyrimidine_and_irinotecan_lines_get_their_phenotype_and_recommendation():
    got = links(
        ["cetuximab + FOLFOX (fluorouracil + leucovorin + oxaliplatin)", "FOLFIRI", "cetuximab",
         "trifluridine/tipiracil", "irinotecan + selumetinib"],
        **{"*2A": 1, "TA": (6, 7)},
    )  # fmt: skip
    assert set(got) == {"cetuximab + FOLFOX (fluorouracil + leucovorin + oxaliplatin)",
                        "FOLFIRI", "irinotecan + selumetinib"}  # fmt: skip
    folfox = got["cetuximab + FOLFOX (fluorouracil + leucovorin + oxaliplatin)"]
    assert folfox[0]["short"] == "DPYD AS 1 (intermediate): reduce starting dose by 50%"
    assert {i["drug_class"] for i in got["FOLFIRI"]} == {"fluoropyrimidine", "irinotecan"}
    iri = got["irinotecan + selumetinib"][0]
    assert iri["short"].startswith("UGT1A1 *1/*28 (intermediate)") and "DPWG" in iri["source"]


def test_poor_metabolisers_and_thiopurine_combination():
    assert "avoid" in links(["capecitabine"], **{"*2A": 2})["capecitabine"][0]["short"]
    poor = links(["irinotecan"], TA=(7, 7))["irinotecan"][0]
    assert "70%" in poor["recommendation"]
    both = links(["mercaptopurine"], **{"*3C": 1, "*3": 1})["mercaptopurine"]
    assert len(both) == 1 and "20-50%" in both[0]["recommendation"]
    assert both[0]["genes"] == ["TPMT", "NUDT15"]
    amb = links(["azathioprine"], **{"*3B": 1, "*3C": 1})["azathioprine"]
    assert "resolve before dosing" in amb[0]["short"]


# --------------------------------------------------------------------------- tables and BAM


def test_bad_tables_stop_with_one_line(tmp_path):
    bad = tmp_path / "sites.tsv"
    text = (TABLES / "sites.tsv").read_text().replace("\t97450058\t", "\tabc\t")
    bad.write_text(text)
    with pytest.raises(T.PgxTableError, match=r"row 1 \(DPYD c.1905\+1G>A\): pos and activity"):
        T.read_sites(bad)
    bad.write_text("gene\tsite\n")
    with pytest.raises(T.PgxTableError, match="columns must be"):
        T.read_sites(bad)


def test_site_ref_alleles_match_the_mirror_windows(mirror):
    contigs = [parse_contig_name(n) for n in pysam.FastaFile(
        str(mirror / "reference" / "grch38_pgx_windows.fa")).references]  # fmt: skip
    cmap = ContigMap(contigs)
    with pysam.FastaFile(str(mirror / "reference" / "grch38_pgx_windows.fa")) as fa:
        for s in SITES:
            contig, cpos = cmap.from_grch38(s.chrom, s.pos)
            if s.kind == "snv":
                assert fa.fetch(contig, cpos - 1, cpos) == s.ref, s.site
            else:
                assert G.reference_tract(fa, contig, cpos)[2] == int(s.ref) == 6


def _write_bam(tmp_path, fragments: list[tuple[str, str, int]]) -> str:
    """One read per fragment: (sequence, CIGAR, 0-based start) on contig ctg_chr2_1_<len>."""
    header = {"HD": {"VN": "1.6", "SO": "coordinate"},
              "SQ": [{"SN": f"UGT1A1_chr2_1000_{999 + len(REF)}", "LN": len(REF)}]}  # fmt: skip
    unsorted = tmp_path / "u.bam"
    with pysam.AlignmentFile(str(unsorted), "wb", header=header) as out:
        for i, (seq, cigar, start) in enumerate(fragments):
            a = pysam.AlignedSegment(out.header)
            a.query_name, a.query_sequence, a.cigarstring = f"f{i}", seq, cigar
            a.reference_id, a.reference_start, a.mapping_quality = 0, start, 60
            a.query_qualities = pysam.qualitystring_to_array("I" * len(seq))
            out.write(a)
    bam = str(tmp_path / "s.bam")
    pysam.sort("-o", bam, str(unsorted))
    pysam.index(bam)
    return bam


def test_genotyping_a_hand_built_bam_het_repeat_and_low_depth(tmp_path):
    ref_fa = tmp_path / "ref.fa"
    name = f"UGT1A1_chr2_1000_{999 + len(REF)}"
    ref_fa.write_text(f">{name}\n{REF}\n")
    pysam.faidx(str(ref_fa))
    seq6, seq7 = LEFT + tract(6) + RIGHT, LEFT + tract(7) + RIGHT
    cig7 = f"{len(LEFT)}M2I{len(tract(6)) + len(RIGHT)}M"
    short = LEFT + tract(7)[:6]
    frags = [(seq6, f"{len(seq6)}M", 0)] * 12 + [(seq7, cig7, 0)] * 11
    frags += [(short, f"{len(short)}M", 0)] * 5
    bam = _write_bam(tmp_path, frags)
    site = T.Site("UGT1A1", "TA", "rs3064744", "*1", "", "chr2", 1000 + ANCHOR0, "6", "6",
                  "ta_repeat", "normal function", None, "yes")  # fmt: skip
    rows = [site, T.Site(**{**site.__dict__, "allele": "*28", "alt": "7"})]
    cmap = ContigMap([parse_contig_name(name)])
    call = G.genotype_sites(bam, str(ref_fa), cmap, rows, G.Settings(min_depth=20))[0]
    # reads share names only within a fragment: each of the 28 is its own fragment
    assert call["status"] == "genotyped" and call["alleles"] == ["*1", "*28"]
    assert call["depth"] == 23 and call["not_spanning"] == 5
    low = G.genotype_sites(bam, str(ref_fa), cmap, rows, G.Settings(min_depth=30))[0]
    assert low["status"] == "not evaluable" and "23 fragments" in low["reason"]
    snv = T.Site("UGT1A1", "x", "rs0", "*6", "c.x", "chr2", 1000 + 3, REF[3], "A", "snv", "", None,
                 "yes")  # fmt: skip
    het = G.genotype_sites(bam, str(ref_fa), cmap, [snv], G.Settings(min_depth=20))[0]
    assert het["zygosity"] == "reference" and het["depth"] == 28


def test_not_assessed_block_for_a_vcf_start_has_no_links():
    block = pgx.not_assessed("no reads")
    assert pgx.link_therapies(block, [], TABLES)["therapies"] == []


# --------------------------------------------------------------------------- report


def test_report_shows_the_germline_note_beside_the_therapy_line_and_a_pgx_section(tmp_path):
    import json

    from test_report_page1 import EXAMPLE, ev, item

    from tumorboard.findings import validate
    from tumorboard.report.document import build_view
    from tumorboard.report.html import render_report

    findings = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    folfox = "cetuximab + FOLFOX (fluorouracil + leucovorin + oxaliplatin)"
    findings["actionability"] = [item([ev("EID1", folfox, "sensitivity", "A"),
                                       ev("EID2", "cetuximab", "sensitivity", "A")])]  # fmt: skip
    block = {"origin": "germline", "status": "genotyped", "sample": "N1", "sample_type": "normal",
             "caveat": None, "scope": pgx.SCOPE, "min_depth": 20, "therapies": [],
             "genes": P.gene_results(calls(**{"*2A": 1, "TA": (6, 7)}), SITES)}  # fmt: skip
    findings["pharmacogenomics"] = pgx.link_therapies(block, findings["actionability"], TABLES)
    validate(findings)
    view = build_view(findings, None)
    lines = view["actionable"][0]["sensitive"]
    line = next(x for x in lines if x.startswith(folfox))
    assert line.endswith("germline: DPYD AS 1 (intermediate): reduce starting dose by 50%")
    assert not any("germline" in x for x in lines if x.startswith("cetuximab ("))
    section = view["pharmacogenomics"]
    assert [g["gene"] for g in section["genes"]] == ["DPYD", "UGT1A1", "TPMT", "NUDT15"]
    assert section["genes"][0]["phenotype"] == "intermediate metaboliser (activity score 1)"
    assert [f for f, _ in section["tables"]] == ["drugs.tsv", "guidance.tsv"]
    out = tmp_path / "r.html"
    render_report(findings, None, out)
    html = out.read_text()
    assert "Germline pharmacogenomics (DPYD, UGT1A1, TPMT, NUDT15)" in html
    assert "c.1905+1G&gt;A (*2A): C/T heterozygous, 40x" in html
    assert "no full star-allele call" in html and "*1/*28" in html
