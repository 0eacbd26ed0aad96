"""Assemble the findings JSON (the contract the report renders) from the workflow's outputs.

Everything shown to users is in GRCh38: positions on the demo contigs are mapped back here.
The document is deterministic (no timestamps) and validated against
``tumorboard/schemas/findings.schema.json`` before it is written.
"""

from __future__ import annotations

import json
import math
from importlib.resources import files
from pathlib import Path

import jsonschema
import pandas as pd
import pysam

from tumorboard import pharmacogenomics as pgx
from tumorboard.annotation import hgvs
from tumorboard.calling import hotspots
from tumorboard.calling.caller import params_from_config
from tumorboard.copynumber import plot
from tumorboard.copynumber.calls import Settings
from tumorboard.knowledge import oncogenicity
from tumorboard.knowledge.sources import load_kb
from tumorboard.knowledge.tiers import actionability, co_occurrence, germline_findings
from tumorboard.qc.coverage import gene_summary
from tumorboard.reference import genemodel
from tumorboard.reference.contigs import ContigMap
from tumorboard.reference.genemodel import GeneModels
from tumorboard.reference.panel import BACKBONE

SCHEMA = files("tumorboard") / "schemas" / "findings.schema.json"
DISCLAIMER = (
    "Research use only. tumorboard is research software: its findings have not been validated "
    "for clinical use and must not be used for diagnosis or treatment decisions without "
    "confirmation in an accredited laboratory."
)


def _tx_for(models: GeneModels, contig: str, pos: int):
    hits = models.transcripts_at(contig, pos)
    return hits[0] if hits else None


def variants_from_vcf(
    vcf: str,
    tumour: str,
    normal: str | None,
    models: GeneModels,
    contigs: ContigMap,
    fasta: str,
) -> tuple[list[dict], list[dict], int]:
    """Somatic records annotated on the MANE Select transcript, in GRCh38: the PASS calls, and
    the rejected candidates (with their ``filters``) that hotspots report as sub-threshold.
    PASS calls outside every panel gene's transcript (backbone tiles, control regions) are not
    findings; ``outside_genes`` counts them."""
    out, rejected = [], []
    outside_genes = 0
    with pysam.VariantFile(vcf) as vin, pysam.FastaFile(fasta) as fa:
        for rec in vin:
            filters = list(rec.filter.keys())
            alt = rec.alts[0]
            chrom, pos = contigs.to_grch38(rec.contig, rec.pos)
            tx = _tx_for(models, rec.contig, rec.pos)
            if tx is None:
                outside_genes += filters == ["PASS"]
                continue
            csq = None
            if "BCSQ" in rec.info:
                csq = hgvs.pick(hgvs.parse_bcsq(",".join(rec.info["BCSQ"])), tx.id)
            p_long, p_short = hgvs.hgvs_p(csq) if csq else (None, None)
            t = rec.samples[tumour]
            ad = t["AD"]
            row = {
                "gene": tx.gene,
                "chrom": chrom,
                "pos": pos,
                "ref": rec.ref,
                "alt": alt,
                "transcript": tx.attributes.get("mane_refseq", tx.versioned_id),
                "transcript_ensembl": tx.attributes.get("mane_ensembl", ""),
                "hgvs_c": hgvs.hgvs_c(tx, rec.pos, rec.ref, alt, fa),
                "hgvs_p": p_long,
                "protein_short": p_short,
                # csq leaves intronic changes without a consequence
                "consequence": csq.consequence if csq else "intron",
                "exon": tx.exon_number(rec.pos),
                "vaf": round(ad[1] / sum(ad), 4) if sum(ad) else 0.0,
                "depth": int(sum(ad)),
                "alt_reads": int(ad[1]),
                "normal_vaf": None,
                "normal_depth": None,
                "normal_alt_reads": None,
                "hotspot": False,  # set from the hotspot statuses
            }
            if normal:
                nad = rec.samples[normal]["AD"]
                row.update(
                    normal_depth=int(sum(nad)),
                    normal_alt_reads=int(nad[1]),
                    normal_vaf=round(nad[1] / sum(nad), 4) if sum(nad) else 0.0,
                )
            if filters == ["PASS"]:
                out.append(row)
            else:
                row["filters"] = ",".join(filters)
                rejected.append(row)
    return out, rejected, outside_genes


