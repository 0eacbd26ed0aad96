"""Real reads: the GIAB panel reads of the Hartwig test data on the demo reference, which lacks
chr22 and so the PIK3CA pseudogene (>95% identity to PIK3CA exons 9-13; Baker et al., J Mol Diagn
2012;14:56).  Its reads map to PIK3CA and carry 34 heterozygous differences in contig
70,910-74,336 (PROVENANCE.md), one of them c.1634A>C in codon E545.  Tumour-only, so no matched
normal can reject them: no PIK3CA call, and no PIK3CA hotspot detected or called wild-type on
the pseudogene's reads.  The hotspot depth threshold is lowered to 20x so that the statuses are
decided by the reads (the panel gives 26-30x at the PIK3CA hotspots), not by depth alone."""

import json

import pysam
import pytest
from workflow_run import run_workflow, write_giab_panel_sheets, write_overlay

pytestmark = pytest.mark.integration
PIK3CA = "PIK3CA_chr3_179147114_179240693"


@pytest.fixture(scope="module")
def giab(project, mirror, tmp_path_factory):
    work = tmp_path_factory.mktemp("giab_tumour_only")
    samples, units = write_giab_panel_sheets(work, mirror, normal=False)
    overlay = write_overlay(work, samples, units, mirror, somatic={"min_depth": 20})
    res = run_workflow(work, overlay, targets=["results/findings/GIAB.json"])
    assert res.returncode == 0, res.stderr[-3000:]
    findings = json.loads((work / "results" / "findings" / "GIAB.json").read_text())
    with pysam.VariantFile(str(work / "results" / "somatic" / "GIAB.vcf.gz")) as vcf:
        records = [(r.pos, r.ref, r.alts[0], list(r.filter)) for r in vcf.fetch(PIK3CA)]
    return findings, records


def test_no_pik3ca_call_from_pseudogene_reads(giab):
    findings, records = giab
    assert [v for v in findings["variants"] if v["gene"] == "PIK3CA"] == []
    # the caller saw the pseudogene's differences (E545A among them) and filtered them as such
    assert (71191, "A", "C") in [r[:3] for r in records]
    assert len(records) >= 5
    assert all("mismatch_burden" in r[3] for r in records)


def test_pik3ca_hotspots_are_not_detected_from_pseudogene_reads(giab):
    findings, _ = giab
    status = {h["label"]: h for h in findings["hotspots"] if h["gene"] == "PIK3CA"}
    # never a call, never "not detected": the pseudogene's E545A allele is seen and filtered as
    # a paralogue's (the report says "detected, filtered (mismatch_burden)", not wild type);
    # without such an allele the codon is not evaluable once paralogous fragments are left out
    assert all(h["status"] not in ("detected", "not detected")
               for label, h in status.items() if label != "PIK3CA H1047")  # fmt: skip
    for label in ("PIK3CA E542", "PIK3CA E545"):  # inside the pseudogene's span
        h = status[label]
        assert h["paralogous_fragments"] >= 5
        if h["status"] == "detected, filtered":
            assert "mismatch_burden" in h["filters"], h
        else:
            assert h["status"] == "not evaluable" and "paralogue" in h["reason"]
    e545 = status["PIK3CA E545"]
    assert (e545["status"], "mismatch_burden" in e545["filters"]) == ("detected, filtered", True)
    # H1047 (exon 21) lies outside it: its reads are PIK3CA's own and it is genotyped
    h1047 = status["PIK3CA H1047"]
    assert h1047["paralogous_fragments"] == 0 and h1047["status"] == "not detected"
