"""The cohort as a cBioPortal study directory: the MAF and discrete copy-number table of
``tumorboard.cohort`` plus the meta files, clinical files and case lists cBioPortal needs to
import them.

File formats follow cBioPortal's "File Formats" documentation (docs.cbioportal.org/file-formats)
and the fields its validator (cbioportal-core ``validateData.py``, ``cbioportal_common.py``)
requires or allows in each meta file.  ``check_study`` repeats the checks of that validator that
concern the study's own consistency (fields, identifiers, clinical headers, sample ids, case lists),
so a study that fails them is never written; it does not know the portal's gene table or cancer
types, which only a running portal can check.

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

import re
import shutil
from collections.abc import Sequence
from pathlib import Path

from tumorboard import tumour_types
from tumorboard.cohort import best_tier, cna_table, item_tier

STUDY_ID = re.compile(r"^[a-z0-9_]+$")  # validateData.py VALID_STUDY_ID_REGEX
SAMPLE_ID = re.compile(r"^[A-Za-z0-9._()\[\]',+\-:;]{1,63}$")  # its allowed characters, <= 63
GENOME = {"GRCh38": "hg38", "GRCh37": "hg19"}
RUO = (
    "Research use only: tumorboard is research software, its findings have not been validated "
    "for clinical use and are not for diagnostic use or treatment decisions."
)

MUTATION_DATA = "data_mutations.txt"
CNA_DATA = "data_cna.txt"
PANEL_MATRIX_DATA = "data_gene_panel_matrix.txt"
MUTATION_PROFILE, CNA_PROFILE = "mutations", "cna"  # the profiles' stable_ids

# fields of each meta file: True = required, False = optional (cbioportal_common.META_FIELD_MAP)
META_FIELDS = {
    "study": {
        "cancer_study_identifier": True,
        "type_of_cancer": True,
        "name": True,
        "description": True,
        "short_name": True,
        "citation": False,
        "pmid": False,
        "groups": False,
        "add_global_case_list": False,
        "tags_file": False,
        "reference_genome": False,
    },
    "clinical": dict.fromkeys(
        ["cancer_study_identifier", "genetic_alteration_type", "datatype", "data_filename"], True
    ),
    "profile": {
        **dict.fromkeys(
            [
                "cancer_study_identifier",
                "genetic_alteration_type",
                "datatype",
                "stable_id",
                "show_profile_in_analysis_tab",
                "profile_name",
                "profile_description",
                "data_filename",
            ],
            True,
        ),
        "gene_panel": False,
        "pd_annotations_filename": False,
        "normal_samples_list": False,
        "swissprot_identifier": False,
        "variant_classification_filter": False,
        "namespaces": False,
    },
    "gene_panel_matrix": dict.fromkeys(
        ["cancer_study_identifier", "genetic_alteration_type", "datatype", "data_filename"], True
    ),
    # a gene panel file (Import-Gene-Panels docs): meta-file format, not a meta file of the study
    "gene_panel": dict.fromkeys(["stable_id", "description", "gene_list"], True),
    "case_list": {
        "cancer_study_identifier": True,
        "stable_id": True,
        "case_list_name": True,
        "case_list_description": True,
        "case_list_ids": True,
        "case_list_category": False,
    },
}
CASE_LIST_CATEGORIES = {
    "sequenced": "all_cases_with_mutation_data",
    "cna": "all_cases_with_cna_data",
    "cnaseq": "all_cases_with_mutation_and_cna_data",
}
CLINICAL_DATATYPES = {"STRING", "NUMBER", "BOOLEAN"}
CLINICAL_NULL = {"", "na", "[not applicable]", "[not available]", "[pending]", "[null]"}
BANNED_CLINICAL = {"MUTATION_COUNT", "FRACTION_GENOME_ALTERED"}  # the portal computes these
CNA_VALUES = {"-2", "-1.5", "-1", "0", "1", "2", "NA"}


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


def panel_file(panel: str) -> str:
    """The gene panel file's name, as in the docs' ``data_gene_panel_<panel>.txt``."""
    return f"data_gene_panel_{panel}.txt"


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


# --------------------------------------------------------------------------- checks


def read_meta(path: str | Path) -> dict[str, str]:
    """A meta or case-list file: "key: value" lines (the value may hold ':' and tabs)."""
    fields: dict[str, str] = {}
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise ValueError(f"{path}: line {n} is not 'key: value'")
        fields[key.strip()] = value.strip(" ")
    return fields


def _meta_kind(fields: dict[str, str]) -> str:
    if "type_of_cancer" in fields:
        return "study"
    if fields.get("genetic_alteration_type") == "CLINICAL":
        return "clinical"
    if fields.get("genetic_alteration_type") == "GENE_PANEL_MATRIX":
        return "gene_panel_matrix"
    return "profile"


def _table(path: Path) -> tuple[list[str], list[list[str]], list[list[str]]]:
    """(leading '#' lines split on tabs, header, data rows) of a TSV."""
    comments, rows = [], []
    with open(path, newline="", encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not rows and line.startswith("#"):
                comments.append(line[1:].split("\t"))
            else:
                rows.append(line.split("\t"))
    return comments, rows[0] if rows else [], rows[1:]


def _check_clinical(path: Path, id_columns: Sequence[str]) -> list[str]:
    problems: list[str] = []
    comments, header, rows = _table(path)
    if len(comments) != 4:
        return [f"{path.name}: {len(comments)} '#' header lines, cBioPortal needs 4"]
    for i, line in enumerate(comments):
        if len(line) != len(header):
            problems.append(
                f"{path.name}: '#' line {i + 1} has {len(line)} columns, header has {len(header)}"
            )
        if any(v.strip().lower() in CLINICAL_NULL for v in line):
            problems.append(f"{path.name}: empty value in '#' line {i + 1}")
    datatypes = comments[2]
    if not set(datatypes) <= CLINICAL_DATATYPES:
        problems.append(f"{path.name}: datatypes {sorted(set(datatypes) - CLINICAL_DATATYPES)}")
    if not all(p.isdigit() for p in comments[3]):
        problems.append(f"{path.name}: priorities must be integers >= 0")
    for column in id_columns:
        if column not in header:
            problems.append(f"{path.name}: no {column} column")
    for column in header:
        if not column.isupper() or column in BANNED_CLINICAL:
            problems.append(f"{path.name}: column {column} not allowed (upper case, not computed)")
    for n, row in enumerate(rows, 6):
        if len(row) != len(header):
            problems.append(f"{path.name}: line {n} has {len(row)} columns, header {len(header)}")
            continue
        for value, kind, column in zip(row, datatypes, header, strict=False):
            if column in id_columns and value.strip().lower() in CLINICAL_NULL:
                problems.append(f"{path.name}: line {n}: empty {column}")
            if kind == "NUMBER" and value.strip().lower() not in CLINICAL_NULL:
                try:
                    float(value)
                except ValueError:
                    problems.append(f"{path.name}: line {n}: {column} {value!r} is not a number")
    return problems


def _column(rows: list[list[str]], header: list[str], name: str) -> list[str]:
    """The column's values; none when the header lacks it (reported by the caller)."""
    if name not in header:
        return []
    i = header.index(name)
    return [r[i] for r in rows if len(r) > i]


