# Units given as BAM, CRAM or unaligned BAM (units sheet column `bam`) back to paired FASTQ.
# Decision: aligned input is always re-aligned from its reads (samtools collate | samtools fastq:
# paired reads, no secondary/supplementary, original names), then takes the FASTQ units' path
# (fastp -> bwa mem -> markdup), so every sample has one aligner, reference and duplicate
# marking, FASTQ, BAM and CRAM of the same reads give the same findings, and a BAM aligned to
# another build cannot slip through. A CRAM's @SQ M5 must match the configured reference.


rule unpack_reads:
    input:
        bam=lambda wc: SHEET.unit(wc.sample, wc.unit)["bam"],
        ref=REF,
        fai=f"{REF}.fai",
    output:
        r1=temp("results/unpack/{sample}/{unit}_R1.fastq.gz"),
        r2=temp("results/unpack/{sample}/{unit}_R2.fastq.gz"),
    log:
        "results/logs/unpack_reads/{sample}/{unit}.log",
    benchmark:
        "results/benchmarks/unpack_reads/{sample}/{unit}.tsv"
    conda:
        ENVS / "python.yaml"
    threads: 2
    resources:
        mem_mb=2000,
        # collate and fastq stream the file: ~1 GB per minute, conservatively
        runtime=lambda wc, input: 10 + int(input.size_mb / 1000),
    script:
        "../scripts/unpack_reads.py"
