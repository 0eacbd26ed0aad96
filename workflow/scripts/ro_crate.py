"""The run's Workflow Run RO-Crate (results/ro-crate-metadata.json) from the patients'
provenance."""

import sys

from tumorboard.report import ro_crate

sys.stderr = open(snakemake.log[0], "w")
crate = ro_crate.write_crate(
    snakemake.input.provenance, snakemake.params.outputs, "results", snakemake.output[0]
)
print(f"{len(crate['@graph'])} entities", file=sys.stderr)
