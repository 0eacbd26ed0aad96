# Germline pharmacogenomics (DPYD, UGT1A1, TPMT, NUDT15): the sites' targets (simulated by the demo
# and kept out of the copy-number background), and each patient's germline genotypes and
# phenotypes, from the matched normal or, without one, the tumour (in rule somatic_call).  Logic:
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
