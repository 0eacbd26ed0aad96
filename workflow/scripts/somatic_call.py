"""Somatic calling for one patient: bcftools mpileup finds the candidate alleles over the
targets (tumour + normal), then the caller weighs each one read by read and decides its FILTER
(tumorboard.calling).  The pileup is the job's own intermediate, removed once read."""

import os
import sys

from tumorboard.calling import caller, hotspots, pileup, pon
from tumorboard.reference import genemodel
from tumorboard.steps import StepError, Steps

inp, par = snakemake.input, snakemake.params
bcf = f"{snakemake.output[0]}.pileup.bcf"
with open(snakemake.log.log, "w") as log:
    steps = Steps(log)
    sys.stderr = log
    try:
        bams = [b for b in (inp.tumour_bam, inp.normal_bam) if b]
        steps.run(
            "pileup",
            pileup.mpileup_command(
                inp.ref, inp.targets, bams, par.mpileup, pileup.PATIENT_FIELDS, bcf
            ),
        )
        with steps.python("caller"):
            params = caller.params_from_config(par.somatic, par.mpileup)
            models = genemodel.read_gff3(inp.gff)
            regions = hotspots.hotspot_regions(hotspots.read_hotspots(inp.hotspots), models)
            pon_sites = pon.read_sites(inp.pon) if inp.pon else set()
            calls = caller.call(
                bcf,
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
            file=log,
        )
        os.remove(bcf)
    except StepError as exc:
        print(f"tumorboard: {snakemake.wildcards.patient}: {exc}", file=log)
        sys.exit(f"tumorboard: {snakemake.wildcards.patient}: {exc}")
    finally:
        steps.write(snakemake.log.steps)
