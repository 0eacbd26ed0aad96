# Somatic calling: bcftools mpileup finds candidate alleles over the targets of the tumour
# (+ normal), and the caller (workflow/tumorboard/calling/caller.py) weighs each one read by read:
# one job per patient (the pileup is the job's own intermediate).  Then left-normalisation, sort,
# bgzip + index.  A panel of normals is built from the cohort's normal samples (or taken from a
# file).  Each step's CPU time and peak RSS: results/benchmarks/<rule>/<name>.steps.tsv.


rule somatic_call:
    input:
        tumour_bam=patient_file("results/align/{tumour}.bam"),
        tumour_bai=patient_file("results/align/{tumour}.bam.bai"),
        normal_bam=patient_file("results/align/{normal}.bam"),
        normal_bai=patient_file("results/align/{normal}.bam.bai"),
        ref=REF,
        fai=f"{REF}.fai",
        targets=TARGETS,
        gff=GFF,
        hotspots=project_file(config["hotspots"]),
        pon=panel_of_normals_file,
    output:
        temp("results/somatic/{patient}.calls.vcf"),
    log:
        log="results/logs/somatic_call/{patient}.log",
        steps="results/benchmarks/somatic_call/{patient}.steps.tsv",
    benchmark:
        "results/benchmarks/somatic_call/{patient}.tsv"
    conda:
        ENVS / "python.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=lambda wc: tb_costs.call_runtime_min(patient_reads_mb(wc)),
    params:
        tumour=lambda wc: SHEET.patients[wc.patient].tumour.sample,
        normal=lambda wc: (
            SHEET.patients[wc.patient].normal.sample
            if SHEET.patients[wc.patient].normal
            else None
        ),
        somatic=config["somatic"],
        mpileup=config["params"]["mpileup"],
    script:
        "../scripts/somatic_call.py"


rule panel_of_normals:
    input:
        bams=[f"results/align/{s}.bam" for s in NORMALS],
        bais=[f"results/align/{s}.bam.bai" for s in NORMALS],
        ref=REF,
        fai=f"{REF}.fai",
        targets=TARGETS,
    output:
        "results/pon/panel_of_normals.vcf.gz",
    log:
        log="results/logs/panel_of_normals/panel_of_normals.log",
        steps="results/benchmarks/panel_of_normals/panel_of_normals.steps.tsv",
    benchmark:
        "results/benchmarks/panel_of_normals/panel_of_normals.tsv"
    conda:
        ENVS / "python.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=lambda wc: 15 + int(sum(map(reads_mb, NORMALS)) / 100),
    params:
        normals=lambda wc: NORMALS,
        somatic=config["somatic"],
        mpileup=config["params"]["mpileup"],
    script:
        "../scripts/panel_of_normals.py"


# Left-normalised, split, sorted, bgzipped and indexed (results/somatic/), then consequences on the
# MANE Select transcripts with bcftools csq (results/annotate/), one record at a time (-l: tumour
# variants at different allele fractions need not share a haplotype).  --no-version: bcftools
# would stamp the run date into the header, and the same inputs must give the same bytes (the
# versions are in results/provenance/).
rule annotate:
    input:
        vcf=patient_calls,
        ref=REF,
        gff=GFF,
    output:
        vcf="results/somatic/{patient}.vcf.gz",
        tbi="results/somatic/{patient}.vcf.gz.tbi",
        csq="results/annotate/{patient}.vcf.gz",
        csq_tbi="results/annotate/{patient}.vcf.gz.tbi",
    log:
        "results/logs/annotate/{patient}.log",
    benchmark:
        "results/benchmarks/annotate/{patient}.tsv"
    conda:
        ENVS / "bcftools.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=30,
    shell:
        "(set -o pipefail; bcftools norm --no-version -f {input.ref:q} -m -any {input.vcf:q}"
        " | bcftools sort -Oz -o {output.vcf:q} - && tabix -p vcf {output.vcf:q}"
        " && bcftools csq --no-version -l -f {input.ref:q} -g {input.gff:q}"
        " -Oz -o {output.csq:q} {output.vcf:q} && tabix -p vcf {output.csq:q}) > {log:q} 2>&1"
