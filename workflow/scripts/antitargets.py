"""Antitarget bins: the off-target background between the capture targets (copy number)."""

import sys

from tumorboard.copynumber.antitarget import antitargets_from_fasta
from tumorboard.reference import panel

sys.stderr = open(snakemake.log[0], "w")
p = snakemake.params
try:
    bins = antitargets_from_fasta(
        panel.read_bed(snakemake.input.targets)
        + [t for b in snakemake.input.pgx_targets for t in panel.read_bed(b)],
        snakemake.input.fasta,
        p.avg_size,
        p.min_size,
        p.margin,
        p.autosomes_only,
    )
except ValueError as exc:
    sys.exit(f"tumorboard: {exc}")
panel.write_bed(bins, snakemake.output[0])
print(
    f"{len(bins)} antitarget bins, {sum(b.end - b.start for b in bins):,} bp "
    f"(average size {p.avg_size}, minimum {p.min_size}, margin {p.margin})",
    file=sys.stderr,
)
