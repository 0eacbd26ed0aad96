# Run provenance with the generated methods text (per patient) and the run's RO-Crate.
from tumorboard.report import methods as tb_methods
from tumorboard.report import ro_crate as tb_crate

# Per-patient outputs of this file, for rule all: expand(REPORT_OUTPUTS, patient=...)
REPORT_OUTPUTS = [
    "results/provenance/{patient}.json",
    "results/report/{patient}.pdf",
    "results/report/{patient}.page1.png",
    "results/report/{patient}.pdf.page1.png",
]


rule provenance:
    input:
        inputs=lambda wc: tb_methods.patient_input_files(SHEET.patients[wc.patient]),
        versions="results/provenance/tool_versions.json",
        reference=REF,
        gene_models=GFF,
        panel_targets=TARGETS,
        hotspots=project_file(config["hotspots"]),
        knowledge_base=KNOWLEDGEBASE,
        # what the copy-number centre rested on (methods text), for copy number from reads
        copy_number_background=patient_copy_number_background,
    output:
        "results/provenance/{patient}.json",
    log:
        "results/logs/provenance/{patient}.log",
    benchmark:
        "results/benchmarks/provenance/{patient}.tsv"
    conda:
        ENVS / "python.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        # sha256 of the inputs: ~10 GB per minute, conservatively
        runtime=lambda wc, input: 10 + int(input.size_mb / 10000),
    params:
        patient=lambda wc: SHEET.patients[wc.patient],
        # normals a tumour-only patient's copy number is pooled from (methods text)
        pooled_normals=lambda wc: (
            0 if SHEET.patients[wc.patient].normal else len(NORMALS)
        ),
        resources=["reference", "gene_models", "panel_targets", "hotspots"],
        # a changed configuration re-runs this rule (and the report that cites its hash)
        config_sha256=tb_methods.config_sha256(config),
    script:
        "../scripts/report_provenance.py"


# the run's provenance as a Workflow Run RO-Crate (tumorboard.report.ro_crate)
rule ro_crate:
    input:
        provenance=expand("results/provenance/{patient}.json", patient=SHEET.patients),
        outputs=[f for pid in SHEET.patients for f in tb_crate.patient_outputs(pid)],
    output:
        "results/ro-crate-metadata.json",
    log:
        "results/logs/provenance/ro_crate.log",
    benchmark:
        "results/benchmarks/provenance/ro_crate.tsv"
    conda:
        ENVS / "python.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        outputs={pid: tb_crate.patient_outputs(pid) for pid in SHEET.patients},
    script:
        "../scripts/ro_crate.py"
