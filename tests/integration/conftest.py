"""Fixtures shared by the integration tests."""

import pytest
from workflow_run import SMALL_DEMO, run_workflow, write_overlay


@pytest.fixture(scope="session")
def small_demo(project, mirror, tmp_path_factory):
    """The demo patient run once on the demo (loci) reference; tests read it, never change it."""
    workdir = tmp_path_factory.mktemp("demo")
    demo = project / "config" / "demo"
    overlay = write_overlay(
        workdir, demo / "samples.tsv", demo / "units.tsv", mirror, demo=SMALL_DEMO
    )
    res = run_workflow(workdir, overlay)
    assert res.returncode == 0, res.stderr[-3000:]
    return workdir, overlay
