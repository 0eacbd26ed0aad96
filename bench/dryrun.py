"""What planning a cohort costs: `snakemake -n` on sample sheets of N tumour/normal patients.

Each patient has a tumour and a matched normal with two lanes each; every lane reuses the demo's
FASTQ pair (results/demo/reads/ of `make demo`, or --reads), so only planning is measured. For
each N: wall time and peak RSS of `snakemake -n` (``/usr/bin/time -v``, output to /dev/null as a
user's terminal would get it), the number of jobs and of scheduler jobs under profiles/slurm
(group jobs + ungrouped non-local jobs, from the dry run with that profile's grouping).
Writes bench/results/dryrun.tsv and dryrun.md. Goal (issue #15): 1,000 patients in <= 30 s and
<= 1 GB. Run with `make bench-dryrun`; `--profile` adds a cProfile of the largest N.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
PROJECT = HERE  # the workflow planned (--project: e.g. an export of main, for a before/after)
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
SIZES = (10, 100, 300, 1000)


def write_sheets(work: Path, n: int, reads: Path) -> tuple[Path, Path]:
    """Sample and unit sheets of ``n`` patients (tumour + normal, lanes L001 and L002)."""
    samples = ["patient\tsample\ttype\ttumour_type\tpurity"]
    units = ["sample\tunit\tfq1\tfq2"]
    for i in range(1, n + 1):
        pid = f"P{i:04d}"
        samples.append(f"{pid}\t{pid}-T\ttumour\tcolorectal adenocarcinoma\t0.6")
        samples.append(f"{pid}\t{pid}-N\tnormal\t\t")
        for kind, demo in (("T", "DEMO01-T"), ("N", "DEMO01-N")):
            for lane in ("L001", "L002"):
                r1, r2 = (reads / demo / f"{lane}_R{r}.fastq.gz" for r in (1, 2))
                units.append(f"{pid}-{kind}\t{lane}\t{r1}\t{r2}")
    sdir = work / f"n{n}"
    sdir.mkdir(parents=True, exist_ok=True)
    (sdir / "samples.tsv").write_text("\n".join(samples) + "\n")
    (sdir / "units.tsv").write_text("\n".join(units) + "\n")
    return sdir / "samples.tsv", sdir / "units.tsv"


def overlay(sdir: Path, samples: Path, units: Path, mirror: str) -> Path:
    path = sdir / "overlay.yaml"
    path.write_text(f"samples: {samples}\nunits: {units}\nresources:\n  mirror: {mirror!r}\n")
    return path


def base_cmd(sdir: Path, ov: Path) -> list[str]:
    return [
        SNAKEMAKE,
        "-n",
        "-s",
        str(PROJECT / "Snakefile"),
        "-d",
        str(sdir),
        "--configfile",
        str(PROJECT / "config" / "config.yaml"),
        str(PROJECT / "config" / "demo" / "config.yaml"),
        str(ov),
    ]


def timed(cmd: list[str]) -> tuple[float, float, int, str]:
    """(wall s, CPU s, peak RSS MB, stdout+stderr) of ``cmd`` under /usr/bin/time -v."""
    t0 = time.monotonic()
    res = subprocess.run(
        ["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, env=run_env()
    )
    wall = time.monotonic() - t0
    if res.returncode != 0:
        raise SystemExit(f"dryrun: {' '.join(cmd)} failed:\n{res.stderr[-3000:]}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", res.stderr).group(1))
    cpu = sum(
        float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", res.stderr)
    )
    return wall, cpu, rss // 1024, res.stdout + res.stderr


def run_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(PROJECT / "workflow"), env.get("PYTHONPATH", "")])
    )
    return env


def job_count(output: str) -> int:
    m = re.findall(r"^total\s+(\d+)", output, re.M)
    return int(m[-1]) if m else -1


def local_rules() -> set[str]:
    """Rules run on the submit host under a cluster executor (workflow/rules/cluster.smk), and
    rule all."""
    text = (PROJECT / "workflow" / "rules" / "cluster.smk").read_text()
    block = text.split("localrules:", 1)[1]
    return set(re.findall(r"^\s+(\w+),?$", block, re.M)) | {"all"}


def scheduler_jobs(sdir: Path, ov: Path, pon_file: bool) -> tuple[int, float, float]:
    """(jobs a SLURM run would submit, wall s, CPU s of planning it): a dry run with
    profiles/slurm's groups (no SLURM needed: groups apply to a dry run too), each group job
    counted once, local rules left out. ``pon_file``: the panel of normals is a file
    (somatic.panel_of_normals: path) rather than built from the cohort's normals, which makes
    every patient's calling depend on every normal (see bench/README.md: Snakemake's group
    check then costs patients x cohort)."""
    import yaml

    prof = yaml.safe_load((HERE / "profiles" / "slurm" / "config.yaml").read_text())
    cmd = base_cmd(sdir, ov)
    if pon_file:
        pon = sdir.parent / "pon_file.vcf.gz"
        pon.touch()
        extra = sdir / "pon_file.yaml"
        extra.write_text(f"somatic:\n  panel_of_normals: {pon}\n")
        cmd.append(str(extra))
    cmd += [
        "--cores",
        str(prof["cores"]),
        "--groups",
        *prof["groups"],
        "--group-components",
        *prof["group-components"],
    ]
    wall, cpu, _, out = timed(cmd)
    groups = len(re.findall(r"^\[.*\] Group job ", out, re.M))
    # top-level job headers are not indented (a group job's members are)
    local = local_rules()
    rules = [r for r in re.findall(r"^rule (\w+):", out, re.M) if r not in local]
    return groups + len(rules), wall, cpu


def demo_reads(work: Path) -> Path:
    """The demo's FASTQ (results/demo/reads of `make demo`), simulated here when missing."""
    reads = PROJECT / "results" / "demo" / "reads"
    if (reads / "DEMO01-N" / "L002_R2.fastq.gz").exists():
        return reads
    run = work / "reads"
    run.mkdir(parents=True, exist_ok=True)
    targets = [
        f"results/demo/reads/{s}/L00{u}_R{r}.fastq.gz"
        for s in ("DEMO01-T", "DEMO01-N")
        for u in (1, 2)
        for r in (1, 2)
    ]
    ov = run / "overlay.yaml"
    ov.write_text(f"resources:\n  mirror: {ARGS.mirror!r}\n")
    cmd = [c for c in base_cmd(run, ov) if c != "-n"]
    subprocess.run([cmd[0], *targets, "--cores", "2", *cmd[1:]], check=True, env=run_env())
    return run / "results" / "demo" / "reads"


