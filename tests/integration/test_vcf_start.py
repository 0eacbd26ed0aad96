"""Patients that start from a VCF: the real TCGA colorectal and breast calls (PCGR examples,
GRCh38, contigs without "chr")."""

import html
import json
import re

import pytest
from workflow_run import run_workflow, write_overlay

pytestmark = pytest.mark.integration


def run(project, work, overlay, *extra):
    return run_workflow(work, overlay, *extra)


@pytest.fixture(scope="module")
def tcga(project, mirror, tmp_path_factory):
    work = tmp_path_factory.mktemp("vcf")
    v = mirror / "variants"
    (work / "samples.tsv").write_text(
        "patient\tsample\ttype\ttumour_type\tpurity\tvcf\tcna\n"
        f"T001-COAD\tT001-COAD-T\ttumour\tcolorectal adenocarcinoma\t\t"
        f"{v / 'pcgr_T001-COAD.grch38.vcf.gz'}\t\n"
        f"T001-BRCA\tT001-BRCA-T\ttumour\tbreast invasive ductal carcinoma\t\t"
        f"{v / 'pcgr_T001-BRCA.grch38.vcf.gz'}\t{v / 'pcgr_T001.grch38.cna.tsv'}\n"
    )
    (work / "units.tsv").write_text("sample\tunit\tfq1\tfq2\n")
    overlay = write_overlay(work, work / "samples.tsv", work / "units.tsv", mirror)
    res = run(project, work, overlay)
    assert res.returncode == 0, res.stderr[-3000:]
    return work, overlay


def findings(work, patient):
    return json.loads((work / "results" / "findings" / f"{patient}.json").read_text())


def test_colorectal_vcf_gives_braf_v600e_with_depth_and_vaf(tcga):
    doc = findings(tcga[0], "T001-COAD")
    braf = [v for v in doc["variants"] if v["gene"] == "BRAF"]
    assert len(braf) == 1
    assert (braf[0]["hgvs_p"], braf[0]["depth"], braf[0]["vaf"]) == ("p.Val600Glu", 54, 0.3148)
    assert braf[0]["hotspot"] is True
    tp53 = [v for v in doc["variants"] if v["gene"] == "TP53"]
    assert [v["consequence"] for v in tp53] == ["frameshift"]
    assert doc["qc"]["verdict"] == "not assessed"


def page1_row(work, patient, alteration):
    """One row of page 1's actionable table, as text."""
    page = (work / "results" / "report" / f"{patient}.html").read_text()
    table = page[page.index('<section id="actionable">') :]
    table = table[: table.index("</section>")]

    def text(fragment):
        return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()

    # the row whose Alteration cell (the second) names it; other cells may mention it too
    rows = [r for r in table.split("<tr>")[1:] if len(r.split("<td")) > 2]
    (row,) = [text(r) for r in rows if text("<td" + r.split("<td")[2]).startswith(alteration)]
    return row


def test_breast_pik3ca_h1047r_is_annotated_on_the_pik3ca_locus(tcga):
    doc = findings(tcga[0], "T001-BRCA")
    pik3ca = [v for v in doc["variants"] if v["gene"] == "PIK3CA"]
    assert [(v["chrom"], v["pos"], v["ref"], v["alt"], v["hgvs_p"], v["hotspot"])
            for v in pik3ca] == [("chr3", 179234297, "A", "G", "p.His1047Arg", True)]  # fmt: skip
    assert not [u for u in doc["unannotated_variants"] if u["gene"] == "PIK3CA"]
    assert doc["unannotated_count"] > 100  # calls outside the loci are still counted


PI3K_AKT = {"TB033": "alpelisib + fulvestrant", "TB034": "capivasertib + fulvestrant",
            "TB035": "fulvestrant + inavolisib + palbociclib"}  # fmt: skip


