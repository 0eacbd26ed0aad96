# The simulated demo patient: paired FASTQ for the tumour and the matched normal, made from the
# demo reference and the authored truth file (resources/demo/truth.yaml) with art_illumina.


rule simulate_demo:
    input:
        fasta=REF,
        fai=f"{REF}.fai",
        contigs=CONTIGS,
        targets=TARGETS,
        pgx_targets=PGX_TARGETS,
        truth=project_file(config["demo"]["truth"]),
    output:
        expand(
            "results/demo/reads/{{sample}}/{unit}_R{read}.fastq.gz",
            unit=config["demo"]["units"],
            read=(1, 2),
        ),
    log:
        "results/logs/demo/simulate_{sample}.log",
    benchmark:
        "results/benchmarks/demo/simulate_{sample}.tsv"
    wildcard_constraints:
        sample="|".join(
            [config["demo"]["tumour_sample"], config["demo"]["normal_sample"]]
        ),
    conda:
        ENVS / "art.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        tumour=lambda wc: wc.sample == config["demo"]["tumour_sample"],
        depth=lambda wc: config["demo"][
            (
                "tumour_depth"
                if wc.sample == config["demo"]["tumour_sample"]
                else "normal_depth"
            )
        ],
        prefixes=lambda wc: [
            f"results/demo/reads/{wc.sample}/{u}" for u in config["demo"]["units"]
        ],
        padding=config["demo"]["padding"],
        seed=config["demo"]["seed"],
        off_target_fraction=config["demo"]["off_target_fraction"],
    script:
        "../scripts/simulate_demo.py"