def _fields_problems(name: str, fields: dict[str, str], kind: str) -> list[str]:
    allowed = META_FIELDS[kind]
    missing = [k for k, required in allowed.items() if required and not fields.get(k)]
    unknown = sorted(set(fields) - set(allowed))
    return [f"{name}: missing {missing}, unknown {unknown}"] if missing or unknown else []


def _read_panels(root: Path, data_files: set[str]) -> tuple[dict[str, set[str]], list[str]]:
    """The study's gene panel files (``data_gene_panel_*.txt`` other than a meta file's data
    file): panel id -> genes, and what is wrong with them."""
    panels: dict[str, set[str]] = {}
    problems: list[str] = []
    for path in sorted(root.glob("data_gene_panel_*.txt")):
        if path.name in data_files:
            continue
        try:
            fields = read_meta(path)
        except ValueError as err:
            problems.append(str(err))
            continue
        problems += _fields_problems(path.name, fields, "gene_panel")
        panel = fields.get("stable_id", "")
        genes = [g.strip() for g in fields.get("gene_list", "").split("\t")]
        if path.name != panel_file(panel):
            problems.append(f"{path.name}: stable_id {panel!r} does not match the file name")
        if panel in panels:
            problems.append(f"{path.name}: gene panel {panel!r} defined twice")
        if any(not g or " " in g for g in genes) or len(set(genes)) != len(genes):
            problems.append(f"{path.name}: gene_list needs tab-separated genes, each once")
        panels[panel] = set(genes)
    return panels, problems


