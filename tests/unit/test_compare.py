"""``tumorboard compare``: between two runs of a patient, which findings, tiers and therapy lines
changed and why.  The findings are tiered by the real code path (tiers.actionability against
knowledge bases built from the mirror's 2018 CIViC export) and the provenance is built by
methods.build_provenance, as the workflow's rules do."""

from __future__ import annotations

import copy
import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tumorboard import compare, findings
from tumorboard.knowledge import sources
from tumorboard.knowledge import tiers as T
from tumorboard.knowledge.tumour_types import DEFAULT_TABLE
from tumorboard.report import methods

DATA = Path(__file__).resolve().parents[1] / "data"
PROJECT = Path(__file__).resolve().parents[2]
CIVIC_2018 = "civic/civic_nightly_2018-05_ClinicalEvidenceSummaries.tsv"
VERSIONS = {"bwa": "0.7.17", "python:snakemake": "9.27.1"}


@pytest.fixture(scope="module")
def config():
    return yaml.safe_load((PROJECT / "config" / "config.yaml").read_text())


def modified_civic(src: Path, dest: Path, drop: set[str], level: dict[str, str]) -> Path:
    """A copy of a 2018 CIViC export without the evidence ``drop`` and with the levels of
    ``level`` changed (evidence ids without the EID prefix)."""
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split("\t")
    eid, lvl = header.index("evidence_id"), header.index("evidence_level")
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.rstrip("\n").split("\t")
        if cells[eid] in drop:
            continue
        if cells[eid] in level:
            cells[lvl] = level[cells[eid]]
        out.append("\t".join(cells) + "\n")
    dest.write_text("".join(out), encoding="utf-8")
    return dest


def write_run(root: Path, doc: dict, kb, config: dict, inputs: list[Path]) -> Path:
    """A run's results directory as the workflow writes it: findings/ and provenance/."""
    results = root / "results"
    (results / "findings").mkdir(parents=True)
    (results / "provenance").mkdir()
    kb_file = root / "knowledgebase.json"
    sources.write_kb(kb, kb_file)
    doc = copy.deepcopy(doc)
    for key in ("min_depth", "min_alt_reads", "min_vaf", "hotspot_min_alt_reads"):
        doc["thresholds"][key] = config["somatic"][key]  # as findings.assemble records them
    doc["actionability"] = T.actionability(doc, kb)
    doc["germline"] = T.germline_findings(doc)
    doc["knowledge_base"] = kb.provenance()
    findings.validate(doc)
    (results / "findings" / f"{doc['patient']}.json").write_text(json.dumps(doc, indent=2))
    prov = methods.build_provenance(
        patient=doc["patient"],
        config=config,
        tool_versions=VERSIONS,
        inputs=inputs,
        resources={},
        project_dir=root,
        knowledge_base=kb_file,
    )
    (results / "provenance" / f"{doc['patient']}.json").write_text(json.dumps(prov, indent=2))
    return results


@pytest.fixture(scope="module")
def example():
    return json.loads((DATA / "findings_example.json").read_text())


@pytest.fixture(scope="module")
def fastq(tmp_path_factory):
    fq = tmp_path_factory.mktemp("reads") / "T_R1.fastq.gz"
    fq.write_bytes(b"@r\nACGT\n+\nIIII\n")
    return fq


@pytest.fixture(scope="module")
def run_a(tmp_path_factory, example, kb, config, fastq):
    """The example patient (KRAS p.G12D, CDKN2A frameshift, ERBB2 amplification; colorectal)
    against CIViC's May 2018 export."""
    return write_run(tmp_path_factory.mktemp("run_a"), example, kb, config, [fastq])


def by_item(result, category):
    (patient,) = result
    return {c.item: c for c in patient.changes if c.category == category}


