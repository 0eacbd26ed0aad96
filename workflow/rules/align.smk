# One job per sample, FASTQ lanes to a duplicate-marked BAM, its QC and its coverage
# (workflow/tumorboard/alignment.py): every lane's FASTQ pair read end to end first (gzip
# integrity, 4-line records, equal record counts, matching read names: fastp drops reads it cannot
# pair and only warns, so a truncated or mismatched lane stops the sample here); then per lane one
# stream, fastp | bwa mem -p | samtools fixmate | samtools sort, with the lane's read group; the
# lanes merged and duplicates marked; samtools flagstat and stats; mosdepth over the targets and
# the antitarget bins, and the two coverage tables with GRCh38 positions.
# Why one job: a cohort is planned and scheduled job by job (issue 15); a sample was nine jobs.
# bwa mem -K (fixed batch) and fastp's fixed thread count keep every output independent of the
# job's threads.  fastp's HTML is not written (it loads plotly over the network and stamps the
# date): MultiQC shows the same plots from fastp's JSON.  Each tool's CPU time and peak RSS:
# results/benchmarks/align/{sample}.steps.tsv (tumorboard.steps).
from tumorboard import costs as tb_costs


rule align:
    input:
        fastq=sample_fastqs,
        index=BWA_FILES,
        targets=TARGETS,
        bins=ANTITARGETS,
        contigs=CONTIGS,
    output:
        lanes=directory("results/qc/lanes/{sample}"),
        bam="results/align/{sample}.bam",
        bai="results/align/{sample}.bam.bai",
        markdup="results/align/{sample}.markdup.txt",
        flagstat="results/align/{sample}.flagstat.json",
        stats="results/align/{sample}.stats.txt",
        # mosdepth's other files (per-target and threshold BEDs, distributions) are written
        # beside these, from the same prefix
        summary="results/coverage/{sample}.mosdepth.summary.txt",
        table="results/coverage/{sample}.targets.tsv",
        antitarget_table="results/coverage/{sample}.antitargets.tsv",
    log:
        log="results/logs/align/{sample}.log",
        steps="results/benchmarks/align/{sample}.steps.tsv",
    benchmark:
        "results/benchmarks/align/{sample}.tsv"
    conda:
        ENVS / "python.yaml"
    threads: 8
    resources:
        mem_mb=lambda wc, threads: tb_costs.align_mem_mb(GENOME_MB, threads),
        runtime=lambda wc, threads: tb_costs.align_runtime_min(
            sample_reads_mb(wc), threads
        ),
    params:
        lanes=sample_lanes,
        index=lambda wc, input: input.index[0].removesuffix(".amb"),
        # checked (tumorboard.inputs.config.extra_args) and passed as arguments: no shell
        fastp_extra=tb_config.extra_args(
            config["params"]["fastp"]["extra"], "params.fastp.extra"
        ),
        coverage_prefix="results/coverage/{sample}",
        thresholds=config["coverage"]["thresholds"],
        min_mapq=config["params"]["mpileup"]["min_mapq"],
    script:
        "../scripts/align_sample.py"
