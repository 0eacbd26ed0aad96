"""Oncoprint (genes x patients) of the cohort's findings."""

import sys

from tumorboard.cohort import pseudonyms, tables
from tumorboard.reference import panel

sys.stderr = open(snakemake.log[0], "w")
# pseudonymous ids when config cohort.pseudonymise says so
findings = pseudonyms.cohort_view(
    tables.load_findings(snakemake.input.findings), snakemake.params.cohort
)
tables.write_oncoprint(
    findings,
    panel.reported_genes(snakemake.params.genes, snakemake.input.targets, findings),
    snakemake.output[0],
)
