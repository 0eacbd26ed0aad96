"""The pharmacogenomic targets: each site of ``resources/pgx/sites.tsv`` +/- ``padding`` bp on the
reference's contigs (the demo reference's PGx windows, or a site's chromosomes).  The demo simulates
reads over them as over the panel's targets; they are kept apart from the copy-number targets (a
pharmacogene has no copy-number call)."""

from __future__ import annotations

from tumorboard.reference.contigs import ContigMap
from tumorboard.reference.panel import Target, _merge

from .tables import Site

PGX = "pgx"


def pgx_targets(
    sites: list[Site], contigs: ContigMap, padding: int
) -> tuple[list[Target], list[str]]:
    """(merged targets named ``pgx:<GENE>``, sites the reference does not hold)."""
    by_contig: dict[tuple[str, str], list[tuple[int, int]]] = {}
    missing = []
    for s in sites:
        hit = contigs.from_grch38(s.chrom, s.pos)
        if hit is None:
            missing.append(s.site)
            continue
        contig, cpos = hit
        length = contigs.by_name[contig].length
        # a TA-repeat row's span: the anchor and the (up to 8-unit) tract after it
        end = cpos + (20 if s.kind == "ta_repeat" else 0)
        by_contig.setdefault((contig, s.gene), []).append(
            (max(0, cpos - 1 - padding), min(length, end + padding))
        )
    out = [
        Target(contig, a, b, f"{PGX}:{gene}")
        for (contig, gene), iv in by_contig.items()
        for a, b in _merge(iv)
    ]
    return sorted(out), sorted(set(missing))
