"""Tests for the per-patient HTML report (tumorboard.report)."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from tumorboard.report import copy_number_figure, coverage_figure, render_report

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "findings_example.json"
CSP_TAG = (
    '<meta http-equiv="Content-Security-Policy" '
    "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
)
PROVENANCE = {
    "workflow_version": "0.1.0",
    "tool_versions": {"bwa-mem2": "2.2.1", "samtools": "1.20"},
    "config_sha256": "0" * 64,
    "resources": {"reference.fa": "sha256:" + "1" * 64},
}


@pytest.fixture
def findings() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def render(
    findings: dict, tmp_path: Path, provenance: dict | None = None, name: str = "report.html"
) -> str:
    out = tmp_path / name
    render_report(findings, provenance, out)
    return out.read_text(encoding="utf-8")


def test_example_report_content(findings, tmp_path):
    html = render(findings, tmp_path, PROVENANCE)
    assert "DEMO01" in html
    assert "G12D" in html
    assert "Research use only" in html
    assert "KRAS G13: not detected; depth 501x; limit of detection 1.7% VAF" in html
    assert "BRAF V600: not evaluable (depth 40x &lt; minimum 100x)" in html
    assert "<svg" in html
    assert CSP_TAG in html
    assert "chr12:25245350 C&gt;T" in html
    assert "NM_004985.5:c.35G&gt;A" in html
    assert "31.0%" in html and "154 / 498" in html
    assert "Provenance" in html and "samtools" in html
    assert findings["disclaimer"] in html


def test_report_is_self_contained(findings, tmp_path):
    html = render(findings, tmp_path, PROVENANCE)
    for match in re.finditer(r"https?://", html):
        before = html[max(0, match.start() - 14) : match.start()]
        assert re.search(r'xmlns(:xlink)?="$', before), html[match.start() - 40 : match.end() + 40]
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert "<!DOCTYPE svg" not in html
    for tag in ("<script", "<link", "<img", "<iframe", "@import", "url(http"):
        assert tag not in html.lower()


def test_svg_ids_unique_and_references_resolve(findings, tmp_path):
    html = render(findings, tmp_path)
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    refs = set(re.findall(r'(?:url\(#|href="#)([^)"]+)', html))
    assert refs and refs <= set(ids)


def test_rendering_is_deterministic(findings, tmp_path):
    first = tmp_path / "a.html"
    second = tmp_path / "b.html"
    render_report(findings, PROVENANCE, first)
    render_report(copy.deepcopy(findings), PROVENANCE, second)
    assert first.read_bytes() == second.read_bytes()


def test_missing_field_raises_value_error(findings, tmp_path):
    del findings["patient"]
    with pytest.raises(ValueError, match="patient") as excinfo:
        render_report(findings, None, tmp_path / "r.html")
    assert "\n" not in str(excinfo.value)
    assert not (tmp_path / "r.html").exists()


def test_wrong_type_names_the_path(findings, tmp_path):
    findings["variants"][0]["vaf"] = "high"
    with pytest.raises(ValueError, match=r"variants\[0\]\.vaf"):
        render_report(findings, None, tmp_path / "r.html")


def test_not_detected_without_lod_is_refused(findings, tmp_path):
    findings["hotspots"][1]["lod_vaf"] = None
    with pytest.raises(ValueError, match="lod_vaf"):
        render_report(findings, None, tmp_path / "r.html")


def test_empty_lists_render_sentences(findings, tmp_path):
    for key in ("variants", "copy_number", "hotspots", "coverage"):
        findings[key] = []
    findings["qc"]["samples"] = []
    html = render(findings, tmp_path)
    assert "No somatic variants passed the filters." in html
    assert "No copy-number results were reported." in html
    assert "No hotspot codons were evaluated." in html
    assert "No coverage data were reported." in html
    assert "No per-sample QC metrics were reported." in html
    assert "<table" not in html and "<svg" not in html
    assert "Provenance" not in html


def test_tumour_only_unknown_purity_failed_qc(findings, tmp_path):
    findings["normal_sample"] = None
    findings["purity"] = None
    findings["coverage"] = [c for c in findings["coverage"] if c["sample"] != "DEMO01-N"]
    findings["qc"]["samples"] = findings["qc"]["samples"][:1]
    for variant in findings["variants"]:
        variant.update(normal_vaf=None, normal_depth=None, normal_alt_reads=None)
    findings["qc"] = {
        **findings["qc"],
        "verdict": "fail",
        "reasons": ["tumour mean target depth 80x < 100x"],
    }
    html = render(findings, tmp_path)
    assert "none (tumour-only)" in html
    assert "unknown" in html
    assert "FAIL" in html and "tumour mean target depth 80x &lt; 100x" in html
    assert "germline variants cannot be excluded" in html


def test_user_text_is_escaped(findings, tmp_path):
    findings["tumour_type"] = "<b>adenocarcinoma</b>"
    html = render(findings, tmp_path)
    assert "&lt;b&gt;adenocarcinoma&lt;/b&gt;" in html


def test_figures_are_inline_deterministic_svg(findings):
    for figure in (coverage_figure, copy_number_figure):
        svg = figure(findings)
        assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
        assert svg == figure(copy.deepcopy(findings))
    assert 'id="cov-' in coverage_figure(findings)
    assert 'id="cn-' in copy_number_figure(findings)


def test_gene_outside_the_panel_is_not_evaluable_with_its_reason():
    from tumorboard.report import hotspot_text

    h = {
        "gene": "NRAS",
        "codon": 61,
        "label": "NRAS Q61",
        "chrom": None,
        "start": None,
        "end": None,
        "status": "not evaluable",
        "depth": 0,
        "lod_vaf": None,
        "variant": None,
        "reason": "gene not in this panel",
    }
    assert hotspot_text(h, 100, []) == "NRAS Q61: not evaluable (gene not in this panel)"


def test_page_one_summarises_negative_hotspots_with_depth_and_lod():
    import json
    from pathlib import Path

    from tumorboard.report import negative_summary

    doc = json.loads((Path(__file__).parents[1] / "data" / "findings_example.json").read_text())
    lines = negative_summary(doc)
    kras = next(line for line in lines if line.startswith("KRAS"))
    assert "detected: G12D" in kras and "1 not mutated (min depth 501x; LoD ≤ 1.7%)" in kras
    braf = next(line for line in lines if line.startswith("BRAF"))
    assert "not evaluable" in braf
