"""Tumour/normal identity (issue 14, item 1): do a patient's tumour and normal come from the same
person, and are they two samples rather than one?

A normal FASTQ that is the tumour's own (a sample-sheet copy-paste slip) passes every QC metric,
and the caller then rejects every somatic variant as a normal artefact; a normal of another
person makes the germline SNPs look somatic.  Two cheap checks on the aligned reads, over the
panel's targets:

* **same library**: the read names of the normal's primary reads over the targets are looked up
  among the tumour's reads over the same targets.  Two libraries (even of one person, on one
  lane) share no read name (an Illumina name holds instrument, run, flowcell, lane, tile and
  cluster coordinates), so more than ``max_shared_names`` (0.5) of them shared means the same reads
  (the same FASTQ gives 100%).  The bar is not near 0 because the demo simulator draws tumour and
  normal reads from one seed per haplotype, so a third of the demo normal's names recur in its
  tumour (32% measured); real libraries share none;
* **same person**: the normal's heterozygous germline sites (depth >= ``min_depth``, the minor
  of the two commonest bases at ``het_low``..``het_high`` of the depth) are genotyped in the
  tumour; a site is discordant when the tumour, at depth >= ``min_depth``, shows one of the two
  alleles below ``absent_vaf``.  Another person is homozygous at about half of a person's common
  heterozygous sites; the same person only where the tumour lost a copy and is nearly pure.  More
  than ``max_discordance`` of at least ``min_sites`` sites discordant means two people.  Fewer
  informative sites than ``min_sites`` leave the concordance not evaluable (stated, not a stop).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

import pysam

BASES = "ACGT"


class IdentityError(Exception):
    """The patient's tumour and normal are not two samples of one person (one line)."""


@dataclass(frozen=True)
class IdentityParams:
    max_shared_names: float = 0.5
    min_depth: int = 20
    min_baseq: int = 20
    het_low: float = 0.3
    het_high: float = 0.7
    absent_vaf: float = 0.05
    min_sites: int = 10
    max_discordance: float = 0.4
    max_names: int = 20_000  # read names of the normal sampled (bounds time and memory)


@dataclass
class IdentityResult:
    tumour: str
    normal: str
    normal_names: int = 0
    shared_names: int = 0
    het_sites: int = 0
    discordant_sites: int = 0
    discordant: list[str] = field(default_factory=list)

    @property
    def shared_fraction(self) -> float:
        return self.shared_names / self.normal_names if self.normal_names else 0.0

    @property
    def discordance(self) -> float | None:
        return self.discordant_sites / self.het_sites if self.het_sites else None


def _names(bam: pysam.AlignmentFile, targets, limit: int | None = None):
    """Primary read names over ``targets`` (up to ``limit``) and the targets they came from."""
    names: set[str] = set()
    seen = []
    for contig, start, end in targets:
        seen.append((contig, start, end))
        for r in bam.fetch(contig, start, end):
            if not (r.is_secondary or r.is_supplementary):
                names.add(r.query_name)
        if limit and len(names) >= limit:
            break
    return names, seen


def _counts(bam: pysam.AlignmentFile, contig: str, start: int, end: int, p: IdentityParams):
    # "all": no unmapped, secondary, QC-fail or duplicate reads (a Python callback for MAPQ would
    # cost 10x); the base-quality floor applies
    cov = bam.count_coverage(contig, start, end, quality_threshold=p.min_baseq, read_callback="all")
    return list(zip(*(list(c) for c in cov), strict=True))


def check(
    tumour_bam: str,
    normal_bam: str,
    targets: list[tuple[str, int, int]],
    p: IdentityParams = IdentityParams(),
    tumour: str = "tumour",
    normal: str = "normal",
) -> IdentityResult:
    """Measure read-name sharing and germline concordance of ``tumour_bam`` and ``normal_bam``
    over ``targets`` (0-based half-open, the BAMs' contigs)."""
    res = IdentityResult(tumour, normal)
    with pysam.AlignmentFile(tumour_bam) as tb, pysam.AlignmentFile(normal_bam) as nb:
        normal_names, sampled = _names(nb, targets, p.max_names)
        tumour_names, _ = _names(tb, sampled)
        res.normal_names = len(normal_names)
        res.shared_names = len(normal_names & tumour_names)
        for contig, start, end in targets:
            n_counts = _counts(nb, contig, start, end, p)
            t_counts = None
            for i, nc in enumerate(n_counts):
                depth = sum(nc)
                if depth < p.min_depth:
                    continue
                order = sorted(range(4), key=lambda b: -nc[b])
                a, b = order[0], order[1]
                if not p.het_low <= nc[b] / depth <= p.het_high:
                    continue
                if t_counts is None:
                    t_counts = _counts(tb, contig, start, end, p)
                tc = t_counts[i]
                t_depth = sum(tc)
                if t_depth < p.min_depth:
                    continue
                res.het_sites += 1
                if min(tc[a], tc[b]) / t_depth < p.absent_vaf:
                    res.discordant_sites += 1
                    if len(res.discordant) < 5:
                        res.discordant.append(
                            f"{contig}:{start + i + 1} normal {BASES[a]}/{BASES[b]} "
                            f"{nc[a]}/{nc[b]}, tumour {tc[a]}/{tc[b]}"
                        )
    return res


def verdict(res: IdentityResult, p: IdentityParams = IdentityParams()) -> tuple[str | None, str]:
    """(problem or None, one-line summary) of an identity measurement."""
    shared = (
        f"{res.shared_names:,} of {res.normal_names:,} normal read names over the targets also "
        f"in the tumour ({res.shared_fraction:.1%})"
    )
    if res.discordance is None or res.het_sites < p.min_sites:
        concordance = (
            f"germline concordance not evaluable ({res.het_sites} heterozygous sites at "
            f">= {p.min_depth}x in both; {p.min_sites} needed)"
        )
    else:
        concordance = (
            f"{res.discordant_sites} of {res.het_sites} heterozygous germline sites of the normal "
            f"discordant in the tumour ({res.discordance:.1%})"
        )
    summary = f"{shared}; {concordance}"
    if res.normal_names and res.shared_fraction > p.max_shared_names:
        return (
            f"tumour {res.tumour} and normal {res.normal} are the same reads: {shared} "
            f"(more than {p.max_shared_names:.0%}); is the normal's FASTQ the tumour's? "
            "Check the units sheet",
            summary,
        )
    if (
        res.discordance is not None
        and res.het_sites >= p.min_sites
        and res.discordance > p.max_discordance
    ):
        return (
            f"tumour {res.tumour} and normal {res.normal} are not from the same person: "
            f"{concordance} (more than {p.max_discordance:.0%}; e.g. "
            f"{'; '.join(res.discordant[:3])}); check the samples sheet",
            summary,
        )
    return None, summary


def write_json(res: IdentityResult, problem: str | None, summary: str, path: str) -> None:
    doc = asdict(res) | {
        "shared_fraction": round(res.shared_fraction, 4),
        "discordance": None if res.discordance is None else round(res.discordance, 4),
        "problem": problem,
        "summary": summary,
    }
    with open(path, "w") as fh:
        json.dump(doc, fh, indent=2)
        fh.write("\n")


def write_not_applicable(tumour: str, path: str) -> None:
    """A tumour-only patient's identity record: there is no normal to compare the tumour with."""
    doc = {
        "tumour": tumour,
        "normal": None,
        "problem": None,
        "summary": "not applicable: no matched normal (tumour-only)",
    }
    with open(path, "w") as fh:
        json.dump(doc, fh, indent=2)
        fh.write("\n")
