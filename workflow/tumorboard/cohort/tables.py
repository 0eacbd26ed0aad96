"""The cohort view: every patient's findings JSON gathered into a summary table and an
oncoprint (the MAF and copy-number table are :mod:`tumorboard.cohort.formats`).

Only the findings documents are read (the contract); nothing is re-derived from reads.  Each
variant and copy-number call gets the best AMP/ASCO/CAP tier of the ``actionability`` items that
point at it (``finding``: JSON pointers such as "/variants/0"; items without pointers are matched
by gene and protein change or copy-number category).  Items that point at no variant or
copy-number call (e.g. "KRAS/NRAS wild-type", resting on hotspots) become rows of their own.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tumorboard.knowledge.tiers import TIERS, tier_of
from tumorboard.plotting import PNG_METADATA, deterministic

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# --------------------------------------------------------------------------- loading


def load_findings(paths: Iterable[str | Path]) -> list[dict]:
    """The findings documents, in the order given; a patient or tumour sample may appear once."""
    cohort = [json.loads(Path(p).read_text(encoding="utf-8")) for p in paths]
    for key in ("patient", "tumour_sample"):
        seen = [f[key] for f in cohort]
        dupes = sorted({x for x in seen if seen.count(x) > 1})
        if dupes:
            raise ValueError(f"{key} {', '.join(dupes)} appears in more than one findings file")
    return cohort


# --------------------------------------------------------------------------- tiers


def tier_key(tier: str) -> tuple[int, str]:
    """Sort key of an AMP/ASCO/CAP tier ("IA" < "IB" < "IIC" < "IID" < "III" < "IV", the order
    of :data:`tumorboard.knowledge.tiers.TIERS`); an unreadable tier sorts last."""
    t = tier_of(tier)
    return (t.rank, "") if t else (len(TIERS), tier)


def normalise_tier(tier: str) -> str:
    """``Tier IB`` -> ``IB``; text that names no tier is returned stripped."""
    t = tier_of(tier)
    return f"{t.tier}{t.level or ''}" if t else tier.strip()


def best_tier(tiers: Iterable[str]) -> str:
    tiers = [normalise_tier(t) for t in tiers if t]
    return min(tiers, key=tier_key) if tiers else ""


def item_tier(item: dict) -> str:
    """The tier of an actionability item ("IA", "IIC", "III"); "" when not established."""
    if item.get("status", "established") != "established" or not item.get("tier"):
        return ""
    return normalise_tier(f"{item['tier']}{item.get('tier_level') or ''}")


def _therapies(items: Iterable[dict]) -> str:
    """Tier I/II therapies of the items, "name (response)" for anything but sensitivity."""
    names: list[str] = []
    for item in items:
        for t in item.get("therapies") or []:
            if isinstance(t, str):
                names.append(t)
            elif t.get("tier", "I") in ("I", "II"):
                response = t.get("response") or "sensitivity"
                label = t.get("therapy") or t.get("name") or ""
                names.append(label if response == "sensitivity" else f"{label} ({response})")
    return "; ".join(dict.fromkeys(n for n in names if n))


_AMP_WORDS = {"amplification", "amplified", "amp", "copy number gain"}
_LOSS_WORDS = {"loss", "deletion", "deep deletion", "homozygous deletion", "copy number loss"}


def _protein_names(v: dict) -> set[str]:
    names = {v.get("protein_short"), v.get("hgvs_p"), v.get("hgvs_c")}
    names |= {n.removeprefix("p.") for n in names if n}
    return {n.upper() for n in names if n}


def _pointers(item: dict) -> set[str]:
    return set(item.get("finding") or [])


def _matches_variant(item: dict, v: dict, index: int) -> bool:
    if "finding" in item:
        return f"/variants/{index}" in _pointers(item)
    if item.get("gene") != v["gene"]:
        return False
    alteration = str(item.get("alteration", "")).strip()
    alteration = alteration.removeprefix(f"{v['gene']} ").strip().removeprefix("p.")
    return alteration.upper() in _protein_names(v)


def _matches_copy_number(item: dict, c: dict, index: int) -> bool:
    if "finding" in item:
        return f"/copy_number/{index}" in _pointers(item)
    if item.get("gene") != c["gene"]:
        return False
    words = str(item.get("alteration", "")).lower().removeprefix(c["gene"].lower()).strip()
    return (c["call"] == "amplified" and words in _AMP_WORDS) or (
        c["call"] == "loss" and words in _LOSS_WORDS
    )


# --------------------------------------------------------------------------- summary table

SUMMARY_COLUMNS = [
    "patient",
    "tumour_sample",
    "tumour_type",
    "gene",
    "category",
    "alteration",
    "detail",
    "consequence",
    "vaf",
    "alt_reads",
    "depth",
    "copy_number",
    "tier",
    "therapies",
]


@dataclass
class Alteration:
    """One finding of one patient, for the table and the oncoprint."""

    patient: str
    tumour_sample: str
    gene: str
    category: str  # mutation | copy number | other | none
    alteration: str
    kind: str  # oncoprint glyph class: missense, truncating, inframe, other, amp, gain, loss
    detail: str = ""
    consequence: str = ""
    vaf: float | None = None
    alt_reads: int | None = None
    depth: int | None = None
    copy_number: float | None = None
    tier: str = ""
    therapies: str = ""


TRUNCATING = {
    "stop_gained",
    "frameshift",
    "splice_acceptor",
    "splice_donor",
    "start_lost",
    "stop_lost",
}
INFRAME = {"inframe_deletion", "inframe_insertion", "inframe_altering"}


def consequence_terms(consequence: str) -> list[str]:
    """bcftools csq terms of a consequence ("missense&splice_region", "*frameshift")."""
    return [t for t in consequence.lstrip("*").split("&") if t]


def mutation_kind(consequence: str) -> str:
    terms = set(consequence_terms(consequence))
    if terms & TRUNCATING:
        return "truncating"
    if terms & INFRAME:
        return "inframe"
    if "missense" in terms:
        return "missense"
    return "other"


CN_KIND = {"amplified": "amp", "equivocal": "gain", "loss": "loss"}
CN_LABEL = {"amplified": "amplification", "equivocal": "gain (equivocal)", "loss": "loss"}


def patient_alterations(findings: dict) -> list[Alteration]:
    """The patient's reportable alterations (somatic variants, copy-number calls other than
    neutral / not evaluable, actionability items resting on neither), each with its best tier."""
    pid, sample = findings["patient"], findings["tumour_sample"]
    actionable = findings.get("actionability") or []
    used: set[int] = set()
    out: list[Alteration] = []

    def tiers_for(pred) -> tuple[str, str]:
        hits = [i for i, item in enumerate(actionable) if pred(item)]
        used.update(hits)
        items = [actionable[i] for i in hits]
        return best_tier(item_tier(it) for it in items), _therapies(items)

    for i, v in enumerate(findings["variants"]):
        tier, therapies = tiers_for(lambda it, v=v, i=i: _matches_variant(it, v, i))
        out.append(
            Alteration(
                pid,
                sample,
                v["gene"],
                "mutation",
                v.get("protein_short") or v.get("hgvs_c") or f"{v['ref']}>{v['alt']}",
                mutation_kind(v["consequence"]),
                detail=f"{v['transcript']}:{v['hgvs_c']}" if v.get("hgvs_c") else "",
                consequence=v["consequence"],
                vaf=v["vaf"],
                alt_reads=v["alt_reads"],
                depth=v["depth"],
                tier=tier,
                therapies=therapies,
            )
        )
    for i, c in enumerate(findings["copy_number"]):
        if c["call"] not in CN_KIND:
            continue
        tier, therapies = tiers_for(lambda it, c=c, i=i: _matches_copy_number(it, c, i))
        copies = c.get("copy_number")
        out.append(
            Alteration(
                pid,
                sample,
                c["gene"],
                "copy number",
                CN_LABEL[c["call"]],
                CN_KIND[c["call"]],
                detail="" if copies is None else f"{copies:.1f} copies",
                copy_number=copies,
                tier=tier,
                therapies=therapies,
            )
        )
    for i, item in enumerate(actionable):
        if i in used:
            continue
        out.append(
            Alteration(
                pid,
                sample,
                str(item.get("gene", "")),
                "other",
                str(item.get("alteration", "")),
                "other",
                tier=item_tier(item),
                therapies=_therapies([item]),
            )
        )
    return out


def cell_text(value) -> str:
    """A table cell: empty for None, 4 significant digits for a float."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def summary_rows(cohort: Sequence[dict]) -> list[dict[str, str]]:
    """patient × gene rows; a patient without any alteration gets one row saying so."""
    rows = []
    for findings in cohort:
        alterations = patient_alterations(findings)
        if not alterations:
            rows.append(
                {
                    **dict.fromkeys(SUMMARY_COLUMNS, ""),
                    "patient": findings["patient"],
                    "tumour_sample": findings["tumour_sample"],
                    "tumour_type": findings["tumour_type"],
                    "category": "none",
                    "alteration": "no somatic alteration reported",
                }
            )
        for a in alterations:
            rows.append(
                {
                    "patient": a.patient,
                    "tumour_sample": a.tumour_sample,
                    "tumour_type": findings["tumour_type"],
                    "gene": a.gene,
                    "category": a.category,
                    "alteration": a.alteration,
                    "detail": a.detail,
                    "consequence": a.consequence,
                    "vaf": cell_text(a.vaf),
                    "alt_reads": cell_text(a.alt_reads),
                    "depth": cell_text(a.depth),
                    "copy_number": cell_text(a.copy_number),
                    "tier": a.tier,
                    "therapies": a.therapies,
                }
            )
    return rows


