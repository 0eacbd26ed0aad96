# Somatic candidates: bcftools mpileup over tumour (+ normal), first tumour-vs-normal filter,
# left-normalisation, bgzip + index.


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
        mapq=config["params"]["mpileup"]["min_mapq"],
        baseq=config["params"]["mpileup"]["min_baseq"],
        max_depth=config["params"]["mpileup"]["max_depth"],
    shell:
        # -d/-L raised: with the defaults (250) bcftools skips indel calling on deep panels
        "bcftools mpileup -f {input.ref:q} -R {input.targets:q} -q {params.mapq} -Q {params.baseq}"
        " -d {params.max_depth} -L {params.max_depth} -a FORMAT/AD,FORMAT/ADF,FORMAT/ADR,FORMAT/DP"
        " -Ob -o {output:q} {input.bams:q} 2> {log:q}"


rule somatic_filter:
    input:
        pileup="results/somatic/{patient}.pileup.bcf",
    output:
        temp("results/somatic/{patient}.candidates.vcf"),
    log:
        "results/logs/somatic_filter/{patient}.log",
    benchmark:
        "results/benchmarks/somatic_filter/{patient}.tsv"
    conda:
        ENVS / "python.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=60,
    params:
        tumour=lambda wc: SHEET.patients[wc.patient].tumour.sample,
        normal=lambda wc: (
            SHEET.patients[wc.patient].normal.sample
            if SHEET.patients[wc.patient].normal
            else None
        ),
        somatic=config["somatic"],
    script:
        "../scripts/somatic_filter.py"


rule somatic_normalise:
    input:
        vcf="results/somatic/{patient}.candidates.vcf",
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
        "(set -o pipefail; bcftools norm -f {input.ref:q} -m -any {input.vcf:q}"
        " | bcftools sort -Oz -o {output.vcf:q} - && tabix -p vcf {output.vcf:q}) 2> {log:q}"
