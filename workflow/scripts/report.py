"""Render the HTML report from the findings JSON (+ run provenance)."""

import json
import sys

from tumorboard.report.html import render_report

sys.stderr = open(snakemake.log[0], "w")
with open(snakemake.input.findings) as fh:
    findings = json.load(fh)
with open(snakemake.input.provenance) as fh:
    provenance = json.load(fh)
render_report(findings, provenance, snakemake.output[0])
