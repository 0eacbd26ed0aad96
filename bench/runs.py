"""Workflow runs of the benchmark: sample sheets, config overlays and Snakemake invocations.

Every run has its own directory under the work directory and shares one resources cache, so the
demo reference and its bwa index are built once.  Simulated reads come from the workflow's own
``simulate_demo`` rule (one *simulation* directory per truth file); the patients of each depth are
then separate runs whose sample sheets point at (subsets of) those FASTQ units.
"""

from __future__ import annotations

import csv
import subprocess
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml

TUMOUR_DEPTHS = (200, 500, 1000)
UNITS = 10  # FASTQ units of a simulated tumour; lower depths use the first few units
TUMOUR_UNIT_DEPTH = max(TUMOUR_DEPTHS) // UNITS  # 100x per unit
NVN_DEPTH = 1000  # the simulated normal: 1000x, first half vs second half for normal-vs-normal
NORMAL_UNITS = 20
NORMAL_UNIT_DEPTH = NVN_DEPTH // NORMAL_UNITS  # 50x per unit


def normal_depth(tumour_depth: int) -> int:
    """Matched normal depth: half the tumour depth, at least 200x."""
    return max(tumour_depth // 2, 200)


@dataclass
class Settings:
    project: Path
    work: Path
    mirror: Path
    workers: int = 2
    cores: int = 2

    @property
    def cache(self) -> Path:
        return self.work / "cache"

    @property
    def snakemake(self) -> Path:
        return self.project / ".venv" / "bin" / "snakemake"

    @property
    def cores_per_run(self) -> int:
        return max(1, self.cores // self.workers)


@dataclass
class Run:
    """One Snakemake invocation in its own directory."""

    name: str
    workdir: Path
    samples: list[dict]
    units: list[dict]
    targets: list[str]
    demo: dict = field(default_factory=dict)
    after: list[Run] = field(default_factory=list)  # runs whose output this one reads
    seconds: float = 0.0
    error: str = ""
    done: threading.Event = field(default_factory=threading.Event)


@dataclass(frozen=True)
class Patient:
    id: str
    tumour: str
    normal: str
    workdir: Path
    depth: int = 0  # tumour depth of a grid patient (0 otherwise)
    replicate: int = 0  # 1-based replicate of a grid patient (0 otherwise)

    def bam(self, sample: str) -> Path:
        return self.workdir / "results" / "align" / f"{sample}.bam"

    @property
    def vcf(self) -> Path:
        return self.workdir / "results" / "somatic" / f"{self.id}.vcf.gz"

    @property
    def baseline_dir(self) -> Path:
        return self.workdir / "baselines"


# ---------------------------------------------------------------- sheets and config


def write_tsv(path: Path, rows: list[dict], columns: list[str]) -> None:
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, columns, delimiter="\t", lineterminator="\n", extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)


def sample_rows(patient: str, tumour: str, normal: str, tumour_type: str) -> list[dict]:
    return [
        {"patient": patient, "sample": tumour, "type": "tumour", "tumour_type": tumour_type},
        {"patient": patient, "sample": normal, "type": "normal", "tumour_type": ""},
    ]


def unit_rows(sample: str, fastqs: dict[str, tuple[str, str]]) -> list[dict]:
    return [{"sample": sample, "unit": u, "fq1": a, "fq2": b} for u, (a, b) in fastqs.items()]


def overlay(settings: Settings, run: Run) -> Path:
    run.workdir.mkdir(parents=True, exist_ok=True)
    write_tsv(
        run.workdir / "samples.tsv",
        run.samples,
        ["patient", "sample", "type", "tumour_type", "purity"],
    )
    write_tsv(run.workdir / "units.tsv", run.units, ["sample", "unit", "fq1", "fq2"])
    doc = {
        "samples": "samples.tsv",
        "units": "units.tsv",
        "resources": {"mirror": str(settings.mirror), "cache": str(settings.cache)},
    }
    if run.demo:
        doc["demo"] = run.demo
    path = run.workdir / "bench_overlay.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


# ---------------------------------------------------------------- running Snakemake


def snakemake(settings: Settings, run: Run, cores: int) -> None:
    """Run ``run`` to its targets; the log is ``<workdir>/snakemake.log``; failures are recorded
    on the run (``run.error``), not raised, so that the other runs go on."""
    cfg = overlay(settings, run)
    cmd = [
        str(settings.snakemake),
        "-s",
        str(settings.project / "Snakefile"),
        "-d",
        str(run.workdir),
        "--configfile",
        str(settings.project / "config" / "config.yaml"),
        str(cfg),
        "--cores",
        str(cores),
        "--rerun-incomplete",
        *run.targets,
    ]
    start = time.monotonic()
    with open(run.workdir / "snakemake.log", "w") as log:
        res = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, text=True)
    run.seconds = time.monotonic() - start
    if res.returncode != 0:
        tail = (run.workdir / "snakemake.log").read_text().splitlines()[-15:]
        run.error = f"snakemake exited {res.returncode}: " + " | ".join(tail)


