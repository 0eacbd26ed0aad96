"""The key of the cohort's pseudonyms (config cohort.pseudonymise): pseudonym -> patient and
sample identifiers, written apart from results/cohort/."""

import sys

from tumorboard.cohort import pseudonyms, tables

sys.stderr = open(snakemake.log[0], "w")
findings = tables.load_findings(snakemake.input.findings)
key = pseudonyms.assign(findings, snakemake.params.cohort["pseudonym_prefix"])
pseudonyms.write_key(key, snakemake.output[0])
print(f"{len(key)} pseudonym(s); keep this file apart from results/cohort/", file=sys.stderr)
