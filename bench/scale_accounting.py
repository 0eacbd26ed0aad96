"""Per-stage cost accounting of a workflow run for bench/scale.py: pure functions, no runs.

* **Which rule wrote a benchmark file.**  The benchmark patterns are read from the rules
  themselves (``benchmark: "results/benchmarks/<...>.tsv"`` in ``workflow/rules/*.smk``), so a
  renamed or merged rule is found without editing this file; a file that matches no pattern is
  kept under the rule name ``?<dir>`` and reported, never dropped.
* **What kind of work a stage is** (``RULES``, table-driven): an *essential tool* (fastp, bwa,
  samtools, mosdepth, bcftools, tabix), the project's *Python*, a Python job that runs an
  essential tool inside it (*Python + tool*: its Snakemake benchmark cannot split the two), or
  an *other tool* (Chromium, MultiQC).  A rule not in the table is ``unknown`` and listed in the
  summary.
* **Steps inside a job.**  A job may write ``<benchmark>.steps.tsv`` next to its Snakemake
  benchmark file (header ``step  tool  wall_s  cpu_s  max_rss_mb``, one row per tool process or
  Python step).  Its rows then replace the job's row: the kind comes from ``tool`` (``python``
  is Python, an essential tool's name is a tool, anything else *other tool*), the stage from
  the rule, the step without its trailing lane/sample names and the tool (``align L001`` by
  ``bwa mem`` -> ``<rule>: align (bwa mem)``), and what the job's
  benchmark counts beyond its steps becomes a *job overhead* row.
* **Fits** of CPU against read pairs: log-log slope (overall and over the top interval) and a
  linear fit ``cpu = a + b * pairs`` (non-negative terms), plus a per-target-bp term from a
  point with a wider territory; the extrapolation to other panels uses those.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path

TOOL = "essential tool"
PYTHON = "Python"
WRAPPED = "Python + tool"  # a Python job running an essential tool; not separable without steps
OTHER = "other tool"
OVERHEAD = "job overhead"  # a job's benchmark beyond the steps it reports
SNAKEMAKE = "Snakemake"  # the scheduler process itself (planning, job bookkeeping, sampling)
UNACCOUNTED = "not attributed"  # total CPU minus Snakemake minus every job's sampled CPU
UNKNOWN = "unknown"
NON_ESSENTIAL = (PYTHON, WRAPPED, OTHER, OVERHEAD, UNKNOWN)

# rule -> (kind, what runs in it).  Today's main; the restructured workflow's merged jobs write
# steps files, whose rows are classified by tool instead (``step_kind``).
RULES: dict[str, tuple[str, str]] = {
    "check_fastq": (PYTHON, "FASTQ pair read end to end (tumorboard.inputs.fastq)"),
    "fastp": (TOOL, "fastp"),
    "bwa_mem": (TOOL, "bwa mem | samtools fixmate | samtools sort"),
    "markdup": (TOOL, "samtools merge | samtools markdup (+ index)"),
    "flagstat": (TOOL, "samtools flagstat"),
    "samtools_stats": (TOOL, "samtools stats"),
    "coverage": (WRAPPED, "mosdepth (targets, antitargets) + Python coverage tables"),
    "identity": (PYTHON, "tumour/normal identity (pysam)"),
    "mpileup": (TOOL, "bcftools mpileup"),
    "normals_pileup": (TOOL, "bcftools mpileup of the normals (panel of normals)"),
    "panel_of_normals": (PYTHON, "panel of normals"),
    "somatic_call": (PYTHON, "somatic caller (tumorboard.calling)"),
    "somatic_normalise": (TOOL, "bcftools norm | bcftools sort, tabix"),
    "csq": (TOOL, "bcftools csq, tabix"),
    "copy_number": (PYTHON, "gene copy number (tumorboard.copynumber)"),
    "pharmacogenomics": (PYTHON, "germline pharmacogenomics (pysam)"),
    "findings": (PYTHON, "findings JSON"),
    "tool_versions": (PYTHON, "tool versions"),
    "provenance": (PYTHON, "provenance (sha256 of the inputs, methods text)"),
    "report": (PYTHON, "HTML report"),
    "report_pdf": (PYTHON, "PDF (WeasyPrint)"),
    "report_screenshots": (OTHER, "page-1 images (Chromium, pdftoppm)"),
    "ro_crate": (PYTHON, "RO-Crate"),
    "multiqc": (OTHER, "MultiQC"),
    "cohort_tables": (PYTHON, "cohort tables"),
    "cohort_oncoprint": (PYTHON, "oncoprint"),
    "cbioportal_study": (PYTHON, "cBioPortal study"),
    "cohort_pseudonym_key": (PYTHON, "pseudonym key"),
    "import_vcf": (PYTHON, "VCF import"),
    "unpack_reads": (WRAPPED, "BAM/CRAM to FASTQ"),
    "simulate_demo": (OTHER, "demo reads (art_illumina)"),
    # the restructured workflow's merged jobs (their steps files split them by tool)
    "align": (
        WRAPPED,
        "per sample: FASTQ checks, fastp, bwa mem | fixmate | sort, markdup, "
        "flagstat, stats, mosdepth, coverage tables",
    ),
}
ESSENTIAL_TOOLS = ("fastp", "bwa", "samtools", "mosdepth", "bcftools", "tabix", "bgzip")
STEPS_COLUMNS = ("step", "tool", "wall_s", "cpu_s", "max_rss_mb")
BENCH_DIR = "results/benchmarks/"


def rule_kind(rule: str) -> str:
    return RULES.get(rule, (UNKNOWN, ""))[0]


def step_kind(tool: str) -> str:
    """Kind of a steps-file row from its ``tool``: ``python`` -> Python; fastp, bwa, samtools,
    mosdepth, bcftools, tabix, bgzip (first word) -> essential tool; anything else -> other."""
    word = tool.strip().split()[0].lower() if tool.strip() else ""
    if word == "python":
        return PYTHON
    return TOOL if word in ESSENTIAL_TOOLS else OTHER


# ---------------------------------------------------------------- which rule wrote a file


@dataclass(frozen=True)
class Pattern:
    rule: str
    pattern: str  # as written in the rule, relative to the run directory
    regex: re.Pattern
    wildcards: tuple[str, ...]

    @property
    def scope(self) -> str:
        """What the job's input grows with: a lane (unit), a sample, a patient, or the run."""
        w = set(self.wildcards)
        if "unit" in w:
            return "unit"
        if "sample" in w:
            return "sample"
        if w & {"patient", "tumour", "normal"}:
            return "patient"
        return "run"


