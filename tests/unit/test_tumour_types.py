"""Tumour types: the sheet's words resolve to OncoTree codes; evidence applies to a patient when
its tumour type is the patient's or an ancestor; unknown types are errors naming the valid ones."""

import pytest

from tumorboard.knowledge import tumour_types as TT


@pytest.fixture(scope="module")
def onto():
    return TT.load_ontology()


@pytest.mark.parametrize(
    "text, code",
    [
        ("colorectal adenocarcinoma", "COADREAD"),
        ("  Colorectal   ADENOCARCINOMA ", "COADREAD"),
        ("colorectal cancer", "COADREAD"),
        ("CRC", "COADREAD"),
        ("COADREAD", "COADREAD"),
        ("colon cancer", "COAD"),
        ("rectal adenocarcinoma", "READ"),
        ("breast cancer", "BREAST"),
        ("breast invasive ductal carcinoma", "IDC"),
        ("non-small cell lung cancer", "NSCLC"),
        ("non small cell lung cancer", "NSCLC"),
        ("NSCLC", "NSCLC"),
        ("lung adenocarcinoma", "LUAD"),
        ("melanoma", "MEL"),
        ("skin melanoma", "SKCM"),
        ("gastric cancer", "STAD"),
        ("papillary thyroid carcinoma", "THPA"),
        ("solid tumor", "SOLID"),
    ],
)
def test_sheet_tumour_type_resolves(onto, text, code):
    assert onto.resolve(text) == code


def test_unknown_tumour_type_is_an_error_listing_valid_names(onto):
    with pytest.raises(TT.TumourTypeError) as exc:
        onto.resolve("colorectal adenoma")
    msg = str(exc.value)
    assert "unknown tumour type 'colorectal adenoma'" in msg
    for name in ("colorectal adenocarcinoma", "breast cancer", "non-small cell lung cancer"):
        assert name in msg


@pytest.mark.parametrize(
    "patient, evidence, relation",
    [
        ("COADREAD", "DOID:9256", "same"),  # CIViC "Colorectal Cancer"
        ("COADREAD", "9256", "same"),
        ("COADREAD", "COADREAD", "same"),
        ("READ", "COADREAD", "broader"),
        ("COAD", "DOID:9256", "broader"),
        ("LUAD", "NSCLC", "broader"),
        ("COADREAD", "SOLID", "tumour-agnostic"),
        ("COADREAD", "DOID:162", "tumour-agnostic"),  # CIViC "Cancer"
        ("COADREAD", "COAD", "narrower"),
        ("NSCLC", "LUAD", "narrower"),
        ("COADREAD", "NSCLC", "other"),
        ("MEL", "UM", "other"),  # uveal melanoma is not under melanoma (OncoTree: eye)
        ("COADREAD", "DOID:3068", "other"),  # glioblastoma: not in the ontology
        ("COADREAD", None, "other"),
    ],
)
def test_relation_of_evidence_to_patient(onto, patient, evidence, relation):
    assert onto.relation(patient, evidence) == relation
    assert onto.matches(patient, evidence) == (relation in TT.SAME_TYPE)


def test_colorectal_adenocarcinoma_matches_colorectal_cancer_evidence(onto):
    code = onto.resolve("colorectal adenocarcinoma")
    assert onto.matches(code, onto.from_disease("Colorectal Cancer", "9256"))


@pytest.mark.parametrize(
    "disease, doid, code",
    [
        ("Colorectal Cancer", "9256", "COADREAD"),
        ("Skin Melanoma", "8923", "SKCM"),
        ("Her2-receptor Positive Breast Cancer", "0060079", "BREAST"),
        ("Non-small Cell Lung Carcinoma", "3908", "NSCLC"),
        ("Solid Tumor", "", "SOLID"),  # no DOID in the 2018 export: by name
        ("Glioblastoma Multiforme", "3068", None),
        ("Acute Myeloid Leukemia", "9119", None),
    ],
)
def test_civic_disease_maps_to_code_or_none(onto, disease, doid, code):
    assert onto.from_disease(disease, doid) == code


def test_ancestors_run_to_the_root(onto):
    assert onto.ancestors("READ") == ["READ", "COADREAD", "BOWEL", "SOLID"]
    assert onto.root == "SOLID"


def _table(tmp_path, rows):
    p = tmp_path / "tt.tsv"
    p.write_text("code\tname\tparent\tdoids\tsynonyms\n" + "\n".join(rows) + "\n")
    return p


@pytest.mark.parametrize(
    "rows, message",
    [
        (["R\troot\t\t\t", "A\tthing\tR\t\t", "B\tother\tR\t\tthing"], "names both A and B"),
        (["R\troot\t\t\t", "A\tthing\tX\t\t"], "unknown parent X"),
        (["R\troot\t\t\t", "A\ta\tB\t\t", "B\tb\tA\t\t"], "parent cycle"),
        (["R\troot\t\t\t", "S\tsecond root\t\t\t"], "one root"),
        (["R\troot\t\tDOID:1\t", "A\ta\tR\tDOID:1\t"], "DOID:1 given to R and A"),
    ],
)
def test_malformed_ontology_table_is_refused(tmp_path, rows, message):
    with pytest.raises(TT.TumourTypeError, match=message):
        TT.load_ontology(_table(tmp_path, rows))
