"""Run the whole DAG (resources -> simulated reads -> report) on a small demo patient and check
the findings a user would check: the spiked somatic variants with their protein changes, no
germline SNP reported as somatic, ERBB2 amplified, negative hotspots with depth and LoD."""

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
import yaml
from workflow_run import run_workflow

pytestmark = pytest.mark.integration


def run(project, workdir, overlay, *extra):
    return run_workflow(workdir, overlay, *extra)


@pytest.fixture(scope="module")
def findings(small_demo):
    workdir, _ = small_demo
    return json.loads((workdir / "results" / "findings" / "DEMO01.json").read_text())


@pytest.fixture(scope="module")
def truth(project):
    return yaml.safe_load((project / "resources" / "demo" / "truth.yaml").read_text())


def test_every_spiked_somatic_variant_is_found_with_its_protein_change(findings, truth):
    found = {(v["chrom"], v["pos"], v["ref"], v["alt"]): v for v in findings["variants"]}
    for t in truth["somatic"]:
        v = found.get((t["chrom"], t["pos"], t["ref"], t["alt"]))
        assert v is not None, f"{t['id']} not reported"
        if "protein" in t:
            assert (v["hgvs_p"], v["protein_short"]) == (t["protein"], t["protein_short"]), t["id"]
        else:
            assert v["consequence"] == t["consequence"] and v["protein_short"].startswith(
                t["protein_short_prefix"]
            ), t["id"]
        # allele fraction within binomial noise of the truth (and the indel soft-clip deficit)
        assert abs(v["vaf"] - t["vaf"]) < 0.09, (t["id"], v["vaf"])


def test_no_germline_snp_is_reported_as_somatic(findings, truth):
    positions = {(v["chrom"], v["pos"]) for v in findings["variants"]}
    for g in truth["germline"]:
        assert (g["chrom"], g["pos"]) not in positions, g["id"]


def test_no_somatic_call_outside_the_truth(findings, truth):
    expected = {(t["chrom"], t["pos"]) for t in truth["somatic"]}
    assert {(v["chrom"], v["pos"]) for v in findings["variants"]} == expected


def test_erbb2_is_amplified_and_the_rest_is_not(findings):
    cn = {c["gene"]: c for c in findings["copy_number"]}
    assert cn["ERBB2"]["call"] == "amplified"
    assert 6.5 <= cn["ERBB2"]["copy_number"] <= 9.5
    assert {g for g, c in cn.items() if c["call"] != "neutral"} == {"ERBB2"}


def test_copy_number_is_centred_on_antitarget_bins(small_demo, findings):
    # the demo reads carry off-target pairs (demo.off_target_fraction): the centre rests on
    # antitarget bins (the ERBB2 locus, 8 copies with its flanks, ties the scales), and the calls
    # are the truth's (test_erbb2_is_amplified_and_the_rest_is_not)
    workdir, _ = small_demo
    r = workdir / "results"
    bg = json.loads((r / "cnv" / "DEMO01.background.json").read_text())
    assert bg["mode"] == "antitargets" and bg["enough"] is True
    assert bg["antitarget_bins_used"] >= 100 and bg["offset_pairs"] >= 5
    cn = {c["gene"]: c for c in findings["copy_number"]}
    erbb2 = cn["ERBB2"]
    assert erbb2["copy_number_ci_low"] <= 8 <= erbb2["copy_number_ci_high"]
    methods = " ".join(json.loads((r / "provenance" / "DEMO01.json").read_text())["methods"])
    assert f"centred on {bg['antitarget_bins_used']} of {bg['antitarget_bins']} antitarget" in (
        methods
    )
    # the coverage QC of the targets is unchanged: antitarget bins are not in it
    targets = (r / "coverage" / "DEMO01-T.targets.tsv").read_text()
    assert "antitarget" not in targets and "fraction_ge_100x" in targets


def test_negative_hotspots_carry_depth_and_lod(findings):
    hs = {h["label"]: h for h in findings["hotspots"]}
    assert hs["KRAS G12"]["status"] == "detected" and hs["KRAS G12"]["variant"] == "G12D"
    g13 = hs["KRAS G13"]
    assert g13["status"] == "not detected" and g13["depth"] >= 100 and 0 < g13["lod_vaf"] < 0.1
    # NRAS and PIK3CA are on the demo panel: every codon evaluated, none mutated
    for label in ("NRAS G12", "NRAS G13", "NRAS A59", "NRAS Q61", "NRAS K117", "NRAS A146",
                  "PIK3CA E542", "PIK3CA E545", "PIK3CA H1047"):  # fmt: skip
        assert hs[label]["status"] == "not detected", label
    for h in findings["hotspots"]:
        if h["status"] == "not detected":
            assert h["lod_vaf"] is not None and h["depth"] >= findings["thresholds"]["min_depth"]


