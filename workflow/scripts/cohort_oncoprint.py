"""Oncoprint (genes x patients) of the cohort's findings."""

import sys

from tumorboard import cohort
from tumorboard.reference import panel

sys.stderr = open(snakemake.log[0], "w")
findings = cohort.load_findings(snakemake.input.findings)
cohort.write_oncoprint(
    findings,
    panel.reported_genes(snakemake.params.genes, snakemake.input.targets, findings),
    snakemake.output[0],
)
