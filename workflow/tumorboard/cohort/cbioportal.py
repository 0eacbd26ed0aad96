"""The cohort as a cBioPortal study directory: the MAF and discrete copy-number table of
:mod:`tumorboard.cohort.formats` plus the meta files, clinical files and case lists cBioPortal
needs to import them.

File formats follow cBioPortal's "File Formats" documentation (docs.cbioportal.org/file-formats)
and the fields its validator (cbioportal-core ``validateData.py``, ``cbioportal_common.py``)
requires or allows in each meta file.  :func:`tumorboard.cohort.validate.check_study` repeats
the checks of that validator that concern the study's own consistency, so a study that fails
them is never written.

Sample ids are the tumour sample names of the sample sheet (the MAF's Tumor_Sample_Barcode and
the CNA table's columns); patient ids are the sheet's patients.  Every tumour sample is in the
``_sequenced`` case list: its mutations were called on the panel (or imported from a VCF), so a
sample without a MAF record is profiled and wild type, not missing.  Only samples with gene
copy-number calls are in ``_cna``.

"Profiled" means profiled for the panel's genes only: without gene-panel data cBioPortal counts a
sample as profiled for every gene of the genome and would show NRAS, say, as wild type although
tumorboard never sequenced it.  The gene panel matrix (``data_gene_panel_matrix.txt``, one column
per profile) assigns each sample a gene panel, ``data_gene_panel_<panel id>.txt``; panels are
global in a portal, so their ids derive from the study id, and they are imported before the study
(``importGenePanel.py --data data_gene_panel_<panel id>.txt``).
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from tumorboard.cohort.formats import cna_table
from tumorboard.cohort.tables import best_tier, item_tier
from tumorboard.cohort.validate import (
    CASE_LIST_CATEGORIES,
    GENOME,
    STUDY_ID,
    check_study,
    panel_file,
)
from tumorboard.knowledge import tumour_types

RUO = (
    "Research use only: tumorboard is research software, its findings have not been validated "
    "for clinical use and are not for diagnostic use or treatment decisions."
)

MUTATION_DATA = "data_mutations.txt"
CNA_DATA = "data_cna.txt"
PANEL_MATRIX_DATA = "data_gene_panel_matrix.txt"
MUTATION_PROFILE, CNA_PROFILE = "mutations", "cna"  # the profiles' stable_ids


# --------------------------------------------------------------------------- study


def oncotree_code(findings: dict, ontology: tumour_types.Ontology) -> str | None:
    """OncoTree code of the patient's tumour type; None for the ontology's root ("solid
    tumour"), which is tumorboard's own and not an OncoTree code."""
    code = ontology.resolve(findings["tumour_type"])
    return None if code == ontology.root else code


def type_of_cancer(cohort: Sequence[dict], ontology: tumour_types.Ontology) -> str:
    """meta_study's type_of_cancer: the lower-case OncoTree code shared by every patient, or
    "mixed" when the cohort holds several tumour types (or one without an OncoTree code)."""
    codes = {oncotree_code(f, ontology) for f in cohort}
    if len(codes) == 1 and None not in codes:
        return codes.pop().lower()
    return "mixed"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def meta_text(fields: dict[str, str]) -> str:
    return "".join(f"{k}: {_one_line(v)}\n" for k, v in fields.items())


def meta_study(
    cohort: Sequence[dict],
    study_id: str,
    genes: Sequence[str] = (),
    ontology: tumour_types.Ontology | None = None,
) -> dict[str, str]:
    ontology = ontology or tumour_types.load_ontology()
    if not STUDY_ID.match(study_id):
        raise ValueError(
            f"cBioPortal study id {study_id!r}: only lower-case letters, digits and '_' allowed"
        )
    if not cohort:
        raise ValueError("a cBioPortal study needs at least one patient")
    cancer = type_of_cancer(cohort, ontology)
    types = sorted({ontology.name(ontology.resolve(f["tumour_type"])) for f in cohort})
    what = types[0] if len(types) == 1 else "mixed tumour types"
    n = len(cohort)
    panel = f"a targeted panel of {len(genes)} genes ({', '.join(genes)})" if genes else "a panel"
    build = cohort[0]["reference"]["build"]
    n_cna = len(cna_table(cohort)[0]) - 1
    return {
        "type_of_cancer": cancer,
        "cancer_study_identifier": study_id,
        "name": f"tumorboard: {what} ({n} patient{'s' if n != 1 else ''}, research use only)",
        "short_name": "tumorboard (RUO)",
        "description": (
            f"Somatic SNVs/indels of {n} tumour sample(s), gene copy number of {n_cna}, from "
            f"the tumorboard workflow: {panel}, {build}, MANE Select transcripts; AMP/ASCO/CAP "
            f"tiers in the mutation driver-tier columns. Tumour types: {', '.join(types)}. {RUO}"
        ),
        "add_global_case_list": "true",
        "reference_genome": GENOME[build],
    }


# --------------------------------------------------------------------------- clinical

# (column, display name, description, datatype)
SAMPLE_ATTRIBUTES = [
    ("PATIENT_ID", "Patient Identifier", "Patient identifier (sample sheet)", "STRING"),
    ("SAMPLE_ID", "Sample Identifier", "Tumour sample identifier (sample sheet)", "STRING"),
    ("CANCER_TYPE", "Cancer Type", "Tissue-level tumour type (OncoTree tissue)", "STRING"),
    (
        "CANCER_TYPE_DETAILED",
        "Cancer Type Detailed",
        "Tumour type of the sample sheet (resources/tumour_types.tsv)",
        "STRING",
    ),
    ("ONCOTREE_CODE", "Oncotree Code", "OncoTree code of the tumour type", "STRING"),
    (
        "TUMOR_PURITY",
        "Tumor Purity",
        "Tumour cell fraction given in the sample sheet (NA: not given)",
        "NUMBER",
    ),
    (
        "SOMATIC_STATUS",
        "Somatic Status",
        "Matched: called against the patient's normal; Unmatched: tumour-only or imported",
        "STRING",
    ),
    ("INPUT_TYPE", "Input", "Sequencing reads, or somatic calls imported from a VCF", "STRING"),
    ("QC_VERDICT", "QC Verdict", "tumorboard read-level QC verdict", "STRING"),
    (
        "BEST_AMP_TIER",
        "Best AMP/ASCO/CAP Tier",
        "Best AMP/ASCO/CAP 2017 tier among the sample's findings (NA: none tiered)",
        "STRING",
    ),
]
PATIENT_ATTRIBUTES = [
    ("PATIENT_ID", "Patient Identifier", "Patient identifier (sample sheet)", "STRING"),
    (
        "NORMAL_SAMPLE_ID",
        "Matched Normal",
        "Matched normal sample of the patient (NA: tumour-only or imported from a VCF)",
        "STRING",
    ),
]


def _na(value) -> str:
    return "NA" if value is None or value == "" else str(value)


def sample_rows(
    cohort: Sequence[dict], ontology: tumour_types.Ontology | None = None
) -> list[dict[str, str]]:
    ontology = ontology or tumour_types.load_ontology()
    rows = []
    for f in cohort:
        code = ontology.resolve(f["tumour_type"])
        lineage = ontology.ancestors(code)  # nearest first, root last
        tissue = lineage[-2] if len(lineage) > 1 else code
        from_vcf = (f.get("input") or {}).get("kind") == "vcf"
        rows.append(
            {
                "PATIENT_ID": f["patient"],
                "SAMPLE_ID": f["tumour_sample"],
                "CANCER_TYPE": ontology.name(tissue),
                "CANCER_TYPE_DETAILED": ontology.name(code),
                "ONCOTREE_CODE": _na(oncotree_code(f, ontology)),
                "TUMOR_PURITY": _na(f.get("purity")),
                "SOMATIC_STATUS": "Matched" if f.get("normal_sample") else "Unmatched",
                "INPUT_TYPE": "VCF" if from_vcf else "reads",
                "QC_VERDICT": f["qc"]["verdict"],
                "BEST_AMP_TIER": _na(best_tier(item_tier(i) for i in f.get("actionability") or [])),
            }
        )
    return rows


def patient_rows(cohort: Sequence[dict]) -> list[dict[str, str]]:
    return [
        {"PATIENT_ID": f["patient"], "NORMAL_SAMPLE_ID": _na(f.get("normal_sample"))}
        for f in cohort
    ]


def clinical_text(attributes: Sequence[tuple[str, str, str, str]], rows: Sequence[dict]) -> str:
    """Four '#' lines (display name, description, datatype, priority), the column header,
    then one line per row."""
    columns = [a[0] for a in attributes]
    lines = [
        "#" + "\t".join(a[1] for a in attributes),
        "#" + "\t".join(a[2] for a in attributes),
        "#" + "\t".join(a[3] for a in attributes),
        "#" + "\t".join("1" for _ in attributes),
        "\t".join(columns),
    ]
    for row in rows:
        values = [_one_line(row[c]) for c in columns]
        if any("\t" in v for v in values):
            raise ValueError(f"tab inside a clinical value: {values}")
        lines.append("\t".join(values))
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- profiles


def meta_mutations(study_id: str, genes: Sequence[str] = ()) -> dict[str, str]:
    panel = f" ({', '.join(genes)})" if genes else ""
    return {
        "cancer_study_identifier": study_id,
        "genetic_alteration_type": "MUTATION_EXTENDED",
        "datatype": "MAF",
        "stable_id": MUTATION_PROFILE,
        "show_profile_in_analysis_tab": "true",
        "profile_name": "Mutations (tumorboard)",
        "profile_description": (
            f"Somatic SNVs and indels on the tumorboard panel{panel}, called tumour vs matched "
            "normal (or tumour-only, or imported from a VCF) and annotated on MANE Select; "
            "cbp_driver_tiers holds the AMP/ASCO/CAP tier. Research use only."
        ),
        "data_filename": MUTATION_DATA,
    }


def meta_cna(study_id: str) -> dict[str, str]:
    return {
        "cancer_study_identifier": study_id,
        "genetic_alteration_type": "COPY_NUMBER_ALTERATION",
        "datatype": "DISCRETE",
        "stable_id": CNA_PROFILE,
        "show_profile_in_analysis_tab": "true",
        "profile_name": "Putative copy-number alterations (tumorboard)",
        "profile_description": (
            "Purity-adjusted gene copy number from panel read depth (tumour vs matched normal or "
            "pooled normals) or imported segments. Values: -2 = deep loss (homozygous deletion); "
            "-1 = loss; 0 = neutral; 1 = gain (equivocal); 2 = amplification; NA = not "
            "evaluable. Research use only."
        ),
        "data_filename": CNA_DATA,
    }


# --------------------------------------------------------------------------- gene panels


def panel_id(study_id: str, imported_vcf: bool = False) -> str:
    """Stable id of one of the study's gene panels: the panel tumorboard sequences, or
    (``imported_vcf``) the genes it reports for a sample started from a VCF.  Panels are global
    in a portal, so the id derives from the portal-unique study id: the same on every run,
    distinct between studies (cBioPortal does not ask for upper case)."""
    return f"{study_id}_panel_vcf" if imported_vcf else f"{study_id}_panel"


def _from_vcf(findings: dict) -> bool:
    return (findings.get("input") or {}).get("kind") == "vcf"


def panel_genes(genes: Sequence[str]) -> list[str]:
    """The gene symbols of the panel, in the configured order, each once."""
    symbols = list(dict.fromkeys(str(g).strip() for g in genes))
    if not symbols or any(not g or any(c.isspace() for c in g) for g in symbols):
        raise ValueError(f"a gene panel needs gene symbols without blanks, got {list(genes)}")
    return symbols


def gene_panel(study_id: str, genes: Sequence[str], imported_vcf: bool = False) -> dict[str, str]:
    """The fields of a gene panel file: stable_id, description, gene_list (tab-separated)."""
    symbols = panel_genes(genes)
    n = len(symbols)
    if imported_vcf:
        description = (
            f"tumorboard, study {study_id}: genes reported for samples started from somatic "
            f"calls imported from a VCF. tumorboard keeps calls in these {n} panel genes only "
            "(calls in other genes are not findings), so no other gene is profiled; whether the "
            "original caller covered all of these genes is not known, so a gene without a call "
            "is only as wild type as that assay. Research use only."
        )
    else:
        description = (
            f"tumorboard targeted panel, study {study_id}: coding exons (with splice-site "
            f"padding) of {n} genes, sequenced and called by the tumorboard workflow. "
            "Research use only."
        )
    return {
        "stable_id": panel_id(study_id, imported_vcf),
        "description": description,
        "gene_list": "\t".join(symbols),
    }


def gene_panel_matrix(
    cohort: Sequence[dict], study_id: str
) -> tuple[list[str], list[dict[str, str]]]:
    """(columns, rows): SAMPLE_ID, then one column per profile (``mutations``, and ``cna`` when
    the study has a CNA profile) holding the sample's gene panel, NA where the sample is not
    profiled (a sample without copy-number calls in the ``cna`` column)."""
    cna_samples = set(cna_table(cohort)[0][1:])
    columns = ["SAMPLE_ID", MUTATION_PROFILE] + ([CNA_PROFILE] if cna_samples else [])
    rows = []
    for f in cohort:
        # A sample started from a VCF was not sequenced on the panel and the original caller's
        # scope is unknown.  NA would not say "unknown": cBioPortal counts a sample of the
        # _sequenced list without a panel as profiled for every gene, and tumorboard keeps only
        # the VCF's calls in panel genes (findings.variants_from_vcf; the rest are counted or
        # listed as unannotated), so an NRAS G12D in the VCF would show as NRAS wild type.  The
        # sequenced panel's id would claim tumorboard sequenced the sample.  Such samples get a
        # panel of their own instead: the same genes, the most tumorboard can report for them,
        # whose description says the caller's coverage of them is unknown (the portal's gene
        # panel chart keeps the two groups apart).  Copy number imported with the VCF is called
        # for the same genes, so its column gets the same panel.
        panel = panel_id(study_id, imported_vcf=_from_vcf(f))
        row = {"SAMPLE_ID": f["tumour_sample"], MUTATION_PROFILE: panel}
        if cna_samples:
            row[CNA_PROFILE] = panel if f["tumour_sample"] in cna_samples else "NA"
        rows.append(row)
    return columns, rows


def study_panels(cohort: Sequence[dict], study_id: str) -> list[str]:
    """The panel ids the study's samples use (the sequenced panel first)."""
    return [
        panel_id(study_id, imported)
        for imported in (False, True)
        if any(_from_vcf(f) == imported for f in cohort)
    ]


def _tsv_text(columns: Sequence[str], rows: Sequence[dict[str, str]]) -> str:
    return "".join(
        "\t".join(line) + "\n" for line in [columns, *([r[c] for c in columns] for r in rows)]
    )


# --------------------------------------------------------------------------- case lists


def case_list(study_id: str, suffix: str, samples: Sequence[str]) -> dict[str, str]:
    what = {
        "sequenced": ("Samples with mutation data", "Tumour samples with panel mutation calls"),
        "cna": ("Samples with CNA data", "Tumour samples with gene copy-number calls"),
        "cnaseq": (
            "Samples with mutation and CNA data",
            "Tumour samples with both mutation and gene copy-number calls",
        ),
    }[suffix]
    return {
        "cancer_study_identifier": study_id,
        "stable_id": f"{study_id}_{suffix}",
        "case_list_name": what[0],
        "case_list_description": f"{what[1]} ({len(samples)} samples)",
        "case_list_category": CASE_LIST_CATEGORIES[suffix],
        "case_list_ids": "\t".join(samples),
    }


def _listing_text(fields: dict[str, str], listing: str) -> str:
    """Like meta_text, but the ``listing`` field (last) keeps its tabs."""
    head = meta_text({k: v for k, v in fields.items() if k != listing})
    return head + f"{listing}: {fields[listing]}\n"


def case_list_text(fields: dict[str, str]) -> str:
    return _listing_text(fields, "case_list_ids")


def gene_panel_text(fields: dict[str, str]) -> str:
    return _listing_text(fields, "gene_list")


def study_files(
    study_id: str, copy_number: bool, reads_start: bool = True, vcf_start: bool = False
) -> list[str]:
    """The study's files, relative to its directory (the rule's outputs): the CNA profile when
    some sample has copy number, the gene panel file of each panel some sample uses (the
    sequenced panel: some tumour started from reads; the VCF panel: some from a VCF)."""
    files = [
        "meta_study.txt",
        "meta_clinical_sample.txt",
        "data_clinical_sample.txt",
        "meta_clinical_patient.txt",
        "data_clinical_patient.txt",
        "meta_mutations_extended.txt",
        MUTATION_DATA,
        "case_lists/cases_sequenced.txt",
    ]
    if copy_number:
        files += [
            "meta_CNA.txt",
            CNA_DATA,
            "case_lists/cases_cna.txt",
            "case_lists/cases_cnaseq.txt",
        ]
    files += ["meta_gene_panel_matrix.txt", PANEL_MATRIX_DATA]
    files += [
        panel_file(panel_id(study_id, imported))
        for imported, used in ((False, reads_start), (True, vcf_start))
        if used
    ]
    return files


def study_texts(
    cohort: Sequence[dict],
    study_id: str,
    genes: Sequence[str] = (),
    ontology: tumour_types.Ontology | None = None,
) -> dict[str, str]:
    """Every file of the study except the MAF and the CNA table (copied from the cohort view):
    relative path -> text.  The CNA profile is there only when some sample has copy number."""
    ontology = ontology or tumour_types.load_ontology()
    genes = panel_genes(genes)
    samples = [f["tumour_sample"] for f in cohort]
    cna_samples = cna_table(cohort)[0][1:]
    texts = {
        "meta_study.txt": meta_text(meta_study(cohort, study_id, genes, ontology)),
        "meta_clinical_sample.txt": meta_text(
            {
                "cancer_study_identifier": study_id,
                "genetic_alteration_type": "CLINICAL",
                "datatype": "SAMPLE_ATTRIBUTES",
                "data_filename": "data_clinical_sample.txt",
            }
        ),
        "data_clinical_sample.txt": clinical_text(SAMPLE_ATTRIBUTES, sample_rows(cohort, ontology)),
        "meta_clinical_patient.txt": meta_text(
            {
                "cancer_study_identifier": study_id,
                "genetic_alteration_type": "CLINICAL",
                "datatype": "PATIENT_ATTRIBUTES",
                "data_filename": "data_clinical_patient.txt",
            }
        ),
        "data_clinical_patient.txt": clinical_text(PATIENT_ATTRIBUTES, patient_rows(cohort)),
        "meta_mutations_extended.txt": meta_text(meta_mutations(study_id, genes)),
        "case_lists/cases_sequenced.txt": case_list_text(case_list(study_id, "sequenced", samples)),
    }
    if cna_samples:
        cnaseq = [s for s in samples if s in cna_samples]
        texts["meta_CNA.txt"] = meta_text(meta_cna(study_id))
        texts["case_lists/cases_cna.txt"] = case_list_text(case_list(study_id, "cna", cna_samples))
        texts["case_lists/cases_cnaseq.txt"] = case_list_text(case_list(study_id, "cnaseq", cnaseq))
    texts["meta_gene_panel_matrix.txt"] = meta_text(
        {
            "cancer_study_identifier": study_id,
            "genetic_alteration_type": "GENE_PANEL_MATRIX",
            "datatype": "GENE_PANEL_MATRIX",
            "data_filename": PANEL_MATRIX_DATA,
        }
    )
    texts[PANEL_MATRIX_DATA] = _tsv_text(*gene_panel_matrix(cohort, study_id))
    for panel in study_panels(cohort, study_id):
        imported = panel != panel_id(study_id)
        texts[panel_file(panel)] = gene_panel_text(gene_panel(study_id, genes, imported))
    return texts


# --------------------------------------------------------------------------- writer


def write_study(
    cohort: Sequence[dict],
    out_dir: str | Path,
    maf: str | Path,
    cna: str | Path,
    study_id: str,
    genes: Sequence[str] = (),
    ontology: tumour_types.Ontology | None = None,
) -> list[str]:
    """Write the study directory (the cohort's MAF and CNA table copied in as its data files)
    and return the files written, relative to it; refuse a study ``check_study`` rejects."""
    root = Path(out_dir)
    texts = study_texts(cohort, study_id, genes, ontology)
    (root / "case_lists").mkdir(parents=True, exist_ok=True)
    # a profile or gene panel of an earlier run (or study id) would be imported
    for name in study_files(study_id, copy_number=True, vcf_start=True):
        (root / name).unlink(missing_ok=True)
    for stale in root.glob("data_gene_panel_*.txt"):
        stale.unlink()
    for name, text in texts.items():
        (root / name).write_text(text, encoding="utf-8")
    written = list(texts)
    shutil.copyfile(maf, root / MUTATION_DATA)
    written.append(MUTATION_DATA)
    if "meta_CNA.txt" in texts:
        shutil.copyfile(cna, root / CNA_DATA)
        written.append(CNA_DATA)
    problems = check_study(root)
    if problems:
        raise ValueError("cBioPortal study not importable:\n  " + "\n  ".join(problems))
    return sorted(written)
