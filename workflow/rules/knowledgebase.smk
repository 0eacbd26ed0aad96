# The knowledge base: CIViC predictive evidence and the project's regulatory biomarker facts,
# with tumour types resolved; versioned by each input's release date and sha256.  The CIViC export
# is the manifest entry that knowledge.civic names (default: the 2018 export).
CIVIC_RESOURCE = config["knowledge"]["civic"]
if CIVIC_RESOURCE not in FILES:
    raise WorkflowError(
        f"tumorboard: knowledge.civic: {CIVIC_RESOURCE!r} is not a file resource of the "
        f"manifest (file resources: {', '.join(sorted(FILES))})"
    )


rule knowledgebase:
    input:
        civic=fetched_file(CIVIC_RESOURCE),
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
        civic=MANIFEST[CIVIC_RESOURCE],
    script:
        "../scripts/build_knowledgebase.py"
