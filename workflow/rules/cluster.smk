# On a cluster (profiles/slurm) these run on the submit host, not as scheduler jobs: downloads
# (compute nodes often have no internet), each tool's --version, and small merges of resources.
# Locally they run as any rule.


localrules:
    fetch_sequence,
    fetch_file,
    combine_gene_models,
    knowledgebase,
    tool_versions,
