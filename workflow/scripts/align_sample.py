"""One sample, FASTQ lanes to duplicate-marked BAM, QC and coverage (tumorboard.alignment)."""

import sys

from tumorboard.alignment import AlignmentError, Lane, SampleOutputs, run_sample
from tumorboard.steps import Steps

inp, out, par = snakemake.input, snakemake.output, snakemake.params
with open(snakemake.log.log, "w") as log:
    steps = Steps(log)
    try:
        run_sample(
            snakemake.wildcards.sample,
            [Lane(*u) for u in par.lanes],
            par.index,
            inp.targets,
            inp.bins,
            inp.contigs,
            SampleOutputs(
                lanes=out.lanes,
                bam=out.bam,
                bai=out.bai,
                markdup=out.markdup,
                flagstat=out.flagstat,
                stats=out.stats,
                coverage_prefix=par.coverage_prefix,
                targets_table=out.table,
                antitargets_table=out.antitarget_table,
            ),
            steps,
            threads=snakemake.threads,
            fastp_extra=par.fastp_extra,
            thresholds=par.thresholds,
            min_mapq=par.min_mapq,
        )
    except AlignmentError as exc:
        print(f"tumorboard: {exc}", file=log)
        sys.exit(f"tumorboard: {exc}")
    finally:
        steps.write(snakemake.log.steps)
