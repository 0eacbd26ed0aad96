# Findings JSON (the contract), tool versions, and the report (provenance, HTML, PDF, images).
from tumorboard.report import methods as tb_methods


rule findings:
    input:
        # the patient's own files (common.smk: findings_inputs)
        unpack(findings_inputs),
        vcf="results/annotate/{patient}.vcf.gz",
        ref=REF,
        gff=GFF,
        contigs=CONTIGS,
        targets=TARGETS,
        hotspots=project_file(config["hotspots"]),
        knowledgebase=KNOWLEDGEBASE,
        # authored tables the package reads (package data): an edit re-runs the findings
        authored=[
            PROJECT / "workflow/tumorboard/knowledge/gating_rules.tsv",
            PROJECT / "workflow/tumorboard/knowledge/tumour_suppressors.tsv",
        ],
        pgx_tables=[f"{PGX_TABLES}/drugs.tsv", f"{PGX_TABLES}/guidance.tsv"],
    output:
        "results/findings/{patient}.json",
    log:
        "results/logs/findings/{patient}.log",
    benchmark:
        "results/benchmarks/findings/{patient}.tsv"
    conda:
        ENVS / "python.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        patient=lambda wc: SHEET.patients[wc.patient],
        somatic=config["somatic"],
        mpileup=config["params"]["mpileup"],
        copy_number=config["copy_number"],
        genes=config["panel"]["genes"],
        reference_mode="site" if SITE else "demo",
    script:
        "../scripts/findings.py"


rule tool_versions:
    output:
        "results/provenance/tool_versions.json",
    log:
        "results/logs/provenance/tool_versions.log",
    benchmark:
        "results/benchmarks/provenance/tool_versions.tsv"
    conda:
        ENVS / "python.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    script:
        "../scripts/tool_versions.py"


# The report: the patient's provenance (versions, commit, checksums of its inputs and resources,
# the generated methods text), the HTML rendered from the findings and provenance, its PDF
# (WeasyPrint, print stylesheet, no external fetches) and the page-1 images (headless Chromium,
# failing if the page attempts any network request; pdftoppm of the PDF): one job.  Chromium comes
# from the host (Debian package chromium; there is no conda package): the env brings Python, the
# tumorboard package, WeasyPrint and poppler.
rule report:
    input:
        findings="results/findings/{patient}.json",
        # provenance: the patient's input files (sha256), versions and resources
        inputs=lambda wc: tb_methods.patient_input_files(SHEET.patients[wc.patient]),
        versions="results/provenance/tool_versions.json",
        reference=REF,
        gene_models=GFF,
        panel_targets=TARGETS,
        hotspots=project_file(config["hotspots"]),
        knowledge_base=KNOWLEDGEBASE,
        # what the copy-number centre rested on (methods text), for copy number from reads
        copy_number_background=patient_copy_number_background,
        # inputs, so that a changed layout re-renders the report
        template=PROJECT / "workflow/tumorboard/templates/report.html.j2",
        css=PROJECT / "workflow/tumorboard/templates/report.css",
    output:
        provenance="results/provenance/{patient}.json",
        html="results/report/{patient}.html",
        pdf="results/report/{patient}.pdf",
        html_png="results/report/{patient}.page1.png",
        pdf_png="results/report/{patient}.pdf.page1.png",
    log:
        log="results/logs/report/{patient}.log",
        netlog="results/logs/report/{patient}.netlog.json",
        steps="results/benchmarks/report/{patient}.steps.tsv",
    benchmark:
        "results/benchmarks/report/{patient}.tsv"
    conda:
        ENVS / "weasyprint.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        # sha256 of the patient's reads and the reference: ~10 GB per minute, conservatively;
        # rendering ~10 s (sizes known at planning: the sheet's files, the genome)
        runtime=lambda wc: 15 + int((patient_reads_mb(wc) + GENOME_MB) / 10000),
    params:
        patient=lambda wc: SHEET.patients[wc.patient],
        # normals a tumour-only patient's copy number is pooled from (methods text)
        pooled_normals=lambda wc: (
            0 if SHEET.patients[wc.patient].normal else len(NORMALS)
        ),
        resources=["reference", "gene_models", "panel_targets", "hotspots"],
        # a changed configuration re-runs the report, which cites the configuration's hash
        config_sha256=tb_methods.config_sha256(config),
    script:
        "../scripts/report.py"