def samtools_stats_summary(stats_txt: str) -> dict[str, float]:
    """The ``SN`` (summary numbers) section of ``samtools stats`` output, by field name.

    Written here rather than taken from MultiQC (whose parser is internal to its module): the
    format is one ``SN<TAB>name:<TAB>value[<TAB># comment]`` line per number.
    """
    out = {}
    with open(stats_txt) as fh:
        for line in fh:
            if line.startswith("SN\t"):
                parts = line.rstrip("\n").split("\t")
                out[parts[1].rstrip(":")] = float(parts[2])
    return out


def qc_sample(
    flagstat_json: str,
    targets: pd.DataFrame,
    sample: str,
    kind: str,
    min_depth: int,
    stats_txt: str | None = None,
) -> dict:
    """Read-level QC of one sample.

    ``stats_txt`` is ``samtools stats -t <panel>`` output: its reads are those overlapping the
    panel, so their share of the mapped reads is the on-target rate; it also gives the insert
    size.  Depth fractions are over the bases of the gene targets (backbone tiles excluded), one
    per coverage threshold of the coverage table.
    """
    with open(flagstat_json) as fh:
        fs = json.load(fh)["QC-passed reads"]
    total = fs["primary"] or 1
    genes = targets[targets["target"] != BACKBONE]
    row = {
        "sample": sample,
        "type": kind,
        "reads": int(fs["primary"]),
        "mapped_fraction": round(fs["primary mapped"] / total, 4),
        "duplicate_fraction": round(fs["primary duplicates"] / total, 4),
        "mean_target_depth": round(float(genes["mean_depth"].mean()), 1),
        "fraction_targets_ge_min_depth": round(float((genes["mean_depth"] >= min_depth).mean()), 4),
    }
    size = (genes["end"] - genes["start"]).clip(lower=1)
    row["fraction_target_bases_ge"] = {
        col.removeprefix("fraction_ge_").removesuffix("x"): round(
            float((genes[col] * size).sum() / size.sum()), 4
        )
        for col in genes.columns
        if col.startswith("fraction_ge_")
    }
    if stats_txt:
        sn = samtools_stats_summary(stats_txt)
        mapped = fs["primary mapped"] or 1
        row["on_target_fraction"] = round(sn["raw total sequences"] / mapped, 4)
        row["insert_size_mean"] = round(sn["insert size average"], 1)
        row["insert_size_sd"] = round(sn["insert size standard deviation"], 1)
    return row


def qc_verdict(samples: list[dict], min_depth: int) -> tuple[str, list[str]]:
    reasons = []
    for s in samples:
        if s["type"] == "tumour" and s["fraction_targets_ge_min_depth"] < 0.9:
            reasons.append(
                f"{s['sample']}: only {s['fraction_targets_ge_min_depth']:.0%} of targets reach "
                f"{min_depth}x"
            )
        if s["mapped_fraction"] < 0.9:
            reasons.append(f"{s['sample']}: only {s['mapped_fraction']:.0%} of reads mapped")
    return ("fail" if reasons else "pass"), reasons


def _value(r: dict, key: str):
    v = r.get(key)
    if v is None or (isinstance(v, float) and math.isnan(v)) or v == "":
        return None
    return v


# columns of the copy-number gene table passed on when present, and those that are numbers
_CN_OPTIONAL = (
    "copy_number_ci_low",
    "copy_number_ci_high",
    "log2_ratio_se",
    "purity",
    "purity_ci_low",
    "purity_ci_high",
    "purity_source",
    "source",
)
_CN_NUMERIC = {"log2_ratio", "log2_ratio_mad", "copy_number"} | (
    set(_CN_OPTIONAL) - {"purity_source", "source"}
)


def copy_number_rows(genes_tsv: str) -> list[dict]:
    """Gene copy-number rows of the copy-number stage, empty cells as None."""
    df = pd.read_csv(genes_tsv, sep="\t")
    rows = []
    for r in df.to_dict("records"):
        row = {
            "gene": r["gene"],
            "n_targets": int(r["n_targets"]),
            "log2_ratio": _value(r, "log2_ratio"),
            "log2_ratio_mad": _value(r, "log2_ratio_mad"),
            "copy_number": _value(r, "copy_number"),
            "call": r["call"],
            "reason": _value(r, "reason"),
        }
        for key in _CN_OPTIONAL:
            if key in r:
                row[key] = _value(r, key)
        for key in _CN_NUMERIC & row.keys():
            if row[key] is not None:
                row[key] = float(row[key])
        rows.append(row)
    return rows


