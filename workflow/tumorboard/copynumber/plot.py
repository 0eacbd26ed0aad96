"""The copy-number profile figure (matplotlib, no pyplot): log2 ratio per target along the panel,
the gene estimates, and the log2 ratios the call thresholds correspond to at the sample's purity;
written as a deterministic SVG.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from tumorboard.plotting import deterministic
from tumorboard.reference.panel import BACKBONE

from .calls import Settings, ratio_from_copies


def profile_points(targets: pd.DataFrame) -> list[dict]:
    """Per-target points for the findings JSON (and ``profile_figure``), in panel order."""
    df = targets[targets["log2_ratio"].notna()].copy()
    df["_chr"] = df["chrom"].str.removeprefix("chr").map(lambda c: int(c) if c.isdigit() else 99)
    df = df.sort_values(["_chr", "grch38_start"])
    return [
        {
            "target": str(r["target"]),
            "chrom": str(r["chrom"]),
            "start": int(r["grch38_start"]),
            "log2_ratio": round(float(r["log2_ratio"]), 3),
        }
        for r in df.to_dict("records")
    ]


def profile_figure(points: list[dict], genes: list[dict], purity: float | None, s: Settings):
    """Figure (matplotlib, no pyplot): log2 ratio per target along the panel, genes labelled,
    the gene estimates as bars, and the log2 ratios the call thresholds correspond to at this
    purity (100% assumed when unknown)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 3.8))
    ax = fig.add_subplot()
    if not points:
        ax.text(
            0.5, 0.5, "No copy-number targets", ha="center", va="center", transform=ax.transAxes
        )
        ax.set_xticks([])
        ax.set_yticks([])
        return fig
    p = 1.0 if purity is None else purity
    basis = "purity unknown, 100% assumed" if purity is None else f"purity {purity:.0%}"
    x = np.arange(len(points))
    y = np.array([pt["log2_ratio"] for pt in points])
    names = [pt["target"] for pt in points]
    bb = np.array([n == BACKBONE for n in names])
    ax.scatter(x[bb], y[bb], s=9, color="0.65", label="backbone tile", zorder=2)
    ax.scatter(x[~bb], y[~bb], s=12, color="black", label="gene target", zorder=3)
    est = {g["gene"]: g for g in genes}
    start, n_label = 0, 0
    for i in range(1, len(names) + 1):
        if i == len(names) or names[i] != names[start]:
            if names[start] != BACKBONE:
                g = est.get(names[start])
                if g is not None:
                    ax.hlines(g["log2_ratio"], start - 0.4, i - 0.6, color="black", linewidth=2.2)
                # two label rows, so that neighbouring small genes do not overprint
                label = names[start]
                if g is not None and g.get("call") not in (None, "neutral"):
                    label += f"\n{g['call']}"
                ax.text(
                    (start + i - 1) / 2,
                    1.01 + 0.13 * (n_label % 2),
                    label,
                    transform=ax.get_xaxis_transform(),
                    ha="center",
                    va="bottom",
                    fontsize=8,
                )
                n_label += 1
            ax.axvline(i - 0.5, color="0.85", linewidth=0.6, zorder=1)
            start = i
    levels = [
        (s.amplification_copies, "--", "amplified"),
        (s.equivocal_copies, "-.", "equivocal"),
        (s.loss_copies, ":", "loss"),
        (s.homozygous_deletion_copies, (0, (6, 2, 1, 2, 1, 2)), "homozygous deletion"),
    ]
    handles = []
    from matplotlib.lines import Line2D

    lows = [y.min()]
    for copies, style, label in levels:
        r = ratio_from_copies(copies, p)
        if r <= 0:
            continue
        lv = math.log2(r)
        lows.append(lv)
        ax.axhline(lv, color="black", linestyle=style, linewidth=0.9)
        handles.append(
            Line2D(
                [],
                [],
                color="black",
                linestyle=style,
                label=f"{label}: {copies:g} copies, log2 {lv:+.2f}",
            )
        )
    ax.axhline(0, color="0.4", linewidth=0.6)
    ax.set_ylim(
        max(-5.5, min(lows) - 0.3),
        max(y.max(), math.log2(ratio_from_copies(s.amplification_copies, p))) + 0.4,
    )
    ax.set_xlim(-1, len(points))
    ax.set_xticks([])
    ax.set_xlabel("Panel targets in genome order (gene estimate: bar)")
    ax.set_ylabel("log2 ratio tumour / reference")
    ax.set_title(f"Copy-number profile ({basis})", fontsize=10, pad=48, loc="left")
    pts = ax.get_legend_handles_labels()[0]
    ax.legend(
        handles=pts + handles, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8
    )
    return fig


SVG_SALT = "tumorboard-cnv"


def write_profile(fig, path: str | Path) -> None:
    """Deterministic SVG (or PNG by extension) of ``profile_figure`` (only the date left out of
    the metadata, as the report's figures leave out all of it)."""
    with deterministic(SVG_SALT):
        fig.savefig(
            str(path),
            bbox_inches="tight",
            metadata={"Date": None} if str(path).endswith(".svg") else None,
        )
