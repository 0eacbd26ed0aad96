"""Capture the version of every command-line tool and key Python package at run time."""

import json
import sys

from tumorboard.report.provenance import tool_versions

sys.stderr = open(snakemake.log[0], "w")
with open(snakemake.output[0], "w") as fh:
    json.dump(tool_versions(), fh, indent=2, sort_keys=True)
    fh.write("\n")
