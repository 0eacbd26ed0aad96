"""Result files of the calling benchmark: the long TSV, the Markdown summary and the recall plot."""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from baselines import CALLERS  # noqa: E402
from grid import VAFS  # noqa: E402
from metrics import FalsePositive, Outcome, pooled_precision, pooled_recall  # noqa: E402
from runs import TUMOUR_DEPTHS  # noqa: E402

TSV_COLUMNS = [
    "caller",
    "depth",
    "vaf",
    "type",
    "region",
    "metric",
    "value",
    "numerator",
    "denominator",
]
PLOT_TYPES = ("SNV", "MNV", "DEL", "INS")
LINESTYLES = {"tumorboard": "-", "bcftools": "--", "freebayes": ":"}
GREYS = {"tumorboard": "0.0", "bcftools": "0.35", "freebayes": "0.55"}
MARKERS = {"SNV": "o", "MNV": "s", "DEL": "v", "INS": "^"}


@dataclass
class NvnResult:
    caller: str
    false_positives: int
    callable_bp: int

    @property
    def per_mb(self) -> float:
        return self.false_positives / (self.callable_bp / 1e6) if self.callable_bp else math.nan

    @property
    def upper95_per_mb(self) -> float:
        """One-sided 95% Poisson upper bound (exact for 0 events: -ln 0.05 = 3.0)."""
        from scipy.stats import chi2

        k = self.false_positives
        return chi2.ppf(0.95, 2 * (k + 1)) / 2 / (self.callable_bp / 1e6)


@dataclass
class Results:
    outcomes: list[Outcome]
    fps: list[FalsePositive]
    rows: list[dict]  # the long table (recall and precision rows)
    nvn: list[NvnResult]
    colo829: list[dict]
    timings: list[tuple[str, float]]
    notes: list[str] = field(default_factory=list)
    design: list[str] = field(default_factory=list)
    runs: list[tuple[str, float, str]] = field(default_factory=list)  # name, seconds, error
    machine: str = ""  # CPU time and load while the bench ran


# ---------------------------------------------------------------- small formatting helpers


def pct(num: int, den: int) -> str:
    return f"{100 * num / den:.1f} ({num}/{den})" if den else "–"


def md_table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(x) for x in r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def minutes(seconds: float) -> str:
    return f"{int(seconds // 60)} min {seconds % 60:04.1f} s"


def close(a: float, b: float) -> bool:
    return abs(a - b) < 1e-9


def cell(
    rows: list[dict],
    caller: str,
    depth,
    vaf,
    kind: str,
    region: str = "all",
    metric: str = "recall",
) -> str:
    for r in rows:
        if (
            (r["caller"], r["metric"], r["type"], r["region"]) == (caller, metric, kind, region)
            and (str(r["depth"]) == str(depth))
            and (r["vaf"] == vaf or (vaf != "all" and r["vaf"] != "all" and close(r["vaf"], vaf)))
        ):
            return pct(r["numerator"], r["denominator"])
    return "–"


# ---------------------------------------------------------------- the long TSV


def nvn_rows(nvn: list[NvnResult]) -> list[dict]:
    return [
        {
            "caller": n.caller,
            "depth": "normal-vs-normal",
            "vaf": "all",
            "type": "all",
            "region": "callable",
            "metric": "fp_per_mb",
            "value": round(n.per_mb, 3),
            "numerator": n.false_positives,
            "denominator": n.callable_bp,
        }
        for n in nvn
    ]


def write_tsv(res: Results, path: Path) -> None:
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, TSV_COLUMNS, delimiter="\t", lineterminator="\n")
        w.writeheader()
        w.writerows(res.rows + nvn_rows(res.nvn))


def write_events(res: Results, path: Path) -> None:
    cols = [
        "caller",
        "patient",
        "depth",
        "event",
        "label",
        "chrom",
        "pos",
        "ref",
        "alt",
        "type",
        "vaf",
        "hotspot",
        "detected",
        "called_vaf",
        "tumour_alt",
        "tumour_depth",
    ]
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(cols)
        for o in res.outcomes:
            e, c = o.event, o.call
            w.writerow(
                [
                    o.caller,
                    o.patient,
                    o.depth,
                    e.id,
                    e.label,
                    e.allele.chrom,
                    e.allele.pos,
                    e.allele.ref,
                    e.allele.alt,
                    e.kind,
                    e.vaf,
                    e.hotspot,
                    c is not None,
                    round(c.vaf, 4) if c else "",
                    c.tumour_alt if c else "",
                    c.tumour_depth if c else "",
                ]
            )


