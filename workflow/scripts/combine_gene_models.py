"""The manifest's gene-model files (role: gene_models) as one GFF3."""

import sys

from tumorboard.reference.genemodel import concatenate_gff3

sys.stderr = open(snakemake.log[0], "w")
try:
    n = concatenate_gff3(list(snakemake.input), snakemake.output[0])
except ValueError as exc:
    sys.exit(f"tumorboard: {exc}")
print(f"{n} features from {len(snakemake.input)} files", file=sys.stderr)
