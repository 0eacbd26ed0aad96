"""Crash recovery and thread-count independence (issue 14), on the small demo.

One run of the demo patient from read trimming on, at ONE thread, is killed with SIGKILL to its
process group three times: during alignment (one sample's align job running bwa mem, the other
sample's finished), during calling (bcftools mpileup writing the patient's pileup) and during
report rendering.  Each time it
is resumed with the documented command (``python -m tumorboard.resume`` + the same arguments;
``make resume`` for the demo).  The kill points are found by watching Snakemake's own
"incomplete" markers (``.snakemake/incomplete``, written before a job starts and removed when
it ends), never by timing.  Checked, as a user would:

- a plain rerun after the kill stops on the lock (why the resume command exists);
- each resume runs only the interrupted jobs and those not yet run: every output complete at the
  kill keeps its modification time (or was a temp() file consumed since), and no job Snakemake
  reports running in the resume has such an output;
- no partial file is trusted: every output on disk with an incomplete marker at the kill is made
  again; no marker, no lock, no sort temporary file is left;
- the findings JSON, the VCF records, the BAM records (samtools view; the header without its @PG
  command lines) and the MultiQC HTML equal those of the uninterrupted run at TWO threads (the
  session's small demo) byte for byte: one comparison proves both the recovery and that nothing
  depends on the thread count (bwa mem -K).

The run reuses the small demo's reference, knowledge base and simulated reads (copied), and stops
at the deliverables this needs (no PDF or screenshots), to stay quick."""

import base64
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from workflow_run import workflow_command

pytestmark = pytest.mark.integration

PATIENT = "DEMO01"
BAMS = ["results/align/DEMO01-T.bam", "results/align/DEMO01-N.bam"]
VCFS = [f"results/somatic/{PATIENT}.vcf.gz", f"results/annotate/{PATIENT}.vcf.gz"]
FINDINGS = f"results/findings/{PATIENT}.json"
MULTIQC = "results/cohort/multiqc_report.html"
TARGETS = [FINDINGS, f"results/report/{PATIENT}.html", *VCFS, *BAMS, MULTIQC]
# temp() outputs (workflow/rules): deleted once consumed, which is not a rerun
# and a job's own intermediates (lanes' BAMs and trimmed reads, pileups, raw calls), which it
# removes when it ends and again when it starts over
TEMP = re.compile(
    r"^results/(align/.*\.bam\.lanes/.*"
    r"|somatic/.*\.vcf\.gz\.(pileup\.bcf|calls\.vcf)|pon/.*\.pileup\.bcf)$"
)
NOT_OUTPUTS = re.compile(r"^(results|resources/cache)/(logs|benchmarks)/")
JOB = re.compile(r"^(?:local)?rule (\w+):\n((?:    .*\n)*)", re.M)


def incomplete(work: Path) -> set[str]:
    """Outputs Snakemake has marked incomplete: its marker files are named by the urlsafe
    base64 of the output path (long names split into "@"-prefixed directories)."""
    root = work / ".snakemake" / "incomplete"
    found = set()
    for marker in root.rglob("*") if root.is_dir() else ():
        if marker.is_file() and marker.name != "migration_underway":
            encoded = "".join(p.removeprefix("@") for p in marker.relative_to(root).parts)
            found.add(base64.urlsafe_b64decode(encoded).decode())
    return found


def output_times(work: Path) -> dict[str, int]:
    """Modification time of every file the workflow made (logs and benchmarks left out)."""
    out = {}
    for top in ("results", "resources/cache"):
        for p in (work / top).rglob("*"):
            rel = p.relative_to(work).as_posix()
            if p.is_file() and not NOT_OUTPUTS.match(rel):
                out[rel] = p.stat().st_mtime_ns
    return out


def in_partial(path: str, partial: set[str]) -> bool:
    """``path`` is an output marked incomplete, or inside one (a directory output)."""
    return path in partial or any(path.startswith(f"{p}/") for p in partial)


