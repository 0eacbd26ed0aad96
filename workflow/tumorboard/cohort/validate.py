"""cBioPortal's rules for a study directory, and ``check_study``, which repeats the checks of its
validator (cbioportal-core ``validateData.py``, ``cbioportal_common.py``) that concern the study's
own consistency: meta-file fields, identifiers, clinical headers, sample ids, case lists, gene
panels and the MAF / CNA samples.  It does not know the portal's gene table or cancer types,
which only a running portal can check.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

STUDY_ID = re.compile(r"^[a-z0-9_]+$")  # validateData.py VALID_STUDY_ID_REGEX
SAMPLE_ID = re.compile(r"^[A-Za-z0-9._()\[\]',+\-:;]{1,63}$")  # its allowed characters, <= 63
GENOME = {"GRCh38": "hg38", "GRCh37": "hg19"}

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


def panel_file(panel: str) -> str:
    """The gene panel file's name, as in the docs' ``data_gene_panel_<panel>.txt``."""
    return f"data_gene_panel_{panel}.txt"


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
