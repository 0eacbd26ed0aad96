"""Per-target log2 ratios and gene-level copy number calls."""

import sys

import pandas as pd

from tumorboard.cnv import CallThresholds, gene_table, target_log2

sys.stderr = open(snakemake.log[0], "w")
t = snakemake.params.thresholds
thresholds = CallThresholds(t["amplification_copies"], t["equivocal_copies"], t["loss_copies"])
targets = target_log2(
    pd.read_csv(snakemake.input.tumour, sep="\t"),
    pd.read_csv(snakemake.input.normal, sep="\t"),
    snakemake.params.min_normal_depth,
)
targets.to_csv(snakemake.output.targets, sep="\t", index=False)
genes = gene_table(targets, snakemake.params.purity, thresholds)
genes.to_csv(snakemake.output.genes, sep="\t", index=False)
print(genes.to_string(), file=sys.stderr)
