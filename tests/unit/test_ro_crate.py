"""The run's provenance as a Workflow Run RO-Crate (results/ro-crate-metadata.json), built from
per-patient provenance made by methods.build_provenance, as the rules make it."""

import json
import re
from pathlib import Path

import pytest
import yaml

from tumorboard.report import methods, ro_crate

PROJECT = Path(__file__).resolve().parents[2]
VERSIONS = {"bwa": "0.7.17-r1188", "samtools": "1.16.1", "python:snakemake": "9.27.1"}


@pytest.fixture
def crate(tmp_path):
    """Two patients: a reads patient (FASTQ pair) and a VCF patient, inputs outside the project
    and the run directory."""
    config = yaml.safe_load((PROJECT / "config" / "config.yaml").read_text())
    site, results = tmp_path / "site", tmp_path / "results"
    site.mkdir()
    kb = site / "knowledgebase.json"
    kb.write_text(json.dumps({"sources": [
        {"name": "CIViC", "file": "civic.tsv", "release_date": "2018-05-06", "sha256": "ab" * 32}
    ]}))  # fmt: skip
    ref = site / "genome.fa"
    ref.write_text(">c\nACGT\n")
    inputs = {"P1": [site / "P1_R1.fastq.gz", site / "P1_R2.fastq.gz"], "P2": [site / "P2.vcf"]}
    provenance, outputs = [], {}
    for pid, files in inputs.items():
        for i, f in enumerate(files):
            f.write_bytes(f"{pid}{i}".encode())
        doc = methods.build_provenance(patient=pid, config=config, tool_versions=VERSIONS,
                                       inputs=files, resources={"reference": ref},
                                       project_dir=PROJECT, knowledge_base=kb)  # fmt: skip
        prov = results / "provenance" / f"{pid}.json"
        prov.parent.mkdir(parents=True, exist_ok=True)
        prov.write_text(json.dumps(doc))
        provenance.append(prov)
        outputs[pid] = [results / "findings" / f"{pid}.json", results / "report" / f"{pid}.html",
                        prov]  # fmt: skip
        for out in outputs[pid][:2]:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(f"{pid} {out.name}\n")
    path = results / "ro-crate-metadata.json"
    ro_crate.write_crate(provenance, outputs, results, path)
    return json.loads(path.read_text()), results, inputs


def ids(value) -> list[str]:
    return [v["@id"] for v in (value if isinstance(value, list) else [value])]


def test_crate_is_a_workflow_run_crate_with_one_action_per_patient(crate):
    doc, results, inputs = crate
    assert doc["@context"][0] == "https://w3id.org/ro/crate/1.1/context"
    graph = {e["@id"]: e for e in doc["@graph"]}
    assert len(graph) == len(doc["@graph"])  # every @id once
    descriptor = graph["ro-crate-metadata.json"]
    assert descriptor["about"] == {"@id": "./"}
    assert descriptor["conformsTo"] == {"@id": "https://w3id.org/ro/crate/1.1"}
    root = graph["./"]
    assert root["@type"] == "Dataset"
    assert {"https://w3id.org/ro/wfrun/process/0.5", "https://w3id.org/ro/wfrun/workflow/0.5",
            "https://w3id.org/workflowhub/workflow-ro-crate/1.0"} <= set(ids(root["conformsTo"]))
    assert all(root[k] for k in ("name", "description", "datePublished", "license"))
    workflow = graph[root["mainEntity"]["@id"]]
    assert "ComputationalWorkflow" in workflow["@type"]
    assert workflow["version"] and workflow["identifier"].startswith("git:")

    # tools with the versions captured at run time
    tools = {graph[t]["name"]: graph[t] for t in ids(workflow["softwareRequirements"])}
    assert all(t["@type"] == "SoftwareApplication" for t in tools.values())
    assert tools["bwa"]["softwareVersion"] == "0.7.17-r1188"
    assert tools["snakemake"]["softwareVersion"] == "9.27.1"

    actions = [graph[a] for a in ids(root["mentions"])]
    assert sorted(a["name"] for a in actions) == ["tumorboard run of patient P1",
                                                  "tumorboard run of patient P2"]  # fmt: skip
    for action in actions:
        pid = action["name"].rsplit(" ", 1)[1]
        assert action["@type"] == "CreateAction"
        assert action["instrument"] == {"@id": workflow["@id"]}
        objects = [graph[o] for o in ids(action["object"])]
        # inputs: named without directories, identified by their sha256
        files = {o["name"]: o["sha256"] for o in objects
                 if o.get("description", "").startswith("input")}  # fmt: skip
        assert files == {f.name: methods.sha256_file(f) for f in inputs[pid]}
        assert any(o["name"] == "genome.fa" for o in objects)
        values = {o["name"]: o["value"] for o in objects if o["@type"] == "PropertyValue"}
        assert values["somatic.min_vaf"] == 0.01 and len(values["configuration sha256"]) == 64
        # outputs: files of the crate (relative to results/), checksummed, listed in hasPart
        for out in ids(action["result"]):
            assert not out.startswith("/") and (results / out).is_file()
            assert graph[out]["sha256"] == methods.sha256_file(results / out)
            assert out in ids(root["hasPart"])
        assert {Path(o).name for o in ids(action["result"])} == {
            f"{pid}.json", f"{pid}.html"}  # fmt: skip
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", action["endTime"])


def test_every_reference_resolves_and_no_absolute_path_is_written(crate, tmp_path):
    doc, _, _ = crate
    defined = {e["@id"] for e in doc["@graph"]}

    def refs(x):
        if isinstance(x, dict):
            if set(x) == {"@id"}:
                yield x["@id"]
            for v in x.values():
                yield from refs(v)
        elif isinstance(x, list):
            for v in x:
                yield from refs(v)

    dangling = {r for r in refs(doc["@graph"]) if r not in defined and "://" not in r}
    assert not dangling
    assert str(tmp_path) not in json.dumps(doc)