def copy_number_profile(targets_tsv: str) -> list[dict]:
    """Per-target log2 ratios along the panel (genome order), for the report's profile."""
    return plot.profile_points(pd.read_csv(targets_tsv, sep="\t"))


def copy_number_thresholds(cfg: dict) -> dict:
    """The call thresholds (absolute copies) and limits in force, from the config."""
    s = Settings.from_config(cfg)
    return {
        "amplification_copies": s.amplification_copies,
        "equivocal_copies": s.equivocal_copies,
        "loss_copies": s.loss_copies,
        "homozygous_deletion_copies": s.homozygous_deletion_copies,
        "min_purity": s.min_purity,
        "min_targets": s.min_targets,
        "confidence": s.confidence,
    }


def unannotated(outside_tsv: str, genes: set[str]) -> tuple[list[dict], int]:
    """Imported calls outside the reference loci: those in ``genes`` listed, the rest counted."""
    df = pd.read_csv(outside_tsv, sep="\t", dtype={"gene": str}, keep_default_na=False)
    listed = []
    for r in df.to_dict("records"):
        if r["gene"] in genes:
            listed.append(
                {
                    "gene": r["gene"],
                    "chrom": r["chrom"],
                    "pos": int(r["pos"]),
                    "ref": r["ref"],
                    "alt": r["alt"],
                    "depth": int(r["depth"]),
                    "vaf": float(r["vaf"]),
                    "reason": f"{r['gene']} is outside this workflow's reference loci",
                }
            )
    return listed, int(len(df))


def validate(doc: dict) -> None:
    with open(SCHEMA) as fh:
        schema = json.load(fh)
    jsonschema.Draft202012Validator(schema).validate(doc)


def write(doc: dict, path: str | Path) -> None:
    validate(doc)
    with open(path, "w") as fh:
        json.dump(doc, fh, indent=2)
        fh.write("\n")


def restrict_to_genes(
    variants: list[dict], rejected: list[dict], genes: list[str]
) -> tuple[list[dict], list[dict], int]:
    """Keep the findings of the reported genes (``panel.genes``; empty = all).  With a site's
    whole-genome gene models every call in any gene is annotated; the others are counted with
    the calls outside panel genes.  Returns (variants, rejected, number of PASS calls left out)."""
    if not genes:
        return variants, rejected, 0
    wanted = set(genes)
    kept = [v for v in variants if v["gene"] in wanted]
    return kept, [r for r in rejected if r["gene"] in wanted], len(variants) - len(kept)