def in_pool(settings: Settings, jobs: Iterable, fn: Callable) -> list:
    """``fn(job)`` for every job, ``settings.workers`` at a time (results in job order)."""
    with ThreadPoolExecutor(max_workers=settings.workers) as pool:
        return list(pool.map(fn, jobs))


def run_after(settings: Settings, run: Run) -> None:
    """Run ``run`` once the runs it reads from are done (skipped when one of them failed)."""
    for dep in run.after:
        dep.done.wait()
    failed = [d.name for d in run.after if d.error]
    if failed:
        run.error = f"not run: {', '.join(failed)} failed"
    else:
        snakemake(settings, run, settings.cores_per_run)
    run.done.set()


def run_all(settings: Settings, runs: list[Run]) -> list[Run]:
    """Run everything, ``settings.workers`` runs at a time.  ``runs`` must list every run after
    the runs it depends on: the pool starts them in order, so a run that waits only waits for
    runs already started (no deadlock)."""
    in_pool(settings, runs, lambda r: run_after(settings, r))
    return runs


# ---------------------------------------------------------------- the runs of the benchmark


def cache_targets(settings: Settings) -> list[str]:
    c = settings.cache
    ref = c / "reference" / "genome.fa"
    return [
        *(f"{ref}{ext}" for ext in ("", ".fai", ".amb", ".ann", ".bwt", ".pac", ".sa")),
        str(c / "reference" / "contigs.tsv"),
        str(c / "panel" / "targets.bed"),
        str(c / "annotation" / "mane_select.contigs.gff3"),
    ]


def demo_fastq(sample: str, unit: str, base: Path | None = None) -> tuple[str, str]:
    rel = [f"results/demo/reads/{sample}/{unit}_R{r}.fastq.gz" for r in (1, 2)]
    if base is None:
        return rel[0], rel[1]
    return str(base / rel[0]), str(base / rel[1])


def unit_names(n: int) -> list[str]:
    return [f"U{i:02d}" for i in range(1, n + 1)]


def simulation_run(
    settings: Settings, name: str, truth: Path, seed: int, sample: str, depth: int, units: list[str]
) -> Run:
    """Reads of ``SIM_<name>-<sample>`` (``T`` or ``N``) simulated from ``truth`` by the
    workflow's ``simulate_demo`` rule, in ``units``."""
    pid = f"SIM_{name}"
    t, n = f"{pid}-T", f"{pid}-N"
    return Run(
        f"simulate {name}",
        settings.work / "sim" / name,
        sample_rows(pid, t, n, "solid tumour"),
        unit_rows(t, {u: demo_fastq(t, u) for u in units})
        + unit_rows(n, {u: demo_fastq(n, u) for u in units}),
        [f for u in units for f in demo_fastq(f"{pid}-{sample}", u)],
        {
            "truth": str(truth),
            "tumour_sample": t,
            "normal_sample": n,
            "tumour_depth": depth if sample == "T" else 1,
            "normal_depth": depth if sample == "N" else 1,
            "units": units,
            "seed": seed,
        },
    )


