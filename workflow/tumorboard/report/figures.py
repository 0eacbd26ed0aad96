"""The report's own figures (variant allele fractions, coverage, the copy-number profile) as
inline SVG: deterministic and network-free (salted ids, text drawn as paths, no date metadata)."""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable

import matplotlib
from markupsafe import Markup
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from tumorboard.copynumber.plot import profile_figure
from tumorboard.plotting import SVG_METADATA, deterministic
from tumorboard.report.document import (
    copy_number_purity,
    copy_number_settings,
    pct,
    sample_order,
    sample_types,
)

matplotlib.use("Agg")

# Deterministic, network-free SVG (tumorboard.plotting): salted ids, text drawn as paths.
SVG_SALT = "tumorboard"
SVG_STYLE = {"font.size": 9, "hatch.linewidth": 0.8}

# Greyscale-safe styles: (face grey, hatch); black edges everywhere.
SAMPLE_STYLES = [("0.35", "//"), ("white", ".."), ("0.7", "xx"), ("white", "\\\\")]


def _svg(fig: Figure, prefix: str, label: str) -> str:
    """Inline SVG (no XML declaration or DOCTYPE) with ids prefixed to stay unique in the page."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata=SVG_METADATA)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r'\bid="', f'id="{prefix}-', svg)
    svg = svg.replace("url(#", f"url(#{prefix}-").replace('href="#', f'href="#{prefix}-')
    label = Markup.escape(label)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1).rstrip() + "\n"


def _svg_rc(func: Callable[[dict], str]) -> Callable[[dict], str]:
    """Build and save the figure deterministically (``tumorboard.plotting``) in SVG_STYLE."""

    @functools.wraps(func)
    def wrapper(findings: dict) -> str:
        with deterministic(SVG_SALT, SVG_STYLE):
            return func(findings)

    return wrapper


def _new_figure(n_genes: int) -> Figure:
    return Figure(figsize=(min(12.0, max(5.0, 1.5 + 0.55 * n_genes)), 3.6))


def _gene_axis(ax, genes: list[str]) -> None:
    ax.set_xticks(range(len(genes)))
    ax.set_xticklabels(genes, rotation=90 if len(genes) > 8 else 0)
    ax.set_xlim(-0.6, len(genes) - 0.4)
    ax.set_xlabel("Gene")


def _no_data(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


@_svg_rc
def copy_number_figure(findings: dict) -> str:
    """Inline SVG: the per-target log2 profile along the panel (gene estimates as bars, genes
    labelled) with the log2 ratios that the configured call thresholds correspond to at the
    purity the calls used.  Patients with gene estimates but no per-target profile (external
    segments) get the gene estimates alone on the same axes."""
    rows = [r for r in findings["copy_number"] if r.get("log2_ratio") is not None]
    points = findings.get("copy_number_profile") or [
        {"target": r["gene"], "chrom": "", "start": 0, "log2_ratio": r["log2_ratio"]} for r in rows
    ]
    fig = profile_figure(points, rows, copy_number_purity(findings), copy_number_settings(findings))
    return _svg(fig, "cn", "Copy-number profile: log2 ratio per target along the panel")


def allele_fraction_interval(alt: int, depth: int, level: float = 0.95) -> tuple[float, float]:
    """Clopper-Pearson interval of an allele fraction (scipy's exact binomial interval)."""
    from scipy.stats import binomtest

    ci = binomtest(alt, depth).proportion_ci(confidence_level=level, method="exact")
    return float(ci.low), float(ci.high)


@_svg_rc
def vaf_figure(findings: dict) -> str:
    """Inline SVG: the allele fraction of every reported variant with its 95% exact binomial
    interval (hotspot variants filled, others open), the VAF a clonal heterozygous variant would
    have at the tumour purity, and the calling floor (min_vaf)."""
    variants = sorted(findings["variants"], key=lambda v: (v["vaf"], v["gene"]))
    fig = Figure(figsize=(8.5, max(2.2, 0.9 + 0.32 * len(variants))))
    ax = fig.add_subplot()
    ax.set_title("Variant allele fractions (error bar: 95% exact binomial interval)", loc="left")
    if not variants:
        _no_data(ax, "No somatic variants")
        return _svg(fig, "vaf", "VAF figure: no variants")
    handles = []
    for y, v in enumerate(variants):
        lo = hi = v["vaf"]
        if v.get("depth") and 0 <= v.get("alt_reads", -1) <= v["depth"]:
            lo, hi = allele_fraction_interval(int(v["alt_reads"]), int(v["depth"]))
        ax.errorbar(
            v["vaf"],
            y,
            xerr=[[v["vaf"] - lo], [hi - v["vaf"]]],
            fmt="o",
            color="black",
            markerfacecolor="black" if v.get("hotspot") else "white",
            markersize=6,
            capsize=3,
            linewidth=1,
        )
    ax.set_yticks(range(len(variants)))
    ax.set_yticklabels(
        [f"{v['gene']} {v.get('protein_short') or v.get('hgvs_c') or v['pos']}" for v in variants]
    )
    purity = findings.get("purity")
    if purity is None:
        purity = copy_number_purity(findings)
    if purity is not None:
        ax.axvline(purity / 2, color="black", linestyle="--", linewidth=1)
        handles.append(
            Line2D([], [], color="black", linestyle="--", label=(
                f"clonal heterozygous at purity {pct(purity, 0)}: {pct(purity / 2, 0)}"
            ))
        )  # fmt: skip
    floor = findings["thresholds"]["min_vaf"]
    ax.axvline(floor, color="0.5", linestyle=":", linewidth=1.2)
    handles += [
        Line2D([], [], color="0.5", linestyle=":", label=f"calling floor (min VAF {pct(floor)})"),
        Line2D([], [], marker="o", color="black", linestyle="", label="hotspot"),
        Line2D(
            [], [], marker="o", color="black", markerfacecolor="white", linestyle="",
            label="other",
        ),
    ]  # fmt: skip
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.7, len(variants) - 0.3)
    ax.set_xlabel("Variant allele fraction in the tumour")
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    return _svg(fig, "vaf", "VAF figure: allele fraction per variant with intervals")