def write_false_positives(res: Results, path: Path) -> None:
    cols = [
        "caller",
        "patient",
        "depth",
        "chrom",
        "pos",
        "ref",
        "alt",
        "type",
        "hotspot",
        "germline",
        "tumour_alt",
        "tumour_depth",
        "normal_alt",
        "normal_depth",
    ]
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(cols)
        for f in res.fps:
            a, c = f.call.allele, f.call
            w.writerow(
                [
                    f.caller,
                    f.patient,
                    f.depth,
                    a.chrom,
                    a.pos,
                    a.ref,
                    a.alt,
                    f.kind,
                    f.hotspot,
                    f.germline,
                    c.tumour_alt,
                    c.tumour_depth,
                    c.normal_alt,
                    c.normal_depth,
                ]
            )


# ---------------------------------------------------------------- targets of the issue


@dataclass(frozen=True)
class Target:
    text: str
    goal: float
    keep: Callable[[Outcome], bool] | None  # None: precision


TARGETS = (
    Target(
        "recall ≥ 99% at VAF ≥ 5% and depth ≥ 500x (all types)",
        0.99,
        lambda o: o.event.vaf >= 0.05 - 1e-9 and o.depth >= 500,
    ),
    Target(
        "recall ≥ 95% at VAF 2% and depth ≥ 500x (all types)",
        0.95,
        lambda o: close(o.event.vaf, 0.02) and o.depth >= 500,
    ),
    Target(
        "indel recall ≥ 95% at VAF ≥ 10% (all depths, 200–1000x)",
        0.95,
        lambda o: o.event.kind in ("DEL", "INS") and o.event.vaf >= 0.10 - 1e-9,
    ),
    Target("precision ≥ 99% (all grid calls)", 0.99, None),
    Target(
        "100% of hotspot events at VAF ≥ 2% and depth ≥ 500x",
        1.0,
        lambda o: o.event.hotspot and o.event.vaf >= 0.02 - 1e-9 and o.depth >= 500,
    ),
)
NVN_GOAL = 0.1  # false positives per Mb


def target_cell(res: Results, t: Target, caller: str) -> str:
    if t.keep is None:
        num, den = pooled_precision(res.outcomes, res.fps, caller)
    else:
        num, den = pooled_recall(res.outcomes, caller, t.keep)
    if not den:
        return "no data"
    met = num / den >= t.goal - 1e-12
    return f"{'met' if met else '**not met**'}: {pct(num, den)}"


def nvn_cell(res: Results, caller: str) -> str:
    n = next((x for x in res.nvn if x.caller == caller), None)
    if n is None or not n.callable_bp:
        return "no data"
    met = n.per_mb <= NVN_GOAL
    return (
        f"{'met' if met else '**not met**'}: {n.false_positives} FP / "
        f"{n.callable_bp / 1e6:.4f} Mb = {n.per_mb:.1f}/Mb"
    )


def targets_section(res: Results) -> str:
    rows = [[t.text, *(target_cell(res, t, c) for c in CALLERS)] for t in TARGETS]
    rows.append(
        [
            f"≤ {NVN_GOAL} false positives per Mb, normal-vs-normal",
            *(nvn_cell(res, c) for c in CALLERS),
        ]
    )
    return "## Targets of the issue\n\n" + md_table(["target", *CALLERS], rows)


# ---------------------------------------------------------------- Markdown sections


def recall_overview(res: Results) -> str:
    header = ["VAF", *(f"{c} {d}x" for c in CALLERS for d in TUMOUR_DEPTHS)]
    rows = [
        [f"{v:.0%}", *(cell(res.rows, c, d, v, "all") for c in CALLERS for d in TUMOUR_DEPTHS)]
        for v in VAFS
    ]
    return (
        "## Recall by VAF and depth (all types, hotspot and not)\n\nrecall % (detected / "
        "events)\n\n" + md_table(header, rows)
    )


def recall_by_type(res: Results, caller: str) -> str:
    header = ["type", "depth", *(f"{v:.0%}" for v in VAFS), "all VAFs"]
    rows = [
        [
            k,
            f"{d}x",
            *(cell(res.rows, caller, d, v, k) for v in VAFS),
            cell(res.rows, caller, d, "all", k),
        ]
        for k in (*PLOT_TYPES, "indel")
        for d in TUMOUR_DEPTHS
    ]
    return f"### {caller}\n\n" + md_table(header, rows)


