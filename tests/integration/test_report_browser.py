"""The demo report checked as a person would: opened in headless Chromium (screenshot, and no
network request attempted: Chromium's NetLog, with a negative control proving a request would be
seen), its PDF turned into page images and text; the cohort outputs and MultiQC report too.

The workflow runs on a small demo (one lane, 80x tumour / 40x normal) to keep this quick."""

import json
import re
import shutil
import subprocess

import pytest
from PIL import Image
from workflow_run import run_workflow, write_overlay

from tumorboard.report import pdf

pytestmark = pytest.mark.integration

PATIENT = "DEMO01"
TARGETS = [
    f"results/report/{PATIENT}.html",
    f"results/report/{PATIENT}.pdf",
    f"results/report/{PATIENT}.page1.png",
    f"results/report/{PATIENT}.pdf.page1.png",
    f"results/provenance/{PATIENT}.json",
    "results/cohort/summary.tsv",
    "results/cohort/mutations.maf",
    "results/cohort/cna.txt",
    "results/cohort/oncoprint.png",
    "results/cohort/multiqc_report.html",
]
NEGATIVE_CONTROL = "http://127.0.0.1:9/tumorboard-negative-control.png"
CSP_META = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>')


@pytest.fixture(scope="module")
def demo(project, mirror, tmp_path_factory):
    if shutil.which(pdf.CHROMIUM) is None:
        pytest.fail("chromium is not installed (workflow/setup/install.sh installs it)")
    work = tmp_path_factory.mktemp("browser")
    units = work / "units.tsv"
    units.write_text(
        "sample\tunit\tfq1\tfq2\n"
        + "".join(
            f"{s}\tL001\tresults/demo/reads/{s}/L001_R1.fastq.gz\t"
            f"results/demo/reads/{s}/L001_R2.fastq.gz\n"
            for s in ("DEMO01-T", "DEMO01-N")
        )
    )
    overlay = write_overlay(
        work,
        project / "config" / "demo" / "samples.tsv",
        units,
        mirror,
        demo={"tumour_depth": 80, "normal_depth": 40, "units": ["L001"]},
    )
    res = run_workflow(work, overlay, targets=TARGETS)
    assert res.returncode == 0, res.stderr[-3000:]
    return work / "results"


@pytest.fixture(scope="module")
def findings(demo):
    return json.loads((demo / "findings" / f"{PATIENT}.json").read_text())


def compact(text: str) -> str:
    """PDF text without whitespace: a table cell may wrap a name over two lines."""
    return re.sub(r"\s+", "", text)


# --------------------------------------------------------------------------- browser


def test_report_screenshot_and_no_network_request(demo, tmp_path):
    html = demo / "report" / f"{PATIENT}.html"
    png = tmp_path / "page1.png"
    result = pdf.browser_screenshot(html, png, tmp_path / "netlog.json")
    assert result["page_requests"] == []
    with Image.open(png) as img:
        assert img.size == (1280, 2000)
        # a rendered page, not a blank one: plenty of dark (text) pixels
        assert sum(img.convert("L").histogram()[:128]) > 5000
    # the workflow's own screenshot and its NetLog say the same
    with Image.open(demo / "report" / f"{PATIENT}.page1.png") as img:
        assert img.size == (1280, 2000)
    netlog = pdf.load_netlog(demo / "logs" / "report" / f"{PATIENT}.netlog.json")
    assert pdf.page_requests(netlog) == []


def test_negative_control_a_remote_image_is_detected(demo, tmp_path):
    """The detector sees a request when one is made: a copy of the report without its CSP and
    with a remote <img> is flagged; with the CSP kept, Chromium never attempts the request."""
    html = (demo / "report" / f"{PATIENT}.html").read_text()
    assert CSP_META.search(html), "the report has no Content-Security-Policy"
    img = f'<img src="{NEGATIVE_CONTROL}" alt="negative control">'
    leaky = tmp_path / "without_csp.html"
    leaky.write_text(CSP_META.sub("", html).replace("<body>", f"<body>{img}", 1))
    found = pdf.browser_screenshot(leaky, tmp_path / "a.png", tmp_path / "a.json")
    assert found["page_requests"] == [NEGATIVE_CONTROL]

    guarded = tmp_path / "with_csp.html"
    guarded.write_text(html.replace("<body>", f"<body>{img}", 1))
    blocked = pdf.browser_screenshot(guarded, tmp_path / "b.png", tmp_path / "b.json")
    assert blocked["page_requests"] == []


def test_multiqc_report_loads_nothing_remote(demo, tmp_path):
    report = demo / "cohort" / "multiqc_report.html"
    text = report.read_text()
    # no remote script, stylesheet or image in the markup (script bodies are JavaScript: an
    # emoji table in its markdown library holds an <img> string that is never rendered here)
    markup = re.sub(r"(<script\b[^>]*>).*?</script>", r"\1", text, flags=re.S | re.I)
    assert not re.search(r"<(script|link|img)\b[^>]+(src|href)=[\"']?(https?:)?//", markup, re.I)
    # let its JavaScript run (virtual time) before the screenshot
    result = pdf.browser_screenshot(
        report, tmp_path / "multiqc.png", tmp_path / "multiqc.json", virtual_time_ms=5000
    )
    assert result["page_requests"] == []


