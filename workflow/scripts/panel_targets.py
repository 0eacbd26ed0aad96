"""Panel targets: MANE coding exons +/- padding, plus copy-number backbone tiles."""

import sys

from tumorboard.reference import genemodel, panel
from tumorboard.reference.contigs import ContigMap

sys.stderr = open(snakemake.log[0], "w")
models = genemodel.read_gff3(snakemake.input.gff)
targets = panel.gene_targets(models, snakemake.params.padding)
targets += panel.backbone_targets(
    snakemake.input.fasta,
    snakemake.params.background,
    snakemake.params.tiles,
    snakemake.params.tile_size,
)
targets.sort()
panel.write_bed(targets, snakemake.output.bed)
panel.write_bed(targets, snakemake.output.grch38, ContigMap.from_tsv(snakemake.input.contigs))
print(f"{len(targets)} targets, {sum(t.end - t.start for t in targets)} bp", file=sys.stderr)