def recall_by_region(res: Results, caller: str) -> str:
    header = ["region", "depth", *(f"{v:.0%}" for v in VAFS), "all VAFs"]
    rows = [
        [
            reg,
            f"{d}x",
            *(cell(res.rows, caller, d, v, "all", reg) for v in VAFS),
            cell(res.rows, caller, d, "all", "all", reg),
        ]
        for reg in ("hotspot", "non_hotspot")
        for d in TUMOUR_DEPTHS
    ]
    return f"### {caller}\n\n" + md_table(header, rows)


def precision_section(res: Results) -> str:
    header = [
        "caller",
        *(f"{d}x" for d in TUMOUR_DEPTHS),
        "all depths",
        *(f"{k} (all depths)" for k in PLOT_TYPES),
        "hotspot (all depths)",
    ]
    rows = []
    for c in CALLERS:
        rows.append(
            [
                c,
                *(cell(res.rows, c, d, "all", "all", metric="precision") for d in TUMOUR_DEPTHS),
                cell(res.rows, c, "all", "all", "all", metric="precision"),
                *(cell(res.rows, c, "all", "all", k, metric="precision") for k in PLOT_TYPES),
                cell(res.rows, c, "all", "all", "all", "hotspot", metric="precision"),
            ]
        )
    germ = {c: sum(1 for f in res.fps if f.caller == c and f.germline) for c in CALLERS}
    note = ", ".join(f"{c} {n}" for c, n in germ.items())
    return (
        "## Precision (simulated grid)\n\nprecision % (true calls / PASS calls); a true call "
        "takes its truth event's type, a false positive its own.  False positives that are the "
        f"patients' germline SNPs: {note}.  Every false positive is listed in "
        "`calling_false_positives.tsv`.\n\n" + md_table(header, rows)
    )


def missed_section(res: Results, caller: str = "tumorboard") -> str:
    """Why ``caller`` missed events at VAF >= 2% and depth >= 500x (FILTER of the record)."""
    missed = [
        o
        for o in res.outcomes
        if o.caller == caller and o.call is None and o.event.vaf >= 0.02 - 1e-9 and o.depth >= 500
    ]
    reasons = sorted({o.why for o in missed})
    rows = [
        [
            r,
            *(sum(1 for o in missed if o.why == r and o.event.kind == k) for k in PLOT_TYPES),
            sum(1 for o in missed if o.why == r),
        ]
        for r in reasons
    ]
    return (
        f"## Why {caller} missed events (VAF ≥ 2%, depth ≥ 500x)\n\nFILTER of the {caller} "
        "record(s) overlapping the missed event; *no record*: the event was not even a "
        "candidate.  Per event: `calling_events.tsv`.\n\n"
        + md_table(["reason", *PLOT_TYPES, "events"], rows or [["none", 0, 0, 0, 0, 0]])
    )


def nvn_section(res: Results) -> str:
    header = [
        "caller",
        "PASS calls (all false)",
        "callable territory",
        "FP per Mb",
        "95% upper bound per Mb",
    ]
    rows = [
        [
            n.caller,
            n.false_positives,
            f"{n.callable_bp:,} bp",
            f"{n.per_mb:.1f}",
            f"{n.upper95_per_mb:.0f}",
        ]
        for n in res.nvn
    ]
    return (
        "## Normal vs normal\n\nThe simulated 1000x normal split in two: units U01–U10 (500x) "
        "as tumour, U11–U20 (500x) as normal; every PASS call is a false positive.  "
        "Callable territory: panel target bases with depth ≥ 100x in both BAMs (`samtools depth "
        "-a -Q 20 -q 20`).\n\n" + md_table(header, rows)
    )


def colo829_section(res: Results) -> str:
    if not res.colo829:
        return "## COLO829 (real reads)\n\nno result (see the notes)\n"
    header = list(res.colo829[0])
    return (
        "## COLO829 (real reads, Hartwig cancer-panel test data)\n\nTumour CPCT12345678T vs normal"
        " CPCT12345678R, every lane as a unit.  *caller AD*: FORMAT/AD of the tumorboard VCF; "
        "*mpileup*: `bcftools mpileup -a AD -q 20 -Q 20` on the same BAMs.\n\n"
        + md_table(header, [list(r.values()) for r in res.colo829])
    )


