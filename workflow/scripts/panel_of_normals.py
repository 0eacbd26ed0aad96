"""Panel of normals: alleles seen in the cohort's normal samples."""

import sys

from tumorboard.calling import pon

sys.stderr = open(snakemake.log[0], "w")
s = snakemake.params.somatic
n = pon.build(
    snakemake.input.pileup,
    snakemake.params.normals,
    snakemake.output[0],
    s["pon_min_alt_reads"],
    s["pon_min_vaf"],
    s["pon_min_samples"],
)
print(f"{n} sites from {len(snakemake.params.normals)} normal samples", file=sys.stderr)