@_svg_rc
def coverage_figure(findings: dict) -> str:
    """Inline SVG: mean depth per gene per sample (grouped bars), line at thresholds.min_depth."""
    rows, min_depth = findings["coverage"], findings["thresholds"]["min_depth"]
    genes = list(dict.fromkeys(c["gene"] for c in rows))
    fig = _new_figure(len(genes))
    ax = fig.add_subplot()
    ax.set_title("Mean target depth per gene")
    if not rows:
        _no_data(ax, "No coverage data")
        return _svg(fig, "cov", "Coverage figure: no data")
    samples = [s for s in sample_order(findings) if any(c["sample"] == s for c in rows)]
    types, width = sample_types(findings), 0.8 / len(samples)
    depth = {(c["gene"], c["sample"]): c["mean_depth"] for c in rows}
    for i, sample in enumerate(samples):
        face, hatch = SAMPLE_STYLES[i % len(SAMPLE_STYLES)]
        xs = [g for g, gene in enumerate(genes) if (gene, sample) in depth]
        ys = [depth[(genes[g], sample)] for g in xs]
        offset = (i - (len(samples) - 1) / 2) * width
        ax.bar(
            [x + offset for x in xs],
            ys,
            width=width,
            color=face,
            hatch=hatch,
            edgecolor="black",
            label=f"{sample} ({types.get(sample, 'sample')})",
        )
    ax.axhline(
        min_depth, color="black", linestyle="--", linewidth=1, label=f"minimum depth ({min_depth}x)"
    )
    ax.set_ylim(0, max([min_depth] + [c["mean_depth"] for c in rows]) * 1.1)
    _gene_axis(ax, genes)
    ax.set_ylabel("Mean depth (reads)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    return _svg(fig, "cov", "Coverage figure: mean depth per gene and sample")
