# Per-target depth with mosdepth, joined into one table per sample with GRCh38 positions; the
# same for the antitarget (off-target) bins copy number is centred on.  One job per sample (two
# mosdepth runs and two small tables): a cohort plans four times fewer coverage jobs.


rule coverage:
    input:
        bam="results/align/{sample}.bam",
        bai="results/align/{sample}.bam.bai",
        targets=TARGETS,
        bins=ANTITARGETS,
        contigs=CONTIGS,
    output:
        regions="results/coverage/{sample}.regions.bed.gz",
        thresholds="results/coverage/{sample}.thresholds.bed.gz",
        summary="results/coverage/{sample}.mosdepth.summary.txt",
        table="results/coverage/{sample}.targets.tsv",
        antitarget_regions="results/coverage/{sample}.antitargets.regions.bed.gz",
        antitarget_summary="results/coverage/{sample}.antitargets.mosdepth.summary.txt",
        antitarget_table="results/coverage/{sample}.antitargets.tsv",
    log:
        "results/logs/coverage/{sample}.log",
    benchmark:
        "results/benchmarks/coverage/{sample}.tsv"
    conda:
        ENVS / "python.yaml"
    threads: 2
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        prefix="results/coverage/{sample}",
        thresholds=config["coverage"]["thresholds"],
        min_mapq=config["params"]["mpileup"]["min_mapq"],
    script:
        "../scripts/coverage.py"
