"""Somatic calling for one patient: read-level evidence and FILTER decisions for each candidate."""

import sys

from tumorboard.calling import caller, hotspots, pon
from tumorboard.reference import genemodel

sys.stderr = open(snakemake.log[0], "w")
inp, par = snakemake.input, snakemake.params
params = caller.params_from_config(par.somatic, par.mpileup)
models = genemodel.read_gff3(inp.gff)
regions = hotspots.hotspot_regions(hotspots.read_hotspots(inp.hotspots), models)
pon_sites = pon.read_sites(inp.pon) if inp.pon else set()
calls = caller.call(
    inp.pileup,
    inp.tumour_bam,
    inp.normal_bam or None,
    inp.ref,
    par.tumour,
    params,
    regions,
    pon_sites,
)
n = caller.write_vcf(calls, snakemake.output[0], inp.ref, par.tumour, par.normal)
print(
    f"{len(calls)} candidates examined, {n} PASS; panel of normals: {len(pon_sites)} sites",
    file=sys.stderr,
)
