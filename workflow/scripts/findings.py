"""Assemble the findings JSON for one patient."""

import sys

import pandas as pd

from tumorboard import findings, genemodel, hotspots, knowledgebase, tiers
from tumorboard.contigs import ContigMap
from tumorboard.coverage import gene_summary

sys.stderr = open(snakemake.log[0], "w")
inp, par = snakemake.input, snakemake.params
patient = par.patient
som = par.somatic
contigs = ContigMap.from_tsv(inp.contigs)
models = genemodel.read_gff3(inp.gff)
normal = patient.normal.sample if patient.normal else None
from_vcf = patient.tumour.from_vcf

variants, rejected, outside_genes = findings.variants_from_vcf(
    inp.vcf, patient.tumour.sample, normal, models, contigs, inp.ref
)
variants, rejected, left_out = findings.restrict_to_genes(variants, rejected, par.genes)
outside_genes += left_out
hs = hotspots.read_hotspots(inp.hotspots)
statuses = hotspots.evaluate(
    hs,
    models,
    contigs,
    None if from_vcf else inp.tumour_bam,
    variants,
    som["min_depth"],
    som["hotspot_min_alt_reads"],
    som["lod_probability"],
    par.mpileup["min_mapq"],
    par.mpileup["min_baseq"],
    filtered=[r for r in rejected if r["alt_reads"] > 0],
)
hotspots.mark_hotspot_variants(statuses, variants)
min_depth = som["min_depth"]
if from_vcf:  # no reads: no read-level QC or coverage
    qc, coverage = [], []
    verdict, reasons = "not assessed", ["started from a VCF: read-level QC is not available"]
else:
    cov_t = pd.read_csv(inp.tumour_cov, sep="\t")
    qc = [
        findings.qc_sample(
            inp.tumour_flagstat, cov_t, patient.tumour.sample, "tumour", min_depth, inp.tumour_stats
        )
    ]
    coverage = gene_summary(cov_t, patient.tumour.sample, min_depth)
    if normal:  # tumour-only patients have no normal QC or coverage
        cov_n = pd.read_csv(inp.normal_cov, sep="\t")
        qc.append(
            findings.qc_sample(
                inp.normal_flagstat, cov_n, normal, "normal", min_depth, inp.normal_stats
            )
        )
        coverage += gene_summary(cov_n, normal, min_depth)
    verdict, reasons = findings.qc_verdict(qc, min_depth)
outside = findings.unannotated(inp.outside, {h.gene for h in hs}) if from_vcf else None

doc = {
    "schema_version": "1.0",
    "patient": patient.id,
    "tumour_sample": patient.tumour.sample,
    "normal_sample": normal,
    "tumour_type": patient.tumour.tumour_type,
    "purity": patient.tumour.purity,
    "reference": {
        "build": "GRCh38",
        "transcripts": "MANE Select v1.0",
        "mode": par.reference_mode,
    },
    "thresholds": {
        "min_depth": som["min_depth"],
        "min_alt_reads": som["min_alt_reads"],
        "hotspot_min_alt_reads": som["hotspot_min_alt_reads"],
        "min_vaf": som["min_vaf"],
        "hotspot_min_vaf": som["hotspot_min_vaf"],
        "lod_probability": som["lod_probability"],
        "copy_number": findings.copy_number_thresholds(par.copy_number),
    },
    "qc": {"verdict": verdict, "reasons": reasons, "samples": qc},
    "variants": sorted(variants, key=lambda v: (v["gene"], v["chrom"], v["pos"], v["alt"])),
    "copy_number": findings.copy_number_rows(inp.cnv) if inp.cnv else [],
    "copy_number_profile": (
        findings.copy_number_profile(inp.cnv_targets) if inp.cnv_targets else []
    ),
    "hotspots": statuses,
    "coverage": coverage,
    "variants_outside_panel_genes": outside_genes,
    "disclaimer": findings.DISCLAIMER,
}
if outside is not None:
    doc["input"] = {"kind": "vcf", "vcf": patient.tumour.vcf.rsplit("/", 1)[-1]}
    doc["unannotated_variants"], doc["unannotated_count"] = outside
kb = knowledgebase.load_kb(inp.knowledgebase)
doc["actionability"] = tiers.actionability(doc, kb, patient.tumour.tumour_type)
doc["knowledge_base"] = kb.provenance()
findings.write(doc, snakemake.output[0])
print(f"{len(variants)} variants, {len(statuses)} hotspots", file=sys.stderr)