def write_tsv(rows: Sequence[dict[str, str]], columns: Sequence[str], path: str | Path) -> None:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(
            fh, fieldnames=list(columns), delimiter="\t", lineterminator="\n", extrasaction="raise"
        )
        writer.writeheader()
        writer.writerows(rows)


# --------------------------------------------------------------------------- oncoprint

# Greyscale-readable: cell shading + hatch for copy number, black glyphs for mutations.
CN_STYLE = {
    "amp": ("0.35", "////", "amplification"),
    "gain": ("0.7", "....", "gain (equivocal)"),
    "loss": ("white", "\\\\\\\\", "loss"),
}
GLYPH = {
    "missense": ("o", "black", "missense"),
    "truncating": ("X", "black", "truncating (nonsense, frameshift, splice site)"),
    "inframe": ("D", "white", "in-frame indel"),
    "other": ("P", "black", "other"),
}
EMPTY_CELL = "0.92"


def oncoprint_order(
    cohort: Sequence[dict], genes: Sequence[str]
) -> tuple[list[str], list[str], dict[tuple[str, str], list[Alteration]]]:
    """(genes, patients, cells): genes by number of altered patients (ties: panel order),
    patients sorted so that alterations of the top genes come first (memo sort).  Actionable
    items matching no alteration (e.g. "wild type") are in the summary table, not here."""
    cells: dict[tuple[str, str], list[Alteration]] = {}
    for f in cohort:
        for a in patient_alterations(f):
            if a.category in ("mutation", "copy number"):
                cells.setdefault((a.gene, a.patient), []).append(a)
    extra = [g for g, _ in cells if g not in genes]
    all_genes = list(dict.fromkeys([*genes, *extra]))
    patients = [f["patient"] for f in cohort]
    count = {g: sum((g, p) in cells for p in patients) for g in all_genes}
    gene_order = sorted(all_genes, key=lambda g: (-count[g], all_genes.index(g)))
    patient_order = sorted(
        patients,
        key=lambda p: (
            [0 if (g, p) in cells else 1 for g in gene_order],
            patients.index(p),
        ),
    )
    return gene_order, patient_order, cells