_RULE = re.compile(r"^\s*rule\s+(\w+)\s*:", re.M)
_BENCHMARK = re.compile(r"benchmark:\s*\n?\s*(f?)\"([^\"]+)\"")


def benchmark_patterns(smk_texts: list[str]) -> list[Pattern]:
    """The per-run benchmark patterns (``results/benchmarks/...``) of every rule in the texts of
    ``.smk`` files; f-string patterns (resource-cache rules) are left out."""
    out = []
    for text in smk_texts:
        starts = list(_RULE.finditer(text))
        for i, m in enumerate(starts):
            block = text[m.end() : starts[i + 1].start() if i + 1 < len(starts) else len(text)]
            b = _BENCHMARK.search(block)
            if not b or b.group(1) or not b.group(2).startswith(BENCH_DIR):
                continue
            out.append(compile_pattern(m.group(1), b.group(2)))
    return out


def compile_pattern(rule: str, pattern: str) -> Pattern:
    names: list[str] = []
    parts = re.split(r"(\{[^}]+\})", pattern)
    regex = ""
    for part in parts:
        if part.startswith("{") and part.endswith("}"):
            name = part[1:-1].split(",")[0].strip()
            names.append(name)
            regex += f"(?P<{name}>[^/]+)"
        else:
            regex += re.escape(part)
    return Pattern(rule, pattern, re.compile(f"^{regex}$"), tuple(names))


def match_rule(relpath: str, patterns: list[Pattern]) -> tuple[str, dict[str, str], str]:
    """(rule, wildcards, scope) of a benchmark file path relative to the run directory.  The most
    specific pattern wins (fewest wildcards, then the longest literal text), so
    ``provenance/tool_versions.tsv`` is rule tool_versions, not provenance of a patient
    ``tool_versions``.  No match: rule ``?<directory>``, scope ``run``."""
    hits = [(p, m) for p in patterns if (m := p.regex.match(relpath))]
    if not hits:
        folder = relpath.removeprefix(BENCH_DIR).split("/")[0]
        return f"?{folder}", {}, "run"
    p, m = min(hits, key=lambda h: (len(h[0].wildcards), -len(h[0].pattern)))
    return p.rule, m.groupdict(), p.scope


