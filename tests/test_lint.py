"""Static checks a reviewer runs: ruff on the Python, snakemake --lint on the workflow."""

import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def test_ruff_is_clean(project):
    res = subprocess.run(
        [str(BIN / "ruff"), "check", "workflow", "tests", "bench"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stdout


def test_snakemake_lint_is_clean(project, mirror, tmp_path):
    overlay = tmp_path / "mirror.yaml"
    overlay.write_text(f"resources:\n  mirror: {mirror}\n")
    res = subprocess.run(
        [str(BIN / "snakemake"), "--lint", "--configfile", "config/config.yaml", str(overlay)],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Congratulations" in res.stdout + res.stderr, res.stdout + res.stderr


def test_snakefmt_is_clean(project):
    res = subprocess.run(
        [str(BIN / "snakefmt"), "--check", "Snakefile", "workflow/rules"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
