"""One patient's provenance JSON: versions, commit, checksums and the generated methods text."""

import json
import sys
from pathlib import Path

from tumorboard.report import methods

sys.stderr = open(snakemake.log[0], "w")
inp, par = snakemake.input, snakemake.params
patient = par.patient
with open(inp.versions) as fh:
    versions = json.load(fh)
doc = methods.build_provenance(
    patient=patient.id,
    config=snakemake.config,
    tool_versions=versions,
    inputs=inp.inputs,
    resources={name: inp[name] for name in par.resources},
    # the workflow's checkout (git commit); resolve(): scriptdir may hold "rules/.."
    project_dir=Path(snakemake.scriptdir).resolve().parents[1],
    from_vcf=patient.tumour.from_vcf,
    tumour_only=patient.normal is None,
    pooled_normals=par.pooled_normals,
    knowledge_base=inp.get("knowledge_base"),
    copy_number_background=inp.get("copy_number_background") or None,
)
# the knowledge-currency settings page 1 judges source ages by (tumorboard.report.document)
knowledge = snakemake.config.get("knowledge", {})
doc["knowledge"] = {
    "max_age_years": knowledge.get("max_age_years", 2),
    "as_of": knowledge.get("as_of", ""),
}
with open(snakemake.output[0], "w") as fh:
    json.dump(doc, fh, indent=2)
    fh.write("\n")
print(f"{len(doc['inputs'])} input file(s), {len(doc['resources'])} resource(s)", file=sys.stderr)