def jobs_run(log: str) -> list[tuple[str, list[str]]]:
    """(rule, outputs) of every job Snakemake's log says it started."""
    jobs = []
    for m in JOB.finditer(log):
        outputs = re.search(r"^    output: (.*)$", m.group(2), re.M)
        jobs.append((m.group(1), outputs.group(1).split(", ") if outputs else []))
    return jobs


@dataclass
class Leg:
    """One invocation: its log and, when it was killed, what was on disk at the kill."""

    name: str
    log: str = ""
    returncode: int | None = None
    times: dict = field(default_factory=dict)
    partial: set = field(default_factory=set)


def run_leg(name, cmd, work, ready=None, timeout=900) -> Leg:
    """Run ``cmd`` in its own process group; when ``ready(work)`` turns true, SIGKILL the
    whole group (snakemake and its jobs) and record the files and incomplete markers."""
    leg = Leg(name)
    log_path = work / f"{name}.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while proc.poll() is None and time.monotonic() < deadline:
            if ready is not None and ready(work):
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                leg.times, leg.partial = output_times(work), incomplete(work)
                break
            time.sleep(0.02)
        else:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                pytest.fail(f"{name}: no end after {timeout} s:\n{log_path.read_text()[-3000:]}")
        leg.returncode = proc.returncode
    leg.log = log_path.read_text()
    if ready is not None and not leg.partial:
        pytest.fail(f"{name}: the run ended before its kill point:\n{leg.log[-3000:]}")
    return leg


def aligning(work: Path) -> bool:
    """One sample's align job is running bwa mem (its BAM marked incomplete, the job's log at
    a lane's alignment step) after the other sample's finished: the kill lands mid-alignment
    with one sample done."""
    running = incomplete(work)
    done = [b for b in BAMS if (work / b).is_file() and b not in running]
    logs = [work / b.replace("results/align", "results/logs/align").replace(".bam", ".log")
            for b in BAMS if b in running]  # fmt: skip
    return bool(done) and any(p.is_file() and "[align L00" in p.read_text() for p in logs)


PILEUP = f"results/somatic/{PATIENT}.vcf.gz.pileup.bcf"


def calling(work: Path) -> bool:
    """The patient's calling job is running bcftools mpileup (its VCF marked incomplete, the
    pileup on disk)."""
    return f"results/somatic/{PATIENT}.vcf.gz" in incomplete(work) and (work / PILEUP).is_file()


def rendering(work: Path) -> bool:
    """The report job has started (its output is marked incomplete)."""
    return f"results/report/{PATIENT}.html" in incomplete(work)


