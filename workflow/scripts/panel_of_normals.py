"""Panel of normals: bcftools mpileup over the targets of every normal sample of the cohort, then
the alleles seen in them (tumorboard.calling.pon).  The pileup is removed once read."""

import os
import sys

from tumorboard.calling import pileup, pon
from tumorboard.steps import StepError, Steps

inp, par = snakemake.input, snakemake.params
s = par.somatic
bcf = f"{snakemake.output[0]}.pileup.bcf"
with open(snakemake.log.log, "w") as log:
    steps = Steps(log)
    try:
        steps.run(
            "pileup",
            pileup.mpileup_command(
                inp.ref, inp.targets, list(inp.bams), par.mpileup, pileup.NORMALS_FIELDS, bcf
            ),
        )
        with steps.python("panel of normals"):
            n = pon.build(
                bcf,
                par.normals,
                snakemake.output[0],
                s["pon_min_alt_reads"],
                s["pon_min_vaf"],
                s["pon_min_samples"],
            )
        print(f"{n} sites from {len(par.normals)} normal samples", file=log)
        os.remove(bcf)
    except StepError as exc:
        print(f"tumorboard: panel of normals: {exc}", file=log)
        sys.exit(f"tumorboard: panel of normals: {exc}")
    finally:
        steps.write(snakemake.log.steps)
