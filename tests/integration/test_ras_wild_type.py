"""A colorectal cancer whose report establishes RAS wild type (issue 12, "Extended RAS and
PIK3CA"): the simulated test patient RASWT01 (resources/demo/truth_ras_wild_type.yaml: TP53
R273H and PIK3CA H1047R, no KRAS, NRAS or BRAF change) read on the demo reference, which holds
KRAS and NRAS.  Checked as a pathologist would: every KRAS and NRAS codon 12, 13, 59, 61, 117 and
146 evaluable and not mutated, and page 1 stating RAS wild type with cetuximab and panitumumab at
their evidence level and the depth and limit of detection behind it; the same findings with one
NRAS codon not evaluable establish nothing."""

import copy
import html
import json
import re

import pytest
import yaml
from workflow_run import PROJECT, SMALL_DEMO, run_workflow, write_overlay

from tumorboard.knowledge import sources, tiers
from tumorboard.report.document import build_view

pytestmark = pytest.mark.integration

PATIENT = "RASWT01"
RAS = (12, 13, 59, 61, 117, 146)
WT = "KRAS/NRAS wild-type (codons 12, 13, 59, 61, 117, 146)"


@pytest.fixture(scope="module")
def raswt(small_demo, mirror, tmp_path_factory):
    """RASWT01 (the config/ras_wild_type scenario) at the small demo's depths, sharing its
    resource cache (reference, bwa index, panel, knowledge base: built once per session); only
    the findings and the HTML report are made (no PDF or cohort files), to stay quick."""
    work = tmp_path_factory.mktemp("raswt")
    scenario = PROJECT / "config" / "ras_wild_type"
    demo = yaml.safe_load((scenario / "config.yaml").read_text())["demo"] | SMALL_DEMO
    overlay = write_overlay(
        work, scenario / "samples.tsv", scenario / "units.tsv", mirror, demo=demo
    )
    config = yaml.safe_load(overlay.read_text())
    cache = small_demo[0] / "resources" / "cache"
    config["resources"]["cache"] = str(cache)
    overlay.write_text(yaml.safe_dump(config))
    targets = [f"results/findings/{PATIENT}.json", f"results/report/{PATIENT}.html"]
    res = run_workflow(work, overlay, targets=targets)
    assert res.returncode == 0, res.stderr[-3000:]
    doc = json.loads((work / targets[0]).read_text())
    page = (work / targets[1]).read_text()
    return doc, page, cache


def text(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def page1_row(page: str, alteration: str) -> str:
    table = page[page.index('<section id="actionable">') :]
    table = table[: table.index("</section>")]
    # the row whose Alteration cell (the second) names it; notes in other rows may mention it
    cells = [r.split("<td") for r in table.split("<tr>")[1:]]
    rows = [text(r) for r, c in zip(table.split("<tr>")[1:], cells, strict=True)
            if len(c) > 2 and text("<td" + c[2]).startswith(alteration)]  # fmt: skip
    assert len(rows) == 1, rows
    return rows[0]


def test_the_truth_is_called_and_nothing_in_ras_or_braf(raswt):
    doc, _, _ = raswt
    truth = yaml.safe_load((PROJECT / "resources/demo/truth_ras_wild_type.yaml").read_text())
    somatic = {(v["gene"], v["protein_short"]) for v in doc["variants"] if not v.get("germline")}
    assert somatic == {(s["gene"], s["protein_short"]) for s in truth["somatic"]}
    assert not [v for v in doc["variants"] if v["gene"] in ("KRAS", "NRAS", "BRAF")]
    calls = {c["gene"]: c["call"] for c in doc["copy_number"]}
    assert calls["KRAS"] == calls["NRAS"] == "neutral"  # no amplification or deletion


def test_every_ras_codon_is_evaluable_and_not_mutated(raswt):
    doc, _, _ = raswt
    min_depth = doc["thresholds"]["min_depth"]
    rows = {(h["gene"], h["codon"]): h for h in doc["hotspots"] if h["gene"] in ("KRAS", "NRAS")}
    assert set(rows) == {(g, c) for g in ("KRAS", "NRAS") for c in RAS}
    for h in rows.values():
        assert h["status"] == "not detected", h
        assert h["depth"] >= min_depth and 0 < h["lod_vaf"] < 0.1, h


def test_findings_establish_ras_wild_type_with_anti_egfr_at_level_a(raswt):
    doc, _, _ = raswt
    (wt,) = [a for a in doc["actionability"] if a["kind"] == "wild type"]
    assert (wt["alteration"], wt["status"], wt["tier_label"]) == (WT, "established", "Tier I-A")
    ras_rows = [f"/hotspots/{i}" for i, h in enumerate(doc["hotspots"])
                if h["gene"] in ("KRAS", "NRAS") and h["codon"] in RAS]  # fmt: skip
    assert sorted(wt["finding"]) == sorted(ras_rows)
    lines = {(t["therapy"], t["response"]): t for t in wt["therapies"]}
    for drug, row in (("cetuximab", "TB007"), ("panitumumab", "TB008")):
        t = lines[(drug, "sensitivity")]
        assert (t["tier"], t["tier_level"]) == ("I", "A") and row in t["evidence"]
    # nothing sets anti-EGFR aside for this patient (no RAS or BRAF V600E change)
    assert not [x for a in doc["actionability"] for x in a.get("set_aside", [])
                if x["kind"] == "gated"]  # fmt: skip


def test_page1_states_ras_wild_type_eligibility_with_depth_and_lod(raswt):
    doc, page, _ = raswt
    ras = [h for h in doc["hotspots"] if h["gene"] in ("KRAS", "NRAS") and h["codon"] in RAS]
    depth = min(h["depth"] for h in ras)
    lod = max(h["lod_vaf"] for h in ras)
    row = page1_row(page, WT)
    assert row.startswith(f"I-A {WT}")
    assert f"12 codons not mutated: min depth {depth}x; LoD ≤ {100 * lod:.1f}% VAF" in row
    assert "cetuximab (I-A; TB007)" in row and "panitumumab (I-A; TB008)" in row
    # PIK3CA H1047R in colorectal cancer: no approval here; the breast approvals are named as
    # other tumour types only, never as a line for this patient
    pik3ca = page1_row(page, "PIK3CA p.H1047R")
    assert pik3ca.startswith("II-C") and "(I-A" not in pik3ca


def test_one_nras_codon_not_evaluable_establishes_no_wild_type(raswt):
    """The same patient's findings with NRAS codon 146 under the minimum depth, tiered and
    rendered again with the run's knowledge base."""
    doc, _, cache = raswt
    f = copy.deepcopy(doc)
    a146 = next(h for h in f["hotspots"] if (h["gene"], h["codon"]) == ("NRAS", 146))
    a146.update(status="not evaluable", depth=40, lod_vaf=None, reason="depth 40x < minimum 100x")
    kb = sources.load_kb(cache / "knowledgebase" / "knowledgebase.json")
    f["actionability"] = tiers.actionability(f, kb)
    (wt,) = [a for a in f["actionability"] if a["alteration"].startswith("KRAS/NRAS wild-type")]
    assert (wt["status"], wt["tier"]) == ("not established", None)
    assert "NRAS codon 146 not evaluable (depth 40x < minimum 100x)" in wt["reason"]
    rows = {r["alteration"]: r for r in build_view(f, None)["actionable"]}
    assert rows[WT]["tier"] == "not established"
    assert not any(d in x for r in rows.values() for x in r["sensitive"]
                   for d in ("cetuximab", "panitumumab"))  # fmt: skip
