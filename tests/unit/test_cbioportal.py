"""cBioPortal study directory: what cBioPortal's importer and validator check in a study's own
files (meta fields, one study id, data files present, clinical headers, sample ids, case lists)."""

import copy
import json

import pytest
from test_cohort import EXAMPLE, item, other_patient

from tumorboard.cohort import cbioportal, formats, tables, validate

STUDY = "tumorboard_test"
GENES = ["BRAF", "CDKN2A", "EGFR", "ERBB2", "KRAS", "TP53"]


@pytest.fixture
def example():
    return json.loads(EXAMPLE.read_text())


def vcf_patient(findings, pid):
    """A patient imported from a VCF: no normal, no purity, no read QC, no copy number."""
    doc = other_patient(findings, pid)
    doc["normal_sample"], doc["purity"] = None, None
    doc["input"] = {"kind": "vcf", "vcf": f"{pid}.vcf.gz"}
    doc["qc"] = {"verdict": "not assessed", "reasons": [], "samples": []}
    doc["copy_number"] = []
    return doc


@pytest.fixture
def cohort_docs(example):
    """Matched pair with mutations and copy number, a second one without mutations, and a
    VCF-imported patient (mutations, no copy number) of another tumour type."""
    example["actionability"] = [item(["/variants/0"], "KRAS", "KRAS p.G12D", "II", "C")]
    wild_type = other_patient(example, "P2")
    wild_type["variants"], wild_type["actionability"] = [], []
    imported = vcf_patient(example, "P3")
    imported["tumour_type"] = "lung adenocarcinoma"
    return [example, wild_type, imported]


def write(tmp_path, docs, study_id=STUDY):
    maf, cna = tmp_path / "mutations.maf", tmp_path / "cna.txt"
    formats.write_maf(formats.maf_rows(docs), maf)
    columns, rows = formats.cna_table(docs)
    tables.write_tsv(rows, columns, cna)
    out = tmp_path / "cbioportal"
    written = cbioportal.write_study(docs, out, maf, cna, study_id, GENES)
    return out, written


def tsv(path):
    """('#' lines, header, rows) of a tab-separated file."""
    lines = path.read_text().splitlines()
    comments = [ln[1:].split("\t") for ln in lines if ln.startswith("#")]
    body = [ln.split("\t") for ln in lines if not ln.startswith("#")]
    return comments, body[0], body[1:]


def column(path, name):
    _, header, rows = tsv(path)
    return [r[header.index(name)] for r in rows]


# --------------------------------------------------------------------------- the study


def test_study_directory_holds_the_declared_files(cohort_docs, tmp_path):
    out, written = write(tmp_path, cohort_docs)
    assert written == sorted(cbioportal.study_files(STUDY, copy_number=True, vcf_start=True))
    on_disk = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert on_disk == written
    assert validate.check_study(out) == []


def test_every_meta_file_names_an_existing_data_file_and_its_required_fields(cohort_docs, tmp_path):
    out, _ = write(tmp_path, cohort_docs)
    metas = {p.name: validate.read_meta(p) for p in out.glob("meta_*.txt")}
    assert set(metas) == {
        "meta_study.txt",
        "meta_clinical_sample.txt",
        "meta_clinical_patient.txt",
        "meta_mutations_extended.txt",
        "meta_CNA.txt",
        "meta_gene_panel_matrix.txt",
    }
    for name, fields in metas.items():
        if name != "meta_study.txt":
            assert (out / fields["data_filename"]).is_file(), name
    mutations, cna = metas["meta_mutations_extended.txt"], metas["meta_CNA.txt"]
    assert (mutations["genetic_alteration_type"], mutations["datatype"]) == (
        "MUTATION_EXTENDED",
        "MAF",
    )
    assert mutations["stable_id"] == "mutations"
    assert (cna["genetic_alteration_type"], cna["datatype"]) == (
        "COPY_NUMBER_ALTERATION",
        "DISCRETE",
    )
    assert cna["stable_id"] in {"gistic", "cna", "cna_rae", "cna_consensus"}
    assert "-2 = deep loss" in cna["profile_description"]
    study = metas["meta_study.txt"]
    assert study["type_of_cancer"] == "mixed"  # colorectal and lung adenocarcinoma
    assert study["add_global_case_list"] == "true" and study["reference_genome"] == "hg38"
    assert "Research use only" in study["description"]
    for fields in metas.values():
        assert all("\n" not in v for v in fields.values())


