"""Cohort summary table, MAF and discrete copy-number table from every patient's findings."""

import sys

from tumorboard import cohort

sys.stderr = open(snakemake.log[0], "w")
findings = cohort.load_findings(snakemake.input.findings)
summary = cohort.summary_rows(findings)
cohort.write_tsv(summary, cohort.SUMMARY_COLUMNS, snakemake.output.summary)
maf = cohort.maf_rows(findings)
cohort.write_maf(maf, snakemake.output.maf)
columns, cna = cohort.cna_table(findings)
cohort.write_tsv(cna, columns, snakemake.output.cna)
print(
    f"{len(findings)} patient(s): {len(summary)} summary row(s), {len(maf)} MAF record(s), "
    f"copy number for {len(columns) - 1} sample(s) x {len(cna)} gene(s)",
    file=sys.stderr,
)
if len(columns) == 1:
    print("no patient has copy-number calls: cna.txt has no sample column", file=sys.stderr)
