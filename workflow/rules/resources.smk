# Fetch every external resource (download or local mirror), verify it, build the demo reference,
# its indexes, the MANE Select gene models and the panel targets.  The mirror's location is
# read from the config by the script, not passed as a param: the checksum decides whether a
# fetched file is right, so moving a mirror must not rerun the workflow.


rule fetch_sequence:
    output:
        f"{CACHE}/fetched/{{rid}}.fa",
    log:
        f"{CACHE}/logs/fetch/{{rid}}.log",
    benchmark:
        f"{CACHE}/benchmarks/fetch/{{rid}}.tsv"
    conda:
        ENVS / "python.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=30,
    params:
        resource=lambda wc: MANIFEST[wc.rid],
    script:
        "../scripts/fetch_resource.py"


rule fetch_file:
    output:
        f"{CACHE}/fetched/{{rid}}/{{filename}}",
    log:
        f"{CACHE}/logs/fetch/{{rid}}/{{filename}}.log",
    benchmark:
        f"{CACHE}/benchmarks/fetch/{{rid}}/{{filename}}.tsv"
    conda:
        ENVS / "python.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=30,
    params:
        resource=lambda wc: MANIFEST[wc.rid],
    script:
        "../scripts/fetch_resource.py"


rule demo_reference:
    input:
        [f"{CACHE}/fetched/{r.id}.fa" for r in SEQUENCES],
    output:
        fasta=REF,
        fai=f"{REF}.fai",
        contigs=CONTIGS,
    log:
        f"{CACHE}/logs/reference/demo_reference.log",
    benchmark:
        f"{CACHE}/benchmarks/reference/demo_reference.tsv"
    conda:
        ENVS / "python.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        contigs=[r.contig for r in SEQUENCES],
    script:
        "../scripts/build_reference.py"


rule bwa_index:
    input:
        REF,
    output:
        multiext(REF, ".amb", ".ann", ".bwt", ".pac", ".sa"),
    log:
        f"{CACHE}/logs/reference/bwa_index.log",
    benchmark:
        f"{CACHE}/benchmarks/reference/bwa_index.tsv"
    conda:
        ENVS / "bwa.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=60,
    shell:
        "bwa index {input:q} > {log:q} 2>&1"


rule gene_models:
    input:
        gff=fetched_file("gene_models"),
        mane=fetched_file("mane_summary"),
        contigs=CONTIGS,
    output:
        contigs=GFF,
        grch38=f"{CACHE}/annotation/mane_select.grch38.gff3",
    log:
        f"{CACHE}/logs/annotation/gene_models.log",
    benchmark:
        f"{CACHE}/benchmarks/annotation/gene_models.tsv"
    conda:
        ENVS / "python.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        genes=config["panel"]["genes"],
    script:
        "../scripts/gene_models.py"


rule panel_targets:
    input:
        gff=GFF,
        fasta=REF,
        fai=f"{REF}.fai",
        contigs=CONTIGS,
    output:
        bed=TARGETS,
        grch38=f"{CACHE}/panel/targets.grch38.bed",
    log:
        f"{CACHE}/logs/panel/panel_targets.log",
    benchmark:
        f"{CACHE}/benchmarks/panel/panel_targets.tsv"
    conda:
        ENVS / "python.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        padding=config["panel"]["padding"],
        tiles=config["panel"]["backbone_tiles"],
        tile_size=config["panel"]["backbone_tile_size"],
        background=BACKGROUND_CONTIGS,
    script:
        "../scripts/panel_targets.py"