# --------------------------------------------------------------------------- PDF


def pdf_page_count(pdf_path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf_path)], capture_output=True, text=True, check=True)
    m = re.search(r"^Pages:\s+(\d+)", info.stdout, re.M)
    assert m, f"pdfinfo gave no page count for {pdf_path}"
    return int(m.group(1))


def pdf_text(pdf_path) -> str:
    """The PDF's text (pdftotext, reading order), pages separated by form feeds."""
    cmd = ["pdftotext", "-enc", "UTF-8", str(pdf_path), "-"]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def test_pdf_pages_and_text(demo, findings, tmp_path):
    report_pdf = demo / "report" / f"{PATIENT}.pdf"
    pages = pdf_page_count(report_pdf)
    assert 2 <= pages <= 20
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(report_pdf), str(tmp_path / "p")])
    assert len(list(tmp_path.glob("p-*.png"))) == pages
    with Image.open(demo / "report" / f"{PATIENT}.pdf.page1.png") as img:
        width, height = img.size
        assert abs(height / width - 297 / 210) < 0.01  # A4 portrait

    text = pdf_text(report_pdf)
    flat = compact(text)
    assert PATIENT in text
    assert "Research use only" in text
    assert findings["variants"], "the demo should report somatic variants"
    for v in findings["variants"]:
        assert compact(v["protein_short"]) in flat, v["protein_short"]
    assert findings["actionability"], "the demo's variants should match the knowledge base"
    for item in findings["actionability"]:
        assert compact(item["alteration"]) in flat, item["alteration"]
        if item["tier_label"]:
            assert compact(item["tier_label"]) in flat, item["tier_label"]
    assert "Methods" in text and "Provenance" in text

    # page 1 is what the board reads: identifiers, purity, QC, every actionable finding with
    # its tier, and the negative findings with depth and limit of detection
    page1 = compact(text.split("\f")[0])
    for label in ("Tumour type", "Tumour purity", "QC verdict", "Relevant negative findings"):
        assert compact(label) in page1, label
    for item in findings["actionability"]:
        assert compact(item["alteration"]) in page1, item["alteration"]
    assert compact("not mutated (min depth") in page1 and "LoD" in page1
    # germline pharmacogenomics beside the fluoropyrimidine line on page 1 (the demo's FOLFOX +
    # encorafenib + cetuximab line), and its own section with every gene
    assert compact("germline: DPYD AS 1 (intermediate): reduce starting dose by 50%") in page1
    assert compact("Germline pharmacogenomics (DPYD, UGT1A1, TPMT, NUDT15)") in flat
    for g in findings["pharmacogenomics"]["genes"]:
        for cell in (g["diplotype"], g["phenotype"]):
            assert compact(cell) in flat, (g["gene"], cell)
    assert compact("no full star-allele call") in flat


def test_pdf_draws_inline_svg_and_fetches_nothing(tmp_path):
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="300">'
        '<rect x="0" y="0" width="300" height="300" fill="black"/></svg>'
    )
    page = tmp_path / "svg.html"
    page.write_text(f"<!DOCTYPE html><html><body><p>figure</p>{svg}</body></html>")
    pdf.html_to_pdf(page, tmp_path / "svg.pdf")
    pdf.pdf_page_png(tmp_path / "svg.pdf", tmp_path / "svg.png", dpi=50)
    with Image.open(tmp_path / "svg.png") as img:
        black = img.convert("L").histogram()[0]
    assert black > 5000  # the 300 px square, drawn

    remote = tmp_path / "remote.html"
    remote.write_text(f'<html><body><img src="{NEGATIVE_CONTROL}"></body></html>')
    with pytest.raises(pdf.RenderError, match="external resource"):
        pdf.html_to_pdf(remote, tmp_path / "remote.pdf")


# --------------------------------------------------------------------------- cohort


def test_cohort_outputs(demo, findings):
    cohort_dir = demo / "cohort"
    summary = (cohort_dir / "summary.tsv").read_text().splitlines()
    assert summary[0].startswith("patient\ttumour_sample\t")
    assert len(summary) - 1 >= len(findings["variants"])
    maf = (cohort_dir / "mutations.maf").read_text().splitlines()
    assert maf[0] == "#version 2.4" and len(maf) - 2 == len(findings["variants"])
    cna = [line.split("\t") for line in (cohort_dir / "cna.txt").read_text().splitlines()]
    assert cna[0] == ["Hugo_Symbol", findings["tumour_sample"]]
    assert {row[1] for row in cna[1:]} <= {"-2", "-1", "0", "1", "2", "NA"}
    with Image.open(cohort_dir / "oncoprint.png") as img:
        assert img.size[0] > 300 and img.size[1] > 300
    provenance = json.loads((demo / "provenance" / f"{PATIENT}.json").read_text())
    assert len(provenance["inputs"]) == 4  # one FASTQ pair per sample
    assert provenance["methods"]
