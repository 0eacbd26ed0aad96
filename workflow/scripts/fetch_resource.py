"""Fetch one manifest resource from the mirror or its URL and verify its checksum."""

import sys

from tumorboard.reference.resources import ResourceError, fetch

sys.stderr = open(snakemake.log[0], "w")
res = snakemake.params.resource
try:
    fetch(res, snakemake.config["resources"]["mirror"], snakemake.output[0])
except ResourceError as exc:
    sys.exit(f"tumorboard: {exc}")
print(f"{res.id}: verified ({res.md5_sequence or res.sha256})", file=sys.stderr)
