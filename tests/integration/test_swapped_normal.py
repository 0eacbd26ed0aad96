"""Issue 14, item 1: the normal FASTQ is the tumour's (a units-sheet copy-paste slip).  On main
this gave QC "pass", KRAS G12D and TP53 R175H filtered as normal artefacts, a report saying "KRAS
G12 not detected" and exit 0; now rule identity stops the patient, before its findings, with one
line naming both samples."""

import yaml
from workflow_run import run_workflow


def test_a_normal_fastq_that_is_the_tumours_stops_the_patient(small_demo, mirror, tmp_path):
    demo_dir, _ = small_demo
    reads = demo_dir / "results" / "demo" / "reads" / "DEMO01-T"
    (tmp_path / "samples.tsv").write_text(
        "patient\tsample\ttype\ttumour_type\tpurity\n"
        "SWAP01\tSWAP01-T\ttumour\tcolorectal adenocarcinoma\t\n"
        "SWAP01\tSWAP01-N\tnormal\t\t\n"
    )
    rows = "".join(
        f"{s}\tL001\t{reads / 'L001_R1.fastq.gz'}\t{reads / 'L001_R2.fastq.gz'}\n"
        for s in ("SWAP01-T", "SWAP01-N")
    )
    (tmp_path / "units.tsv").write_text("sample\tunit\tfq1\tfq2\n" + rows)
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(
        yaml.safe_dump(
            {
                "samples": str(tmp_path / "samples.tsv"),
                "units": str(tmp_path / "units.tsv"),
                # the small demo's built reference and knowledge base (read, not rebuilt)
                "resources": {"mirror": str(mirror), "cache": str(demo_dir / "resources/cache")},
            }
        )
    )
    res = run_workflow(tmp_path, overlay)
    assert res.returncode != 0
    line = "tumorboard: tumour SWAP01-T and normal SWAP01-N are the same reads: "
    assert line in res.stderr, res.stderr[-3000:]
    log = (tmp_path / "results/logs/identity/SWAP01-T_vs_SWAP01-N.log").read_text()
    assert "(100.0%)" in log and line in log
    assert not (tmp_path / "results/findings/SWAP01.json").exists()
    assert not list((tmp_path / "results").glob("report/SWAP01*"))
