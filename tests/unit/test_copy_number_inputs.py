"""The copy-number job's inputs (``copy_number_inputs`` in workflow/rules/common.smk), which
decide its method: the function is taken from common.smk and run on hand-made patients."""

import re
from pathlib import Path
from types import SimpleNamespace

COMMON = Path(__file__).resolve().parents[2] / "workflow" / "rules" / "common.smk"


def _inputs(patient, sheet_normals):
    # the function's source (a plain Python def at the top level of common.smk), run with the
    # two globals it reads
    text = COMMON.read_text()
    source = re.search(r"^def copy_number_inputs\(.*?(?=^\S)", text, re.M | re.S).group(0)
    scope = {
        "SHEET": SimpleNamespace(patients={patient.id: patient}),
        "NORMALS": list(sheet_normals),
    }
    exec(source, scope)
    return scope["copy_number_inputs"](SimpleNamespace(patient=patient.id))


def _patient(purity=0.6, normal=True, vcf="", cna=""):
    tumour = SimpleNamespace(sample="P-T", purity=purity, from_vcf=bool(vcf), cna=cna)
    return SimpleNamespace(
        id="P", tumour=tumour, normal=SimpleNamespace(sample="P-N") if normal else None
    )


def test_inputs_matched_normal_with_sheet_purity():
    got = _inputs(_patient(), ["P-N", "Q-N"])
    assert got == {
        "tumour": "results/coverage/P-T.targets.tsv",
        "normals": ["results/coverage/P-N.targets.tsv"],
        "tumour_antitargets": "results/coverage/P-T.antitargets.tsv",
        "normals_antitargets": ["results/coverage/P-N.antitargets.tsv"],
        "tumour_markdup": "results/align/P-T.markdup.txt",
        "normals_markdup": ["results/align/P-N.markdup.txt"],
    }


def test_inputs_tumour_only_pool_the_sheet_normals_and_estimate_purity():
    got = _inputs(_patient(purity=None, normal=False), ["Q-N", "R-N"])
    assert got["normals"] == [
        "results/coverage/Q-N.targets.tsv",
        "results/coverage/R-N.targets.tsv",
    ]
    assert got["vcf"] == "results/somatic/P.vcf.gz"
    assert got["normals_antitargets"] == [
        "results/coverage/Q-N.antitargets.tsv",
        "results/coverage/R-N.antitargets.tsv",
    ]


def test_inputs_from_a_vcf_with_segments():
    assert _inputs(_patient(vcf="x.vcf", cna="seg.tsv"), []) == {"segments": "seg.tsv"}
    assert _inputs(_patient(vcf="x.vcf"), []) == {}