# ---------------------------------------------------------------- reading a run


def _float(x: str | None) -> float:
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return v


def read_tsv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def read_steps(path: Path) -> list[dict]:
    """Rows of a steps file (``STEPS_COLUMNS``); numbers as floats."""
    rows = []
    for r in read_tsv(path):
        missing = [c for c in STEPS_COLUMNS if c not in r]
        if missing:
            raise ValueError(f"{path}: columns {', '.join(missing)} missing")
        rows.append(
            {
                "step": r["step"],
                "tool": r["tool"],
                "wall_s": _float(r["wall_s"]),
                "cpu_s": _float(r["cpu_s"]),
                "max_rss_mb": _float(r["max_rss_mb"]),
            }
        )
    return rows


def split_step(step: str, instances: frozenset[str] | set[str]) -> tuple[str, str]:
    """(stage part, instance part) of a step name: trailing words that are ``instances`` (lane,
    sample, patient names of the run) name the instance: ``align L001`` -> (``align``,
    ``L001``); ``coverage targets`` and ``page images`` stay whole."""
    words = step.split()
    tail: list[str] = []
    while len(words) > 1 and words[-1] in instances:
        tail.insert(0, words.pop())
    return " ".join(words), " ".join(tail)


def step_stage(rule: str, step: str, tool: str, instances: frozenset[str] | set[str]) -> str:
    """A step's stage: its rule, the step without its instance names, and the tool:
    ``align L001`` by ``bwa mem`` in rule ``align`` is ``align: align (bwa mem)``."""
    return f"{rule}: {split_step(step, instances)[0]} ({tool})"


def job_rows(
    run_dir: Path, patterns: list[Pattern], instances: frozenset[str] | set[str] = frozenset()
) -> list[dict]:
    """One row per measured unit of work of a run: a job (its Snakemake benchmark file) or, for a
    job with a steps file, one row per step plus the job's overhead.  ``instances``: the run's
    lane, sample and patient names (``split_step``).  Columns: stage, rule, tool, kind, scope,
    job (wildcards), instance, wall_s, cpu_s, max_rss_mb, source."""
    bench = run_dir / BENCH_DIR
    rows: list[dict] = []
    for path in sorted(bench.rglob("*.tsv")):
        if path.name.endswith(".steps.tsv"):
            continue
        rel = path.relative_to(run_dir).as_posix()
        rule, wildcards, scope = match_rule(rel, patterns)
        job = "/".join(wildcards.values()) if wildcards else path.stem
        rec = read_tsv(path)
        if not rec:
            continue
        # a benchmark file may hold repeats: their mean is the job's cost
        wall = sum(_float(r.get("s")) for r in rec) / len(rec)
        cpu = sum(_float(r.get("cpu_time")) for r in rec) / len(rec)
        rss = max(_float(r.get("max_rss")) for r in rec)
        kind = rule_kind(rule)
        steps_path = path.with_name(path.stem + ".steps.tsv")
        if steps_path.exists():
            steps = read_steps(steps_path)
            for s in steps:
                rows.append(
                    dict(
                        stage=step_stage(rule, s["step"], s["tool"], instances),
                        rule=rule,
                        tool=s["tool"],
                        kind=step_kind(s["tool"]),
                        scope=scope,
                        job=job,
                        instance=split_step(s["step"], instances)[1],
                        wall_s=s["wall_s"],
                        cpu_s=s["cpu_s"],
                        max_rss_mb=s["max_rss_mb"],
                        source="steps",
                    )
                )
            step_cpu = sum(s["cpu_s"] for s in steps if not math.isnan(s["cpu_s"]))
            rows.append(
                dict(
                    stage=f"{rule}: job overhead",
                    rule=rule,
                    tool="",
                    kind=OVERHEAD,
                    scope=scope,
                    job=job,
                    instance="",
                    wall_s=math.nan,  # steps may overlap (pipes): no wall beyond them
                    cpu_s=max(0.0, cpu - step_cpu) if not math.isnan(cpu) else math.nan,
                    max_rss_mb=math.nan,
                    source="benchmark - steps",
                )
            )
            continue
        rows.append(
            dict(
                stage=rule,
                rule=rule,
                tool=RULES.get(rule, ("", ""))[1],
                kind=kind,
                scope=scope,
                job=job,
                instance="",
                wall_s=wall,
                cpu_s=cpu,
                max_rss_mb=rss,
                source="benchmark",
            )
        )
    return rows


