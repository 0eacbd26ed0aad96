"""Tumour/normal identity of one patient (tumorboard.qc.identity): stops it on a mismatch."""

import sys

from tumorboard.qc import identity
from tumorboard.reference.panel import read_bed

p = identity.IdentityParams(**snakemake.params.identity)
res = identity.check(
    snakemake.input.tumour,
    snakemake.input.normal,
    [(t.contig, t.start, t.end) for t in read_bed(snakemake.input.targets)],
    p,
    tumour=snakemake.wildcards.tumour,
    normal=snakemake.wildcards.normal,
)
problem, summary = identity.verdict(res, p)
with open(snakemake.log[0], "w") as fh:
    print(f"tumorboard: identity {res.tumour} vs {res.normal}: {summary}", file=fh)
    if problem:
        print(f"tumorboard: {problem}", file=fh)
if problem:
    sys.exit(f"tumorboard: {problem}")
identity.write_json(res, problem, summary, snakemake.output[0])