def test_a_changed_civic_release_names_the_therapy_lines_and_blames_the_knowledge_base(
    tmp_path, mirror, project, run_a, example, config, fastq, capsys
):
    """CIViC export modified: EID1326 (KRAS G12D, irinotecan + selumetinib, level C) dropped and
    EID1208 (KRAS G12D, EGFR inhibitor resistance) moved from level B to D."""
    civic = modified_civic(mirror / CIVIC_2018, tmp_path / "civic_modified.tsv",
                           drop={"1326"}, level={"1208": "D"})  # fmt: skip
    kb_b = sources.build(civic, project / "resources" / "biomarkers.tsv", DEFAULT_TABLE)
    run_b = write_run(tmp_path / "b", example, kb_b, config, [fastq])

    result = compare.compare_runs(run_a, run_b)
    therapies = by_item(result, "therapy")
    assert set(therapies) == {
        "KRAS p.G12D: irinotecan, selumetinib (together or alternatives: not stated) "
        "(sensitivity)",
        "KRAS p.G12D: EGFR inhibitor (resistance)",
    }
    lost = therapies["KRAS p.G12D: irinotecan, selumetinib (together or alternatives: not "
                     "stated) (sensitivity)"]  # fmt: skip
    assert (lost.change, lost.before, lost.after) == ("removed", "Tier II-C (EID1326)", "no line")
    assert lost.cause == compare.KNOWLEDGE_BASE
    assert "CIViC clinical evidence summaries changed" in lost.reason
    assert "evidence EID1326 no longer matches" in lost.reason
    moved = therapies["KRAS p.G12D: EGFR inhibitor (resistance)"]
    assert (moved.change, moved.before, moved.after) == (
        "changed", "Tier II-C (EID1208)", "Tier II-D (EID1208)")  # fmt: skip
    assert moved.cause == compare.KNOWLEDGE_BASE and "EID1208 (level B → D)" in moved.reason
    # nothing else changed: the calls and the tiers of the findings are the same
    (patient,) = result
    assert {c.category for c in patient.changes} == {"therapy"}
    assert [c for c, _ in patient.causes] == [compare.KNOWLEDGE_BASE]

    # the command: markdown on stdout, exit status 1 (something changed); TSV with --format
    assert compare.main([str(run_a), str(run_b)]) == 1
    text = capsys.readouterr().out
    assert "## DEMO01" in text and "therapy: KRAS p.G12D: EGFR inhibitor (resistance)" in text
    assert compare.main([str(run_a.parent), str(run_b.parent), "--format", "tsv"]) == 1
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out), delimiter="\t"))
    assert {(r["category"], r["change"], r["cause"]) for r in table} == {
        ("therapy", "removed", "knowledge base"), ("therapy", "changed", "knowledge base")}


def test_a_raised_vaf_threshold_names_the_lost_finding_and_the_threshold(
    tmp_path, run_a, example, kb, config, fastq
):
    """somatic.min_vaf raised from 1% to 25%: the CDKN2A frameshift (VAF 22%, not a hotspot) is
    no longer called; its Tier III finding goes with it.  (The second run's findings are the
    first's without the call, tiered again: the caller's threshold itself is exercised by the
    integration test.)"""
    raised = copy.deepcopy(config)
    raised["somatic"]["min_vaf"] = 0.25
    doc = copy.deepcopy(example)
    doc["variants"] = [v for v in doc["variants"] if v["gene"] != "CDKN2A"]
    run_b = write_run(tmp_path / "b", doc, kb, raised, [fastq])

    result = compare.compare_runs(run_a, run_b)
    (lost,) = by_item(result, "variant").values()
    assert (lost.item, lost.change) == ("CDKN2A p.A68Gfs*51", "removed")
    assert lost.cause == compare.THRESHOLD
    assert "VAF 22% is below somatic.min_vaf 25% of the second run (1% in the first)" in (
        lost.reason
    )
    tier = by_item(result, "tier")["CDKN2A p.A68Gfs*51"]
    assert (tier.change, tier.cause) == ("removed", compare.CALL)
    assert "somatic.min_vaf" in tier.reason
    (patient,) = result
    assert (compare.THRESHOLD, "somatic.min_vaf: 0.01 → 0.25") in patient.causes
    # the unchanged KRAS call and its therapy lines are not listed
    assert not [c for c in patient.changes if "KRAS" in c.item]


def test_a_lost_call_with_a_changed_input_blames_the_input(tmp_path, run_a, example, kb, config):
    other = tmp_path / "reads" / "T_R1.fastq.gz"
    other.parent.mkdir()
    other.write_bytes(b"@r\nACGA\n+\nIIII\n")
    doc = copy.deepcopy(example)
    doc["variants"] = [v for v in doc["variants"] if v["gene"] != "CDKN2A"]
    run_b = write_run(tmp_path / "b", doc, kb, config, [other])
    (lost,) = by_item(compare.compare_runs(run_a, run_b), "variant").values()
    assert lost.cause == compare.INPUT and "input T_R1.fastq.gz: sha256" in lost.reason


def test_identical_runs_compare_equal_and_the_module_runs_as_a_command(run_a):
    (patient,) = compare.compare_runs(run_a, run_a)
    assert patient.changes == [] and patient.causes == []
    res = subprocess.run(
        [sys.executable, "-m", "tumorboard.compare", str(run_a), str(run_a), "--format", "json"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout) == [{"patient": "DEMO01", "differences": [], "changes": []}]


def test_a_directory_without_findings_is_one_line(tmp_path, run_a, capsys):
    assert compare.main([str(run_a), str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no findings/ directory" in err


def test_the_tumorboard_command_dispatches_compare(run_a, capsys):
    from tumorboard import cli

    assert cli.main(["compare", str(run_a), str(run_a)]) == 0
    assert "No difference" in capsys.readouterr().out
    assert cli.main(["frobnicate"]) == 2
