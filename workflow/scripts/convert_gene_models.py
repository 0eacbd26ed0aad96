"""Site mode: the site's gene models (any common dialect) -> MANE Select models in csq GFF3."""

import sys

from tumorboard.reference.gene_model_formats import convert_gene_models

sys.stderr = open(snakemake.log[0], "w")
with open(snakemake.input.fai) as fh:
    contigs = [line.split("\t", 1)[0] for line in fh if line.strip()]
try:
    counts = convert_gene_models(
        snakemake.input.gff,
        snakemake.output.gff,
        contig_names=contigs,
        mane_summary=snakemake.input.get("mane") or None,
        genes=snakemake.params.genes or None,
    )
except ValueError as exc:
    sys.exit(f"tumorboard: {exc}")
print("\n".join(f"{key}: {value}" for key, value in counts.items()), file=sys.stderr)
