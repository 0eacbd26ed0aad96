"""The run's provenance as a Workflow Run RO-Crate (``results/ro-crate-metadata.json``).

Profile: Workflow Run Crate 0.5 (https://w3id.org/ro/wfrun/workflow/0.5), which extends Process
Run Crate 0.5 and Workflow RO-Crate 1.0, on RO-Crate 1.1.  The crate's root is the results
directory.  It is built from the per-patient provenance JSON (``results/provenance/<patient>
.json``, :func:`tumorboard.report.methods.build_provenance`), so it says nothing the provenance
does not:

* the root ``Dataset`` conforms to the three profiles and ``mentions`` one ``CreateAction`` per
  patient;
* each ``CreateAction`` has the workflow as ``instrument``, the patient's input files,
  resources, knowledge base and configuration as ``object`` (files with their sha256, the
  configuration as ``PropertyValue`` entries: its sha256 and the values that decide a call) and
  the patient's outputs (findings, somatic VCF, report HTML and PDF, provenance) as ``result``;
  ``endTime`` is the time the patient's last output was written (the crate describes one run, so
  unlike the findings and the report it carries a time);
* the workflow (``ComputationalWorkflow``) names its version and git commit, and lists the
  tools it ran as ``SoftwareApplication`` entities with the versions captured at run time.

Written by hand rather than with the ``rocrate`` package: the crate is a fixed shape of about a
dozen entity kinds, the package is not among the pinned requirements, and JSON written here is
byte-stable for the same provenance and outputs.

Deviation from Workflow RO-Crate: the workflow's code is outside the results directory, so the
main workflow is a contextual entity (``#tumorboard``: name, version, commit) rather than a file
in the crate.  Input files are outside it too: they are named as the provenance names them
(relative to the project or run directory, else by file name: never an absolute path) and
identified by sha256.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from tumorboard.reference.resources import sha256_file
from tumorboard.report.methods import flatten_config

RO_CRATE = "https://w3id.org/ro/crate/1.1"
CONTEXT = ["https://w3id.org/ro/crate/1.1/context", "https://w3id.org/ro/terms/workflow-run/context"]
PROFILES = {
    "https://w3id.org/ro/wfrun/process/0.5": ("Process Run Crate", "0.5"),
    "https://w3id.org/ro/wfrun/workflow/0.5": ("Workflow Run Crate", "0.5"),
    "https://w3id.org/workflowhub/workflow-ro-crate/1.0": ("Workflow RO-Crate", "1.0"),
}
WORKFLOW_ID = "#tumorboard"
SNAKEMAKE_LANGUAGE = "https://w3id.org/workflowhub/workflow-ro-crate#snakemake"
# configuration sections recorded value by value (the thresholds that decide a call)
DECIDING = ("somatic", "copy_number", "params.mpileup", "knowledge", "panel")
FORMATS = {
    ".json": "application/json",
    ".html": "text/html",
    ".pdf": "application/pdf",
    ".gz": "application/gzip",
    ".tsv": "text/tab-separated-values",
}


def patient_outputs(patient: str) -> list[str]:
    """The files of a patient the crate lists as the run's results (paths as the rules write
    them, relative to the run directory)."""
    return [
        f"results/findings/{patient}.json",
        f"results/somatic/{patient}.vcf.gz",
        f"results/report/{patient}.html",
        f"results/report/{patient}.pdf",
        f"results/provenance/{patient}.json",
    ]


def _ref(eid: str) -> dict:
    return {"@id": eid}


def _format(name: str) -> str:
    return FORMATS.get(Path(name).suffix, "application/octet-stream")


def _mtime(path: Path) -> str:
    t = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC).replace(microsecond=0)
    return t.isoformat()


def _tool_id(key: str) -> str:
    return f"#tool/{key.removeprefix('python:')}"


def _tool_name(key: str) -> str:
    return key.removeprefix("python:")


def build_crate(
    provenance: Mapping[str, Mapping],
    outputs: Mapping[str, Sequence[str | Path]],
    results_dir: str | Path,
) -> dict:
    """The crate of one run: ``provenance`` per patient (the provenance JSON documents),
    ``outputs`` per patient (files under ``results_dir``, named in the crate relative to it)."""
    root = Path(results_dir)
    entities: dict[str, dict] = {}

    def add(entity: dict) -> dict:
        entities.setdefault(entity["@id"], entity)
        return _ref(entity["@id"])

    actions, parts, tools = [], [], {}
    first = next(iter(provenance.values()), {})
    for pid in sorted(provenance):
        prov = provenance[pid]
        for key, version in sorted((prov.get("tool_versions") or {}).items()):
            tools.setdefault(_tool_id(key), {
                "@id": _tool_id(key), "@type": "SoftwareApplication", "name": _tool_name(key),
                "softwareVersion": str(version)})  # fmt: skip
        objects = []
        for entry in prov.get("inputs") or []:
            objects.append(add({
                "@id": f"#input/{pid}/{entry['file']}", "@type": "File",
                "name": Path(entry["file"]).name, "description": f"input of patient {pid}",
                "sha256": entry["sha256"], "encodingFormat": _format(entry["file"])}))  # fmt: skip
        files = prov.get("resource_files") or {}
        for name, checksum in sorted((prov.get("resources") or {}).items()):
            sha = str(checksum).removeprefix("sha256:")
            objects.append(add({
                "@id": f"#resource/{name}/{sha[:16]}", "@type": "File",
                "name": Path(str(files.get(name, name))).name, "description": f"resource: {name}",
                "sha256": sha}))  # fmt: skip
        kb = prov.get("knowledge_base") or {}
        for src in kb.get("sources") or []:
            objects.append(add({
                "@id": f"#knowledge-source/{src.get('sha256')}", "@type": "Dataset",
                "name": src.get("name"), "version": src.get("release_date") or "undated",
                "sha256": src.get("sha256"),
                "description": f"knowledge-base source {src.get('file')}"}))  # fmt: skip
        config = prov.get("config") or {}
        sha = prov.get("config_sha256", "")
        objects.append(add({"@id": f"#config/{sha[:16]}", "@type": "PropertyValue",
                            "name": "configuration sha256", "value": sha}))  # fmt: skip
        for key, value in flatten_config(config).items():
            if key.startswith(DECIDING):
                pv = f"#config/{sha[:16]}/{key}"
                objects.append(add({"@id": pv, "@type": "PropertyValue", "name": key,
                                    "value": json.dumps(value) if isinstance(value, list | dict)
                                    else value}))  # fmt: skip
        results, last = [], None
        for out in outputs.get(pid, []):
            rel = Path(os.path.relpath(out, root))
            local = root / rel
            results.append(add({
                "@id": rel.as_posix(), "@type": "File", "name": rel.name,
                "encodingFormat": _format(rel.name), "contentSize": local.stat().st_size,
                "sha256": sha256_file(local)}))  # fmt: skip
            parts.append(_ref(rel.as_posix()))
            mtime = _mtime(local)
            last = max(last or mtime, mtime)
        action = {
            "@id": f"#run/{pid}",
            "@type": "CreateAction",
            "name": f"tumorboard run of patient {pid}",
            "instrument": _ref(WORKFLOW_ID),
            "object": objects,
            "result": results,
            "actionStatus": _ref("http://schema.org/CompletedActionStatus"),
        }
        if last:
            action["endTime"] = last
        add(action)
        actions.append(_ref(action["@id"]))

    workflow = {
        "@id": WORKFLOW_ID,
        "@type": ["SoftwareSourceCode", "ComputationalWorkflow"],
        "name": "tumorboard",
        "description": "Snakemake workflow: tumour/normal reads to a molecular tumour board "
        "report (research use only)",
        "version": str(first.get("workflow_version", "unknown")),
        "identifier": f"git:{first.get('workflow_commit', 'unknown')}",
        "programmingLanguage": _ref(SNAKEMAKE_LANGUAGE),
        "softwareRequirements": [_ref(t) for t in sorted(tools)],
    }
    ends = [entities[a["@id"]].get("endTime") for a in actions]
    published = max([e for e in ends if e] or [dt.date(1970, 1, 1).isoformat()])
    graph = [
        {
            "@id": "ro-crate-metadata.json",
            "@type": "CreativeWork",
            "conformsTo": _ref(RO_CRATE),
            "about": _ref("./"),
        },
        {
            "@id": "./",
            "@type": "Dataset",
            "name": "tumorboard results",
            "description": f"Results of one tumorboard run: {len(actions)} patient(s). "
            "Research use only.",
            "datePublished": published,
            "license": _ref("#results-licence"),
            "conformsTo": [_ref(p) for p in PROFILES],
            "mainEntity": _ref(WORKFLOW_ID),
            "mentions": actions,
            "hasPart": parts,
        },
        {
            "@id": "#results-licence",
            "@type": "CreativeWork",
            "name": "Patient data: no licence granted",
            "description": "The results describe patients; their use is governed by the data "
            "controller's terms, not by the workflow's MIT licence.",
        },
        *[
            {"@id": pid, "@type": "CreativeWork", "name": name, "version": version}
            for pid, (name, version) in PROFILES.items()
        ],
        {
            "@id": SNAKEMAKE_LANGUAGE,
            "@type": "ComputerLanguage",
            "name": "Snakemake",
            "identifier": _ref("https://doi.org/10.1093/bioinformatics/bts480"),
            "url": _ref("https://snakemake.readthedocs.io"),
            "version": str((first.get("tool_versions") or {}).get("python:snakemake", "")),
        },
        workflow,
        *[tools[t] for t in sorted(tools)],
        *entities.values(),
    ]
    return {"@context": CONTEXT, "@graph": graph}


def write_crate(
    provenance_files: Sequence[str | Path],
    outputs: Mapping[str, Sequence[str | Path]],
    results_dir: str | Path,
    path: str | Path,
) -> dict:
    """Read the patients' provenance JSON, build the crate, write it to ``path``."""
    provenance = {}
    for f in provenance_files:
        doc = json.loads(Path(f).read_text(encoding="utf-8"))
        provenance[doc["patient"]] = doc
    crate = build_crate(provenance, outputs, results_dir)
    Path(path).write_text(json.dumps(crate, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return crate
