"""Germline genotypes at the pharmacogenomic sites, counted from the reads with pysam.

**SNV sites.** Each fragment counts once (read and mate agreeing; a fragment whose mates disagree
is left out): usable reads (primary, mapped, not duplicate, not QC-failed, MAPQ >= ``min_mapq``)
with a base of quality >= ``min_baseq`` at the site. Depth = fragments counted. Genotype from the
alternate-allele fraction: <= ``hom_max_other_fraction`` homozygous reference, >= 1 - that
homozygous alternate, between ``het_min_fraction`` and 1 - ``het_min_fraction`` heterozygous;
otherwise (and when another base reaches ``het_min_fraction``) the site is not evaluable, never
called. Below ``min_depth`` fragments the site is not evaluable: a negative is a finding only with
its depth, as for the somatic hotspots.

**UGT1A1 TATA-box (TA)n repeat** (``*36`` 5, ``*1`` 6, ``*28`` 7, ``*37`` 8 units, traditional
naming A(TA)nTAA).  Aligners place a 2-bp insertion or deletion anywhere in the repeat, or
soft-clip a read that ends in it, so the repeat is not read from the CIGAR: each read's own
sequence between its two flanks is parsed.  A read counts only when it *spans* the repeat: the
``flank`` reference bases on each side of the tract are aligned (not clipped, no indel inside
them) with at most one mismatch in all; its tract must read ``A(TA)nTAA``.  Reads ending in the
repeat are counted as not spanning, tracts of another form as unreadable; both are reported and
excluded.  Each fragment counts once.  Genotype: the most frequent length alone when it holds
>= 1 - ``hom_max_other_fraction`` of the fragments (homozygous), else the two most frequent when
the second holds >= ``het_min_fraction`` and both together >= 1 - ``hom_max_other_fraction``;
anything else (three lengths, heavy stutter) is not evaluable.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import pysam

from tumorboard.calling.reads import usable
from tumorboard.reference.contigs import ContigMap

from .tables import SNV, TA_REPEAT, Site

NOT_SPANNING, UNREADABLE = "not spanning", "unreadable"
_TRACT = re.compile(r"A((?:TA)+)TAA")


@dataclass(frozen=True)
class Settings:
    min_depth: int = 20
    min_mapq: int = 20
    min_baseq: int = 20
    het_min_fraction: float = 0.2
    hom_max_other_fraction: float = 0.1
    flank: int = 6

    @classmethod
    def from_config(cls, pgx: dict, mpileup: dict) -> Settings:
        return cls(
            min_depth=pgx["min_depth"],
            min_mapq=mpileup["min_mapq"],
            min_baseq=mpileup["min_baseq"],
            het_min_fraction=pgx["het_min_fraction"],
            hom_max_other_fraction=pgx["hom_max_other_fraction"],
            flank=pgx["repeat_flank"],
        )


# --------------------------------------------------------------------------- SNV


def snv_counts(
    bam: pysam.AlignmentFile, contig: str, pos: int, min_mapq: int, min_baseq: int
) -> Counter:
    """Bases at 1-based ``pos``, one per fragment ("-" for a deletion); fragments whose mates
    disagree are left out."""
    seen: dict[str, str] = {}
    discordant: set[str] = set()
    for col in bam.pileup(
        contig, pos - 1, pos, truncate=True, stepper="nofilter", min_base_quality=0,
        ignore_overlaps=False, ignore_orphans=False, max_depth=1_000_000,
    ):  # fmt: skip
        for pr in col.pileups:
            read = pr.alignment
            if not usable(read, min_mapq) or pr.is_refskip:
                continue
            if pr.is_del:
                base = "-"
            else:
                if read.query_qualities[pr.query_position] < min_baseq:
                    continue
                base = read.query_sequence[pr.query_position].upper()
            name = read.query_name
            if name in seen and seen[name] != base:
                discordant.add(name)
            seen[name] = base
    return Counter(b for n, b in seen.items() if n not in discordant)


def snv_genotype(counts: Counter, ref: str, alt: str, s: Settings) -> dict:
    """Zygosity of ``alt`` from per-fragment base counts (module docstring)."""
    depth = sum(counts.values())
    alt_reads = counts.get(alt, 0)
    out = {"depth": depth, "alt_reads": alt_reads,
           "alt_fraction": round(alt_reads / depth, 4) if depth else None}  # fmt: skip
    if depth < s.min_depth:
        return out | {"status": "not evaluable",
                      "reason": f"depth {depth}x < minimum {s.min_depth}x"}  # fmt: skip
    other = {b: c for b, c in counts.items() if b not in (ref, alt)}
    for base, c in sorted(other.items(), key=lambda kv: -kv[1]):
        if c / depth >= s.het_min_fraction:
            what = "a deletion" if base == "-" else f"allele {base}"
            return out | {"status": "not evaluable",
                          "reason": f"{what} in {c}/{depth} fragments is not an allele of this "
                                    "site's definition"}  # fmt: skip
    f = alt_reads / depth
    if f <= s.hom_max_other_fraction:
        copies = 0
    elif f >= 1 - s.hom_max_other_fraction:
        copies = 2
    elif s.het_min_fraction <= f <= 1 - s.het_min_fraction:
        copies = 1
    else:
        return out | {"status": "not evaluable",
                      "reason": f"alternate fraction {f:.2f} fits no genotype"}  # fmt: skip
    zyg = ("reference", "heterozygous", "homozygous")[copies]
    genotype = "/".join([ref] * (2 - copies) + [alt] * copies)
    return out | {"status": "genotyped", "alt_copies": copies, "zygosity": zyg,
                  "genotype": genotype}  # fmt: skip


# --------------------------------------------------------------------------- TA repeat


def reference_tract(fasta: pysam.FastaFile, contig: str, anchor: int) -> tuple[int, int, int]:
    """(0-based start, 0-based end, TA units) of the A(TA)nTAA tract after the 1-based
    ``anchor`` base; ValueError when the reference holds none there."""
    seq = fasta.fetch(contig, anchor, anchor + 80).upper()
    m = _TRACT.match(seq)
    if not m:
        raise ValueError(
            f"{contig}:{anchor + 1}: no A(TA)nTAA repeat in the reference ({seq[:20]})"
        )
    return anchor, anchor + m.end(), len(m.group(1)) // 2


def read_repeat_units(
    read: pysam.AlignedSegment, tract: tuple[int, int], ref_left: str, ref_right: str, flank: int
) -> int | str:
    """TA units of one read's tract, or ``NOT_SPANNING`` / ``UNREADABLE``.  ``tract`` is the
    0-based half-open reference span of the repeat; ``ref_left``/``ref_right`` the ``flank``
    reference bases before and after it."""
    start, end = tract
    rmap = {r: q for q, r in read.get_aligned_pairs(matches_only=True)}
    left = [start - flank + i for i in range(flank)]
    right = [end + i for i in range(flank)]
    if any(p not in rmap for p in left + right):
        return NOT_SPANNING
    # flank bases contiguous in the read: no indel inside a flank
    if rmap[left[-1]] - rmap[left[0]] != flank - 1 or rmap[right[-1]] - rmap[right[0]] != flank - 1:
        return NOT_SPANNING
    seq = read.query_sequence.upper()
    got = "".join(seq[rmap[p]] for p in left + right)
    if sum(a != b for a, b in zip(got, ref_left + ref_right, strict=True)) > 1:
        return NOT_SPANNING
    m = _TRACT.fullmatch(seq[rmap[left[-1]] + 1 : rmap[right[0]]])
    return len(m.group(1)) // 2 if m else UNREADABLE


def repeat_counts(
    bam: pysam.AlignmentFile, fasta: pysam.FastaFile, contig: str, anchor: int, s: Settings
) -> tuple[Counter, int, int]:
    """({TA units: fragments}, fragments not spanning, fragments unreadable) at the repeat after
    the 1-based ``anchor``."""
    start, end, _ = reference_tract(fasta, contig, anchor)
    ref_left = fasta.fetch(contig, start - s.flank, start).upper()
    ref_right = fasta.fetch(contig, end, end + s.flank).upper()
    per_fragment: dict[str, list] = {}
    for read in bam.fetch(contig, start, end):
        if not usable(read, s.min_mapq):
            continue
        units = read_repeat_units(read, (start, end), ref_left, ref_right, s.flank)
        per_fragment.setdefault(read.query_name, []).append(units)
    counts: Counter = Counter()
    not_spanning = unreadable = 0
    for values in per_fragment.values():
        numbers = {v for v in values if isinstance(v, int)}
        if len(numbers) == 1:
            counts[numbers.pop()] += 1
        elif len(numbers) > 1:  # mates disagree
            unreadable += 1
        elif UNREADABLE in values:
            unreadable += 1
        else:
            not_spanning += 1
    return counts, not_spanning, unreadable


def repeat_genotype(counts: Counter, s: Settings) -> dict:
    """Repeat genotype (two lengths in TA units) from per-fragment counts (module docstring)."""
    depth = sum(counts.values())
    out = {"depth": depth, "repeat_counts": {str(k): v for k, v in sorted(counts.items())}}
    if depth < s.min_depth:
        why = f"{depth} fragments span the repeat < minimum {s.min_depth}"
        return out | {"status": "not evaluable", "reason": why}
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    (a, ca), (b, cb) = ranked[0], ranked[1] if len(ranked) > 1 else (None, 0)
    if ca / depth >= 1 - s.hom_max_other_fraction:
        units = [a, a]
    elif cb / depth >= s.het_min_fraction and (ca + cb) / depth >= 1 - s.hom_max_other_fraction:
        units = sorted([a, b])
    else:
        why = f"repeat lengths {out['repeat_counts']} fit no genotype"
        return out | {"status": "not evaluable", "reason": why}
    return out | {"status": "genotyped", "units": units,
                  "genotype": "/".join(f"(TA){u}" for u in units)}  # fmt: skip


# --------------------------------------------------------------------------- sample


def site_groups(sites: list[Site]) -> dict[str, list[Site]]:
    """Rows by site (a TA repeat has one row per length), in table order."""
    out: dict[str, list[Site]] = {}
    for s in sites:
        out.setdefault(s.site, []).append(s)
    return out


def genotype_sites(
    bam_path: str, fasta_path: str, contigs: ContigMap, sites: list[Site], s: Settings
) -> list[dict]:
    """One call per site of ``sites`` in the sample's BAM (positions mapped through ``contigs``:
    the demo reference's loci or, in site mode, whole chromosomes)."""
    calls = []
    with pysam.AlignmentFile(bam_path) as bam, pysam.FastaFile(fasta_path) as fa:
        for name, rows in site_groups(sites).items():
            first = rows[0]
            call = {"gene": first.gene, "site": name, "rsid": first.rsid, "kind": first.kind,
                    "chrom": first.chrom, "pos": first.pos}  # fmt: skip
            hit = contigs.from_grch38(first.chrom, first.pos)
            if hit is None:
                calls.append(call | {"status": "not evaluable", "depth": 0,
                                     "reason": "site not in the reference sequence"})  # fmt: skip
                continue
            contig, cpos = hit
            if first.kind == SNV:
                call |= {"allele": first.allele, "hgvs_c": first.hgvs_c, "ref": first.ref,
                         "alt": first.alt}  # fmt: skip
                seen = fa.fetch(contig, cpos - 1, cpos).upper()
                if seen != first.ref:
                    raise ValueError(
                        f"{name}: REF {first.ref} differs from the reference ({seen}) at "
                        f"{first.chrom}:{first.pos}"
                    )
                counts = snv_counts(bam, contig, cpos, s.min_mapq, s.min_baseq)
                call |= snv_genotype(counts, first.ref, first.alt, s)
            elif first.kind == TA_REPEAT:
                _, _, ref_units = reference_tract(fa, contig, cpos)
                if str(ref_units) != first.ref:
                    raise ValueError(f"{name}: the reference holds (TA){ref_units}, the table "
                                     f"says (TA){first.ref}")  # fmt: skip
                counts, not_spanning, unreadable = repeat_counts(bam, fa, contig, cpos, s)
                call |= {"reference_units": ref_units, "not_spanning": not_spanning,
                         "unreadable": unreadable} | repeat_genotype(counts, s)  # fmt: skip
                if call["status"] == "genotyped":
                    names = {int(r.alt): r.allele for r in rows}
                    call["alleles"] = [names.get(u, f"(TA){u}") for u in call["units"]]
            calls.append(call)
    return calls
