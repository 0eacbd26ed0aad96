"""The demo through a real SLURM scheduler (profiles/slurm) gives the findings of the local run.

A single-node SLURM cluster (Debian slurm-wlm + munge) is stood up for the module by
workflow/setup/slurm_single_node.sh, private to a temporary directory, and stopped afterwards by
its pid files. The small demo runs through `--executor slurm` with the project's SLURM profile;
the test asserts what a cluster user would check: the same findings JSON as the local run
(conftest.small_demo), every job Snakemake submitted finished COMPLETED in the scheduler's own
job completion log (not just exit 0), only the local rules ran outside the scheduler, and the
grouping makes a patient cost three scheduler jobs (two samples and the patient).

Runs with TUMORBOARD_SLURM=1 (`make test-slurm`): it needs root, installs slurm-wlm and munge when
missing and starts daemons, which `make test` should not do on a developer's machine.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from workflow_run import PROJECT

SETUP = str(PROJECT / "workflow" / "setup" / "slurm_single_node.sh")
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
LOCAL_RULES = {
    "fetch_sequence",
    "fetch_file",
    "combine_gene_models",
    "knowledgebase",
    "tool_versions",
    "all",
}

pytestmark = pytest.mark.skipif(
    os.environ.get("TUMORBOARD_SLURM") != "1",
    reason="SLURM test: `make test-slurm` (TUMORBOARD_SLURM=1; root, starts SLURM daemons)",
)


@pytest.fixture(scope="module")
def slurm(tmp_path_factory):
    """A running single-node cluster: its state directory (slurm.conf, jobcomp.log)."""
    subprocess.run([SETUP, "install"], check=True)
    state = tmp_path_factory.mktemp("slurm_state")
    res = subprocess.run([SETUP, "start", str(state)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    try:
        yield state
    finally:
        subprocess.run([SETUP, "stop", str(state)], check=True)


def jobcomp(state: Path) -> dict[str, dict[str, str]]:
    """The scheduler's job completion log: JobId -> its fields."""
    jobs = {}
    for line in (state / "jobcomp.log").read_text().splitlines():
        fields = dict(re.findall(r"(\w+)=(\S*)", line))
        jobs[fields["JobId"]] = fields
    return jobs


def test_demo_through_slurm_gives_the_local_findings(small_demo, slurm, tmp_path):
    local, overlay = small_demo
    work = tmp_path / "slurm_run"
    env = dict(os.environ, SLURM_CONF=str(slurm / "slurm.conf"))
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(PROJECT / "workflow"), env.get("PYTHONPATH", "")])
    )
    cmd = [
        # SIGTERM does not stop a hung snakemake-on-slurm; SIGINT does (and cancels its jobs)
        *("timeout", "-s", "INT", "1500"),
        SNAKEMAKE,
        *("-s", str(PROJECT / "Snakefile"), "-d", str(work)),
        *("--workflow-profile", str(PROJECT / "profiles" / "slurm")),
        # the test node has 2 CPUs; no accounts and no accounting daemon on it
        *("--cores", "2", "--slurm-no-account", "--slurm-status-command", "squeue"),
        *("--slurm-init-seconds-before-status-checks", "2", "--slurm-keep-successful-logs"),
        "--configfile",
        str(PROJECT / "config" / "config.yaml"),
        str(PROJECT / "config" / "demo" / "config.yaml"),
        str(overlay),
    ]
    res = subprocess.run(cmd, capture_output=True, text=True, env=env)
    log = res.stdout + res.stderr
    (tmp_path / "snakemake.log").write_text(log)
    assert res.returncode == 0, log[-4000:]

    # the contract: the same findings as the local run
    findings = "results/findings/DEMO01.json"
    assert json.loads((work / findings).read_text()) == json.loads((local / findings).read_text())
    assert (work / "results/report/DEMO01.html").stat().st_size > 0

    # every submitted job went through the scheduler and completed there
    submitted = re.findall(r"has been submitted with SLURM jobid (\d+) \(log: (\S+?)\)", log)
    assert submitted, log[-4000:]
    done = jobcomp(slurm)
    logs = {p.stem: p for p in (work / ".snakemake" / "slurm_logs").rglob("*.log")}
    for jobid, _ in submitted:
        assert done[jobid]["JobState"] == "COMPLETED", done[jobid]
        assert done[jobid]["WorkDir"] == str(work)
        assert jobid in logs  # the job's own log, written on the node
    # nothing but the local rules ran outside it: every other job header is a submitted job
    local_jobs = set(re.findall(r"^localrule (\w+):", log, re.M))
    assert local_jobs <= LOCAL_RULES, local_jobs - LOCAL_RULES
    remote = re.findall(r"^rule \w+:|^\[.*\] Group job ", log, re.M)
    assert len(remote) == len(submitted), remote

    # a patient costs three scheduler jobs: one per sample (lanes to coverage), one patient job
    kinds = sorted("_".join(logs[j].parent.name.split("_")[:2]) for j, _ in submitted)
    per_patient = [k for k in kinds if k in ("group_sample", "group_patient")]
    assert sorted(per_patient) == ["group_patient", "group_sample", "group_sample"], kinds
    print(f"SLURM jobs: {len(submitted)}, of which the patient's: {len(per_patient)}: {kinds}")
