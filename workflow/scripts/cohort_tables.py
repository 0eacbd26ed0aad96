"""Cohort summary table, MAF and discrete copy-number table from every patient's findings."""

import sys

from tumorboard.cohort import formats, pseudonyms, tables

sys.stderr = open(snakemake.log[0], "w")
# pseudonymous ids when config cohort.pseudonymise says so
findings = pseudonyms.cohort_view(
    tables.load_findings(snakemake.input.findings), snakemake.params.cohort
)
summary = tables.summary_rows(findings)
tables.write_tsv(summary, tables.SUMMARY_COLUMNS, snakemake.output.summary)
maf = formats.maf_rows(findings)
formats.write_maf(maf, snakemake.output.maf)
columns, cna = formats.cna_table(findings)
tables.write_tsv(cna, columns, snakemake.output.cna)
print(
    f"{len(findings)} patient(s): {len(summary)} summary row(s), {len(maf)} MAF record(s), "
    f"copy number for {len(columns) - 1} sample(s) x {len(cna)} gene(s)",
    file=sys.stderr,
)
if len(columns) == 1:
    print("no patient has copy-number calls: cna.txt has no sample column", file=sys.stderr)
