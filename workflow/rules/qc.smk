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
