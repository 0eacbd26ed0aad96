"""Tests for the per-patient HTML report (tumorboard.report)."""

from __future__ import annotations

import copy
import json
import math
import re
from pathlib import Path

import pytest

from tumorboard.report.figures import copy_number_figure, coverage_figure
from tumorboard.report.html import render_report

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
    from tumorboard.report.document import hotspot_text

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

    from tumorboard.report.document import negative_summary

    doc = json.loads((Path(__file__).parents[1] / "data" / "findings_example.json").read_text())
    lines = negative_summary(doc)
    kras = next(line for line in lines if line.startswith("KRAS"))
    assert "detected: G12D" in kras and "1 not mutated (min depth 501x; LoD ≤ 1.7%)" in kras
    braf = next(line for line in lines if line.startswith("BRAF"))
    assert "not evaluable" in braf


def _cn_findings(findings: dict) -> dict:
    """The example with the copy-number stage's full rows, a profile and its thresholds."""
    f = copy.deepcopy(findings)
    f["purity"] = None  # estimated by the copy-number stage
    f["copy_number"] = [
        {
            "gene": "ERBB2",
            "n_targets": 27,
            "log2_ratio": 1.2,
            "log2_ratio_mad": 0.08,
            "copy_number": 5.9,
            "copy_number_ci_low": 5.5,
            "copy_number_ci_high": 6.3,
            "call": "equivocal",
            "reason": "5.9 copies, 95% interval 5.5-6.3",
            "purity": 0.55,
            "purity_source": "somatic SNV allele fractions",
        },
        {
            "gene": "CDKN2A",
            "n_targets": 2,
            "log2_ratio": None,
            "copy_number": None,
            "call": "not evaluable",
            "reason": "2 usable targets (at least 3 needed)",
            "purity": 0.55,
            "purity_source": "somatic SNV allele fractions",
        },
    ]
    f["copy_number_profile"] = [
        {"target": "ERBB2", "chrom": "chr17", "start": 39700000 + i, "log2_ratio": 1.2}
        for i in range(3)
    ] + [{"target": "backbone", "chrom": "chr18", "start": 1000, "log2_ratio": 0.01}]
    f["thresholds"]["copy_number"] = {
        "amplification_copies": 8.0,
        "equivocal_copies": 5.0,
        "loss_copies": 1.5,
        "homozygous_deletion_copies": 0.5,
        "min_purity": 0.3,
        "min_targets": 3,
        "confidence": 0.9,
    }
    return f


def test_copy_number_table_states_interval_reason_and_purity_source(findings, tmp_path):
    html = render(_cn_findings(findings), tmp_path)
    section = html[html.index('<section id="copy-number">') :]
    section = section[: section.index("</section>")]
    assert "5.9 (5.5–6.3)" in section
    assert "2 usable targets (at least 3 needed)" in section
    assert "purity 55% (somatic SNV allele fractions)" in section
    # the thresholds stated are the ones the findings were called with, not the defaults
    assert "amplified ≥ 8 copies per tumour cell, equivocal 5 to &lt; 8" in section
    assert "purity ≥ 30%" in section and "90% interval" in section


def test_copy_number_figure_draws_configured_thresholds_at_the_calls_purity(findings):
    from tumorboard.copynumber.calls import ratio_from_copies
    from tumorboard.report.document import copy_number_purity, copy_number_settings

    f = _cn_findings(findings)
    assert copy_number_purity(f) == 0.55  # sheet blank: the estimate the calls used
    s = copy_number_settings(f)
    assert (s.amplification_copies, s.min_purity) == (8.0, 0.3)
    svg = copy_number_figure(f)
    assert svg.startswith("<svg") and 'aria-label="Copy-number profile' in svg
    # the amplification line sits at the log2 ratio of 8 copies at 55% purity
    from tumorboard.copynumber.plot import profile_figure

    fig = profile_figure(f["copy_number_profile"], f["copy_number"], 0.55, s)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    expected = math.log2(ratio_from_copies(8.0, 0.55))
    assert f"amplified: 8 copies, log2 {expected:+.2f}" in labels
    assert "Copy-number profile (purity 55%)" == fig.axes[0].get_title(loc="left")


