# The run's RO-Crate, from the per-patient provenance (written with the report, rule report).
from tumorboard.report import ro_crate as tb_crate

# Per-patient outputs of this file, for rule all: expand(REPORT_OUTPUTS, patient=...)
REPORT_OUTPUTS = [
    "results/provenance/{patient}.json",
    "results/report/{patient}.pdf",
    "results/report/{patient}.page1.png",
    "results/report/{patient}.pdf.page1.png",
]


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