def main() -> None:
    work = Path(ARGS.work).resolve()
    reads = Path(ARGS.reads).resolve() if ARGS.reads else demo_reads(work)
    rows = []
    for n in ARGS.sizes:
        samples, units = write_sheets(work, n, reads)
        ov = overlay(samples.parent, samples, units, ARGS.mirror)
        cmd = base_cmd(samples.parent, ov)
        walls, cpus, rss, out = [], [], 0, ""
        for _ in range(ARGS.repeats):
            wall, cpu, r, out = timed(cmd)
            walls.append(wall)
            cpus.append(cpu)
            rss = max(rss, r)
        jobs = job_count(out)
        sched, gwall, gcpu = (
            scheduler_jobs(samples.parent, ov, pon_file=True)
            if ARGS.scheduler_jobs
            else (-1, -1, -1)
        )
        cohort_pon = (
            scheduler_jobs(samples.parent, ov, pon_file=False)
            if ARGS.scheduler_jobs and n <= ARGS.cohort_pon_max
            else (-1, -1, -1)
        )
        row = {
            "workflow": ARGS.label or str(PROJECT),
            "patients": n,
            "jobs": jobs,
            "jobs_per_patient": round(jobs / n, 1),
            "scheduler_jobs": sched,
            "wall_s": round(min(walls), 1),
            "wall_s_runs": ",".join(f"{w:.1f}" for w in walls),
            "cpu_s": round(min(cpus), 1),
            "peak_rss_mb": rss,
            "grouped_wall_s_pon_file": round(gwall, 1),
            "grouped_cpu_s_pon_file": round(gcpu, 1),
            "grouped_cpu_s_cohort_pon": round(cohort_pon[2], 1),
            "load1": round(os.getloadavg()[0], 1),
        }
        rows.append(row)
        print("\t".join(f"{k}={v}" for k, v in row.items()), flush=True)
        if ARGS.profile and n == max(ARGS.sizes):
            prof = work / f"n{n}" / "dryrun.prof"
            cProfile.runctx("subprocess_free(cmd)", globals(), {"cmd": cmd}, filename=str(prof))
            st = pstats.Stats(str(prof))
            st.sort_stats("cumulative").print_stats(40)
    write_results(rows)


