"""The copy-number method of one patient: read depth against the matched normal or pooled normals
(``copynumber.depth``), or the external segments given with a VCF (``copynumber.segments``).

``gene_copy_number`` takes the paths of the patient's copy-number job (which inputs exist decides
the method; ``workflow/rules/common.smk`` decides them) and returns the gene table, the per-target
table and the purity used.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .calls import Purity, Settings
from .depth import copy_number_from_depth, gc_content
from .purity import snv_allele_counts
from .segments import genes_from_segments, read_segments, read_targets_grch38


class CopyNumberError(ValueError):
    """The inputs do not allow copy number (a one-line message for the user)."""


def duplicate_fraction(path: str | Path) -> float:
    """Fraction of examined reads marked duplicate, from ``samtools markdup -f`` statistics."""
    values = {}
    with open(path) as fh:
        for line in fh:
            key, _, value = line.partition(":")
            values[key.strip()] = value.strip()
    try:
        return int(values["DUPLICATE TOTAL"]) / max(1, int(values["EXAMINED"]))
    except (KeyError, ValueError):
        raise ValueError(
            f"{path}: not samtools markdup statistics (EXAMINED, DUPLICATE TOTAL)"
        ) from None


def gene_copy_number(
    purity: Purity,
    settings: Settings,
    *,
    targets_grch38: str | Path,
    segments: str | Path | None = None,
    tumour: str | Path | None = None,
    normals: Sequence[str | Path] = (),
    fasta: str | Path | None = None,
    vcf: str | Path | None = None,
    matched: bool | None = None,
    tumour_antitargets: str | Path | None = None,
    normals_antitargets: Sequence[str | Path] = (),
    tumour_markdup: str | Path | None = None,
    normals_markdup: Sequence[str | Path] = (),
) -> tuple[pd.DataFrame, pd.DataFrame, Purity]:
    """Gene table, per-target table and purity used, from ``segments`` when given, else from
    the ``tumour`` coverage table against the ``normals``' (GC content from ``fasta``; purity
    estimated from the somatic ``vcf`` when the sheet gives none).  ``matched``: the single
    normal is the patient's own (see ``copy_number_from_depth``).  ``tumour_antitargets`` and
    ``normals_antitargets``: the same samples' antitarget-bin coverage tables (the background);
    ``tumour_markdup`` / ``normals_markdup``: their ``samtools markdup -f`` statistics (the
    duplicate-rate difference widens the intervals)."""
    if segments:
        genes, targets = genes_from_segments(
            read_segments(segments),
            read_targets_grch38(targets_grch38),
            purity,
            settings,
            source=f"segments: {Path(segments).name}",
        )
        return genes, targets, purity
    if not tumour:
        raise CopyNumberError("copy number needs reads or copy-number segments (sheet column cna)")
    table = pd.read_csv(tumour, sep="\t")
    reference = [pd.read_csv(path, sep="\t") for path in normals]
    if not reference:
        raise CopyNumberError(
            "copy number from reads needs a matched normal or normals in the sample sheet"
        )
    if tumour_antitargets:
        if len(normals_antitargets) != len(reference):
            raise CopyNumberError("antitarget coverage is needed for the tumour and every normal")
        table = pd.concat([table, pd.read_csv(tumour_antitargets, sep="\t")], ignore_index=True)
        reference = [
            pd.concat([r, pd.read_csv(path, sep="\t")], ignore_index=True)
            for r, path in zip(reference, normals_antitargets, strict=True)
        ]
    duplicates = None
    if tumour_markdup and normals_markdup:
        try:
            normal_dup = [duplicate_fraction(p) for p in normals_markdup]
            duplicates = (duplicate_fraction(tumour_markdup), float(np.median(normal_dup)))
        except ValueError as exc:
            raise CopyNumberError(str(exc)) from None
    snvs = snv_allele_counts(vcf) if vcf else None
    return copy_number_from_depth(
        table,
        reference,
        gc_content(fasta, table),
        purity,
        settings,
        snvs,
        matched=matched,
        duplicates=duplicates,
    )
