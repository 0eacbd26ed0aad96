"""Keep each panel gene's MANE Select transcript; write it on GRCh38 and on the demo contigs."""

import sys

from tumorboard.reference import genemodel
from tumorboard.reference.contigs import ContigMap

sys.stderr = open(snakemake.log[0], "w")
models = genemodel.read_gff3(snakemake.input.gff)
mane = genemodel.read_mane_select(snakemake.input.mane)
selected = genemodel.select_mane(models, mane, snakemake.params.genes)
genemodel.write_gff3(selected, snakemake.output.grch38)
lifted = genemodel.lift_to_contigs(selected, ContigMap.from_tsv(snakemake.input.contigs))
genemodel.write_gff3(lifted, snakemake.output.contigs)
for t in selected.transcripts:
    print(
        t.gene,
        t.versioned_id,
        t.attributes["mane_refseq"],
        t.attributes["mane_ensembl"],
        file=sys.stderr,
    )
