"""Per-patient HTML report for the molecular tumour board (research use only).

The report is rendered from a findings document and an optional provenance dict with the jinja2
templates shipped in ``tumorboard/templates``.  It is a single self-contained HTML file: CSS is
inlined, figures are inline SVG, and a Content-Security-Policy forbids every network request.
Output is byte-for-byte deterministic for the same input (no timestamps, salted SVG ids, no SVG
date metadata).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import jinja2
from markupsafe import Markup

from tumorboard.report.document import build_view, validate_findings
from tumorboard.report.figures import copy_number_figure, coverage_figure, vaf_figure

TEMPLATES_DIR = files("tumorboard") / "templates"
TEMPLATE_NAME = "report.html.j2"
CSS_NAME = "report.css"


def build_context(findings: dict, provenance: dict | None) -> dict:
    """Everything the template needs, already formatted as strings: the view model and the
    figures."""
    return build_view(findings, provenance) | {
        "copy_number_svg": Markup(copy_number_figure(findings)) if findings["copy_number"] else "",
        "coverage_svg": Markup(coverage_figure(findings)) if findings["coverage"] else "",
        "vaf_svg": Markup(vaf_figure(findings)) if findings["variants"] else "",
    }


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(findings: dict, provenance: dict | None) -> str:
    validate_findings(findings)
    css = (TEMPLATES_DIR / CSS_NAME).read_text(encoding="utf-8")
    if "</style" in css.lower():
        raise ValueError(f"{CSS_NAME} must not contain '</style'")
    context = build_context(findings, provenance)
    return _environment().get_template(TEMPLATE_NAME).render(css=Markup(css), **context)


def render_report(findings: dict, provenance: dict | None, out_html: str | Path) -> None:
    """Validate ``findings`` and write the self-contained HTML report to ``out_html``."""
    html = render_html(findings, provenance)
    out = Path(out_html)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8", newline="\n")
