# Read QC and adapter/quality trimming with fastp, per sequencing unit, after each FASTQ pair has
# been read end to end (gzip integrity, 4-line records, equal record counts, matching read names):
# fastp drops reads it cannot pair and only warns, so a truncated or mismatched pair stops here.
# fastp's own HTML report is not written (--html /dev/null): fastp 0.23 loads plotly.js over the
# network (http://opengene.org, https://cdn.plot.ly) and stamps the run's date and command line
# into it; MultiQC's report shows the same plots from the JSON, offline and reproducibly.
# fastp's JSON depends on its thread count: its insert-size histogram counts the pairs of one
# worker thread only (fastp 0.23.2, one lane: 23,657 / 11,953 / 8,262 pairs "unknown" at 1 / 2 / 3
# threads).  The count is therefore fixed, whatever Snakemake scales the job's threads to.
FASTP_THREADS = 2


rule check_fastq:
    input:
        unpack(unit_fastq),
    output:
        "results/qc/{sample}/{unit}.fastq_check.json",
    log:
        "results/logs/check_fastq/{sample}/{unit}.log",
    benchmark:
        "results/benchmarks/check_fastq/{sample}/{unit}.tsv"
    conda:
        ENVS / "python.yaml"
    threads: 1
    resources:
        mem_mb=500,
        # one pass over both files: ~165k read pairs per CPU-second (bench/results/fastq_check.md)
        runtime=lambda wc, input: 10 + int(input.size_mb / 500),
    script:
        "../scripts/check_fastq.py"


rule fastp:
    input:
        unpack(unit_fastq),
        checked="results/qc/{sample}/{unit}.fastq_check.json",
    output:
        r1=temp("results/qc/{sample}/{unit}.trimmed_R1.fastq.gz"),
        r2=temp("results/qc/{sample}/{unit}.trimmed_R2.fastq.gz"),
        json="results/qc/{sample}/{unit}.fastp.json",
    log:
        "results/logs/fastp/{sample}/{unit}.log",
    benchmark:
        "results/benchmarks/fastp/{sample}/{unit}.tsv"
    conda:
        ENVS / "fastp.yaml"
    threads: FASTP_THREADS
    resources:
        mem_mb=2000,
        runtime=60,
    params:
        threads=FASTP_THREADS,
        # checked and re-quoted (tumorboard.inputs.config.shell_args): never raw shell text
        extra=tb_config.shell_args(
            config["params"]["fastp"]["extra"], "params.fastp.extra"
        ),
    shell:
        "fastp --in1 {input.r1:q} --in2 {input.r2:q} --out1 {output.r1:q} --out2 {output.r2:q}"
        " --json {output.json:q} --html /dev/null --thread {params.threads}"
        " --report_title {wildcards.sample:q}.{wildcards.unit:q} {params.extra} > {log:q} 2>&1"


# Tumour and normal of a patient must be two samples (not the same reads: a normal FASTQ copied
# from the tumour's row) of one person (germline concordance): otherwise the patient stops here,
# with one line in the log and on stderr, before its findings; other patients go on.


rule identity:
    input:
        tumour="results/align/{tumour}.bam",
        tumour_bai="results/align/{tumour}.bam.bai",
        normal="results/align/{normal}.bam",
        normal_bai="results/align/{normal}.bam.bai",
        targets=TARGETS,
    output:
        "results/qc/identity/{tumour}_vs_{normal}.json",
    log:
        "results/logs/identity/{tumour}_vs_{normal}.log",
    benchmark:
        "results/benchmarks/identity/{tumour}_vs_{normal}.tsv"
    wildcard_constraints:
        tumour=r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}",
        normal=r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}",
    conda:
        ENVS / "python.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=30,
    params:
        identity=config["identity"],
    script:
        "../scripts/identity.py"