def test_one_study_identifier_across_meta_files_and_case_lists(cohort_docs, tmp_path):
    out, _ = write(tmp_path, cohort_docs)
    files = [*out.glob("meta_*.txt"), *(out / "case_lists").glob("*.txt")]
    assert len(files) == 9
    ids = {validate.read_meta(p)["cancer_study_identifier"] for p in files}
    assert ids == {STUDY}
    stable = {validate.read_meta(p)["stable_id"] for p in (out / "case_lists").glob("*.txt")}
    assert stable == {f"{STUDY}_sequenced", f"{STUDY}_cna", f"{STUDY}_cnaseq"}


def test_clinical_files_have_four_header_lines_of_the_header_width(cohort_docs, tmp_path):
    out, _ = write(tmp_path, cohort_docs)
    for name, ids in [
        ("data_clinical_sample.txt", ["PATIENT_ID", "SAMPLE_ID"]),
        ("data_clinical_patient.txt", ["PATIENT_ID"]),
    ]:
        comments, header, rows = tsv(out / name)
        assert len(comments) == 4, name
        assert header[: len(ids)] == ids
        assert all(len(line) == len(header) for line in comments), name
        assert all(len(row) == len(header) for row in rows), name
        assert set(comments[2]) <= {"STRING", "NUMBER", "BOOLEAN"}
        assert all(p.isdigit() for p in comments[3])
        assert all(c.isupper() for c in header)
        # cBioPortal detects the tab separator from the header and data lines: >= 2 columns
        assert len(header) >= 2
    lines = (out / "data_clinical_sample.txt").read_text().splitlines()
    assert [ln.startswith("#") for ln in lines[:5]] == [True, True, True, True, False]


def test_clinical_sample_values(cohort_docs, tmp_path):
    out, _ = write(tmp_path, cohort_docs)
    _, header, rows = tsv(out / "data_clinical_sample.txt")
    table = {r[header.index("SAMPLE_ID")]: dict(zip(header, r, strict=True)) for r in rows}
    assert list(table) == ["DEMO01-T", "P2-T", "P3-T"]  # the sheet's tumour sample names
    demo, imported = table["DEMO01-T"], table["P3-T"]
    assert demo["PATIENT_ID"] == "DEMO01"
    assert (demo["ONCOTREE_CODE"], demo["CANCER_TYPE_DETAILED"]) == (
        "COADREAD",
        "colorectal adenocarcinoma",
    )
    assert demo["CANCER_TYPE"] == "bowel cancer"
    assert (demo["TUMOR_PURITY"], demo["SOMATIC_STATUS"], demo["INPUT_TYPE"]) == (
        "0.6",
        "Matched",
        "reads",
    )
    assert demo["BEST_AMP_TIER"] == "IIC" and table["P2-T"]["BEST_AMP_TIER"] == "NA"
    assert (imported["ONCOTREE_CODE"], imported["CANCER_TYPE"]) == ("LUAD", "lung cancer")
    assert (imported["TUMOR_PURITY"], imported["SOMATIC_STATUS"], imported["INPUT_TYPE"]) == (
        "NA",
        "Unmatched",
        "VCF",
    )
    assert imported["QC_VERDICT"] == "not assessed"
    patients = dict(
        zip(
            column(out / "data_clinical_patient.txt", "PATIENT_ID"),
            column(out / "data_clinical_patient.txt", "NORMAL_SAMPLE_ID"),
            strict=True,
        )
    )
    assert patients == {"DEMO01": "DEMO01-N", "P2": "P2-N", "P3": "NA"}


def test_maf_samples_are_clinical_samples_and_the_data_files_are_the_cohort_files(
    cohort_docs, tmp_path
):
    out, _ = write(tmp_path, cohort_docs)
    samples = set(column(out / "data_clinical_sample.txt", "SAMPLE_ID"))
    barcodes = set(column(out / "data_mutations.txt", "Tumor_Sample_Barcode"))
    assert barcodes == {"DEMO01-T", "P3-T"}  # P2 is wild type: no MAF record
    assert barcodes <= samples
    assert (out / "data_mutations.txt").read_bytes() == (tmp_path / "mutations.maf").read_bytes()
    assert (out / "data_cna.txt").read_bytes() == (tmp_path / "cna.txt").read_bytes()
    _, header, rows = tsv(out / "data_cna.txt")
    assert header[0] == "Hugo_Symbol" and set(header[1:]) <= samples
    assert {v for r in rows for v in r[1:]} <= {"-2", "-1", "0", "1", "2", "NA"}


