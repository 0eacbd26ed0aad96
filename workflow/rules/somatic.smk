# Somatic calling: bcftools mpileup finds candidate alleles over tumour (+ normal); the caller
# (workflow/tumorboard/calling/caller.py) weighs each read by read; left-normalisation, bgzip + index.
# A panel of normals is built from the cohort's normal samples (or taken from a file).

# The one bcftools mpileup command, for a patient's samples (rule mpileup) and for the normals of
# the panel of normals (rule normals_pileup); they differ only in the FORMAT fields annotated.
# -d/-L raised: with the defaults (250) bcftools skips indel calling on deep panels.
MPILEUP = (
    "bcftools mpileup -f {input.ref:q} -R {input.targets:q}"
    " -q {params.mpileup[min_mapq]} -Q {params.mpileup[min_baseq]}"
    " -d {params.mpileup[max_depth]} -L {params.mpileup[max_depth]} -m 2"
    " -F {params.mpileup[gap_frac]} -a {params.annotate}"
    " -Ob -o {output:q} {input.bams:q} 2> {log:q}"
)


rule mpileup:
    input:
        bams=patient_bams,
        ref=REF,
        fai=f"{REF}.fai",
        targets=TARGETS,
    output:
        temp("results/somatic/{patient}.pileup.bcf"),
    log:
        "results/logs/mpileup/{patient}.log",
    benchmark:
        "results/benchmarks/mpileup/{patient}.tsv"
    conda:
        ENVS / "bcftools.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=120,
    params:
        mpileup=config["params"]["mpileup"],
        annotate="FORMAT/AD,FORMAT/ADF,FORMAT/ADR,FORMAT/DP",
    shell:
        MPILEUP


rule panel_of_normals:
    input:
        pileup="results/pon/normals.pileup.bcf",
    output:
        "results/pon/panel_of_normals.vcf.gz",
    log:
        "results/logs/panel_of_normals/panel_of_normals.log",
    benchmark:
        "results/benchmarks/panel_of_normals/panel_of_normals.tsv"
    conda:
        ENVS / "python.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=60,
    params:
        normals=lambda wc: NORMALS,
        somatic=config["somatic"],
    script:
        "../scripts/panel_of_normals.py"


rule normals_pileup:
    input:
        bams=[f"results/align/{s}.bam" for s in NORMALS],
        ref=REF,
        fai=f"{REF}.fai",
        targets=TARGETS,
    output:
        temp("results/pon/normals.pileup.bcf"),
    log:
        "results/logs/panel_of_normals/normals_pileup.log",
    benchmark:
        "results/benchmarks/panel_of_normals/normals_pileup.tsv"
    conda:
        ENVS / "bcftools.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=120,
    params:
        mpileup=config["params"]["mpileup"],
        annotate="FORMAT/AD,FORMAT/DP",
    shell:
        MPILEUP


rule somatic_call:
    input:
        pileup="results/somatic/{patient}.pileup.bcf",
        tumour_bam=patient_file("results/align/{tumour}.bam"),
        tumour_bai=patient_file("results/align/{tumour}.bam.bai"),
        normal_bam=patient_file("results/align/{normal}.bam"),
        normal_bai=patient_file("results/align/{normal}.bam.bai"),
        ref=REF,
        gff=GFF,
        hotspots=project_file(config["hotspots"]),
        pon=panel_of_normals_file,
    output:
        temp("results/somatic/{patient}.calls.vcf"),
    log:
        "results/logs/somatic_call/{patient}.log",
    benchmark:
        "results/benchmarks/somatic_call/{patient}.tsv"
    conda:
        ENVS / "python.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=120,
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


rule somatic_normalise:
    input:
        vcf=patient_calls,
        ref=REF,
    output:
        vcf="results/somatic/{patient}.vcf.gz",
        tbi="results/somatic/{patient}.vcf.gz.tbi",
    log:
        "results/logs/somatic_normalise/{patient}.log",
    benchmark:
        "results/benchmarks/somatic_normalise/{patient}.tsv"
    conda:
        ENVS / "bcftools.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=30,
    shell:
        # --no-version: bcftools would stamp the run date into the header, and the same inputs
        # must give the same bytes (versions are in results/provenance/)
        "(set -o pipefail; bcftools norm --no-version -f {input.ref:q} -m -any {input.vcf:q}"
        " | bcftools sort -Oz -o {output.vcf:q} - && tabix -p vcf {output.vcf:q}) 2> {log:q}"