@pytest.fixture(scope="module")
def chain(small_demo, tmp_path_factory):
    """The kill/resume chain (module docstring): legs 0-2 killed, leg 3 runs to the end."""
    base, _ = small_demo
    work = tmp_path_factory.mktemp("crash") / "run"
    work.mkdir()
    # what the small demo made before the samples' jobs: resources, simulated reads
    for kept in (".snakemake", "resources", "results/demo"):
        shutil.copytree(base / kept, work / kept, symlinks=True)
    for f in [base / "overlay.yaml", base / "results/provenance/tool_versions.json"]:
        (work / f.relative_to(base)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(f, work / f.relative_to(base))
    cmd = workflow_command(work, work / "overlay.yaml", targets=TARGETS, cores=1)
    resume = [sys.executable, "-m", "tumorboard.resume", *cmd[1:]]
    start = time.monotonic()
    legs = [run_leg("align", cmd, work, aligning)]
    locked = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    legs.append(run_leg("call", resume, work, calling))
    legs.append(run_leg("render", resume, work, rendering))
    legs.append(run_leg("finish", resume, work))
    print(f"kill/resume chain: {time.monotonic() - start:.0f} s")
    return work, legs, locked


def test_a_killed_run_stops_on_its_lock_and_resume_finishes_it(chain):
    work, legs, locked = chain
    assert locked.returncode != 0
    assert "cannot be locked" in locked.stdout + locked.stderr
    finish = legs[-1]
    assert finish.returncode == 0, finish.log[-3000:]
    assert "removing the lock an interrupted run left" in legs[1].log


def test_each_kill_landed_in_its_stage(chain):
    _, legs, _ = chain
    align, call, render, _ = legs
    assert any(b in align.partial for b in BAMS), align.partial
    assert f"results/somatic/{PATIENT}.vcf.gz" in call.partial and PILEUP in call.times
    assert f"results/report/{PATIENT}.html" in render.partial
    # what had finished before each kill
    assert any(b in align.times and b not in align.partial for b in BAMS)
    assert all(b in call.times for b in BAMS) and FINDINGS in render.times


@pytest.mark.parametrize("i", [1, 2, 3], ids=["call", "render", "finish"])
def test_resume_reruns_only_interrupted_and_pending_jobs(chain, i):
    work, legs, _ = chain
    before, leg = legs[i - 1], legs[i]
    after = leg.times or output_times(work)
    complete = {f: t for f, t in before.times.items() if not in_partial(f, before.partial)}
    for f, t in complete.items():
        if f in after:
            assert after[f] == t, f"{f}: finished before the kill, made again by {leg.name}"
        else:
            assert TEMP.match(f), f"{f}: finished before the kill, gone after {leg.name}"
    ran = jobs_run(leg.log)
    assert ran, leg.log[-3000:]
    for rule, outputs in ran:
        assert not set(outputs) & set(complete), f"{leg.name} ran {rule} again: {outputs}"
    # the interrupted jobs are among those run again
    remade = {o for _, outputs in ran for o in outputs}
    assert before.partial <= remade, before.partial - remade


def test_no_partial_output_is_trusted(chain):
    work, legs, _ = chain
    final = output_times(work)
    for before in legs[:-1]:
        for f in before.partial & set(before.times):  # partial files on disk at the kill
            assert f not in final or final[f] != before.times[f], f"{f}: partial file kept"
    assert incomplete(work) == set()
    locks = work / ".snakemake" / "locks"
    assert not (locks.is_dir() and any(locks.iterdir()))
    assert not list((work / "results" / "align").rglob("*.tmp.*.bam"))
    assert not list((work / "results" / "align").glob("*.bam.lanes"))


def test_findings_equal_an_uninterrupted_run_byte_for_byte(chain, small_demo):
    work, _, _ = chain
    base, _ = small_demo
    assert (work / FINDINGS).read_bytes() == (base / FINDINGS).read_bytes()


def tool(*args) -> list[str]:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout.splitlines()


def first_difference(one: list[str], two: list[str]) -> str:
    """The first line that differs (pytest would diff millions of lines)."""
    for i, (a, b) in enumerate(zip(one, two, strict=False)):
        if a != b:
            return f"line {i + 1}:\n1 thread:  {a[:300]}\n2 threads: {b[:300]}"
    return f"{len(one)} lines at 1 thread, {len(two)} at 2" if len(one) != len(two) else ""


@pytest.mark.parametrize("vcf", VCFS)
def test_vcf_records_are_identical_at_one_and_two_threads(chain, small_demo, vcf):
    work, base = chain[0], small_demo[0]
    one = tool("bcftools", "view", "-H", str(work / vcf))
    two = tool("bcftools", "view", "-H", str(base / vcf))
    assert one and not first_difference(one, two), first_difference(one, two)


@pytest.mark.parametrize("bam", BAMS)
def test_bam_records_are_identical_at_one_and_two_threads(chain, small_demo, bam):
    work, base = chain[0], small_demo[0]
    one, two = tool("samtools", "view", str(work / bam)), tool("samtools", "view", str(base / bam))
    assert len(one) > 10_000 and not first_difference(one, two), first_difference(one, two)

    def header(path):  # without @PG lines: they carry each run's command line (-t 1 / -t 2)
        return [ln for ln in tool("samtools", "view", "-H", str(path)) if not ln.startswith("@PG")]

    assert header(work / bam) == header(base / bam)


def test_multiqc_report_is_identical_across_runs(chain, small_demo):
    """Another directory, another time, another thread count: the same QC report bytes."""
    work, base = chain[0], small_demo[0]
    assert (work / MULTIQC).read_bytes() == (base / MULTIQC).read_bytes()