def test_case_lists_are_the_samples_with_data(cohort_docs, tmp_path):
    out, _ = write(tmp_path, cohort_docs)
    lists = {p.stem: validate.read_meta(p) for p in sorted((out / "case_lists").glob("*.txt"))}
    ids = {k: v["case_list_ids"].split("\t") for k, v in lists.items()}
    _, cna_header, _ = tsv(out / "data_cna.txt")
    # every tumour sample was profiled for mutations (P2: none found), only the matched pairs
    # have copy number; the imported VCF has mutations but no copy number
    assert ids["cases_sequenced"] == ["DEMO01-T", "P2-T", "P3-T"]
    assert set(column(out / "data_mutations.txt", "Tumor_Sample_Barcode")) <= set(
        ids["cases_sequenced"]
    )
    assert ids["cases_cna"] == cna_header[1:] == ["DEMO01-T", "P2-T"]
    assert ids["cases_cnaseq"] == ["DEMO01-T", "P2-T"]
    assert lists["cases_sequenced"]["case_list_category"] == "all_cases_with_mutation_data"
    assert lists["cases_cna"]["case_list_category"] == "all_cases_with_cna_data"
    assert lists["cases_cnaseq"]["case_list_category"] == "all_cases_with_mutation_and_cna_data"
    for fields in lists.values():
        assert set(fields) == {
            "cancer_study_identifier",
            "stable_id",
            "case_list_name",
            "case_list_description",
            "case_list_category",
            "case_list_ids",
        }
        assert (
            f"({len(fields['case_list_ids'].split())} samples)" in fields["case_list_description"]
        )


# --------------------------------------------------------------------------- gene panels

PANEL, VCF_PANEL = f"{STUDY}_panel", f"{STUDY}_panel_vcf"


def panel_fields(out, panel):
    return validate.read_meta(out / f"data_gene_panel_{panel}.txt")


def test_gene_panel_matrix_gives_each_sample_its_panel_per_profile(cohort_docs, tmp_path):
    out, _ = write(tmp_path, cohort_docs)
    assert validate.read_meta(out / "meta_gene_panel_matrix.txt") == {
        "cancer_study_identifier": STUDY,
        "genetic_alteration_type": "GENE_PANEL_MATRIX",
        "datatype": "GENE_PANEL_MATRIX",
        "data_filename": "data_gene_panel_matrix.txt",
    }
    comments, header, rows = tsv(out / "data_gene_panel_matrix.txt")
    assert comments == []
    # one column per profile, named by the profile's stable_id
    profiles = {
        validate.read_meta(out / m)["stable_id"]
        for m in ("meta_mutations_extended.txt", "meta_CNA.txt")
    }
    assert header[0] == "SAMPLE_ID" and set(header[1:]) == profiles
    matrix = {r[0]: dict(zip(header[1:], r[1:], strict=True)) for r in rows}
    assert matrix == {
        # sequenced on the panel; P2 has no mutation but was profiled for the panel's genes
        "DEMO01-T": {"mutations": PANEL, "cna": PANEL},
        "P2-T": {"mutations": PANEL, "cna": PANEL},
        # imported from a VCF: its own panel, and no copy number (not profiled: NA)
        "P3-T": {"mutations": VCF_PANEL, "cna": "NA"},
    }


def test_gene_panel_files_list_the_configured_genes_only(cohort_docs, tmp_path):
    out, _ = write(tmp_path, cohort_docs)
    sequenced, imported = panel_fields(out, PANEL), panel_fields(out, VCF_PANEL)
    for fields in (sequenced, imported):
        assert list(fields) == ["stable_id", "description", "gene_list"]
        assert fields["gene_list"].split("\t") == GENES
        assert not {"NRAS", "PIK3CA"} & set(fields["gene_list"].split("\t"))  # hotspots only
        assert "Research use only" in fields["description"]
    assert (sequenced["stable_id"], imported["stable_id"]) == (PANEL, VCF_PANEL)
    assert "sequenced and called by the tumorboard workflow" in sequenced["description"]
    assert "not known" in imported["description"]


