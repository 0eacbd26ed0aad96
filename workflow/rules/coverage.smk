# Per-target depth with mosdepth, joined into one table per sample with GRCh38 positions; the
# same for the antitarget (off-target) bins copy number is centred on.


rule mosdepth:
    input:
        bam="results/align/{sample}.bam",
        bai="results/align/{sample}.bam.bai",
        targets=TARGETS,
    output:
        regions="results/coverage/{sample}.regions.bed.gz",
        thresholds="results/coverage/{sample}.thresholds.bed.gz",
        summary="results/coverage/{sample}.mosdepth.summary.txt",
    log:
        "results/logs/mosdepth/{sample}.log",
    benchmark:
        "results/benchmarks/mosdepth/{sample}.tsv"
    conda:
        ENVS / "mosdepth.yaml"
    threads: 2
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        prefix="results/coverage/{sample}",
        thresholds=",".join(str(t) for t in config["coverage"]["thresholds"]),
        min_mapq=config["params"]["mpileup"]["min_mapq"],
    shell:
        "mosdepth --no-per-base --by {input.targets:q} --thresholds {params.thresholds}"
        " --mapq {params.min_mapq} --threads {threads} {params.prefix:q} {input.bam:q} > {log:q} 2>&1"


rule coverage_table:
    input:
        regions="results/coverage/{sample}.regions.bed.gz",
        thresholds="results/coverage/{sample}.thresholds.bed.gz",
        contigs=CONTIGS,
    output:
        "results/coverage/{sample}.targets.tsv",
    log:
        "results/logs/coverage_table/{sample}.log",
    benchmark:
        "results/benchmarks/coverage_table/{sample}.tsv"
    conda:
        ENVS / "python.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    script:
        "../scripts/coverage_table.py"


rule mosdepth_antitargets:
    input:
        bam="results/align/{sample}.bam",
        bai="results/align/{sample}.bam.bai",
        bins=ANTITARGETS,
    output:
        regions="results/coverage/{sample}.antitargets.regions.bed.gz",
        summary="results/coverage/{sample}.antitargets.mosdepth.summary.txt",
    log:
        "results/logs/mosdepth_antitargets/{sample}.log",
    benchmark:
        "results/benchmarks/mosdepth_antitargets/{sample}.tsv"
    conda:
        ENVS / "mosdepth.yaml"
    threads: 2
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        prefix="results/coverage/{sample}.antitargets",
        min_mapq=config["params"]["mpileup"]["min_mapq"],
    shell:
        "mosdepth --no-per-base --by {input.bins:q} --mapq {params.min_mapq}"
        " --threads {threads} {params.prefix:q} {input.bam:q} > {log:q} 2>&1"


use rule coverage_table as antitarget_table with:
    input:
        regions="results/coverage/{sample}.antitargets.regions.bed.gz",
        contigs=CONTIGS,
    output:
        "results/coverage/{sample}.antitargets.tsv",
    log:
        "results/logs/antitarget_table/{sample}.log",
    benchmark:
        "results/benchmarks/antitarget_table/{sample}.tsv"
