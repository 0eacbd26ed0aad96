"""Concatenate the verified sequences into the demo reference (+ .fai, contig map)."""

import sys

from tumorboard.reference.contigs import parse_contig_name
from tumorboard.reference.panel import build_reference

sys.stderr = open(snakemake.log[0], "w")
build_reference(
    list(snakemake.input),
    [parse_contig_name(c) for c in snakemake.params.contigs],
    snakemake.output.fasta,
    snakemake.output.contigs,
)