def tumour_simulation(settings: Settings, rep: int, truth: Path, seed: int) -> Run:
    """Replicate ``rep``'s tumour: 1000x in UNITS units of 100x."""
    return simulation_run(
        settings, f"R{rep}", truth, seed + rep, "T", max(TUMOUR_DEPTHS), unit_names(UNITS)
    )


def normal_simulation(settings: Settings, truth: Path, seed: int) -> Run:
    """The one normal (germline only): 1000x in NORMAL_UNITS units of 50x.  Grid patients take
    their normal from its first units; normal-vs-normal compares its two halves."""
    return simulation_run(settings, "NORMAL", truth, seed, "N", NVN_DEPTH, unit_names(NORMAL_UNITS))


def patient_run(
    p: Patient, tumour_type: str, fastqs: dict[str, dict[str, tuple[str, str]]], after: list[Run]
) -> Run:
    return Run(
        p.id,
        p.workdir,
        sample_rows(p.id, p.tumour, p.normal, tumour_type),
        unit_rows(p.tumour, fastqs[p.tumour]) + unit_rows(p.normal, fastqs[p.normal]),
        [
            str(p.vcf.relative_to(p.workdir)),
            *(str(p.bam(s).relative_to(p.workdir)) for s in (p.tumour, p.normal)),
        ],
        after=after,
    )


def sim_fastqs(sim: Run, sample: str, units: list[str]) -> dict[str, tuple[str, str]]:
    name = sim.workdir.name
    return {u: demo_fastq(f"SIM_{name}-{sample}", u, sim.workdir) for u in units}


def grid_patient(
    settings: Settings, rep: int, depth: int, tumour_sim: Run, normal_sim: Run
) -> tuple[Patient, Run]:
    """Replicate ``rep`` at tumour ``depth``: the first depth/100 tumour units and the first
    normal_depth/50 normal units."""
    pid = f"R{rep}_D{depth}"
    p = Patient(pid, f"{pid}-T", f"{pid}-N", settings.work / "runs" / pid, depth, rep)
    fastqs = {
        p.tumour: sim_fastqs(tumour_sim, "T", unit_names(depth // TUMOUR_UNIT_DEPTH)),
        p.normal: sim_fastqs(normal_sim, "N", unit_names(normal_depth(depth) // NORMAL_UNIT_DEPTH)),
    }
    return p, patient_run(p, "solid tumour", fastqs, [tumour_sim, normal_sim])


def nvn_patient(settings: Settings, normal_sim: Run) -> tuple[Patient, Run]:
    """Normal vs normal: the first half of the normal's units as tumour, the second as normal."""
    p = Patient("NVN", "NVN-A", "NVN-B", settings.work / "runs" / "NVN")
    units = unit_names(NORMAL_UNITS)
    half = NORMAL_UNITS // 2
    fastqs = {
        p.tumour: sim_fastqs(normal_sim, "N", units[:half]),
        p.normal: sim_fastqs(normal_sim, "N", units[half:]),
    }
    return p, patient_run(p, "solid tumour", fastqs, [normal_sim])


def lane_units(folder: Path) -> dict[str, tuple[str, str]]:
    """Units of a Hartwig sample folder: ``<flowcell>_<S>_<lane>`` for every R1/R2 pair."""
    out = {}
    for r1 in sorted(folder.glob("*_R1_001.fastq.gz")):
        parts = r1.name.split("_")  # CPCT12345678T_AHHKYHDSXX_S12_L001_R1_001.fastq.gz
        out["_".join(parts[1:4])] = (str(r1), str(r1).replace("_R1_001", "_R2_001"))
    return out


def colo829_patient(settings: Settings) -> tuple[Patient, Run]:
    reads = settings.mirror / "reads" / "hartwig_cancerPanel"
    t, n = "CPCT12345678T", "CPCT12345678R"
    p = Patient("COLO829", t, n, settings.work / "runs" / "COLO829")
    fastqs = {t: lane_units(reads / t), n: lane_units(reads / n)}
    return p, patient_run(p, "cutaneous melanoma", fastqs, [])