def script_rows(steps_path: Path, instances: frozenset[str] | set[str]) -> list[dict]:
    """The plain script's steps file as ``job_rows`` rows (rule ``script``)."""
    rows = []
    for s in read_steps(steps_path):
        stage, instance = split_step(s["step"], instances)
        rows.append(
            dict(
                stage=f"{stage} ({s['tool']})",
                rule="script",
                tool=s["tool"],
                kind=step_kind(s["tool"]),
                scope="run",
                job="script",
                instance=instance,
                wall_s=s["wall_s"],
                cpu_s=s["cpu_s"],
                max_rss_mb=s["max_rss_mb"],
                source="/usr/bin/time",
            )
        )
    return rows


def stage_table(rows: list[dict], total_cpu: float) -> list[dict]:
    """Rows summed per stage: jobs, wall (sum), CPU (sum), max RSS (max), share of
    ``total_cpu``; largest CPU first."""
    by: dict[str, dict] = {}
    for r in rows:
        s = by.setdefault(
            r["stage"],
            dict(
                stage=r["stage"],
                rule=r["rule"],
                tool=r["tool"],
                kind=r["kind"],
                scope=r["scope"],
                jobs=0,
                wall_s=math.nan,
                cpu_s=0.0,
                max_rss_mb=math.nan,
            ),
        )
        s["jobs"] += 1
        if not math.isnan(r["cpu_s"]):
            s["cpu_s"] += r["cpu_s"]
        if not math.isnan(r["wall_s"]):  # NaN when no row has a wall of its own
            s["wall_s"] = r["wall_s"] if math.isnan(s["wall_s"]) else s["wall_s"] + r["wall_s"]
        if not math.isnan(r["max_rss_mb"]):
            old = s["max_rss_mb"]
            s["max_rss_mb"] = r["max_rss_mb"] if math.isnan(old) else max(old, r["max_rss_mb"])
    out = sorted(by.values(), key=lambda s: -s["cpu_s"])
    for s in out:
        s["cpu_share"] = s["cpu_s"] / total_cpu if total_cpu > 0 else math.nan
    return out


def kind_shares(stages: list[dict], total_cpu: float) -> dict[str, float]:
    """Share of ``total_cpu`` per kind."""
    out: dict[str, float] = {}
    for s in stages:
        out[s["kind"]] = out.get(s["kind"], 0.0) + s["cpu_s"]
    return {k: v / total_cpu for k, v in out.items()} if total_cpu > 0 else {}


def unknown_rules(rows: list[dict]) -> list[str]:
    return sorted({r["rule"] for r in rows if r["kind"] == UNKNOWN})


# ---------------------------------------------------------------- fits