def assemble(
    patient,
    *,
    vcf: str,
    fasta: str,
    gff: str,
    contigs: str,
    hotspots_tsv: str,
    knowledgebase: str,
    somatic: dict,
    mpileup: dict,
    copy_number: dict,
    genes: list[str],
    reference_mode: str,
    tumour_bam: str | None = None,
    tumour_cov: str | None = None,
    tumour_flagstat: str | None = None,
    tumour_stats: str | None = None,
    normal_cov: str | None = None,
    normal_flagstat: str | None = None,
    normal_stats: str | None = None,
    cnv_genes: str | None = None,
    cnv_targets: str | None = None,
    outside: str | None = None,
    pharmacogenomics: str | None = None,
    pgx_tables: str | None = None,
) -> dict:
    """The findings document of one patient (``tumorboard.inputs.sheet.Patient``) from the
    workflow's outputs: the annotated somatic ``vcf``, hotspot statuses (genotyped in
    ``tumour_bam``), read-level QC and coverage (not for a patient that starts from a VCF), copy
    number (``cnv_genes``/``cnv_targets``, when there are any), and the tiered actionability from
    the ``knowledgebase``.  ``somatic``, ``mpileup`` and ``copy_number`` are the config sections
    of those names; ``genes`` the reported genes (``panel.genes``; empty = all)."""
    som = somatic
    cmap = ContigMap.from_tsv(contigs)
    models = genemodel.read_gff3(gff)
    normal = patient.normal.sample if patient.normal else None
    from_vcf = patient.tumour.from_vcf

    variants, rejected, outside_genes = variants_from_vcf(
        vcf, patient.tumour.sample, normal, models, cmap, fasta
    )
    variants, rejected, left_out = restrict_to_genes(variants, rejected, genes)
    outside_genes += left_out
    hs = hotspots.read_hotspots(hotspots_tsv)
    statuses = hotspots.evaluate(
        hs,
        models,
        cmap,
        None if from_vcf else tumour_bam,
        variants,
        som["min_depth"],
        params_from_config(som, mpileup),
        som["lod_probability"],
        filtered=[r for r in rejected if r["alt_reads"] > 0],
    )
    hotspots.mark_hotspot_variants(statuses, variants)
    oncogenicity.annotate(variants)  # apart from the therapy tier (hotspot, truncating TSG)
    min_depth = som["min_depth"]
    if from_vcf:  # no reads: no read-level QC or coverage
        qc, coverage = [], []
        verdict, reasons = "not assessed", ["started from a VCF: read-level QC is not available"]
    else:
        cov_t = pd.read_csv(tumour_cov, sep="\t")
        qc = [
            qc_sample(
                tumour_flagstat, cov_t, patient.tumour.sample, "tumour", min_depth, tumour_stats
            )
        ]
        coverage = gene_summary(cov_t, patient.tumour.sample, min_depth)
        if normal:  # tumour-only patients have no normal QC or coverage
            cov_n = pd.read_csv(normal_cov, sep="\t")
            qc.append(qc_sample(normal_flagstat, cov_n, normal, "normal", min_depth, normal_stats))
            coverage += gene_summary(cov_n, normal, min_depth)
        verdict, reasons = qc_verdict(qc, min_depth)
    unlisted = unannotated(outside, {h.gene for h in hs}) if from_vcf else None

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
            "mode": reference_mode,
        },
        "thresholds": {
            "min_depth": som["min_depth"],
            "min_alt_reads": som["min_alt_reads"],
            "hotspot_min_alt_reads": som["hotspot_min_alt_reads"],
            "min_vaf": som["min_vaf"],
            "hotspot_min_vaf": som["hotspot_min_vaf"],
            "lod_probability": som["lod_probability"],
            "copy_number": copy_number_thresholds(copy_number),
        },
        "qc": {"verdict": verdict, "reasons": reasons, "samples": qc},
        "variants": sorted(variants, key=lambda v: (v["gene"], v["chrom"], v["pos"], v["alt"])),
        "copy_number": copy_number_rows(cnv_genes) if cnv_genes else [],
        "copy_number_profile": copy_number_profile(cnv_targets) if cnv_targets else [],
        "hotspots": statuses,
        "coverage": coverage,
        "variants_outside_panel_genes": outside_genes,
        "disclaimer": DISCLAIMER,
    }
    if unlisted is not None:
        doc["input"] = {"kind": "vcf", "vcf": patient.tumour.vcf.rsplit("/", 1)[-1]}
        doc["unannotated_variants"], doc["unannotated_count"] = unlisted
    kb = load_kb(knowledgebase)
    doc["actionability"] = actionability(doc, kb, patient.tumour.tumour_type)
    doc["germline"] = germline_findings(doc)
    doc["co_occurrence"] = co_occurrence(doc, patient.tumour.tumour_type)
    doc["knowledge_base"] = kb.provenance()
    if pgx_tables:  # germline, kept apart from the somatic findings (tumorboard.pharmacogenomics)
        doc["pharmacogenomics"] = pharmacogenomics_block(
            pharmacogenomics, doc["actionability"], pgx_tables
        )
    return doc


def pharmacogenomics_block(path: str | None, actionability: list[dict], tables: str) -> dict:
    """The patient's germline pharmacogenomics (``results/pgx/{patient}.json``) with its therapy
    links; without reads (a VCF start) the block says it was not assessed."""
    if path is None:
        block = pgx.not_assessed("no reads: the patient starts from a VCF")
    else:
        with open(path) as fh:
            block = json.load(fh)
    return pgx.link_therapies(block, actionability, tables)
