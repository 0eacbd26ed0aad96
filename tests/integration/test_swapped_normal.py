"""Issue 14, item 1: the normal FASTQ is the tumour's (a units-sheet copy-paste slip).  On main
this gave QC "pass", KRAS G12D and TP53 R175H filtered as normal artefacts, a report saying "KRAS
G12 not detected" and exit 0; now the identity check (rule somatic_call) stops the patient, before
its findings, with one line naming both samples."""

from workflow_run import run_workflow, write_demo_reads_run


def test_a_normal_fastq_that_is_the_tumours_stops_the_patient(small_demo, mirror, tmp_path):
    demo_dir, _ = small_demo
    reads = demo_dir / "results" / "demo" / "reads" / "DEMO01-T"
    samples = (
        "patient\tsample\ttype\ttumour_type\tpurity\n"
        "SWAP01\tSWAP01-T\ttumour\tcolorectal adenocarcinoma\t\n"
        "SWAP01\tSWAP01-N\tnormal\t\t\n"
    )
    overlay = write_demo_reads_run(
        tmp_path, demo_dir, mirror, samples, {"SWAP01-T": reads, "SWAP01-N": reads}
    )
    res = run_workflow(tmp_path, overlay)
    assert res.returncode != 0
    line = "tumorboard: tumour SWAP01-T and normal SWAP01-N are the same reads: "
    assert line in res.stderr, res.stderr[-3000:]
    log = (tmp_path / "results/logs/somatic_call/SWAP01.log").read_text()
    assert "(100.0%)" in log and line in log
    assert not (tmp_path / "results/findings/SWAP01.json").exists()
    assert not list((tmp_path / "results").glob("report/SWAP01*"))
