# The cohort view (results/cohort/): summary table, oncoprint, cBioPortal MAF and discrete
# copy-number table from every patient's findings, the cBioPortal study directory around them;
# MultiQC over the read-level QC files.
from types import SimpleNamespace

from tumorboard.cohort import cbioportal as tb_cbioportal

COHORT_FINDINGS = [f"results/findings/{pid}.json" for pid in SHEET.patients]
# samples that start from reads (patients imported from a VCF have no read QC)
READ_SAMPLES = [s.sample for s in SHEET.samples.values() if not s.from_vcf]
CBIOPORTAL = "results/cohort/cbioportal"
# the study has a copy-number profile when some patient has copy number (patient_copy_number),
# a gene panel file for the sequenced panel when some tumour starts from reads and one for
# VCF-start samples when some tumour starts from a VCF (tumorboard.cohort.cbioportal.gene_panel_matrix)
CBIOPORTAL_FILES = [
    f"{CBIOPORTAL}/{name}"
    for name in tb_cbioportal.study_files(
        config["cbioportal"]["study_id"],
        copy_number=any(
            patient_copy_number(SimpleNamespace(patient=pid)) for pid in SHEET.patients
        ),
        reads_start=any(not p.tumour.from_vcf for p in SHEET.patients.values()),
        vcf_start=any(p.tumour.from_vcf for p in SHEET.patients.values()),
    )
]
# config cohort.pseudonymise: the cohort files name pseudonyms, the key is written apart, and
# MultiQC (which names samples) goes to results/qc/ so that results/cohort/ can be shared
PSEUDONYMISE = config["cohort"]["pseudonymise"]
PSEUDONYM_KEY = "results/pseudonyms/key.tsv"
MULTIQC_DIR = "results/qc" if PSEUDONYMISE else "results/cohort"
# outputs of this file, for rule all (MultiQC only when some sample has reads)
COHORT_OUTPUTS = (
    [
        "results/cohort/summary.tsv",
        "results/cohort/mutations.maf",
        "results/cohort/cna.txt",
        "results/cohort/oncoprint.png",
    ]
    + CBIOPORTAL_FILES
    + ([f"{MULTIQC_DIR}/multiqc_report.html"] if READ_SAMPLES else [])
    + ([PSEUDONYM_KEY] if PSEUDONYMISE else [])
)


rule cohort_tables:
    input:
        findings=COHORT_FINDINGS,
    output:
        summary="results/cohort/summary.tsv",
        maf="results/cohort/mutations.maf",
        cna="results/cohort/cna.txt",
    log:
        "results/logs/cohort/tables.log",
    benchmark:
        "results/benchmarks/cohort/tables.tsv"
    conda:
        ENVS / "python.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        cohort=config["cohort"],
    script:
        "../scripts/cohort_tables.py"


rule cohort_oncoprint:
    input:
        findings=COHORT_FINDINGS,
        targets=TARGETS,
    output:
        "results/cohort/oncoprint.png",
    log:
        "results/logs/cohort/oncoprint.log",
    benchmark:
        "results/benchmarks/cohort/oncoprint.tsv"
    conda:
        ENVS / "python.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        genes=config["panel"]["genes"],
        cohort=config["cohort"],
    script:
        "../scripts/cohort_oncoprint.py"


rule cbioportal_study:
    input:
        findings=COHORT_FINDINGS,
        maf="results/cohort/mutations.maf",
        cna="results/cohort/cna.txt",
        targets=TARGETS,
    output:
        CBIOPORTAL_FILES,
    log:
        "results/logs/cohort/cbioportal.log",
    benchmark:
        "results/benchmarks/cohort/cbioportal.tsv"
    conda:
        ENVS / "python.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        study_id=config["cbioportal"]["study_id"],
        genes=config["panel"]["genes"],
        cohort=config["cohort"],
    script:
        "../scripts/cbioportal_study.py"


rule cohort_pseudonym_key:
    input:
        findings=COHORT_FINDINGS,
    output:
        PSEUDONYM_KEY,
    log:
        "results/logs/cohort/pseudonym_key.log",
    benchmark:
        "results/benchmarks/cohort/pseudonym_key.tsv"
    conda:
        ENVS / "python.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        cohort=config["cohort"],
    script:
        "../scripts/cohort_pseudonym_key.py"


rule multiqc:
    input:
        # fastp's JSON of every lane, in each sample's lane folder
        fastp=[f"results/qc/lanes/{s}" for s in READ_SAMPLES],
        samtools=[f"results/align/{s}.stats.txt" for s in READ_SAMPLES],
        mosdepth=[f"results/coverage/{s}.mosdepth.summary.txt" for s in READ_SAMPLES],
    output:
        html=f"{MULTIQC_DIR}/multiqc_report.html",
    log:
        "results/logs/cohort/multiqc.log",
    benchmark:
        "results/benchmarks/cohort/multiqc.tsv"
    conda:
        ENVS / "multiqc.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    params:
        title="tumorboard cohort QC (research use only)",
    script:
        "../scripts/multiqc_report.py"
