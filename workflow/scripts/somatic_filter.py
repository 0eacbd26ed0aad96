"""Tumour-vs-normal count filter over the mpileup pileup."""

import sys

from tumorboard.somatic import SomaticParams, filter_pileup

sys.stderr = open(snakemake.log[0], "w")
s = snakemake.params.somatic
params = SomaticParams(
    min_alt_reads=s["min_alt_reads"],
    min_vaf=s["min_vaf"],
    min_normal_depth=s["min_normal_depth"],
    max_normal_vaf=s["max_normal_vaf"],
    max_normal_alt_reads=s["max_normal_alt_reads"],
)
n = filter_pileup(
    snakemake.input.pileup,
    snakemake.output[0],
    snakemake.params.tumour,
    snakemake.params.normal,
    params,
)
print(f"{n} PASS somatic candidates", file=sys.stderr)