def _check_panel_matrix(
    root: Path,
    matrix: dict[str, str] | None,
    profiles: dict[str, dict[str, str]],
    panels: dict[str, set[str]],
    defined: set[str],
    listed: dict[str, list[str]],
) -> tuple[dict[str, dict[str, str]], list[str]]:
    """What cBioPortal's validator checks in the gene panel matrix (a SAMPLE_ID column, then
    only profiles' stable_ids; samples defined once and in the clinical file; panels present;
    a non-NA mutation panel only for _sequenced samples; a column or a gene_panel property, not
    both) and that no profiled sample is left without a panel, which cBioPortal reads as
    profiled for every gene.  Returns profile stable_id -> sample -> panel id."""
    problems: list[str] = []
    assigned: dict[str, dict[str, str]] = {}
    columns: list[str] = []
    if matrix is not None:
        name = matrix["data_filename"]
        _, header, rows = _table(root / name)
        if header[:1] != ["SAMPLE_ID"]:
            return {}, [f"{name}: the first column must be SAMPLE_ID"]
        columns = header[1:]
        unknown = [c for c in columns if c not in profiles]
        if unknown or len(set(columns)) != len(columns):
            problems.append(
                f"{name}: columns {columns} must be distinct stable_ids of the study's "
                f"profiles {sorted(profiles)}"
            )
        seen: set[str] = set()
        for n, row in enumerate(rows, 2):
            if len(row) != len(header):
                problems.append(f"{name}: line {n} has {len(row)} columns, header {len(header)}")
                continue
            sample = row[0]
            if sample in seen:
                problems.append(f"{name}: sample {sample} appears twice")
            seen.add(sample)
            for column, panel in zip(columns, row[1:], strict=True):
                assigned.setdefault(column, {})[sample] = panel
        if seen - defined:
            problems.append(f"{name}: samples not in the clinical file: {sorted(seen - defined)}")
    used = {p for by_sample in assigned.values() for p in by_sample.values()} - {"NA"}
    for stable, fields in profiles.items():
        panel = fields.get("gene_panel")
        if panel and stable in columns:
            problems.append(f"profile {stable}: gene_panel property and a matrix column")
        elif panel:
            used.add(panel)
        elif stable not in columns:
            problems.append(
                f"profile {stable} has no gene panel (matrix column or gene_panel property): "
                "cBioPortal would count its samples as profiled for every gene"
            )
    for panel in sorted(used - set(panels)):
        problems.append(f"gene panel {panel!r} has no gene panel file {panel_file(panel)}")
    for panel in sorted(set(panels) - used):
        problems.append(f"{panel_file(panel)}: gene panel {panel!r} is used by no sample")
    case_list_of = {"MUTATION_EXTENDED": "sequenced", "COPY_NUMBER_ALTERATION": "cna"}
    for stable, by_sample in assigned.items():
        suffix = case_list_of.get(profiles.get(stable, {}).get("genetic_alteration_type", ""))
        if suffix is None or suffix not in listed:
            continue
        with_panel = {s for s, p in by_sample.items() if p != "NA"}
        if with_panel - set(listed[suffix]):
            problems.append(
                f"samples with a {stable} gene panel but not in _{suffix}: "
                f"{sorted(with_panel - set(listed[suffix]))}"
            )
        if set(listed[suffix]) - with_panel:
            problems.append(
                f"_{suffix} samples without a {stable} gene panel (cBioPortal would count them "
                f"as profiled for every gene): {sorted(set(listed[suffix]) - with_panel)}"
            )
    return assigned, problems