def test_imported_copy_number_is_on_the_vcf_panel(example, tmp_path):
    imported = vcf_patient(example, "P1")
    imported["copy_number"] = copy.deepcopy(example["copy_number"])  # segments given with it
    out, written = write(tmp_path, [example, imported])
    _, header, rows = tsv(out / "data_gene_panel_matrix.txt")
    assert header == ["SAMPLE_ID", "mutations", "cna"]
    assert rows == [["DEMO01-T", PANEL, PANEL], ["P1-T", VCF_PANEL, VCF_PANEL]]
    assert written == sorted(cbioportal.study_files(STUDY, copy_number=True, vcf_start=True))


def test_a_cohort_sequenced_on_the_panel_has_one_panel_file(example, tmp_path):
    out, written = write(tmp_path, [example, other_patient(example, "P2")])
    assert written == sorted(cbioportal.study_files(STUDY, copy_number=True))
    assert sorted(p.name for p in out.glob("data_gene_panel_*.txt")) == [
        "data_gene_panel_matrix.txt",
        f"data_gene_panel_{PANEL}.txt",
    ]


@pytest.mark.parametrize(
    ("study_id", "panel", "vcf_panel"),
    [
        ("tumorboard_demo", "tumorboard_demo_panel", "tumorboard_demo_panel_vcf"),
        ("crc_site2_2026", "crc_site2_2026_panel", "crc_site2_2026_panel_vcf"),
    ],
)
def test_panel_ids_derive_from_the_study_id(study_id, panel, vcf_panel):
    assert cbioportal.panel_id(study_id) == panel
    assert cbioportal.panel_id(study_id, imported_vcf=True) == vcf_panel
    assert validate.panel_file(panel) == f"data_gene_panel_{panel}.txt"


@pytest.mark.parametrize(
    ("genes", "expected"),
    [
        (["KRAS", "BRAF", "KRAS"], ["KRAS", "BRAF"]),  # configured order, each gene once
        ([], None),
        (["KRAS", ""], None),
        (["KRAS NRAS"], None),
    ],
)
def test_panel_genes(genes, expected):
    if expected is None:
        with pytest.raises(ValueError, match="gene symbols"):
            cbioportal.panel_genes(genes)
    else:
        assert cbioportal.panel_genes(genes) == expected


def test_a_panel_of_an_earlier_study_id_is_removed(cohort_docs, tmp_path):
    write(tmp_path, cohort_docs, study_id="tumorboard_old")
    out, written = write(tmp_path, cohort_docs)
    panels = sorted(p.name for p in out.glob("data_gene_panel_*.txt"))
    assert panels == sorted(n for n in written if n.startswith("data_gene_panel_"))
    assert not any("tumorboard_old" in n for n in panels)


def test_the_writer_refuses_calls_outside_the_configured_panel(cohort_docs, tmp_path):
    maf, cna = tmp_path / "mutations.maf", tmp_path / "cna.txt"
    formats.write_maf(formats.maf_rows(cohort_docs), maf)
    columns, rows = formats.cna_table(cohort_docs)
    tables.write_tsv(rows, columns, cna)
    without_kras = [g for g in GENES if g != "KRAS"]
    with pytest.raises(ValueError, match=r"mutations calls outside .*'DEMO01-T', 'KRAS'"):
        cbioportal.write_study(cohort_docs, tmp_path / "study", maf, cna, STUDY, without_kras)


# --------------------------------------------------------------------------- variants


def test_one_tumour_type_names_its_oncotree_code(example, tmp_path):
    out, _ = write(tmp_path, [example, other_patient(example, "P2")])
    assert validate.read_meta(out / "meta_study.txt")["type_of_cancer"] == "coadread"


def test_solid_tumour_is_not_an_oncotree_code(example):
    example["tumour_type"] = "solid tumour"
    assert cbioportal.meta_study([example], STUDY)["type_of_cancer"] == "mixed"
    assert cbioportal.sample_rows([example])[0]["ONCOTREE_CODE"] == "NA"


def test_a_cohort_without_copy_number_has_no_cna_profile(example, tmp_path):
    docs = [vcf_patient(example, "P1"), vcf_patient(example, "P2")]
    out, written = write(tmp_path, docs)
    assert written == sorted(
        cbioportal.study_files(STUDY, copy_number=False, reads_start=False, vcf_start=True)
    )
    assert not (out / "meta_CNA.txt").exists() and not (out / "data_cna.txt").exists()
    assert validate.check_study(out) == []


