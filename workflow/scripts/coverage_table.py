"""Join mosdepth per-target depth and threshold counts (when given), with GRCh38 positions."""

import sys

from tumorboard.qc.coverage import target_table
from tumorboard.reference.contigs import ContigMap

sys.stderr = open(snakemake.log[0], "w")
table = target_table(
    snakemake.input.regions,
    snakemake.input.get("thresholds"),
    ContigMap.from_tsv(snakemake.input.contigs),
)
table.to_csv(snakemake.output[0], sep="\t", index=False)
