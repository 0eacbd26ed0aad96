"""Which reads count as evidence: one filter for the caller and for the hotspot depth."""

from __future__ import annotations

import pysam


def usable(read: pysam.AlignedSegment, min_mapq: int = 0) -> bool:
    """A primary, mapped, non-duplicate read that passed QC, mapped with at least ``min_mapq``.

    The caller passes no ``min_mapq``: it looks at low-MAPQ reads too (they are counted apart, for
    the ``mapping_quality`` filter); the hotspot depth counts only reads at ``min_mapq`` or above,
    the reads the caller weighs."""
    return (
        not (
            read.is_unmapped
            or read.is_secondary
            or read.is_supplementary
            or read.is_duplicate
            or read.is_qcfail
        )
        and read.mapping_quality >= min_mapq
    )