def test_a_stale_cna_profile_of_an_earlier_run_is_removed(cohort_docs, example, tmp_path):
    write(tmp_path, cohort_docs)
    out, _ = write(tmp_path, [vcf_patient(example, "P1")])
    assert not (out / "meta_CNA.txt").exists()
    assert not (out / "case_lists" / "cases_cna.txt").exists()


def test_bad_study_ids_are_refused(example, tmp_path):
    for bad in ("Tumorboard", "tumorboard-demo", "tb demo", ""):
        with pytest.raises(ValueError, match="study id"):
            cbioportal.meta_study([example], bad)


# --------------------------------------------------------------------------- the checks


@pytest.fixture
def study(cohort_docs, tmp_path):
    out, _ = write(tmp_path, cohort_docs)
    assert validate.check_study(out) == []
    return out


def edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_check_finds_a_sample_missing_from_the_clinical_file(study):
    lines = (study / "data_clinical_sample.txt").read_text().splitlines(keepends=True)
    (study / "data_clinical_sample.txt").write_text("".join(lines[:-1]))  # drop P3-T
    problems = validate.check_study(study)
    assert any("MAF samples not in the clinical file: ['P3-T']" in p for p in problems)
    assert any("cases_sequenced.txt: samples not in the clinical file" in p for p in problems)
    assert any("patients differ" in p for p in problems)


def test_check_finds_a_clinical_header_of_the_wrong_width(study):
    edit(study / "data_clinical_sample.txt", "#STRING\t", "#")
    assert any("'#' line 3" in p for p in validate.check_study(study))


def test_check_finds_three_header_lines(study):
    lines = (study / "data_clinical_patient.txt").read_text().splitlines(keepends=True)
    (study / "data_clinical_patient.txt").write_text("".join(lines[1:]))
    assert any("3 '#' header lines" in p for p in validate.check_study(study))


def test_check_finds_a_second_study_id(study):
    edit(study / "case_lists" / "cases_cna.txt", f"identifier: {STUDY}", "identifier: other")
    assert any("cases_cna.txt: cancer_study_identifier" in p for p in validate.check_study(study))


def test_check_finds_a_missing_data_file_and_an_unknown_field(study):
    (study / "data_cna.txt").unlink()
    edit(study / "meta_mutations_extended.txt", "datatype: MAF", "datatype: MAF\ncolour: red")
    problems = validate.check_study(study)
    assert any("data_filename data_cna.txt not found" in p for p in problems)
    assert any("unknown ['colour']" in p for p in problems)


def test_check_finds_case_lists_that_disagree_with_the_data(study):
    edit(study / "case_lists" / "cases_cna.txt", "DEMO01-T\tP2-T", "DEMO01-T")
    (study / "case_lists" / "cases_sequenced.txt").unlink()
    problems = validate.check_study(study)
    assert "_cna case list is not exactly the CNA table's samples" in problems
    assert "mutation data without a _sequenced case list" in problems


def test_check_finds_cna_values_outside_the_gistic_codes(study):
    text = (study / "data_cna.txt").read_text().splitlines()
    text[1] = text[1].rsplit("\t", 1)[0] + "\t3"
    (study / "data_cna.txt").write_text("\n".join(text) + "\n")
    assert any("CNA values other than" in p for p in validate.check_study(study))


def test_the_writer_refuses_an_inconsistent_study(cohort_docs, tmp_path):
    maf = tmp_path / "other.maf"
    stranger = copy.deepcopy(cohort_docs[0])
    stranger["tumour_sample"] = "NOT-IN-COHORT"
    formats.write_maf(formats.maf_rows([stranger]), maf)
    cna = tmp_path / "cna.txt"
    columns, rows = formats.cna_table(cohort_docs)
    tables.write_tsv(rows, columns, cna)
    with pytest.raises(ValueError, match="NOT-IN-COHORT"):
        cbioportal.write_study(cohort_docs, tmp_path / "study", maf, cna, STUDY, GENES)


def test_check_finds_a_maf_on_another_genome_than_the_study(study):
    edit(study / "meta_study.txt", "reference_genome: hg38", "reference_genome: hg19")
    assert any(
        "is not meta_study's reference_genome GRCh37" in p for p in validate.check_study(study)
    )


