# Gene copy number: per-target depth of the tumour against its matched normal (or a pooled
# reference of the sheet's normals for a tumour-only patient), or external copy-number segments
# for a patient that starts from a VCF.  The inputs (common.smk: copy_number_inputs) decide the
# method; it is in workflow/tumorboard/copynumber/.  The background the ratios are centred on:
# antitarget bins (off-target reads between the targets, rule antitargets) and backbone tiles.


rule antitargets:
    input:
        targets=TARGETS,
        pgx_targets=[PGX_TARGETS],  # genotyped germline sites: never copy-number background
        fasta=REF,
        fai=f"{REF}.fai",
    output:
        ANTITARGETS,
    log:
        f"{BUILT}/logs/panel/antitargets.log",
    benchmark:
        f"{BUILT}/benchmarks/panel/antitargets.tsv"
    conda:
        ENVS / "python.yaml"
    threads: 1
    resources:
        mem_mb=2000,  # one chromosome's sequence at a time
        runtime=30,
    params:
        avg_size=config["copy_number"]["antitarget_size"],
        min_size=config["copy_number"]["antitarget_min_size"],
        margin=config["copy_number"]["antitarget_margin"],
        # a whole genome: autosomes only; the demo reference: every locus and control contig
        autosomes_only=SITE,
    script:
        "../scripts/antitargets.py"


rule copy_number:
    input:
        unpack(copy_number_inputs),
        ref=REF,
        fai=f"{REF}.fai",
        panel_grch38=TARGETS_GRCH38,
    output:
        genes="results/cnv/{patient}.genes.tsv",
        targets="results/cnv/{patient}.targets.tsv",
        profile="results/cnv/{patient}.profile.svg",
        background="results/cnv/{patient}.background.json",
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
        matched_normal=lambda wc: SHEET.patients[wc.patient].normal is not None,
        settings=config["copy_number"],
    script:
        "../scripts/copy_number.py"
