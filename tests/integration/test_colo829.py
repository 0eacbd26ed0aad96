"""Real reads: COLO829 melanoma cell line vs its matched normal COLO829BL (Hartwig test data,
BRAF/CDKN2A regions).  Known answers: BRAF V600E somatic; the CDKN2A p16 frameshift is
homozygous somatic (9p21 LOH); the germline het at chr9:21970917 must not come out as somatic."""

import json

import pytest
from workflow_run import run_workflow, write_colo829_sheets, write_overlay

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def colo829(project, mirror, tmp_path_factory):
    work = tmp_path_factory.mktemp("colo829")
    samples, units = write_colo829_sheets(work, mirror)
    overlay = write_overlay(work, samples, units, mirror)
    res = run_workflow(work, overlay)
    assert res.returncode == 0, res.stderr[-3000:]
    return json.loads((work / "results" / "findings" / "COLO829.json").read_text())


def test_braf_v600e_is_somatic(colo829):
    braf = [v for v in colo829["variants"] if v["gene"] == "BRAF"]
    assert [(v["pos"], v["ref"], v["alt"], v["hgvs_p"]) for v in braf] == [
        (140753336, "A", "T", "p.Val600Glu")
    ]
    assert braf[0]["alt_reads"] >= 100 and braf[0]["normal_alt_reads"] == 0


def test_cdkn2a_frameshift_is_homozygous_somatic(colo829):
    cdkn2a = [v for v in colo829["variants"] if v["gene"] == "CDKN2A"]
    assert len(cdkn2a) == 1
    v = cdkn2a[0]
    assert (v["hgvs_c"], v["consequence"]) == ("c.203_204del", "frameshift")
    assert v["vaf"] >= 0.95 and v["normal_alt_reads"] == 0 and v["normal_depth"] >= 20


def test_germline_het_is_not_somatic(colo829):
    assert all(v["pos"] != 21970917 for v in colo829["variants"])
    assert len(colo829["variants"]) == 2


def test_a_tiny_read_set_fails_qc_and_says_why(colo829):
    assert colo829["qc"]["verdict"] == "fail"
    assert any("targets reach" in r for r in colo829["qc"]["reasons"])
