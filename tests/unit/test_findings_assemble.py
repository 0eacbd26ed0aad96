"""The findings document of a small patient that starts from a VCF (tumorboard.findings.assemble):
no read-level QC, one TP53 hotspot, imported calls outside the reference loci, tiered against a
knowledge base built from the test CIViC export; the document validates against its schema."""

from pathlib import Path

from tumorboard import findings
from tumorboard.inputs.sheet import Patient, Sample
from tumorboard.knowledge import sources
from tumorboard.knowledge.tumour_types import DEFAULT_TABLE

DATA = Path(__file__).resolve().parents[1] / "data"
PROJECT = Path(__file__).resolve().parents[2]
SOMATIC = {
    "min_depth": 100,
    "min_alt_reads": 5,
    "hotspot_min_alt_reads": 3,
    "min_vaf": 0.02,
    "hotspot_min_vaf": 0.01,
    "lod_probability": 0.95,
}


def _inputs(tmp_path):
    vcf = tmp_path / "calls.vcf"
    vcf.write_text(
        "##fileformat=VCFv4.2\n##contig=<ID=chr17,length=83257441>\n"
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">\n'
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tT\n"
    )
    fasta = tmp_path / "genome.fa"
    fasta.write_text(">chr17\nACGTACGTAC\n")
    contigs = tmp_path / "contigs.tsv"
    contigs.write_text("contig\tchrom\tstart\tend\nchr17\tchr17\t1\t83257441\n")
    hotspots = tmp_path / "hotspots.tsv"
    hotspots.write_text(
        "gene\tcodon\tcodon_end\tevent\tref_aa\texon\texamples\twhy\n"
        "TP53\t175\t\tany\tR\t5\tR175H\ttest\n"
    )
    outside = tmp_path / "outside.tsv"
    outside.write_text(
        "gene\tchrom\tpos\tref\talt\tdepth\tvaf\n"
        "TP53\tchr17\t7675088\tC\tT\t200\t0.3\n"
        "OTHER\tchr1\t1000\tA\tG\t150\t0.2\n"
    )
    kb = tmp_path / "kb.json"
    sources.write_kb(
        sources.build(
            DATA / "civic_current_ClinicalEvidenceSummaries.tsv",
            PROJECT / "resources" / "biomarkers.tsv",
            DEFAULT_TABLE,
        ),
        kb,
    )
    return vcf, fasta, contigs, hotspots, outside, kb


def test_a_vcf_start_patient(tmp_path):
    vcf, fasta, contigs, hotspots, outside, kb = _inputs(tmp_path)
    tumour = Sample("P1", "P1-T", "tumour", "colorectal cancer", 0.5, vcf=str(vcf))
    doc = findings.assemble(
        Patient("P1", tumour, None),
        vcf=str(vcf),
        fasta=str(fasta),
        gff=str(DATA / "gene_models" / "tp53_erbb2.csq.gff3"),
        contigs=str(contigs),
        hotspots_tsv=str(hotspots),
        knowledgebase=str(kb),
        somatic=SOMATIC,
        mpileup={"min_mapq": 20, "min_baseq": 20},
        copy_number={"amplification_copies": 8},
        genes=["TP53"],
        reference_mode="site",
        outside=str(outside),
    )
    findings.validate(doc)
    assert doc["patient"] == "P1" and doc["normal_sample"] is None
    assert doc["qc"]["verdict"] == "not assessed" and doc["qc"]["samples"] == []
    assert doc["variants"] == [] and doc["copy_number"] == [] and doc["coverage"] == []
    assert doc["thresholds"]["min_vaf"] == 0.02
    assert doc["thresholds"]["copy_number"]["amplification_copies"] == 8
    assert [h["gene"] for h in doc["hotspots"]] == ["TP53"]
    assert doc["input"] == {"kind": "vcf", "vcf": "calls.vcf"}
    assert doc["unannotated_count"] == 2
    assert [v["gene"] for v in doc["unannotated_variants"]] == ["TP53"]
    assert doc["knowledge_base"] and isinstance(doc["actionability"], list)
    # written as the workflow writes it: deterministic
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    findings.write(doc, a)
    findings.write(doc, b)
    assert a.read_bytes() == b.read_bytes()