def test_her2_amplified_breast_gets_no_pi3k_akt_line_and_page1_says_why(tcga):
    """The HR+/HER2-negative labels (biomarkers.tsv TB033-TB035: AND NOT ERBB2 amplification)
    do not apply to this ERBB2-amplified tumour (copy number from its PCGR segments)."""
    doc = findings(tcga[0], "T001-BRCA")
    assert {c["gene"]: c["call"] for c in doc["copy_number"]}["ERBB2"] == "amplified"
    (item,) = [a for a in doc["actionability"] if a["alteration"] == "PIK3CA p.H1047R"]
    assert item["tier_label"] != "Tier I-A"
    assert not {t["therapy"] for t in item["therapies"]} & set(PI3K_AKT.values())
    why = "the indication requires no ERBB2 amplification; ERBB2 amplification present"
    rows = {e["id"]: e for e in item["evidence"] if e["id"] in PI3K_AKT}
    assert set(rows) == set(PI3K_AKT)
    assert all(not e["counts"] and why in e["set_aside"] for e in rows.values())
    row = page1_row(tcga[0], "T001-BRCA", "PIK3CA p.H1047R")
    assert row.startswith("II-C")
    assert ("Not for this patient: " + ", ".join(PI3K_AKT.values()) + " — " + why) in row
    # no Tier I line on the page names a PI3K/AKT drug of those labels
    page = (tcga[0] / "results" / "report" / "T001-BRCA.html").read_text()
    assert not re.search(r"(alpelisib|capivasertib|inavolisib)[^<]*\(I-[AB]", page)


def test_braf_v600e_colorectal_without_reads_keeps_ras_not_established(tcga):
    row = page1_row(tcga[0], "T001-COAD", "KRAS/NRAS wild-type")
    assert row.startswith("not established") and "no reads to genotype" in row
    braf = page1_row(tcga[0], "T001-COAD", "BRAF p.V600E")
    assert "Sensitivity: cetuximab + encorafenib (I-A; TB025" in braf
    # its RAS gate cannot be decided without reads: the line says what to confirm (GR001)
    assert re.search(r"cetuximab \+ encorafenib \(I-A; [^)]*\) — confirm first: requires RAS "
                     r"wild type; KRAS/NRAS wild type not established \(GR001\)", braf)  # fmt: skip
    # anti-EGFR antibody alone: resistance, with the gate's reason (GR003)
    assert re.search(r"Resistance: cetuximab \(I-B; [^)]*\) — requires BRAF V600 wild type "
                     r"unless given with a BRAF inhibitor; BRAF p.V600E present \(GR003\)",
                     braf)  # fmt: skip


def test_breast_segments_give_erbb2_amplification_with_trastuzumab(tcga):
    doc = findings(tcga[0], "T001-BRCA")
    erbb2 = [c for c in doc["copy_number"] if c["gene"] == "ERBB2"]
    assert [(c["call"], c["copy_number"]) for c in erbb2] == [("amplified", 9.0)]
    amp = [a for a in doc["actionability"] if a["alteration"] == "ERBB2 amplification"]
    assert amp and amp[0]["tier_label"] == "Tier I-A"
    first_line = {t["therapy"] for t in amp[0]["therapies"] if t["tier"] == "I"}
    assert "trastuzumab" in first_line


def test_hotspots_without_reads_are_never_called_wild_type(tcga):
    doc = findings(tcga[0], "T001-COAD")
    statuses = {h["label"]: h["status"] for h in doc["hotspots"]}
    assert statuses["BRAF V600"] == "detected"
    assert statuses["KRAS G12"] == "not evaluable"
    assert "not detected" not in statuses.values()


