"""Oncoprint (genes x patients) of the cohort's findings."""

import sys

from tumorboard.cohort import tables
from tumorboard.reference import panel

sys.stderr = open(snakemake.log[0], "w")
findings = tables.load_findings(snakemake.input.findings)
tables.write_oncoprint(
    findings,
    panel.reported_genes(snakemake.params.genes, snakemake.input.targets, findings),
    snakemake.output[0],
)
