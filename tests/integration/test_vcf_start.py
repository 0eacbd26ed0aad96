"""Patients that start from a VCF: the real TCGA colorectal and breast calls (PCGR examples,
GRCh38, contigs without "chr")."""

import json

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


def test_calls_outside_the_reference_are_listed_not_dropped(tcga):
    doc = findings(tcga[0], "T001-BRCA")
    pik3ca = [u for u in doc["unannotated_variants"] if u["gene"] == "PIK3CA"]
    assert [(u["chrom"], u["pos"], u["ref"], u["alt"]) for u in pik3ca] == [
        ("chr3", 179234297, "A", "G")
    ]
    assert doc["unannotated_count"] > 100
    # and page 1 of the report says so, rather than leaving the reader to assume wild type
    html = (tcga[0] / "results" / "report" / "T001-BRCA.html").read_text()
    negatives = html[html.index('<section id="negatives">') :]
    negatives = negatives[: negatives.index("</section>")]
    assert "PIK3CA chr3:179234297 A&gt;G" in negatives and "not annotated" in negatives


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
    assert f"{bad}: record 7:140753336 has no depth/allele fraction" in res.stderr


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