def oncoprint_figure(cohort: Sequence[dict], genes: Sequence[str]) -> Figure:
    """Genes (rows) × patients (columns): copy number as cell shading, mutations as glyphs,
    the best tier written in the cell; bars of altered genes per patient on top, the fraction
    of patients altered per gene on the right."""
    # matplotlib here, not at import: the Snakefile imports this module (through
    # tumorboard.cohort.cbioportal) in every Snakemake process, a cluster job's included
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle
    from matplotlib.ticker import MaxNLocator

    gene_order, patients, cells = oncoprint_order(cohort, genes)
    n_g, n_p = len(gene_order), len(patients)
    # fixed cell size in inches, whatever the cohort size; the legend may overhang (saved tight)
    cell_w, cell_h, left, right, bar_h = 0.42, 0.34, 1.0, 0.55, 0.8
    labels_h = 0.9 if n_p > 6 else 0.35  # patient names run vertically past six patients
    width = left + n_p * cell_w + right
    height = labels_h + n_g * cell_h + 0.1 + bar_h + 0.3
    fig = Figure(figsize=(width, height), dpi=150)

    def axes_at(bottom: float, h: float):
        return fig.add_axes((left / width, bottom / height, n_p * cell_w / width, h / height))

    ax = axes_at(labels_h, n_g * cell_h)
    top = axes_at(labels_h + n_g * cell_h + 0.1, bar_h)

    altered_genes = [sum((g, p) in cells for g in gene_order) for p in patients]
    top.bar(range(n_p), altered_genes, width=0.8, color="0.45", edgecolor="black", lw=0.5)
    top.set_xlim(-0.5, n_p - 0.5)
    top.set_xticks([])
    top.set_ylabel("altered\ngenes", fontsize=7)
    top.tick_params(labelsize=7)
    top.spines[["top", "right"]].set_visible(False)
    top.yaxis.set_major_locator(MaxNLocator(integer=True))
    top.set_title(
        f"Oncoprint: {n_p} patient(s) × {n_g} gene(s) (research use only)", fontsize=9, loc="left"
    )

    for gi, gene in enumerate(gene_order):
        for pi, patient in enumerate(patients):
            alts = cells.get((gene, patient), [])
            cn = next((a for a in alts if a.category == "copy number"), None)
            face, hatch = (CN_STYLE[cn.kind][0], CN_STYLE[cn.kind][1]) if cn else (EMPTY_CELL, "")
            ax.add_patch(
                Rectangle(
                    (pi - 0.45, gi - 0.42),
                    0.9,
                    0.84,
                    facecolor=face,
                    hatch=hatch,
                    edgecolor="black" if cn else "white",
                    lw=0.6,
                )
            )
            muts = [a for a in alts if a.category != "copy number"]
            for k, m in enumerate(muts[:3]):
                marker, mface, _ = GLYPH[m.kind]
                x = pi + (k - (min(len(muts), 3) - 1) / 2) * 0.3
                ax.plot(x, gi, marker=marker, ms=6, mfc=mface, mec="black", mew=1.0, ls="none")
                # a white halo keeps the glyph readable on hatched cells
                ax.plot(x, gi, marker=marker, ms=8, mfc="none", mec="white", mew=0.8, zorder=1.5)
            tiers = [a.tier for a in alts if a.tier]
            if tiers and n_p <= 40:
                ax.text(
                    pi + 0.43,
                    gi - 0.40,
                    best_tier(tiers),
                    fontsize=5.5,
                    ha="right",
                    va="top",
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.3},
                )
    ax.set_xlim(-0.5, n_p - 0.5)
    ax.set_ylim(n_g - 0.5, -0.5)
    ax.set_yticks(range(n_g), gene_order, fontsize=8, fontstyle="italic")
    ax.set_xticks(range(n_p), patients, rotation=90 if n_p > 6 else 0, fontsize=7)
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    for gi, gene in enumerate(gene_order):
        frac = sum((gene, p) in cells for p in patients) / n_p if n_p else 0
        ax.text(n_p - 0.4, gi, f" {frac:.0%}", va="center", fontsize=7)

    handles = [
        Line2D([], [], marker=m, ms=7, mfc=f, mec="black", ls="none", label=label)
        for m, f, label in GLYPH.values()
    ] + [
        Patch(facecolor=f, hatch=h, edgecolor="black", label=lab) for f, h, lab in CN_STYLE.values()
    ]
    handles.append(Patch(facecolor=EMPTY_CELL, edgecolor="white", label="no alteration"))
    fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.02 / width, 0.0),
        ncol=2,
        fontsize=6.5,
        frameon=False,
        title="Cell text: best AMP/ASCO/CAP tier. Right: % of patients altered.",
        title_fontsize=6.5,
        alignment="left",
    )
    return fig


def write_oncoprint(cohort: Sequence[dict], genes: Sequence[str], out_png: str | Path) -> None:
    out = Path(out_png)
    out.parent.mkdir(parents=True, exist_ok=True)
    with deterministic(extra={"hatch.linewidth": 0.6}):
        fig = oncoprint_figure(cohort, genes)
        fig.savefig(out, format="png", metadata=PNG_METADATA, bbox_inches="tight", pad_inches=0.15)
