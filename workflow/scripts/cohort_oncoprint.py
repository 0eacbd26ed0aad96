"""Oncoprint (genes x patients) of the cohort's findings."""

import sys

from tumorboard import cohort

sys.stderr = open(snakemake.log[0], "w")
findings = cohort.load_findings(snakemake.input.findings)
cohort.write_oncoprint(findings, snakemake.params.genes, snakemake.output[0])
