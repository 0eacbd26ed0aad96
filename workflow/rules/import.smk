# Patients whose sheet row gives a VCF (+ optional copy-number segments) start here instead of
# from reads: their calls are moved onto the demo contigs, then normalised and annotated like the
# caller's (tumorboard.annotation.normalise), in one job.


rule import_vcf:
    input:
        vcf=lambda wc: SHEET.patients[wc.patient].tumour.vcf,
        ref=REF,
        contigs=CONTIGS,
        mane=fetched_file("mane_summary"),
        gff=GFF,
    output:
        outside="results/import/{patient}.outside_reference.tsv",
        vcf="results/somatic/{patient}.vcf.gz",
        tbi="results/somatic/{patient}.vcf.gz.tbi",
        csq="results/annotate/{patient}.vcf.gz",
        csq_tbi="results/annotate/{patient}.vcf.gz.tbi",
    log:
        log="results/logs/import_vcf/{patient}.log",
        steps="results/benchmarks/import_vcf/{patient}.steps.tsv",
    benchmark:
        "results/benchmarks/import_vcf/{patient}.tsv"
    wildcard_constraints:
        patient=VCF_PATIENT,
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
