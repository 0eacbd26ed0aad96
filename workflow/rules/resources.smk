# Fetch every external resource (download or local mirror), verify it, and build what the
# reference mode needs: the demo reference (manifest loci), its MANE Select gene models and panel;
# or, in site mode, the identity contig map of the user's FASTA, MANE Select models converted
# from the user's gene-model file, and the targets labelled from the capture BED.  The bwa index
# is built only when none is given.  The mirror's location is
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


rule combine_gene_models:
    input:
        [fetched_file(r.id) for r in FILES.values() if r.role == "gene_models"],
    output:
        PROJECT_GENE_MODELS,
    log:
        f"{CACHE}/logs/annotation/combine_gene_models.log",
    benchmark:
        f"{CACHE}/benchmarks/annotation/combine_gene_models.tsv"
    conda:
        ENVS / "python.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    script:
        "../scripts/combine_gene_models.py"


if not SITE:

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

    rule gene_models:
        input:
            gff=PROJECT_GENE_MODELS,
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

else:

    rule site_contigs:
        input:
            fai=f"{REF}.fai",
        output:
            CONTIGS,
        log:
            f"{BUILT}/logs/reference/site_contigs.log",
        benchmark:
            f"{BUILT}/benchmarks/reference/site_contigs.tsv"
        conda:
            ENVS / "python.yaml"
        threads: 1
        resources:
            mem_mb=500,
            runtime=5,
        script:
            "../scripts/site_contigs.py"

    rule site_gene_models:
        input:
            gff=config["annotation"]["gene_models"] or PROJECT_GENE_MODELS,
            fai=f"{REF}.fai",
            mane=fetched_file("mane_summary"),
        output:
            gff=GFF,
        log:
            f"{BUILT}/logs/annotation/site_gene_models.log",
        benchmark:
            f"{BUILT}/benchmarks/annotation/site_gene_models.tsv"
        conda:
            ENVS / "python.yaml"
        threads: 1
        resources:
            # streamed; a whole-genome GENCODE file keeps only its ~19k MANE Select transcripts
            mem_mb=2000,
            runtime=30,
        params:
            genes=[],  # every gene: a VCF-start patient's calls are annotated in any gene
        script:
            "../scripts/convert_gene_models.py"

    rule site_panel:
        input:
            bed=config["panel"]["bed"] or [],
            gff=GFF,
            fai=f"{REF}.fai",
            contigs=CONTIGS,
        output:
            bed=TARGETS,
            grch38=TARGETS_GRCH38,
        log:
            f"{BUILT}/logs/panel/site_panel.log",
        benchmark:
            f"{BUILT}/benchmarks/panel/site_panel.tsv"
        conda:
            ENVS / "python.yaml"
        threads: 1
        resources:
            mem_mb=2000,
            runtime=10,
        params:
            genes=config["panel"]["genes"],
            padding=config["panel"]["padding"],
        script:
            "../scripts/site_panel.py"


if not (SITE and config["reference"]["bwa_index"]):

    rule bwa_index:
        input:
            REF,
        output:
            BWA_FILES,
        log:
            f"{BUILT}/logs/reference/bwa_index.log",
        benchmark:
            f"{BUILT}/benchmarks/reference/bwa_index.tsv"
        conda:
            ENVS / "bwa.yaml"
        threads: 1
        resources:
            # bwa index (bwtsw) of GRCh38 (3.1 Gb) takes about 5 GB and an hour or more; both
            # scale with the genome length (bench/results/bwa_index.md has measured figures)
            mem_mb=lambda wc, input: bwa_index_cost(genome_mb(input[0]))[1],
            runtime=lambda wc, input: bwa_index_cost(genome_mb(input[0]))[0],
        params:
            prefix=lambda wc, output: output[0].removesuffix(".amb"),
        shell:
            "bwa index -p {params.prefix:q} {input:q} > {log:q} 2>&1"
