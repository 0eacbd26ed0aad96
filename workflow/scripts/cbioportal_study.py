"""The cohort as a cBioPortal study directory (meta files, clinical files, MAF, CNA, case lists,
gene panel matrix and the gene panel files of the reported genes)."""

import sys
from pathlib import Path

from tumorboard.cohort import cbioportal, pseudonyms, tables
from tumorboard.reference import panel

sys.stderr = open(snakemake.log[0], "w")
meta_study = Path(snakemake.output[0])  # cbioportal.study_files lists it first
assert meta_study.name == "meta_study.txt", meta_study
study_dir = meta_study.parent
# pseudonymous ids when config cohort.pseudonymise says so
findings = pseudonyms.cohort_view(
    tables.load_findings(snakemake.input.findings), snakemake.params.cohort
)
written = cbioportal.write_study(
    findings,
    study_dir,
    snakemake.input.maf,
    snakemake.input.cna,
    snakemake.params.study_id,
    panel.reported_genes(snakemake.params.genes, snakemake.input.targets, findings),
)
declared = sorted(str(Path(p).relative_to(study_dir)) for p in snakemake.output)
if written != declared:
    # the rule decides from the sample sheet which patients have copy number; the findings agree
    raise ValueError(f"study files written {written} differ from the rule's outputs {declared}")
panels = cbioportal.study_panels(findings, snakemake.params.study_id)
print(
    f"cBioPortal study {snakemake.params.study_id}: {len(findings)} sample(s), "
    f"{len(written)} file(s) in {study_dir}; gene panel(s) {', '.join(panels)}: import each "
    "with importGenePanel.py --data data_gene_panel_<panel id>.txt before the study",
    file=sys.stderr,
)
