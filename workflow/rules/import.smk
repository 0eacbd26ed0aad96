# Patients whose sheet row gives a VCF (+ optional copy-number segments) start here instead of
# from reads: their calls are moved onto the demo contigs and annotated like the workflow's own.


rule import_vcf:
    input:
        vcf=lambda wc: SHEET.patients[wc.patient].tumour.vcf,
        ref=REF,
        contigs=CONTIGS,
        mane=fetched_file("mane_summary"),
    output:
        calls=temp("results/import/{patient}.calls.vcf"),
        outside="results/import/{patient}.outside_reference.tsv",
    log:
        "results/logs/import_vcf/{patient}.log",
    benchmark:
        "results/benchmarks/import_vcf/{patient}.tsv"
    conda:
        ENVS / "python.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        sample=lambda wc: SHEET.patients[wc.patient].tumour.sample,
        # the tumour column when the sheet names it; else chosen from the header as at parse time
        column=lambda wc: SHEET.patients[wc.patient].tumour.vcf_sample,
    script:
        "../scripts/import_vcf.py"
