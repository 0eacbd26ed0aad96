# Germline pharmacogenomics (DPYD, UGT1A1, TPMT, NUDT15): the sites' targets (simulated by the demo
# and kept out of the copy-number background), and each patient's germline genotypes and
# phenotypes, from the matched normal or, without one, the tumour.  Logic:
# workflow/tumorboard/pharmacogenomics/; authored tables: resources/pgx/.
PGX_TABLES = project_file(config["pharmacogenomics"]["tables"])
PGX_TARGETS = f"{BUILT}/panel/pgx_targets.bed"


rule pgx_targets:
    input:
        sites=f"{PGX_TABLES}/sites.tsv",
        contigs=CONTIGS,
    output:
        bed=PGX_TARGETS,
        grch38=f"{BUILT}/panel/pgx_targets.grch38.bed",
    log:
        f"{BUILT}/logs/panel/pgx_targets.log",
    benchmark:
        f"{BUILT}/benchmarks/panel/pgx_targets.tsv"
    conda:
        ENVS / "python.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        padding=config["pharmacogenomics"]["target_padding"],
    script:
        "../scripts/pgx_targets.py"


rule pharmacogenomics:
    input:
        bam=lambda wc: f"results/align/{germline_sample(wc).sample}.bam",
        bai=lambda wc: f"results/align/{germline_sample(wc).sample}.bam.bai",
        ref=REF,
        fai=f"{REF}.fai",
        contigs=CONTIGS,
        sites=f"{PGX_TABLES}/sites.tsv",
    output:
        "results/pgx/{patient}.json",
    log:
        "results/logs/pharmacogenomics/{patient}.log",
    benchmark:
        "results/benchmarks/pharmacogenomics/{patient}.tsv"
    conda:
        ENVS / "python.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        sample=lambda wc: germline_sample(wc).sample,
        sample_type=lambda wc: germline_sample(wc).type,
        settings=config["pharmacogenomics"],
        mpileup=config["params"]["mpileup"],
    script:
        "../scripts/pharmacogenomics.py"
