"""Site mode: the contig map of a whole-chromosome reference is the identity (names normalised)."""

import sys

from tumorboard.reference.contigs import ContigMap

sys.stderr = open(snakemake.log[0], "w")
cmap = ContigMap.identity(snakemake.input.fai)
cmap.to_tsv(snakemake.output[0])
print(f"{len(cmap.contigs)} sequences", file=sys.stderr)
