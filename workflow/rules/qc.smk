# Read QC and adapter/quality trimming with fastp, per sequencing unit.


rule fastp:
    input:
        unpack(unit_fastq),
    output:
        r1=temp("results/qc/{sample}/{unit}.trimmed_R1.fastq.gz"),
        r2=temp("results/qc/{sample}/{unit}.trimmed_R2.fastq.gz"),
        json="results/qc/{sample}/{unit}.fastp.json",
        html="results/qc/{sample}/{unit}.fastp.html",
    log:
        "results/logs/fastp/{sample}/{unit}.log",
    benchmark:
        "results/benchmarks/fastp/{sample}/{unit}.tsv"
    conda:
        ENVS / "fastp.yaml"
    threads: 2
    resources:
        mem_mb=2000,
        runtime=60,
    params:
        extra=config["params"]["fastp"]["extra"],
    shell:
        "fastp --in1 {input.r1:q} --in2 {input.r2:q} --out1 {output.r1:q} --out2 {output.r2:q}"
        " --json {output.json:q} --html {output.html:q} --thread {threads}"
        " --report_title {wildcards.sample:q}.{wildcards.unit:q} {params.extra} > {log:q} 2>&1"