def test_vcf_without_depth_is_refused_with_one_line(project, mirror, tcga, tmp_path):
    work, overlay = tcga
    bad = tmp_path / "nodepth.vcf"
    bad.write_text(
        "##fileformat=VCFv4.2\n##contig=<ID=7>\n"
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="g">\n'
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tT\n"
        "7\t140753336\t.\tA\tT\t.\tPASS\t.\tGT\t0/1\n"
    )
    sheet = tmp_path / "samples.tsv"
    sheet.write_text(
        f"patient\tsample\ttype\ttumour_type\tpurity\tvcf\nX1\tX1-T\ttumour\tmelanoma\t\t{bad}\n"
    )
    res = run(project, work, overlay, "--config", f"samples={sheet}")
    assert res.returncode != 0
    # refused from its header before any rule runs (vcf_import.check_header)
    assert f"{bad}: no depth/allele fraction fields for tumour column T " in res.stderr


def test_colorectal_braf_v600e_is_tier_one_with_its_evidence(tcga):
    doc = findings(tcga[0], "T001-COAD")
    braf = [a for a in doc["actionability"] if a["alteration"] == "BRAF p.V600E"]
    assert braf and braf[0]["tier_label"] == "Tier I-A"
    therapies = {t["therapy"] for t in braf[0]["therapies"] if t["response"] == "sensitivity"}
    assert "cetuximab + encorafenib" in therapies
    # RAS wild-type cannot be established from a VCF without read evidence at the hotspots
    ras = [a for a in doc["actionability"] if a["kind"] == "wild type"]
    assert all(a["status"] != "established" for a in ras)
    kb = {k["id"]: k for k in doc["knowledge_base"]}
    assert set(kb) >= {"civic_evidence_2024_08", "biomarkers"}  # the default: CIViC 2024-08-01
    assert kb["civic_evidence_2024_08"]["release_date"] == "2024-08-01"
    # the 2024 release states combinations: no "/" between drugs, no non-drug therapy line
    lines = {t["therapy"] for a in doc["actionability"] for t in a["therapies"]}
    assert not any(" / " in t or t.endswith("(not a drug)") for t in lines), lines


# an absolute path in text: a "/" that starts a word, followed by at least two path components
ABSOLUTE_PATH = re.compile(r"(?<![\w.:/<~-])/(?:[\w.-]+/)+[\w.-]+")


def test_reports_name_inputs_without_absolute_paths(tcga, mirror):
    """The VCFs are given by absolute paths into the mirror: the reports (HTML and the
    provenance they show) name them by file name and sha256 only."""
    from tumorboard.reference.resources import sha256_file

    for patient, vcf in (("T001-COAD", "pcgr_T001-COAD.grch38.vcf.gz"),
                         ("T001-BRCA", "pcgr_T001-BRCA.grch38.vcf.gz")):  # fmt: skip
        page = (tcga[0] / "results" / "report" / f"{patient}.html").read_text()
        assert vcf in page and sha256_file(mirror / "variants" / vcf) in page
        assert str(mirror) not in page and str(tcga[0]) not in page
        assert not ABSOLUTE_PATH.findall(page), ABSOLUTE_PATH.findall(page)[:5]


def test_run_crate_records_each_patients_inputs_and_results(tcga, mirror):
    from tumorboard.reference.resources import sha256_file

    results = tcga[0] / "results"
    crate = json.loads((results / "ro-crate-metadata.json").read_text())
    graph = {e["@id"]: e for e in crate["@graph"]}
    actions = {graph[a["@id"]]["name"]: graph[a["@id"]] for a in graph["./"]["mentions"]}
    assert set(actions) == {"tumorboard run of patient T001-COAD",
                            "tumorboard run of patient T001-BRCA"}  # fmt: skip
    coad = actions["tumorboard run of patient T001-COAD"]
    inputs = {graph[o["@id"]].get("sha256") for o in coad["object"]}
    assert sha256_file(mirror / "variants" / "pcgr_T001-COAD.grch38.vcf.gz") in inputs
    for out in coad["result"]:
        assert graph[out["@id"]]["sha256"] == sha256_file(results / out["@id"])
    assert str(mirror) not in json.dumps(crate)
