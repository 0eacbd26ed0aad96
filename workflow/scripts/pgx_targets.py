"""Pharmacogenomic targets (sites +/- padding) on the reference's contigs and in GRCh38."""

import sys

from tumorboard.pharmacogenomics.panel import pgx_targets
from tumorboard.pharmacogenomics.tables import PgxTableError, read_sites
from tumorboard.reference import panel
from tumorboard.reference.contigs import ContigMap

sys.stderr = open(snakemake.log[0], "w")
contigs = ContigMap.from_tsv(snakemake.input.contigs)
try:
    targets, missing = pgx_targets(
        read_sites(snakemake.input.sites), contigs, snakemake.params.padding
    )
except PgxTableError as exc:
    sys.exit(f"tumorboard: {exc}")
panel.write_bed(targets, snakemake.output.bed)
panel.write_bed(targets, snakemake.output.grch38, contigs)
print(f"{len(targets)} pharmacogenomic targets; not in the reference: {missing or 'none'}",
      file=sys.stderr)  # fmt: skip
