# Gene copy number from tumour/normal per-target depth (needs a matched normal for now).


rule copy_number:
    input:
        tumour=patient_file("results/coverage/{tumour}.targets.tsv"),
        normal=patient_file("results/coverage/{normal}.targets.tsv"),
    output:
        genes="results/cnv/{patient}.genes.tsv",
        targets="results/cnv/{patient}.targets.tsv",
    log:
        "results/logs/copy_number/{patient}.log",
    benchmark:
        "results/benchmarks/copy_number/{patient}.tsv"
    conda:
        ENVS / "python.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        purity=lambda wc: SHEET.patients[wc.patient].tumour.purity,
        thresholds=config["copy_number"],
        min_normal_depth=config["copy_number"]["min_normal_depth"],
    script:
        "../scripts/copy_number.py"