def counts_section(res: Results) -> str:
    """Events per (VAF x type x region) cell, per depth (the same at every depth)."""
    depth = max(TUMOUR_DEPTHS)
    sel = [o for o in res.outcomes if o.caller == CALLERS[0] and o.depth == depth]
    header = ["region", "type", *(f"{v:.0%}" for v in VAFS), "total"]
    rows = []
    for reg, hot in (("hotspot", True), ("non_hotspot", False)):
        for k in PLOT_TYPES:
            n = [
                sum(
                    1
                    for o in sel
                    if o.event.hotspot == hot and o.event.kind == k and close(o.event.vaf, v)
                )
                for v in VAFS
            ]
            rows.append([reg, k, *n, sum(n)])
    return "### Events per cell and depth\n\n" + md_table(header, rows)


def timing_section(res: Results) -> str:
    total = sum(s for _, s in res.timings)
    rows = [[name, minutes(s)] for name, s in res.timings] + [["**total**", minutes(total)]]
    per_run = [[name, minutes(s), err or "ok"] for name, s, err in res.runs]
    return (
        "## Wall time (2 cores)\n\n"
        + md_table(["step", "wall time"], rows)
        + f"\n{res.machine}\n"
        + "\nSnakemake runs (two at a time, one core each; a second `make bench-calling` re-runs "
        "only what changed):\n\n" + md_table(["run", "wall time", "status"], per_run)
    )


def write_summary(res: Results, path: Path, header: str) -> None:
    parts = [
        header,
        targets_section(res),
        recall_overview(res),
        "## Recall by type\n\n" + "\n".join(recall_by_type(res, c) for c in CALLERS),
        "## Recall in hotspot codons vs elsewhere\n\n"
        + "\n".join(recall_by_region(res, c) for c in CALLERS),
        missed_section(res),
        precision_section(res),
        nvn_section(res),
        colo829_section(res),
        timing_section(res),
        "## Design\n\n" + "\n".join(f"- {d}" for d in res.design) + "\n\n" + counts_section(res),
        "## Notes\n\n" + ("\n".join(f"- {n}" for n in res.notes) or "- none") + "\n",
    ]
    path.write_text("\n".join(parts))


# ---------------------------------------------------------------- the plot


def recall_series(rows: list[dict], caller: str, depth: int, kind: str) -> tuple[list, list]:
    xs, ys = [], []
    for v in VAFS:
        for r in rows:
            if (
                (r["metric"], r["caller"], r["depth"], r["type"], r["region"])
                == ("recall", caller, depth, kind, "all")
                and r["vaf"] != "all"
                and close(r["vaf"], v)
                and r["denominator"]
            ):
                xs.append(100 * v)
                ys.append(100 * r["numerator"] / r["denominator"])
    return xs, ys


def plot_recall(res: Results, path: Path) -> None:
    fig, axes = plt.subplots(1, len(TUMOUR_DEPTHS), figsize=(15, 5.2), sharey=True)
    for ax, depth in zip(axes, TUMOUR_DEPTHS, strict=True):
        for i, caller in enumerate(CALLERS):
            for kind in PLOT_TYPES:
                xs, ys = recall_series(res.rows, caller, depth, kind)
                xs = [x * (1 + 0.05 * (i - 1)) for x in xs]  # callers side by side
                ax.plot(
                    xs,
                    ys,
                    linestyle=LINESTYLES[caller],
                    color=GREYS[caller],
                    marker=MARKERS[kind],
                    markersize=6,
                    markerfacecolor="white",
                    label=f"{caller} {kind}",
                )
        ax.set_xscale("log")
        ax.set_xticks([100 * v for v in VAFS], [f"{100 * v:g}" for v in VAFS])
        ax.set_xlabel("variant allele fraction (%)")
        ax.set_title(f"tumour {depth}x")
        ax.set_ylim(-3, 103)
        ax.grid(True, color="0.85")
    axes[0].set_ylabel("recall (%)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(
        handles, labels, loc="lower center", ncol=len(CALLERS) * 2, fontsize=8, frameon=False
    )
    fig.suptitle(
        "Somatic calling recall on the simulated grid (line: caller; marker: type; callers "
        "drawn slightly apart on the VAF axis)"
    )
    fig.tight_layout(rect=(0, 0.12, 1, 0.95))
    fig.savefig(path, dpi=120)
    plt.close(fig)
