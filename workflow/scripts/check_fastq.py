"""A FASTQ pair read end to end before alignment (tumorboard.inputs.fastq.check_pair)."""

import json
import sys

from tumorboard.inputs.fastq import FastqError, check_pair

open(snakemake.log[0], "w").close()
try:
    summary = check_pair(snakemake.input.r1, snakemake.input.r2)
except FastqError as exc:
    with open(snakemake.log[0], "a") as fh:
        print(f"tumorboard: {exc}", file=fh)
    sys.exit(f"tumorboard: {exc}")
with open(snakemake.output[0], "w") as fh:
    json.dump(summary.__dict__, fh, indent=2)
    fh.write("\n")
