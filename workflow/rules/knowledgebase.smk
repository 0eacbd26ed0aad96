# The knowledge base: CIViC predictive evidence and the project's regulatory biomarker facts,
# with tumour types resolved; versioned by each input's release date and sha256.


rule knowledgebase:
    input:
        civic=fetched_file("civic_evidence"),
        biomarkers=project_file("resources/biomarkers.tsv"),
        tumour_types=project_file("workflow/tumorboard/knowledge/tumour_types.tsv"),
    output:
        f"{CACHE}/knowledgebase/knowledgebase.json",
    log:
        f"{CACHE}/logs/knowledgebase/knowledgebase.log",
    benchmark:
        f"{CACHE}/benchmarks/knowledgebase/knowledgebase.tsv"
    conda:
        ENVS / "python.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        civic=MANIFEST["civic_evidence"],
    script:
        "../scripts/build_knowledgebase.py"