def check_study(study_dir: str | Path) -> list[str]:
    """What cBioPortal's validator would reject in the study's own files (empty: none).

    Meta fields required/allowed per file type; one cancer_study_identifier everywhere; every
    data_filename present; clinical files with four '#' lines of the header's width; sample ids
    of the MAF, the CNA table and the case lists all defined in the clinical sample file, and
    patients in both clinical files; CNA values -2..2 / NA; case lists with the study's prefix,
    _sequenced covering every MAF sample and _cna (and _cnaseq) exactly the CNA table's samples;
    the gene panel matrix and panel files (``_check_panel_matrix``), and no mutation or copy-number
    call in a gene outside its sample's panel (the validator's "off panel variant").
    """
    root = Path(study_dir)
    problems: list[str] = []
    metas = {p.name: read_meta(p) for p in sorted(root.glob("meta_*.txt"))}
    study = metas.get("meta_study.txt")
    if study is None:
        return ["no meta_study.txt"]
    study_id = study.get("cancer_study_identifier", "")
    if not STUDY_ID.match(study_id):
        problems.append(f"meta_study.txt: study id {study_id!r} is not [a-z0-9_]+")
    by_type: dict[tuple[str, str], dict[str, str]] = {}
    profiles: dict[str, dict[str, str]] = {}  # stable_id -> meta fields
    for name, fields in metas.items():
        kind = _meta_kind(fields)
        problems += _fields_problems(name, fields, kind)
        if kind == "profile" and fields.get("stable_id"):
            profiles[fields["stable_id"]] = fields
        if fields.get("cancer_study_identifier") != study_id:
            problems.append(f"{name}: cancer_study_identifier differs from meta_study.txt")
        if "data_filename" in fields:
            if not (root / fields["data_filename"]).is_file():
                problems.append(f"{name}: data_filename {fields['data_filename']} not found")
                continue
            by_type[(fields.get("genetic_alteration_type", ""), fields.get("datatype", ""))] = (
                fields
            )

    clinical = by_type.get(("CLINICAL", "SAMPLE_ATTRIBUTES"))
    if clinical is None:
        return [*problems, "no clinical sample file"]
    sample_file = root / clinical["data_filename"]
    problems += _check_clinical(sample_file, ["PATIENT_ID", "SAMPLE_ID"])
    _, header, rows = _table(sample_file)
    samples = _column(rows, header, "SAMPLE_ID")
    sample_patients = set(_column(rows, header, "PATIENT_ID"))
    if len(set(samples)) != len(samples):
        problems.append("data_clinical_sample.txt: a SAMPLE_ID appears twice")
    problems += [
        f"sample id {s!r} not allowed by cBioPortal" for s in samples if not SAMPLE_ID.match(s)
    ]
    defined = set(samples)
    patient_meta = by_type.get(("CLINICAL", "PATIENT_ATTRIBUTES"))
    if patient_meta is not None:
        patient_file = root / patient_meta["data_filename"]
        problems += _check_clinical(patient_file, ["PATIENT_ID"])
        _, p_header, p_rows = _table(patient_file)
        patients = set(_column(p_rows, p_header, "PATIENT_ID"))
        if patients != sample_patients:
            problems.append(
                f"patients differ between the clinical files: {sorted(patients ^ sample_patients)}"
            )

    case_lists = {p.name: read_meta(p) for p in sorted((root / "case_lists").glob("*.txt"))}
    listed: dict[str, list[str]] = {}
    for name, fields in case_lists.items():
        allowed = META_FIELDS["case_list"]
        missing = [k for k, required in allowed.items() if required and not fields.get(k)]
        unknown = sorted(set(fields) - set(allowed))
        if missing or unknown:
            problems.append(f"case_lists/{name}: missing {missing}, unknown {unknown}")
        if fields.get("cancer_study_identifier") != study_id:
            problems.append(f"case_lists/{name}: cancer_study_identifier differs")
        stable = fields.get("stable_id", "")
        if not stable.startswith(f"{study_id}_"):
            problems.append(f"case_lists/{name}: stable_id {stable!r} lacks the study prefix")
        category = fields.get("case_list_category")
        if category and category not in {*CASE_LIST_CATEGORIES.values(), "other"}:
            problems.append(f"case_lists/{name}: unknown case_list_category {category}")
        ids = fields.get("case_list_ids", "").split("\t")
        undefined = sorted(set(ids) - defined)
        if undefined:
            problems.append(f"case_lists/{name}: samples not in the clinical file: {undefined}")
        listed[stable.removeprefix(f"{study_id}_")] = ids

    data_files = {f["data_filename"] for f in metas.values() if "data_filename" in f}
    panels, panel_problems = _read_panels(root, data_files)
    problems += panel_problems
    assigned, matrix_problems = _check_panel_matrix(
        root,
        by_type.get(("GENE_PANEL_MATRIX", "GENE_PANEL_MATRIX")),
        profiles,
        panels,
        defined,
        listed,
    )
    problems += matrix_problems

    def off_panel(profile: dict[str, str], calls: set[tuple[str, str]]) -> None:
        """Report (sample, gene) calls outside the sample's gene panel in this profile."""
        stable = profile.get("stable_id", "")
        off = sorted(
            (sample, gene)
            for sample, gene in calls
            if (panel := assigned.get(stable, {}).get(sample, profile.get("gene_panel"))) in panels
            and gene not in panels[panel]
        )
        if off:
            problems.append(f"{stable} calls outside the sample's gene panel: {off}")

    mutations = by_type.get(("MUTATION_EXTENDED", "MAF"))
    if mutations is not None:
        _, m_header, m_rows = _table(root / mutations["data_filename"])
        off_panel(
            mutations,
            set(
                zip(
                    _column(m_rows, m_header, "Tumor_Sample_Barcode"),
                    _column(m_rows, m_header, "Hugo_Symbol"),
                    strict=False,
                )
            ),
        )
        barcodes = set(_column(m_rows, m_header, "Tumor_Sample_Barcode"))
        if "Tumor_Sample_Barcode" not in m_header:
            problems.append("MAF: no Tumor_Sample_Barcode column")
        builds = set(_column(m_rows, m_header, "NCBI_Build"))
        genome = {v: k for k, v in GENOME.items()}.get(study.get("reference_genome", "hg19"))
        if builds - {genome}:
            problems.append(
                f"MAF NCBI_Build {sorted(builds)} is not meta_study's reference_genome {genome}"
            )
        if barcodes - defined:
            problems.append(f"MAF samples not in the clinical file: {sorted(barcodes - defined)}")
        if "sequenced" not in listed:
            problems.append("mutation data without a _sequenced case list")
        elif barcodes - set(listed["sequenced"]):
            problems.append(
                f"MAF samples not in _sequenced: {sorted(barcodes - set(listed['sequenced']))}"
            )
    cna = by_type.get(("COPY_NUMBER_ALTERATION", "DISCRETE"))
    if cna is not None:
        _, c_header, c_rows = _table(root / cna["data_filename"])
        cna_samples = c_header[1:] if c_header[:1] == ["Hugo_Symbol"] else []
        if not cna_samples:
            problems.append("CNA table: needs Hugo_Symbol then at least one sample column")
        if set(cna_samples) - defined:
            problems.append(
                f"CNA samples not in the clinical file: {sorted(set(cna_samples) - defined)}"
            )
        bad = {v for r in c_rows for v in r[1:]} - CNA_VALUES
        if bad:
            problems.append(f"CNA values other than -2..2 / NA: {sorted(bad)}")
        off_panel(
            cna,
            {
                (sample, r[0])
                for r in c_rows
                for sample, value in zip(cna_samples, r[1:], strict=False)
                if value != "NA"
            },
        )
        if sorted(listed.get("cna", [])) != sorted(cna_samples):
            problems.append("_cna case list is not exactly the CNA table's samples")
        if "sequenced" in listed:
            both = sorted(set(cna_samples) & set(listed["sequenced"]))
            if sorted(listed.get("cnaseq", [])) != both:
                problems.append("_cnaseq case list is not the samples with mutation and CNA data")
    return problems


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
