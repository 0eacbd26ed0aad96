"""Crash recovery (issue 14): ``python -m tumorboard.resume`` finds the run's directory, refuses
while a Snakemake process still works there, and the ``onstart`` hook removes the outputs of
the jobs about to run so that a failed run leaves no out-of-date result (tumorboard.stale).
The kill/resume cycle itself runs in tests/integration/test_crash_recovery.py."""

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tumorboard import resume, stale


@pytest.mark.parametrize(
    "args,expected",
    [
        (["--cores", "2"], "."),
        (["-d", "runs/a", "--cores", "2"], "runs/a"),
        (["--directory", "/abs/run"], "/abs/run"),
        (["--directory=runs/b"], "runs/b"),
    ],
)
def test_the_run_directory_comes_from_the_snakemake_arguments(tmp_path, args, expected):
    assert resume.workdir(args, tmp_path) == (tmp_path / expected).resolve()


def exec_ed(proc: subprocess.Popen, marker) -> subprocess.Popen:
    """``proc`` once it has exec'd: until then /proc shows the parent's command line (seen on
    a loaded machine)."""
    cmdline = Path(f"/proc/{proc.pid}/cmdline")
    for _ in range(500):
        if str(marker).encode() in cmdline.read_bytes():
            break
        time.sleep(0.01)
    return proc


@pytest.fixture
def fake_snakemake(tmp_path):
    """A process whose command line is a snakemake's, working in ``tmp_path / 'run'``."""
    run = tmp_path / "run"
    run.mkdir()
    exe = tmp_path / "bin" / "snakemake"
    exe.parent.mkdir()
    exe.write_text("import time\ntime.sleep(60)\n")
    proc = exec_ed(subprocess.Popen([sys.executable, str(exe), "--cores", "1"], cwd=run), exe)
    yield run, proc
    proc.kill()
    proc.wait()


def test_a_live_run_is_seen_and_resume_refuses(fake_snakemake, tmp_path, capsys):
    run, proc = fake_snakemake
    assert proc.pid in resume.live_runs(run)
    assert resume.live_runs(tmp_path) == []  # another directory
    status = resume.main(["-d", str(run), "--cores", "1"])
    err = capsys.readouterr().err.strip()
    assert status == 1
    assert err == (
        f"tumorboard: a Snakemake run (pid {proc.pid}) is still working in {run}: wait for it "
        "to finish or stop it; resume is for a run that died"
    )
    proc.kill()
    proc.wait()
    assert resume.live_runs(run) == []


def test_a_directory_given_with_d_is_matched(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", "-m", "snakemake"], cwd=tmp_path
    )
    exec_ed(proc, "time.sleep(60)")
    try:  # not a snakemake command line (the -m comes after the script)
        assert resume.live_runs(tmp_path) == []
    finally:
        proc.kill()
        proc.wait()
    exe = tmp_path / "snakemake"
    exe.write_text("import time\ntime.sleep(60)\n")
    proc = exec_ed(subprocess.Popen([sys.executable, str(exe), "-d", "run"], cwd=tmp_path), exe)
    try:
        assert resume.live_runs(run) == [proc.pid] and resume.live_runs(tmp_path) == []
    finally:
        proc.kill()
        proc.wait()


def test_out_of_date_outputs_are_removed_and_named(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for f in ("results/report/P1.html", "results/findings/P1.json", "results/align/P1-T.bam"):
        Path(f).parent.mkdir(parents=True, exist_ok=True)
        Path(f).write_text("old")
    Path("results/cohort/multiqc_data").mkdir(parents=True)
    Path("results/cohort/multiqc_data/x.txt").write_text("old")
    log = io.StringIO()
    removed = stale.remove_outputs(
        [
            ("results/align/P1-T.bam", False),
            ("results/cohort/multiqc_data", True),
            ("results/findings/P1.json", False),
            ("results/report/P1.html", False),
            ("results/report/P1.pdf", False),  # never made: nothing to remove
        ],
        log=log,
    )
    assert len(removed) == 4 and not any(os.path.exists(p) for p in removed)
    assert log.getvalue() == (
        "tumorboard: out of date, removed before the jobs that remake them run (a failed run "
        "leaves them missing, not stale): results/findings/P1.json, results/report/P1.html, "
        "2 other output(s)\n"
    )
    assert stale.remove_outputs([("results/report/P1.html", False)], log=log) == []
