"""Germline pharmacogenomic genotypes and phenotypes of one patient (tumorboard.pharmacogenomics).
"""

import json
import sys
from pathlib import Path

from tumorboard import pharmacogenomics as pgx
from tumorboard.pharmacogenomics.tables import PgxTableError
from tumorboard.reference.contigs import ContigMap

sys.stderr = open(snakemake.log[0], "w")
inp, par = snakemake.input, snakemake.params
try:
    block = pgx.genotype_sample(
        inp.bam,
        inp.ref,
        ContigMap.from_tsv(inp.contigs),
        Path(inp.sites).parent,  # the authored tables' directory
        pgx.Settings.from_config(par.settings, par.mpileup),
        par.sample,
        par.sample_type,
    )
except (PgxTableError, ValueError) as exc:
    sys.exit(f"tumorboard: pharmacogenomics: {exc}")
with open(snakemake.output[0], "w") as fh:
    json.dump(block, fh, indent=2)
    fh.write("\n")
for g in block["genes"]:
    print(f"{g['gene']}: {g.get('diplotype')} -> {g['phenotype']}", file=sys.stderr)
