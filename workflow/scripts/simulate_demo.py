"""Simulate one demo sample (tumour or normal) from the truth file."""

import sys

import pysam

from tumorboard.demo import simulate
from tumorboard.reference import panel
from tumorboard.reference.contigs import ContigMap

sys.stderr = open(snakemake.log[0], "w")
p = snakemake.params
contigs = ContigMap.from_tsv(snakemake.input.contigs)
truth = simulate.load_truth(snakemake.input.truth, contigs, snakemake.input.fasta)
with pysam.FastaFile(snakemake.input.fasta) as fa:
    lengths = dict(zip(fa.references, fa.lengths, strict=True))
# the panel's targets and the pharmacogenomic sites' (germline genotyping in the normal)
targets = panel.read_bed(snakemake.input.targets) + panel.read_bed(snakemake.input.pgx_targets)
regions = simulate.simulation_regions(targets, p.padding, lengths)
# distinct seeds for tumour and normal, both fixed by the configured seed
seed = p.seed * 2 + (1 if p.tumour else 0)
off_target = simulate.off_target_regions(snakemake.input.fasta, regions)
pairs = simulate.simulate_sample(
    truth,
    snakemake.input.fasta,
    regions,
    p.tumour,
    p.depth,
    seed,
    p.prefixes,
    off_target=off_target,
    off_target_fraction=p.off_target_fraction,
)
print(
    f"{snakemake.wildcards.sample}: {pairs} read pairs over {len(regions)} regions and "
    f"{len(off_target)} off-target stretches ({p.off_target_fraction:.0%} of pairs off target)",
    file=sys.stderr,
)
