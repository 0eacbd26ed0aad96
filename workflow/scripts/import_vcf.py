"""Move an external somatic VCF onto the demo contigs (calls outside the loci listed apart)."""

import sys

from tumorboard.annotation.vcf_import import VcfImportError, import_vcf, mane_gene_spans
from tumorboard.reference.contigs import ContigMap

sys.stderr = open(snakemake.log[0], "w")
try:
    inside, outside = import_vcf(
        snakemake.input.vcf,
        snakemake.params.sample,
        ContigMap.from_tsv(snakemake.input.contigs),
        snakemake.input.ref,
        snakemake.output.calls,
        snakemake.output.outside,
        mane_gene_spans(snakemake.input.mane),
        column=snakemake.params.column,
    )
except VcfImportError as exc:
    sys.exit(f"tumorboard: {exc}")
print(f"{inside} calls inside the reference loci, {outside} outside", file=sys.stderr)
