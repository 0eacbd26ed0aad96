"""Move an external somatic VCF onto the demo contigs (calls outside the loci listed apart), then
normalise and annotate it as the caller's calls are (tumorboard.annotation.normalise)."""

import os
import sys

from tumorboard.annotation.normalise import normalise_and_annotate
from tumorboard.annotation.vcf_import import VcfImportError, import_vcf, mane_gene_spans
from tumorboard.reference.contigs import ContigMap
from tumorboard.steps import StepError, Steps

inp, out = snakemake.input, snakemake.output
calls = f"{out.vcf}.calls.vcf"
with open(snakemake.log.log, "w") as log:
    sys.stderr = log
    steps = Steps(log)
    try:
        with steps.python("import"):
            inside, outside = import_vcf(
                inp.vcf,
                snakemake.params.sample,
                ContigMap.from_tsv(inp.contigs),
                inp.ref,
                calls,
                out.outside,
                mane_gene_spans(inp.mane),
                column=snakemake.params.column,
            )
        print(f"{inside} calls inside the reference loci, {outside} outside", file=log)
        normalise_and_annotate(steps, calls, inp.ref, inp.gff, out.vcf, out.csq)
        os.remove(calls)
    except (VcfImportError, StepError) as exc:
        print(f"tumorboard: {exc}", file=log)
        sys.exit(f"tumorboard: {exc}")
    finally:
        steps.write(snakemake.log.steps)
