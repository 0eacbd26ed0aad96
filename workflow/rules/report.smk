# Findings JSON (the contract), tool versions, and the HTML report rendered from them.


rule findings:
    input:
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
        tumour_bam=from_reads("results/align/{tumour}.bam"),
        tumour_bai=from_reads("results/align/{tumour}.bam.bai"),
        tumour_cov=from_reads("results/coverage/{tumour}.targets.tsv"),
        tumour_flagstat=from_reads("results/align/{tumour}.flagstat.json"),
        normal_cov=from_reads("results/coverage/{normal}.targets.tsv"),
        normal_flagstat=from_reads("results/align/{normal}.flagstat.json"),
        tumour_stats=from_reads("results/align/{tumour}.stats.txt"),
        normal_stats=from_reads("results/align/{normal}.stats.txt"),
        identity=from_reads("results/qc/identity/{tumour}_vs_{normal}.json"),
        cnv=patient_copy_number,
        cnv_targets=patient_copy_number_targets,
        outside=lambda wc: (
            f"results/import/{wc.patient}.outside_reference.tsv"
            if SHEET.patients[wc.patient].tumour.from_vcf
            else []
        ),
        # germline pharmacogenomics (patients with reads) and the tables its therapy links read
        pgx=lambda wc: (
            []
            if SHEET.patients[wc.patient].tumour.from_vcf
            else f"results/pgx/{wc.patient}.json"
        ),
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


# The report: HTML rendered from the findings and provenance, its PDF (WeasyPrint, print
# stylesheet, no external fetches) and the page-1 images (headless Chromium, failing if the page
# attempts any network request; pdftoppm of the PDF): one job.  Chromium comes from the host
# (Debian package chromium; there is no conda package): the env brings Python, the tumorboard
# package, WeasyPrint and poppler.
rule report:
    input:
        findings="results/findings/{patient}.json",
        provenance="results/provenance/{patient}.json",
        # inputs, so that a changed layout re-renders the report
        template=PROJECT / "workflow/tumorboard/templates/report.html.j2",
        css=PROJECT / "workflow/tumorboard/templates/report.css",
    output:
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
        runtime=15,
    script:
        "../scripts/report.py"