def test_outputs_are_standard_and_indexed(small_demo):
    workdir, _ = small_demo
    r = workdir / "results"
    for f in [
        "somatic/DEMO01.vcf.gz.tbi",
        "annotate/DEMO01.vcf.gz.tbi",
        "align/DEMO01-T.bam.bai",
        "report/DEMO01.html",
        "cnv/DEMO01.genes.tsv",
        "coverage/DEMO01-T.targets.tsv",
    ]:
        assert (r / f).stat().st_size > 0, f
    view = subprocess.run(
        ["bcftools", "view", "-H", "-f", "PASS", str(r / "somatic/DEMO01.vcf.gz")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert len(view.stdout.splitlines()) == 6
    html = (r / "report" / "DEMO01.html").read_text()
    assert "Research use only" in html and "G12D" in html and "<svg" in html


def test_second_run_does_nothing(project, small_demo):
    workdir, overlay = small_demo
    res = run(project, workdir, overlay, "-n")
    assert res.returncode == 0
    assert "Nothing to be done" in res.stdout + res.stderr


def test_bad_sample_sheet_stops_before_any_rule(project, small_demo, tmp_path):
    workdir, overlay = small_demo
    bad = tmp_path / "samples.tsv"
    bad.write_text("patient\tsample\ttype\ttumour_type\tpurity\nP1\tP1;T\ttumour\tcrc\t\n")
    before = sorted(p.name for p in (workdir / "results").rglob("*"))
    res = run(project, workdir, overlay, "--config", f"samples={bad}")
    assert res.returncode != 0
    assert f"{bad}: row 2: column sample = 'P1;T' is invalid" in res.stderr
    assert sorted(p.name for p in (workdir / "results").rglob("*")) == before


def test_tumour_only_patient_uses_the_panel_of_normals(project, small_demo, truth, tmp_path):
    """Tumour-only: the spiked variants are still found, and the germline SNPs are removed by the
    panel of normals the first run built from DEMO01-N; the report warns about germline.  Run in
    a copy: the shared run's cohort outputs stay those of DEMO01 (test_crash_recovery compares
    its MultiQC report byte for byte)."""
    workdir = tmp_path / "run"
    shutil.copytree(small_demo[0], workdir, symlinks=True)
    overlay = workdir / "overlay.yaml"
    pon = workdir / "results" / "pon" / "panel_of_normals.vcf.gz"
    assert pon.exists()
    samples = tmp_path / "samples.tsv"
    samples.write_text(
        "patient\tsample\ttype\ttumour_type\tpurity\n"
        "DEMO01TO\tDEMO01-T\ttumour\tcolorectal adenocarcinoma\t0.6\n"
    )
    units = tmp_path / "units.tsv"
    units.write_text(
        "sample\tunit\tfq1\tfq2\n"
        + "".join(
            f"DEMO01-T\t{u}\tresults/demo/reads/DEMO01-T/{u}_R1.fastq.gz\t"
            f"results/demo/reads/DEMO01-T/{u}_R2.fastq.gz\n"
            for u in ("L001", "L002")
        )
    )
    res = run(
        project,
        workdir,
        overlay,
        "--config",
        f"samples={samples}",
        f"units={units}",
        f"somatic={{'panel_of_normals': '{pon}'}}",
    )
    assert res.returncode == 0, res.stderr[-3000:]
    doc = json.loads((workdir / "results" / "findings" / "DEMO01TO.json").read_text())
    assert doc["normal_sample"] is None and doc["copy_number"] == []
    found = {(v["chrom"], v["pos"]) for v in doc["variants"]}
    assert found == {(t["chrom"], t["pos"]) for t in truth["somatic"]}
    html = (workdir / "results" / "report" / "DEMO01TO.html").read_text()
    assert "germline variants cannot be excluded" in html
    # pharmacogenomics from the tumour, said so, and still the germline truth
    pgx = doc["pharmacogenomics"]
    assert (pgx["sample"], pgx["sample_type"]) == ("DEMO01-T", "tumour")
    assert "Tumour allele fractions can mislead" in pgx["caveat"] and "Tumour-only:" in html
    dpyd = next(g for g in pgx["genes"] if g["gene"] == "DPYD")
    assert dpyd["activity_score"] == truth["pharmacogenomics"]["DPYD"]["activity_score"]


def test_germline_pharmacogenomics_matches_the_truth(findings, truth):
    """The normal's PGx genotypes, depths and phenotypes are the truth's, the block validates, is
    labelled germline and kept apart from the somatic variants, and the FOLFOX / irinotecan lines
    carry DPYD activity score 1 and UGT1A1 *1/*28 with their recommendations."""
    from tumorboard.findings import validate

    validate(findings)
    pgx = findings["pharmacogenomics"]
    assert (pgx["origin"], pgx["sample"], pgx["sample_type"]) == ("germline", "DEMO01-N", "normal")
    assert "no full star-allele call" in pgx["scope"] and pgx["caveat"] is None
    genes = {g["gene"]: g for g in pgx["genes"]}
    assert set(genes) == set(truth["pharmacogenomics"])
    for name, want in truth["pharmacogenomics"].items():
        g = genes[name]
        assert (g["diplotype"], g["phenotype"]) == (want["diplotype"], want["phenotype"]), name
        assert g.get("activity_score") == want.get("activity_score", g.get("activity_score"))
        assert g["not_evaluable"] == [] and g["not_covered"], name
        for site in g["sites"]:
            assert site["status"] == "genotyped" and site["depth"] >= pgx["min_depth"], site
    spiked = {(v["chrom"], v["pos"]) for v in truth["germline"] if v["gene"] in genes}
    for site in (s for g in genes.values() for s in g["sites"] if s["kind"] == "snv"):
        het = (site["chrom"], site["pos"]) in spiked
        assert site["zygosity"] == ("heterozygous" if het else "reference"), site["site"]
        if het:
            assert 0.3 <= site["alt_fraction"] <= 0.7, site
    repeat = next(s for s in genes["UGT1A1"]["sites"] if s["kind"] == "ta_repeat")
    assert repeat["units"] == truth["pharmacogenomics"]["UGT1A1"]["repeat_units"]
    assert repeat["alleles"] == ["*1", "*28"]
    # germline, never somatic
    assert not {v["gene"] for v in findings["variants"]} & set(genes)
    links = {t["therapy"]: t["items"] for t in pgx["therapies"]}
    fluoro = [n for n in links if "fluorouracil" in n or "capecitabine" in n]
    irino = [n for n in links if "irinotecan" in n]
    assert fluoro and irino
    dpyd_short = "DPYD AS 1 (intermediate): reduce starting dose by 50%"
    assert all(any(i["short"] == dpyd_short for i in links[n]) for n in fluoro)
    assert all(
        any(i["short"].startswith("UGT1A1 *1/*28 (intermediate)") for i in links[n]) for n in irino
    )


def test_actionable_findings_are_tiered_with_evidence(findings):
    by_alt = {a["alteration"]: a for a in findings["actionability"]}
    # BRAF V600E beside KRAS G12D (flagged for confirmation, GR101): cetuximab + encorafenib
    # (TB025) needs RAS wild type (GR001) and is set aside; BRAF stays Tier I through the
    # authored anti-EGFR resistance (level B)
    braf = by_alt["BRAF p.V600E"]
    assert braf["tier"] == "I" and braf["tier_label"] != "Tier I-A"
    assert any(x["evidence"] == "TB025" and "requires RAS wild type" in x["reason"]
               for x in braf["set_aside"])  # fmt: skip
    assert [c["rule"] for c in findings["co_occurrence"]] == ["GR101"]
    kras = by_alt["KRAS p.G12D"]
    resist = {t["therapy"] for t in kras["therapies"] if t["response"] == "resistance"}
    assert {"cetuximab", "panitumumab"} <= resist
    erbb2 = by_alt["ERBB2 amplification"]
    # KRAS-mutant CRC: the authored HER2 approvals in CRC need RAS wild type, and the CIViC HER2
    # items in CRC are level B = AMP/ASCO/CAP level C (knowledge.tiers.CIVIC_TO_AMP): Tier II-C
    assert erbb2["tier_label"] == "Tier II-C"
    # ... and gating (GR002) sets every HER2 sensitivity line aside, with its reason
    assert not any("trastuzumab" in t["therapy"] for t in erbb2["therapies"])
    assert any("trastuzumab" in x["therapy"] and "KRAS p.G12D present" in x["reason"]
               for x in erbb2["set_aside"])  # fmt: skip
    # the default CIViC source is the 2024-08-01 release, dated in the findings
    civic = [k for k in findings["knowledge_base"] if k["id"].startswith("civic")]
    assert [(k["id"], k["release_date"]) for k in civic] == [
        ("civic_evidence_2024_08", "2024-08-01")
    ]
    # CIViC level B is never Tier I (e.g. dabrafenib + trametinib in CRC, EID1415;
    # irinotecan + selumetinib for KRAS G12D, EID1326, 31 patients)
    civic_b = [e for a in findings["actionability"] for e in a["evidence"]
               if e["source"] == "CIViC" and e["level"] == "B" and e["counts"]]  # fmt: skip
    # (generic "KRAS/TP53 MUTATION" items: the lowest level, II-D; issue 12, item 3)
    assert civic_b and all((e["tier"], e["tier_level"]) == ("II", "C" if e["specific"] else "D")
                           for e in civic_b)  # fmt: skip
    for a in findings["actionability"]:
        for e in a["evidence"]:
            assert e["source"] and e["id"] and e["level"]


# Tags whose src/href/data/srcset/poster make a browser fetch; <a href> is a link, not a load.
LOADING_TAGS = {"script", "img", "link", "iframe", "frame", "source", "video", "audio", "embed",
                "object", "track", "input", "image", "use"}  # fmt: skip
LOADING_ATTRS = {"src", "href", "xlink:href", "data", "srcset", "poster", "background"}
REMOTE = re.compile(r"^\s*(https?:)?//", re.I)
CSS_REMOTE = re.compile(r"(url\(\s*['\"]?|@import\s+['\"])(https?:)?//", re.I)


class RemoteLoads(HTMLParser):
    """Every remote resource an HTML page would load: tags above, and url()/@import in CSS
    (style elements and attributes).  Script bodies are not markup (HTMLParser reads them as
    text): a string holding "<img src=https://..." in JavaScript is never rendered."""

    def __init__(self):
        super().__init__()
        self.loads, self.in_style = [], False

    def handle_starttag(self, tag, attrs):
        self.in_style = tag == "style"
        for name, value in attrs:
            if tag in LOADING_TAGS and name in LOADING_ATTRS and value and REMOTE.match(value):
                self.loads.append(f"<{tag} {name}={value}>")
            if name == "style" and value and CSS_REMOTE.search(value):
                self.loads.append(f"<{tag} style={value[:80]}>")

    def handle_endtag(self, tag):
        self.in_style = False if tag == "style" else self.in_style

    def handle_data(self, data):
        if self.in_style and CSS_REMOTE.search(data):
            self.loads.append(f"<style> {CSS_REMOTE.search(data).group(0)}")


def test_no_html_output_of_the_run_loads_anything_remote(small_demo):
    """The report, MultiQC's report and any other HTML the run leaves (fastp's own HTML, which
    loads plotly.js over plain HTTP, is no longer written) load nothing from the network."""
    workdir, _ = small_demo
    pages = sorted((workdir / "results").rglob("*.html"))
    assert {p.name for p in pages} >= {"DEMO01.html", "multiqc_report.html"}
    for page in pages:
        parser = RemoteLoads()
        parser.feed(page.read_text(encoding="utf-8"))
        assert parser.loads == [], f"{page.relative_to(workdir)} loads {parser.loads[:5]}"


def test_a_failed_rerun_leaves_no_older_report_looking_current(small_demo, tmp_path):
    """A rerun with changed inputs that then fails (the FASTQ re-delivered, the tumour's first
    lane truncated: its check stops the run before alignment) must not leave yesterday's report,
    findings and provenance in results/ beside the failure: they are removed as the run starts."""
    base, overlay = small_demo
    work = tmp_path / "run"
    shutil.copytree(base, work, symlinks=True)
    redelivered = tmp_path / "redelivered"
    redelivered.mkdir()
    rows = ["sample\tunit\tfq1\tfq2"]
    for s in ("DEMO01-T", "DEMO01-N"):
        for u in ("L001", "L002"):
            for r in ("R1", "R2"):
                (redelivered / f"{s}_{u}_{r}.fastq.gz").symlink_to(
                    work / f"results/demo/reads/{s}/{u}_{r}.fastq.gz"
                )
            rows.append(f"{s}\t{u}\t{redelivered}/{s}_{u}_R1.fastq.gz\t"
                        f"{redelivered}/{s}_{u}_R2.fastq.gz")  # fmt: skip
    (tmp_path / "units.tsv").write_text("\n".join(rows) + "\n")
    truncated = redelivered / "DEMO01-T_L001_R1.fastq.gz"
    data = truncated.read_bytes()
    truncated.unlink()
    truncated.write_bytes(data[: len(data) // 2])
    stale = [f"results/report/DEMO01.{x}" for x in ("html", "pdf", "page1.png", "pdf.page1.png")]
    stale += ["results/findings/DEMO01.json", "results/provenance/DEMO01.json"]
    assert all((work / f).is_file() for f in stale)
    res = run(None, work, work / "overlay.yaml", "--config", f"units={tmp_path / 'units.tsv'}")
    assert res.returncode != 0
    assert f"tumorboard: {truncated}: record " in res.stderr
    left = [f for f in stale if (work / f).exists()]
    assert left == [], f"an older result left beside a failed run: {left}"
    notice = [ln for ln in res.stderr.splitlines() if "out of date, removed" in ln]
    named = "results/findings/DEMO01.json, results/report/DEMO01.html"
    assert len(notice) == 1 and named in notice[0], res.stderr[-3000:]