def loglog_slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of log(y) on log(x); NaN with fewer than two positive points."""
    pts = [(math.log(x), math.log(y)) for x, y in zip(xs, ys, strict=True) if x > 0 and y > 0]
    if len(pts) < 2:
        return math.nan
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    if sxx == 0:
        return math.nan
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / sxx


def top_slope(xs: list[float], ys: list[float]) -> float:
    """Log-log slope between the two largest-x points (where fixed costs weigh least)."""
    pts = sorted((x, y) for x, y in zip(xs, ys, strict=True) if x > 0 and y > 0)
    if len(pts) < 2 or pts[-1][0] == pts[-2][0]:
        return math.nan
    (x1, y1), (x2, y2) = pts[-2], pts[-1]
    return math.log(y2 / y1) / math.log(x2 / x1)


def linear_fit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """``y = a + b x`` by least squares with a, b >= 0 (a negative intercept -> through the
    origin; a negative slope -> the mean)."""
    n = len(xs)
    if n == 0:
        return math.nan, math.nan
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if n < 2 or sxx == 0:
        return my, 0.0
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    a = my - b * mx
    if b < 0:
        return my, 0.0
    if a < 0:
        return 0.0, sum(x * y for x, y in zip(xs, ys, strict=True)) / sum(x * x for x in xs)
    return a, b


@dataclass(frozen=True)
class StageFit:
    """``cpu_s = a + b * read_pairs + c * (territory_bp - base_bp)``."""

    stage: str
    a: float
    b: float
    c: float
    base_bp: float
    slope: float  # log-log, base territory
    top: float  # log-log, two largest points

    def predict(self, pairs: float, territory_bp: float) -> float:
        c = 0.0 if math.isnan(self.c) else self.c
        return max(0.0, self.a + self.b * pairs + c * (territory_bp - self.base_bp))


def fit_stage(
    stage: str,
    base: list[tuple[float, float]],
    base_bp: float,
    wide: tuple[float, float, float] | None = None,
) -> StageFit:
    """Fit a stage from ``base`` points ``(read_pairs, cpu_s)`` on one territory (``base_bp``)
    and optionally one point ``(read_pairs, cpu_s, territory_bp)`` on a wider territory: its
    CPU beyond what its read pairs predict, per extra target bp, is ``c`` (>= 0)."""
    xs, ys = [p[0] for p in base], [p[1] for p in base]
    a, b = linear_fit(xs, ys)
    c = math.nan
    if wide is not None and wide[2] != base_bp:
        pairs, cpu, bp = wide
        c = max(0.0, (cpu - (a + b * pairs)) / (bp - base_bp))
    return StageFit(stage, a, b, c, base_bp, loglog_slope(xs, ys), top_slope(xs, ys))


def faster_than_linear(fit: StageFit, tolerance: float = 0.1, top_tolerance: float = 0.25) -> bool:
    """A stage whose CPU grows faster than its read pairs: log-log slope over all points above
    1 + ``tolerance``, or over the top interval above 1 + ``top_tolerance``.  On a shared
    machine the CPU time of the same work varies by up to ~10 %: +-0.05 on a slope over an
    8-fold range of read pairs, +-0.14 over a 2-fold interval."""
    return (not math.isnan(fit.slope) and fit.slope > 1 + tolerance) or (
        not math.isnan(fit.top) and fit.top > 1 + top_tolerance
    )


def growth_flag(fit: StageFit, largest_cpu_s: float, min_cpu_s: float = 2.0) -> str:
    """``faster`` for a stage growing faster than linear (``faster_than_linear``) that costs at
    least ``min_cpu_s`` at the largest point; ``faster (small)`` below that, where a tenth of a
    second of start-up noise moves the slope; else empty."""
    if not faster_than_linear(fit):
        return ""
    return "faster" if largest_cpu_s >= min_cpu_s else "faster (small)"


# ---------------------------------------------------------------- extrapolation


@dataclass(frozen=True)
class Scenario:
    name: str
    territory_bp: float
    tumour_depth: float
    normal_depth: float


def read_pairs(
    depth: float,
    territory_bp: float,
    read_length: int = 150,
    on_target: float = 0.7,
    duplicates: float = 0.2,
) -> float:
    """Read pairs that give ``depth`` (mean deduplicated depth over the targets) on
    ``territory_bp``: depth * territory / (2 * read length * on-target fraction of the bases *
    (1 - duplicate fraction))."""
    return depth * territory_bp / (2 * read_length * on_target * (1 - duplicates))


def extrapolate(fits: list[StageFit], scenario: Scenario, **pairs_kw) -> list[dict]:
    """CPU per stage for one patient of ``scenario`` (tumour + normal read pairs), largest
    first."""
    pairs = read_pairs(scenario.tumour_depth, scenario.territory_bp, **pairs_kw) + read_pairs(
        scenario.normal_depth, scenario.territory_bp, **pairs_kw
    )
    rows = [
        dict(
            scenario=scenario.name,
            stage=f.stage,
            read_pairs=pairs,
            territory_bp=scenario.territory_bp,
            cpu_s=f.predict(pairs, scenario.territory_bp),
            from_pairs=f.b * pairs,
            from_territory=(0.0 if math.isnan(f.c) else f.c * (scenario.territory_bp - f.base_bp)),
        )
        for f in fits
    ]
    rows.sort(key=lambda r: -r["cpu_s"])
    total = sum(r["cpu_s"] for r in rows)
    for r in rows:
        r["cpu_h"] = r["cpu_s"] / 3600
        r["share"] = r["cpu_s"] / total if total else math.nan
    return rows
