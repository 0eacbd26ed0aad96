"""Fixtures shared by the integration tests."""

import os
import signal
from pathlib import Path

import pytest
from real_genome import PROJECT, start_background_build
from workflow_run import SMALL_DEMO, run_workflow, write_overlay

_BUILD = {}


def pytest_collection_finish(session):
    """When a test will need the real-coordinate test genome (the site-mode tests) and it is not
    cached, start its bwa index now, in the background: it is single-threaded and takes minutes,
    and the tests before the site-mode ones leave a core for it."""
    mirror = Path(os.environ.get("TUMORBOARD_MIRROR", PROJECT.parent / "shared" / "data"))
    needs = any(item.module.__name__ == "test_site_mode" for item in session.items)
    if needs and (mirror / "reference" / "grch38_loci.fa").exists():
        if not session.config.option.collectonly:
            _BUILD["proc"] = start_background_build(mirror)


def pytest_sessionfinish(session):
    proc = _BUILD.get("proc")
    if proc is not None and proc.poll() is None:  # the session ended before it was needed
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait()


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