def subprocess_free(cmd: list[str]) -> None:
    """Run snakemake in this process (for cProfile)."""
    from snakemake.cli import main as sm_main

    sys.argv = ["snakemake", *cmd[1:], "--quiet", "all"]
    sys.path.insert(0, str(PROJECT / "workflow"))
    try:
        sm_main()
    except SystemExit:
        pass


def write_results(rows: list[dict]) -> None:
    """bench/results/dryrun.tsv and .md; rows of other workflows (labels) already there are kept,
    so a before/after is two runs with different --label."""
    out = Path(ARGS.out)
    out.mkdir(parents=True, exist_ok=True)
    keys = list(rows[0])
    tsv = out / "dryrun.tsv"
    if tsv.exists():
        lines = tsv.read_text().splitlines()
        old = [
            dict(zip(lines[0].split("\t"), line.split("\t"), strict=False)) for line in lines[1:]
        ]
        mine = {r["workflow"] for r in rows}
        old = [{k: r.get(k, "-1") for k in keys} for r in old if r.get("workflow") not in mine]
        rows = old + rows
    tsv.write_text(
        "\t".join(keys) + "\n" + "".join("\t".join(str(r[k]) for k in keys) + "\n" for r in rows)
    )
    md = [
        "# `snakemake -n` on cohorts of N tumour/normal patients (bench/dryrun.py)",
        "",
        f"{platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
        f"best of {ARGS.repeats} run(s); CPU = user + system seconds of the dry run; load = "
        "1-min load average after it (the machine is shared: under load, wall time is inflated "
        "and CPU time is the comparable figure). Goal: 1,000 patients in <= 30 s and <= 1 GB.",
        "",
        "| workflow | patients | jobs | jobs/patient | dry-run wall | CPU | peak RSS | load | "
        "SLURM jobs (profiles/slurm) | grouped dry run, PON file: wall / CPU | "
        "grouped, cohort PON: CPU |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        sched = int(r["scheduler_jobs"])

        def sec(key: str, r: dict = r) -> str:
            return f"{r[key]} s" if float(r[key]) >= 0 else "-"

        md.append(
            f"| {r['workflow']} | {int(r['patients']):,} | {int(r['jobs']):,} | "
            f"{r['jobs_per_patient']} | {r['wall_s']} s | {r['cpu_s']} s | "
            f"{int(r['peak_rss_mb']):,} MB | {r['load1']} | "
            f"{f'{sched:,}' if sched >= 0 else '-'} | "
            f"{sec('grouped_wall_s_pon_file')} / {sec('grouped_cpu_s_pon_file')} | "
            f"{sec('grouped_cpu_s_cohort_pon')} |"
        )
    (out / "dryrun.md").write_text("\n".join(md) + "\n")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--mirror", default=str(PROJECT.parent / "shared" / "data"))
    ap.add_argument("--reads", default="", help="folder with DEMO01-{T,N}/L00{1,2}_R{1,2}.fastq.gz")
    ap.add_argument("--work", default=str(HERE / "bench" / "work" / "dryrun"))
    ap.add_argument("--out", default=str(HERE / "bench" / "results"))
    ap.add_argument("--profile", action="store_true", help="cProfile the largest N")
    ap.add_argument("--project", default=str(HERE), help="the workflow to plan (default: this)")
    ap.add_argument("--label", default="", help="a name for this workflow in the results")
    ap.add_argument("--no-scheduler-jobs", dest="scheduler_jobs", action="store_false")
    ap.add_argument(
        "--cohort-pon-max",
        type=int,
        default=100,
        help="largest N also planned grouped with the cohort's own panel of normals (slow)",
    )
    ARGS = ap.parse_args()
    PROJECT = Path(ARGS.project).resolve()
    main()