def drop_line(path, startswith):
    lines = path.read_text().splitlines(keepends=True)
    kept = [ln for ln in lines if not ln.startswith(startswith)]
    assert len(kept) == len(lines) - 1
    path.write_text("".join(kept))


MATRIX = "data_gene_panel_matrix.txt"

# (what is done to the study, a problem check_study must report)
PANEL_BREAKAGES = [
    (
        lambda d: edit(d / MATRIX, "P3-T\t", "GHOST-T\t"),
        "data_gene_panel_matrix.txt: samples not in the clinical file: ['GHOST-T']",
    ),
    (
        lambda d: edit(d / MATRIX, "P2-T\t", "DEMO01-T\t"),
        "data_gene_panel_matrix.txt: sample DEMO01-T appears twice",
    ),
    (
        lambda d: edit(d / MATRIX, "\tcna\n", "\tgistic\n"),
        "columns ['mutations', 'gistic'] must be distinct stable_ids",
    ),
    (
        lambda d: edit(d / MATRIX, "\tcna\n", "\tgistic\n"),
        "profile cna has no gene panel (matrix column or gene_panel property)",
    ),
    (
        lambda d: edit(d / MATRIX, "SAMPLE_ID\t", "SAMPLE\t"),
        "data_gene_panel_matrix.txt: the first column must be SAMPLE_ID",
    ),
    (
        lambda d: (d / "meta_gene_panel_matrix.txt").unlink(),
        "profile mutations has no gene panel",
    ),
    (
        lambda d: (d / f"data_gene_panel_{VCF_PANEL}.txt").unlink(),
        f"gene panel '{VCF_PANEL}' has no gene panel file data_gene_panel_{VCF_PANEL}.txt",
    ),
    (
        lambda d: edit(d / MATRIX, f"P3-T\t{VCF_PANEL}", "P3-T\tIMPACT468"),
        "gene panel 'IMPACT468' has no gene panel file",
    ),
    (
        lambda d: edit(d / MATRIX, f"P3-T\t{VCF_PANEL}", f"P3-T\t{PANEL}"),
        f"data_gene_panel_{VCF_PANEL}.txt: gene panel '{VCF_PANEL}' is used by no sample",
    ),
    (
        lambda d: edit(d / MATRIX, f"DEMO01-T\t{PANEL}", "DEMO01-T\tNA"),
        "_sequenced samples without a mutations gene panel (cBioPortal would count them as "
        "profiled for every gene): ['DEMO01-T']",
    ),
    (
        lambda d: edit(d / MATRIX, f"{VCF_PANEL}\tNA", f"{VCF_PANEL}\t{VCF_PANEL}"),
        "samples with a cna gene panel but not in _cna: ['P3-T']",
    ),
    (
        lambda d: edit(d / f"data_gene_panel_{PANEL}.txt", "\tKRAS", ""),
        "mutations calls outside the sample's gene panel: [('DEMO01-T', 'KRAS')]",
    ),
    (
        lambda d: edit(d / f"data_gene_panel_{PANEL}.txt", "\tKRAS", ""),
        "cna calls outside the sample's gene panel: [('DEMO01-T', 'KRAS'), ('P2-T', 'KRAS')]",
    ),
    (
        lambda d: edit(d / f"data_gene_panel_{PANEL}.txt", "\tKRAS", "\tKRAS\tKRAS"),
        "gene_list needs tab-separated genes, each once",
    ),
    (
        lambda d: edit(d / f"data_gene_panel_{PANEL}.txt", f"stable_id: {PANEL}", "stable_id: X"),
        "stable_id 'X' does not match the file name",
    ),
    (
        lambda d: drop_line(d / f"data_gene_panel_{PANEL}.txt", "description:"),
        f"data_gene_panel_{PANEL}.txt: missing ['description'], unknown []",
    ),
    (
        lambda d: edit(
            d / "meta_CNA.txt", "stable_id: cna", f"stable_id: cna\ngene_panel: {PANEL}"
        ),
        "profile cna: gene_panel property and a matrix column",
    ),
]


@pytest.mark.parametrize(("breakage", "problem"), PANEL_BREAKAGES)
def test_check_finds_gene_panel_problems(study, breakage, problem):
    breakage(study)
    problems = validate.check_study(study)
    assert any(problem in p for p in problems), problems
