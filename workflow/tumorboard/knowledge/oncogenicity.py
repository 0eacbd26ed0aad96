"""Oncogenicity of a variant, apart from its actionability (therapy tier).

A variant's AMP/ASCO/CAP tier says what evidence links it to a therapy; whether the variant is
oncogenic is a separate question (a truncating CDKN2A is likely oncogenic although no therapy
rests on it).  Each variant gets one label by simple, documented rules, checked in this order:

1. ``oncogenic``: the variant changes a hotspot codon of ``resources/hotspots.tsv`` (recurrent
   codons from cancerhotspots.org and COSMIC; the variant's ``hotspot`` flag);
2. ``likely oncogenic``: a truncating variant (frameshift, nonsense, canonical splice site,
   start loss) in a tumour-suppressor gene of ``tumour_suppressors.tsv`` (next to this module;
   COSMIC Cancer Gene Census role TSG; ClinGen/CGC/VICC SOP criterion OVS1, Horak et al.,
   Genet Med 2022);
3. ``unknown`` otherwise (including every protein-silent variant).

This is a screen, not a curated classification: it ignores the SOP's other criteria (population
frequency, functional studies, in-silico predictions) and the last-exon caveat of OVS1.
"""

from __future__ import annotations

import csv
from importlib.resources import files
from pathlib import Path

from tumorboard.knowledge.matching import _truncating, protein_altering
from tumorboard.knowledge.vocabulary import parse_protein

ONCOGENIC, LIKELY_ONCOGENIC, UNKNOWN = "oncogenic", "likely oncogenic", "unknown"
LABELS = (ONCOGENIC, LIKELY_ONCOGENIC, UNKNOWN)
DEFAULT_TABLE = files("tumorboard.knowledge") / "tumour_suppressors.tsv"


def read_tumour_suppressors(path=DEFAULT_TABLE) -> dict[str, str]:
    """Gene -> source of the authored tumour-suppressor table."""
    text = Path(path).read_text() if isinstance(path, (str, Path)) else path.read_text()
    rows = csv.DictReader(
        (ln for ln in text.splitlines() if not ln.startswith("#")), delimiter="\t"
    )
    return {r["gene"]: r["source"] for r in rows}


def _protein(v: dict):
    for name in (v.get("protein_short"), v.get("hgvs_p")):
        if name and (pc := parse_protein(name)) is not None:
            return pc
    return None


def classify(v: dict, suppressors: dict[str, str] | None = None) -> tuple[str, str]:
    """(label, basis) of one findings variant (see the module's rules)."""
    suppressors = read_tumour_suppressors() if suppressors is None else suppressors
    pc = _protein(v)
    if v.get("hotspot") and protein_altering(v, pc):
        return (
            ONCOGENIC,
            f"changes a recurrent hotspot codon of {v['gene']} (resources/hotspots.tsv)",
        )
    if v["gene"] in suppressors and _truncating(v, pc):
        return LIKELY_ONCOGENIC, (
            f"truncating variant in the tumour-suppressor gene {v['gene']} "
            f"({suppressors[v['gene']]}; ClinGen/CGC/VICC OVS1)"
        )
    return UNKNOWN, (
        "no rule applies (not at a hotspot; not a truncating variant in a listed "
        "tumour-suppressor gene)"
    )


def annotate(variants: list[dict], suppressors: dict[str, str] | None = None) -> None:
    """Set ``oncogenicity`` and ``oncogenicity_basis`` on every variant."""
    suppressors = read_tumour_suppressors() if suppressors is None else suppressors
    for v in variants:
        v["oncogenicity"], v["oncogenicity_basis"] = classify(v, suppressors)
