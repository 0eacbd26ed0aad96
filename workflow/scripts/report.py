"""Render the HTML report from the findings JSON (+ run provenance)."""

import json
import sys

from tumorboard import __version__
from tumorboard.report import render_report

sys.stderr = open(snakemake.log[0], "w")
with open(snakemake.input.findings) as fh:
    findings = json.load(fh)
with open(snakemake.input.versions) as fh:
    versions = json.load(fh)
provenance = {"workflow_version": __version__, "tool_versions": versions}
render_report(findings, provenance, snakemake.output[0])