def test_page_one_states_copy_number_negatives_and_what_was_not_evaluable(findings):
    from tumorboard.report.document import copy_number_negative

    f = _cn_findings(findings)
    f["copy_number"].append(
        {
            "gene": "KRAS",
            "n_targets": 5,
            "log2_ratio": 0.0,
            "copy_number": 2.0,
            "copy_number_ci_low": 1.8,
            "copy_number_ci_high": 2.3,
            "call": "neutral",
        }
    )
    line = copy_number_negative(f)
    assert line.startswith("Copy number: no amplification or homozygous deletion in KRAS")
    assert "intervals within 1.8–2.3 copies" in line
    assert "not evaluable: CDKN2A (2 usable targets (at least 3 needed))" in line
    assert "ERBB2" not in line  # equivocal is neither negative nor missing: its row says so
    assert copy_number_negative({**f, "copy_number": []}) == ""


def test_vaf_figure_interval_is_exact_binomial_and_in_the_report(findings, tmp_path):
    from tumorboard.report.figures import allele_fraction_interval, vaf_figure

    lo, hi = allele_fraction_interval(154, 498)
    assert lo < 154 / 498 < hi and hi - lo == pytest.approx(0.083, abs=0.005)
    assert allele_fraction_interval(0, 100)[0] == 0.0  # exact: no negative lower bound
    svg = vaf_figure(findings)
    assert svg.startswith("<svg") and "VAF figure: allele fraction per variant" in svg
    html = render(findings, tmp_path)
    assert 'id="vaf-' in html and "95% exact binomial interval" in html
    assert "VAF figure: no variants" in vaf_figure({**findings, "variants": []})


def test_page_one_lists_imported_calls_that_could_not_be_annotated(findings, tmp_path):
    findings["unannotated_variants"] = [
        {
            "gene": "PIK3CA",
            "chrom": "chr3",
            "pos": 179234297,
            "ref": "A",
            "alt": "G",
            "depth": 74,
            "vaf": 0.4189,
            "reason": "PIK3CA is outside this workflow's reference loci",
        }
    ]
    html = render(findings, tmp_path)
    negatives = html[html.index('<section id="negatives">') :]
    negatives = negatives[: negatives.index("</section>")]
    assert "PIK3CA chr3:179234297 A&gt;G (VAF 41.9%, depth 74x" in negatives
    assert "not annotated and not tiered" in negatives


def test_page_one_shows_source_releases_and_warns_when_one_is_old(findings, tmp_path):
    findings["knowledge_base"] = [
        {"id": "civic_evidence", "name": "CIViC clinical evidence summaries", "file": "c.tsv",
         "layout": "gene/variant (2018)", "release_date": "2018-05-06", "sha256": "a" * 64,
         "records": 1504},
        {"id": "biomarkers", "name": "tumorboard regulatory and guideline biomarkers",
         "file": "biomarkers.tsv", "layout": "tumorboard biomarkers v1",
         "release_date": "2026-11-24", "sha256": "b" * 64, "records": 46},
    ]  # fmt: skip
    html = render(findings, tmp_path, PROVENANCE)
    page1 = html[: html.index('<section id="actionable">')]
    assert (
        "<strong>Knowledge base:</strong> CIViC clinical evidence summaries, release 2018-05-06; "
        "tumorboard regulatory and guideline biomarkers, release 2026-11-24" in page1
    )
    assert (
        "CIViC clinical evidence summaries release 2018-05-06 is 8.6 years old (more than 2) on "
        "2026-11-24 (newest source release): therapy evidence may be out of date." in page1
    )
    # the same inputs give the same bytes (no run date); the run's settings move the threshold
    assert render(findings, tmp_path, PROVENANCE, "again.html") == html
    relaxed = PROVENANCE | {"knowledge": {"max_age_years": 10, "as_of": ""}}
    assert "out of date" not in render(findings, tmp_path, relaxed, "relaxed.html")
    later = PROVENANCE | {"knowledge": {"max_age_years": 2, "as_of": "2030-01-01"}}
    html = render(findings, tmp_path, later, "later.html")
    assert "tumorboard regulatory and guideline biomarkers release 2026-11-24 is 3.1 years" in html


def test_chromium_keeps_its_sandbox_except_as_root_or_when_the_host_has_none():
    """--no-sandbox only where Chromium cannot sandbox: as root (it refuses to start sandboxed),
    or when the host offers no sandbox and the user says so."""
    from tumorboard.report.pdf import NO_SANDBOX_ENV, chromium_flags

    assert "--no-sandbox" not in chromium_flags(euid=1000, environ={})
    assert "--no-sandbox" in chromium_flags(euid=0, environ={})
    assert "--no-sandbox" in chromium_flags(euid=1000, environ={NO_SANDBOX_ENV: "1"})
    assert "--headless" in chromium_flags(euid=1000, environ={})
