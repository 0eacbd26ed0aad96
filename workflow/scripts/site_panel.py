"""Site mode: capture targets labelled by gene (MANE coding exons) or background; without a BED,
the MANE coding exons of panel.genes."""

import sys

from tumorboard.reference import genemodel, panel
from tumorboard.reference.contigs import ContigMap

sys.stderr = open(snakemake.log[0], "w")
models = genemodel.read_gff3(snakemake.input.gff)
genes = list(snakemake.params.genes)
try:
    targets = panel.site_targets(
        snakemake.input.bed or None, models, genes, snakemake.params.padding
    )
except ValueError as exc:
    sys.exit(f"tumorboard: {exc}")
panel.write_bed(targets, snakemake.output.bed)
panel.write_bed(targets, snakemake.output.grch38, ContigMap.from_tsv(snakemake.input.contigs))
named = {t.name for t in targets} - {panel.BACKBONE}
print(
    f"{len(targets)} targets, {sum(t.end - t.start for t in targets)} bp, "
    f"{len(named)} genes, {sum(t.name == panel.BACKBONE for t in targets)} background",
    file=sys.stderr,
)
