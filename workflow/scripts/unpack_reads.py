"""A BAM/CRAM unit back to paired FASTQ (tumorboard.inputs.aligned_input.run_unpack)."""

import sys

from tumorboard.inputs.aligned_input import AlignedInputError, run_unpack

open(snakemake.log[0], "w").close()
try:
    run_unpack(
        snakemake.input.bam,
        snakemake.input.ref,
        snakemake.output.r1,
        snakemake.output.r2,
        snakemake.log[0],
        threads=snakemake.threads,
    )
except AlignedInputError as exc:
    with open(snakemake.log[0], "a") as fh:
        print(f"tumorboard: {exc}", file=fh)
    sys.exit(f"tumorboard: {exc}")
