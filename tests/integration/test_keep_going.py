"""`--keep-going`: a patient that fails late stops only itself; the cohort view covers the patients
that finished and lists the one that did not, with the job that failed and its log.

Two patients on one lane of the small demo's reads: GOOD01 (the demo's tumour and normal) and
SWAP01, whose normal FASTQ is its tumour's, which the identity check (rule somatic_call) stops after
alignment, before its findings (tests/integration/test_swapped_normal.py)."""

import csv

from workflow_run import run_workflow, write_demo_reads_run

from tumorboard.cohort import formats, tables


def test_a_failed_patient_stops_only_itself(small_demo, mirror, tmp_path):
    demo_dir, _ = small_demo
    reads = demo_dir / "results" / "demo" / "reads"
    samples = (
        "patient\tsample\ttype\ttumour_type\tpurity\n"
        "GOOD01\tGOOD01-T\ttumour\tcolorectal adenocarcinoma\t0.6\n"
        "GOOD01\tGOOD01-N\tnormal\t\t\n"
        "SWAP01\tSWAP01-T\ttumour\tcolorectal adenocarcinoma\t0.6\n"
        "SWAP01\tSWAP01-N\tnormal\t\t\n"
    )
    pairs = {"GOOD01-T": "DEMO01-T", "GOOD01-N": "DEMO01-N", "SWAP01-T": "DEMO01-T"}
    pairs["SWAP01-N"] = "DEMO01-T"  # the slip: the tumour's FASTQ on the normal's row
    overlay = write_demo_reads_run(
        tmp_path, demo_dir, mirror, samples, {s: reads / d for s, d in pairs.items()}
    )
    res = run_workflow(tmp_path, overlay, "--keep-going")
    assert res.returncode != 0  # a patient failed: the run says so

    # the good patient went to its report
    results = tmp_path / "results"
    assert (results / "findings/GOOD01.json").exists()
    assert (results / "report/GOOD01.html").stat().st_size > 0
    assert not (results / "findings/SWAP01.json").exists()

    # the cohort view covers the patient that finished: what the cohort rules write for it
    with open(results / "cohort/summary.tsv") as fh:
        summary = list(csv.DictReader(fh, delimiter="\t"))
    good = tables.load_findings([results / "findings/GOOD01.json"])
    assert summary == tables.summary_rows(good)
    assert {r["patient"] for r in summary} == {"GOOD01"}
    maf = (results / "cohort/mutations.maf").read_text().splitlines()
    # version line + header + records (none here: SWAP01-N, the demo tumour's reads, is in the
    # cohort's panel of normals, so GOOD01's tumour variants are filtered as normal artefacts)
    assert len(maf) - 2 == len(formats.maf_rows(good))
    assert "SWAP01" not in "\n".join(maf)
    assert (results / "cohort/oncoprint.png").stat().st_size > 0

    # ... and lists the one that did not, with the job that failed and its log
    with open(results / "cohort/unfinished.tsv") as fh:
        unfinished = list(csv.DictReader(fh, delimiter="\t"))
    assert [r["patient"] for r in unfinished] == ["SWAP01"], unfinished
    (row,) = unfinished
    assert row["failed"] == "somatic_call"
    assert row["logs"] == "results/logs/somatic_call/SWAP01.log"
    assert row["first_missing"] == "results/qc/identity/SWAP01.json"
    line = "tumorboard: cohort: findings for 1 of 2 patient(s) in results/cohort/"
    assert line in res.stderr and "unfinished: SWAP01" in res.stderr, res.stderr[-3000:]
