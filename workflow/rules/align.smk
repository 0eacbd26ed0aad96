# bwa mem with a read group, streamed into samtools fixmate + sort (no SAM on disk); units of a
# sample are merged and duplicates marked.
# bwa mem -K: a fixed number of input bases per batch.  Without it the batch is 10 Mb per thread,
# and bwa estimates the insert-size distribution per batch, so proper-pair flags, mate rescue and
# MAPQ (then calls) depend on the thread count; with it the BAM is the same at any -t.
BWA_BATCH_BASES = 100_000_000


rule bwa_mem:
    input:
        r1="results/qc/{sample}/{unit}.trimmed_R1.fastq.gz",
        r2="results/qc/{sample}/{unit}.trimmed_R2.fastq.gz",
        index=BWA_FILES,
    output:
        temp("results/align/units/{sample}/{unit}.bam"),
    log:
        "results/logs/bwa_mem/{sample}/{unit}.log",
    benchmark:
        "results/benchmarks/bwa_mem/{sample}/{unit}.tsv"
    conda:
        ENVS / "bwa.yaml"
    threads: 2
    resources:
        mem_mb=6000,
        runtime=240,
    params:
        index=lambda wc, input: input.index[0].removesuffix(".amb"),
        batch_bases=BWA_BATCH_BASES,
        read_group=lambda wc: (
            f"@RG\\tID:{wc.sample}.{wc.unit}\\tSM:{wc.sample}\\tLB:{wc.sample}"
            f"\\tPL:ILLUMINA\\tPU:{wc.unit}"
        ),
    shell:
        # a killed run may leave sort's temporary files behind: removed before sorting again
        "(set -o pipefail; rm -f {output:q}.tmp.*.bam;"
        " bwa mem -t {threads} -K {params.batch_bases} -R {params.read_group:q} {params.index:q}"
        " {input.r1:q} {input.r2:q}"
        " | samtools fixmate -m -u - -"
        " | samtools sort -@ {threads} -m 500M -T {output:q}.tmp -o {output:q} -) 2> {log:q}"


rule markdup:
    input:
        unit_bams,
    output:
        bam="results/align/{sample}.bam",
        bai="results/align/{sample}.bam.bai",
        stats="results/align/{sample}.markdup.txt",
    log:
        "results/logs/markdup/{sample}.log",
    benchmark:
        "results/benchmarks/markdup/{sample}.tsv"
    conda:
        ENVS / "samtools.yaml"
    threads: 2
    resources:
        mem_mb=4000,
        runtime=120,
    shell:
        "(set -o pipefail; samtools merge -u -o - {input:q}"
        " | samtools markdup -@ {threads} -f {output.stats:q} --write-index - {output.bam:q}##idx##{output.bai:q}"
        ") 2> {log:q}"


rule flagstat:
    input:
        "results/align/{sample}.bam",
    output:
        "results/align/{sample}.flagstat.json",
    log:
        "results/logs/flagstat/{sample}.log",
    benchmark:
        "results/benchmarks/flagstat/{sample}.tsv"
    conda:
        ENVS / "samtools.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=30,
    shell:
        "samtools flagstat -O json {input:q} > {output:q} 2> {log:q}"


rule samtools_stats:
    input:
        bam="results/align/{sample}.bam",
        targets=TARGETS,
    output:
        "results/align/{sample}.stats.txt",
    log:
        "results/logs/samtools_stats/{sample}.log",
    benchmark:
        "results/benchmarks/samtools_stats/{sample}.tsv"
    conda:
        ENVS / "samtools.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=30,
    shell:
        "samtools stats -t {input.targets:q} {input.bam:q} > {output:q} 2> {log:q}"
