"""Assemble the findings JSON for one patient (tumorboard.findings.assemble)."""

import sys
from pathlib import Path

from tumorboard import findings

sys.stderr = open(snakemake.log[0], "w")
inp, par = snakemake.input, snakemake.params
doc = findings.assemble(
    par.patient,
    vcf=inp.vcf,
    fasta=inp.ref,
    gff=inp.gff,
    contigs=inp.contigs,
    hotspots_tsv=inp.hotspots,
    knowledgebase=inp.knowledgebase,
    somatic=par.somatic,
    mpileup=par.mpileup,
    copy_number=par.copy_number,
    genes=par.genes,
    reference_mode=par.reference_mode,
    # inputs a patient does not have (no reads, no normal, no copy number) are empty lists
    tumour_bam=inp.tumour_bam or None,
    tumour_cov=inp.tumour_cov or None,
    tumour_flagstat=inp.tumour_flagstat or None,
    tumour_stats=inp.tumour_stats or None,
    normal_cov=inp.normal_cov or None,
    normal_flagstat=inp.normal_flagstat or None,
    normal_stats=inp.normal_stats or None,
    cnv_genes=inp.cnv or None,
    cnv_targets=inp.cnv_targets or None,
    outside=inp.outside or None,
    pharmacogenomics=inp.pgx or None,
    pgx_tables=str(Path(inp.pgx_tables[0]).parent),
)
findings.write(doc, snakemake.output[0])
print(f"{len(doc['variants'])} variants, {len(doc['hotspots'])} hotspots", file=sys.stderr)
