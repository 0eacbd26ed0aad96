# Somatic calling: bcftools mpileup finds candidate alleles over the targets of the tumour
# (+ normal), and the caller (workflow/tumorboard/calling/caller.py) weighs each one read by read.
# A panel of normals is built from the cohort's normal samples (or taken from a file).  Each
# step's CPU time and peak RSS: results/benchmarks/<rule>/<name>.steps.tsv (tumorboard.steps).


# One job per patient with reads (workflow/scripts/somatic_call.py): tumour/normal identity (a
# mismatch stops the patient before its findings; other patients go on), bcftools mpileup over
# the targets, the caller, normalisation + csq (tumorboard.annotation.normalise) and the germline
# pharmacogenomics (workflow/rules/pharmacogenomics.smk).  A patient that starts from a VCF takes
# rule import_vcf instead (the same normalisation + csq).
rule somatic_call:
    input:
        unpack(somatic_inputs),
        ref=REF,
        fai=f"{REF}.fai",
        targets=TARGETS,
        gff=GFF,
        contigs=CONTIGS,
        hotspots=project_file(config["hotspots"]),
        pgx_sites=f"{PGX_TABLES}/sites.tsv",
    output:
        vcf="results/somatic/{patient}.vcf.gz",
        tbi="results/somatic/{patient}.vcf.gz.tbi",
        csq="results/annotate/{patient}.vcf.gz",
        csq_tbi="results/annotate/{patient}.vcf.gz.tbi",
        identity="results/qc/identity/{patient}.json",
        pgx="results/pgx/{patient}.json",
    log:
        log="results/logs/somatic_call/{patient}.log",
        steps="results/benchmarks/somatic_call/{patient}.steps.tsv",
    benchmark:
        "results/benchmarks/somatic_call/{patient}.tsv"
    wildcard_constraints:
        patient=READ_PATIENT,
    conda:
        ENVS / "python.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=lambda wc: tb_costs.call_runtime_min(patient_reads_mb(wc)),
    params:
        patient=lambda wc: SHEET.patients[wc.patient],
        identity=config["identity"],
        somatic=config["somatic"],
        mpileup=config["params"]["mpileup"],
        pgx=config["pharmacogenomics"],
    script:
        "../scripts/somatic_call.py"


rule panel_of_normals:
    input:
        bams=[f"results/align/{s}.bam" for s in NORMALS],
        bais=[f"results/align/{s}.bam.bai" for s in NORMALS],
        ref=REF,
        fai=f"{REF}.fai",
        targets=TARGETS,
    output:
        "results/pon/panel_of_normals.vcf.gz",
    log:
        log="results/logs/panel_of_normals/panel_of_normals.log",
        steps="results/benchmarks/panel_of_normals/panel_of_normals.steps.tsv",
    benchmark:
        "results/benchmarks/panel_of_normals/panel_of_normals.tsv"
    conda:
        ENVS / "python.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=lambda wc: 15 + int(sum(map(reads_mb, NORMALS)) / 100),
    params:
        normals=lambda wc: NORMALS,
        somatic=config["somatic"],
        mpileup=config["params"]["mpileup"],
    script:
        "../scripts/panel_of_normals.py"
