"""Somatic SNV/MNV/indel caller: per-read evidence, Mutect-style log-odds, artefact filters.

Model (follows Cibulskis et al., Nat Biotechnol 2013, "MuTect", section "Variant detection"):

* Each read ``i`` supporting allele ``a`` with base error ``e_i`` (from its base quality; a fixed
  Q40 for indel and MNV haplotype assignments) has likelihood ``f (1-e_i) + (1-f) e_i/3`` if it
  shows the alternate allele and ``f e_i/3 + (1-f)(1-e_i)`` if it shows the reference.
* Tumour: ``TLOD = log10 L(f_hat) - log10 L(0)`` with ``f_hat`` = alt / (alt + ref), the evidence
  that the allele is real rather than sequencing error.  Threshold 6.3 (MuTect's).
* Normal: ``NLOD = log10 L(0) - log10 L(0.5)``, the evidence that the normal is reference rather
  than heterozygous.  Threshold 2.2 (MuTect's, for sites not known to be polymorphic).
* Artefact filters (as in Mutect2's FilterMutectCalls, simplified): strand bias (Fisher exact test
  with all-but-10% of alt reads on one strand), read position (alt allele in the last bases of the
  reads), mapping quality (median alt MAPQ), base quality (median alt base quality), clustered
  events, minimum alt reads and allele fraction, and a panel of normals.
* Mismatch burden (paralogues): a fragment (read and mate) from a paralogue or pseudogene that
  the reference lacks maps to the gene and carries the paralogue's other differences, while a
  fragment of a true somatic allele carries only sequencing errors besides the allele.  The
  filter compares the median number of other high-quality mismatches per alt fragment with that
  per ref fragment (VarScan2 fpfilter's "paralog filter", which compares the mean mismatch
  quality sums of var and ref reads; here counted per fragment, which doubles the reads looked
  at).  Measured on the real GIAB panel reads (Hartwig test data) on the demo reference, which
  lacks the chr22 PIK3CA pseudogene: alt fragments of its 8 candidate differences carry a median
  of 4-7 other mismatches, ref fragments 0; simulated true alleles (5% VAF) 0.

Why MuTect's likelihood rather than VarScan2's Fisher test: the log-odds uses each read's base
quality, so low-VAF variants at high depth are judged by how unlikely the alt reads are as errors,
not by a contingency table that ignores quality; and NLOD gives a depth-aware germline test.

Evidence.  SNVs are counted from the pileup base.  Indels and MNVs are counted by haplotype
assignment: every read over the event is compared, without gaps, to the reference and to the
alternate haplotype (base-quality weighted mismatches); it supports the one it matches clearly
better.  This counts reads that bwa soft-clipped at a long deletion, which CIGAR-based counting
misses (measured here: an EGFR exon 19 deletion at 18% looked like 13%).

One module (about 530 lines) on purpose: evidence, likelihood model and filters are the caller,
and each filter reads the per-read evidence gathered here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pysam
from scipy.stats import fisher_exact

from tumorboard.calling.reads import usable

INDEL_QUAL = 40
MAX_QUAL = 40
ASSIGN_MARGIN = 20  # quality-weighted mismatches by which a read must prefer one haplotype
ASSIGN_MAX = 100  # and the preferred haplotype must fit it (reads of another event fit neither)
FLANK = 160  # bases of reference on each side of an event in its haplotypes

FILTERS = {
    "tlod": "Tumour log-odds below the threshold (allele not told apart from sequencing error)",
    "alt_reads": "Fewer tumour alt reads than the minimum",
    "low_vaf": "Tumour allele fraction below the minimum",
    "nlod": "Normal log-odds below the threshold (normal too shallow to rule out germline)",
    "normal_artifact": "Allele seen in the matched normal (germline or contamination)",
    "strand_bias": "Alt reads almost all on one strand (Fisher exact p < 0.001)",
    "read_position": "Alt allele at the ends of the reads (median distance below the minimum)",
    "mapping_quality": "Median mapping quality of alt reads below the minimum",
    "base_quality": "Median base quality of alt reads below the minimum",
    "clustered_events": "Several candidate events close together (likely misalignment)",
    "panel_of_normals": "Site seen in the panel of normals",
    "mismatch_burden": "Alt fragments carry many more other mismatches than ref fragments "
    "(reads of a paralogue or pseudogene missing from the reference)",
}
# Mismatch burden: mismatches within this many bp of the candidate are not counted (a codon's
# other changes, bases bwa misaligns beside an indel), and mates are looked for this far away.
BURDEN_SKIP = 25
BURDEN_MATE_WINDOW = 1000


@dataclass(frozen=True)
class CallerParams:
    min_alt_reads: int = 5
    min_vaf: float = 0.01
    min_tlod: float = 6.3
    min_nlod: float = 2.2
    max_normal_vaf: float = 0.02
    max_normal_alt_reads: int = 2
    min_read_position: int = 5
    min_median_mapq: int = 30
    min_median_baseq: int = 20
    strand_p: float = 0.001
    cluster_window: int = 50
    cluster_max_events: int = 2
    min_mapq: int = 20
    min_baseq: int = 20
    # lower thresholds at hotspots (as SAGE's hotspot tier does)
    hotspot_min_alt_reads: int = 3
    hotspot_min_vaf: float = 0.005
    hotspot_min_tlod: float = 3.0
    # median other mismatches per alt fragment minus per ref fragment above this: mismatch_burden
    max_mismatch_excess: float = 2.0


def params_from_config(somatic: dict, mpileup: dict) -> CallerParams:
    """CallerParams from the ``somatic`` and ``params.mpileup`` config sections."""
    names = set(CallerParams.__dataclass_fields__)
    values = {k: v for k, v in somatic.items() if k in names}
    values["min_mapq"] = mpileup["min_mapq"]
    values["min_baseq"] = mpileup["min_baseq"]
    return CallerParams(**values)


@dataclass
class Evidence:
    """Read evidence for one allele in one sample (each fragment counted once)."""

    ref_quals: list[int] = field(default_factory=list)
    alt_quals: list[int] = field(default_factory=list)
    ref_fwd: int = 0
    ref_rev: int = 0
    alt_fwd: int = 0
    alt_rev: int = 0
    alt_mapq: list[int] = field(default_factory=list)
    alt_positions: list[int] = field(default_factory=list)  # distance to the nearer read end
    low_mapq_alt: int = 0
    alt_names: list[str] = field(default_factory=list)  # fragments, in the order of the quals
    ref_names: list[str] = field(default_factory=list)
    # other high-quality mismatches per alt / ref fragment (read + mate), see mismatch_burden
    alt_mismatches: list[int] = field(default_factory=list)
    ref_mismatches: list[int] = field(default_factory=list)

    @property
    def ref(self) -> int:
        return len(self.ref_quals)

    @property
    def alt(self) -> int:
        return len(self.alt_quals)

    @property
    def depth(self) -> int:
        return self.ref + self.alt

    @property
    def vaf(self) -> float:
        return self.alt / self.depth if self.depth else 0.0

    @property
    def mismatch_excess(self) -> float | None:
        """Median other mismatches per alt fragment minus per ref fragment (None: not measured)."""
        if not self.alt_mismatches:
            return None
        ref = float(np.median(self.ref_mismatches)) if self.ref_mismatches else 0.0
        return float(np.median(self.alt_mismatches)) - ref

    def add(
        self, is_alt: bool, qual: int, reverse: bool, mapq: int, position: int, name: str = ""
    ) -> None:
        q = min(qual, MAX_QUAL)
        (self.alt_names if is_alt else self.ref_names).append(name)
        if is_alt:
            self.alt_quals.append(q)
            self.alt_mapq.append(mapq)
            self.alt_positions.append(position)
            if reverse:
                self.alt_rev += 1
            else:
                self.alt_fwd += 1
        else:
            self.ref_quals.append(q)
            if reverse:
                self.ref_rev += 1
            else:
                self.ref_fwd += 1


def _log10_likelihood(ev: Evidence, f: float) -> float:
    total = 0.0
    for quals, is_alt in ((ev.alt_quals, True), (ev.ref_quals, False)):
        if not quals:
            continue
        e = np.power(10.0, -np.asarray(quals, dtype=float) / 10.0)
        p = f * (1 - e) + (1 - f) * e / 3 if is_alt else f * e / 3 + (1 - f) * (1 - e)
        total += float(np.sum(np.log10(np.maximum(p, 1e-300))))
    return total


def tlod(ev: Evidence) -> float:
    """log10 odds that the alt reads come from a real allele at f_hat rather than from errors."""
    if ev.alt == 0:
        return 0.0
    return _log10_likelihood(ev, ev.vaf) - _log10_likelihood(ev, 0.0)


def nlod(ev: Evidence) -> float:
    """log10 odds that the normal is homozygous reference rather than heterozygous."""
    return _log10_likelihood(ev, 0.0) - _log10_likelihood(ev, 0.5)


def strand_bias_p(ev: Evidence) -> float:
    return float(fisher_exact([[ev.ref_fwd, ev.ref_rev], [ev.alt_fwd, ev.alt_rev]])[1])


def judge(
    tumour: Evidence,
    normal: Evidence | None,
    p: CallerParams,
    hotspot: bool = False,
    in_pon: bool = False,
) -> tuple[list[str], float, float | None]:
    """FILTER reasons (empty = PASS), TLOD and NLOD for one candidate allele."""
    t_lod = tlod(tumour)
    n_lod = nlod(normal) if normal is not None else None
    min_alt = p.hotspot_min_alt_reads if hotspot else p.min_alt_reads
    min_vaf = p.hotspot_min_vaf if hotspot else p.min_vaf
    min_tlod = p.hotspot_min_tlod if hotspot else p.min_tlod
    reasons = []
    if t_lod < min_tlod:
        reasons.append("tlod")
    if tumour.alt < min_alt:
        reasons.append("alt_reads")
    if tumour.vaf < min_vaf:
        reasons.append("low_vaf")
    if normal is not None:
        if n_lod is not None and n_lod < p.min_nlod:
            reasons.append("nlod")
        if normal.alt > p.max_normal_alt_reads or (normal.alt and normal.vaf > p.max_normal_vaf):
            reasons.append("normal_artifact")
    if tumour.alt:
        minor = min(tumour.alt_fwd, tumour.alt_rev) / tumour.alt
        if minor < 0.1 and tumour.alt >= 5 and strand_bias_p(tumour) < p.strand_p:
            reasons.append("strand_bias")
        if float(np.median(tumour.alt_positions)) < p.min_read_position:
            reasons.append("read_position")
        if float(np.median(tumour.alt_mapq)) < p.min_median_mapq or (
            tumour.low_mapq_alt > tumour.alt
        ):
            reasons.append("mapping_quality")
        if float(np.median(tumour.alt_quals)) < p.min_median_baseq:
            reasons.append("base_quality")
        excess = tumour.mismatch_excess
        if excess is not None and excess > p.max_mismatch_excess:
            reasons.append("mismatch_burden")
    if in_pon:
        reasons.append("panel_of_normals")
    return reasons, t_lod, n_lod


# ---------------------------------------------------------------- evidence from alignments


def snv_evidence(
    bam: pysam.AlignmentFile, contig: str, pos0: int, ref: str, alt: str, p: CallerParams
) -> Evidence:
    """Evidence for the SNV ``ref>alt`` at 0-based ``pos0`` from the pileup base."""
    ev = Evidence()
    seen: set[str] = set()
    for col in bam.pileup(
        contig,
        pos0,
        pos0 + 1,
        truncate=True,
        stepper="nofilter",
        max_depth=1_000_000,
        min_base_quality=0,
        ignore_orphans=False,
    ):
        for pr in col.pileups:
            read = pr.alignment
            if pr.is_del or pr.is_refskip or pr.query_position is None or not usable(read):
                continue
            if read.query_name in seen:  # the mate already counted this fragment
                continue
            base = read.query_sequence[pr.query_position]
            qual = read.query_qualities[pr.query_position]
            if qual < p.min_baseq or base not in (ref, alt):
                continue
            if read.mapping_quality < p.min_mapq:
                ev.low_mapq_alt += base == alt
                continue
            seen.add(read.query_name)
            qpos = pr.query_position
            position = min(qpos, read.query_length - 1 - qpos)
            ev.add(
                base == alt, qual, read.is_reverse, read.mapping_quality, position, read.query_name
            )
    return ev


def _mismatch_score(
    read_seq: np.ndarray, read_q: np.ndarray, hap: np.ndarray, offset: int
) -> tuple[float, int]:
    """Quality-weighted mismatches of the read placed at ``offset`` on ``hap`` (overlap only)."""
    start = max(0, -offset)
    end = min(len(read_seq), len(hap) - offset)
    if end - start <= 0:
        return math.inf, 0
    a = read_seq[start:end]
    b = hap[start + offset : end + offset]
    mism = (a != b) & (a != ord("N"))
    return float(np.minimum(read_q[start:end][mism], MAX_QUAL).sum()), end - start


def haplotype_evidence(
    bam: pysam.AlignmentFile,
    fasta: pysam.FastaFile,
    contig: str,
    pos0: int,
    ref: str,
    alt: str,
    p: CallerParams,
) -> Evidence:
    """Evidence for an indel or MNV by ungapped comparison of each read to both haplotypes."""
    clen = fasta.get_reference_length(contig)
    ws = max(0, pos0 - FLANK)
    we = min(clen, pos0 + len(ref) + FLANK)
    left = fasta.fetch(contig, ws, pos0).upper()
    right = fasta.fetch(contig, pos0 + len(ref), we).upper()
    hap_ref = np.frombuffer((left + ref + right).encode(), dtype=np.uint8)
    hap_alt = np.frombuffer((left + alt + right).encode(), dtype=np.uint8)
    delta = len(alt) - len(ref)
    ev = Evidence()
    seen: set[str] = set()
    ev_start, ev_end = pos0, pos0 + len(ref)
    # reads whose aligned part lies beside the event may still carry it in soft-clipped bases
    for read in bam.fetch(contig, ws, we):
        if not usable(read) or read.query_sequence is None or read.query_name in seen:
            continue
        cig = read.cigartuples or []
        lead = cig[0][1] if cig and cig[0][0] == 4 else 0
        trail = cig[-1][1] if cig and cig[-1][0] == 4 else 0
        u_start = read.reference_start - lead  # unclipped start, reference coordinates
        u_end = read.reference_end + trail
        if u_end <= ev_start or u_start >= ev_end:
            continue
        seq = np.frombuffer(read.query_sequence.encode(), dtype=np.uint8)
        qual = np.asarray(read.query_qualities, dtype=float)
        off = u_start - ws
        s_ref, n_ref = _mismatch_score(seq, qual, hap_ref, off)
        s_alt, n_alt = min(
            _mismatch_score(seq, qual, hap_alt, off),
            _mismatch_score(seq, qual, hap_alt, off + delta),
        )
        if s_alt + ASSIGN_MARGIN <= s_ref and s_alt <= ASSIGN_MAX:
            is_alt = True
        elif s_ref + ASSIGN_MARGIN <= s_alt and s_ref <= ASSIGN_MAX:
            is_alt = False
        else:
            continue  # does not tell the haplotypes apart
        if read.mapping_quality < p.min_mapq:
            ev.low_mapq_alt += is_alt
            continue
        seen.add(read.query_name)
        q_event = ev_start - u_start
        position = max(0, min(q_event, read.query_length - 1 - q_event))
        ev.add(is_alt, INDEL_QUAL, read.is_reverse, read.mapping_quality, position, read.query_name)
    return ev


def read_mismatches(read: pysam.AlignedSegment, skip: tuple[int, int], min_baseq: int) -> int:
    """Mismatches of ``read`` against the reference (MD tag) at base quality >= ``min_baseq``,
    outside the 0-based half-open reference interval ``skip``."""
    if not read.has_tag("MD") or read.query_sequence is None:
        return 0
    quals = read.query_qualities
    n = 0
    for qpos, rpos, rbase in read.get_aligned_pairs(matches_only=True, with_seq=True):
        if rbase.islower() and not skip[0] <= rpos < skip[1] and quals[qpos] >= min_baseq:
            n += read.query_sequence[qpos] != "N"
    return n


def fragment_mismatches(
    bam: pysam.AlignmentFile,
    contig: str,
    pos0: int,
    end0: int,
    names: set[str],
    min_baseq: int,
) -> dict[str, int]:
    """Other high-quality mismatches of each fragment in ``names``: its read and its mate (when
    the mate maps within ``BURDEN_MATE_WINDOW`` bp), mismatches within ``BURDEN_SKIP`` bp of the
    candidate ``[pos0, end0)`` not counted."""
    skip = (pos0 - BURDEN_SKIP, end0 + BURDEN_SKIP)
    counts = dict.fromkeys(names, 0)
    lo = max(0, pos0 - BURDEN_MATE_WINDOW)
    hi = min(bam.get_reference_length(contig), end0 + BURDEN_MATE_WINDOW)
    for read in bam.fetch(contig, lo, hi):
        if read.query_name in counts and usable(read):
            counts[read.query_name] += read_mismatches(read, skip, min_baseq)
    return counts


def mismatch_burden(
    bam: pysam.AlignmentFile, contig: str, pos0: int, end0: int, ev: Evidence, min_baseq: int
) -> None:
    """Fill ``ev.alt_mismatches`` and ``ev.ref_mismatches`` (one count per fragment)."""
    counts = fragment_mismatches(
        bam, contig, pos0, end0, set(ev.alt_names) | set(ev.ref_names), min_baseq
    )
    ev.alt_mismatches = [counts[n] for n in ev.alt_names]
    ev.ref_mismatches = [counts[n] for n in ev.ref_names]


def allele_evidence(
    bam: pysam.AlignmentFile,
    fasta: pysam.FastaFile,
    contig: str,
    pos0: int,
    ref: str,
    alt: str,
    p: CallerParams,
) -> Evidence:
    if len(ref) == 1 and len(alt) == 1:
        return snv_evidence(bam, contig, pos0, ref, alt, p)
    return haplotype_evidence(bam, fasta, contig, pos0, ref, alt, p)


# ---------------------------------------------------------------- candidates


@dataclass
class Candidate:
    contig: str
    pos0: int
    ref: str
    alt: str
    hotspot: bool = False
    in_pon: bool = False
    tumour: Evidence | None = None
    normal: Evidence | None = None
    reasons: list[str] = field(default_factory=list)
    tlod: float = 0.0
    nlod: float | None = None

    @property
    def end0(self) -> int:
        return self.pos0 + len(self.ref)


def candidates_from_pileup(
    pileup: str, tumour: str, p: CallerParams, hotspot_regions: list[tuple[str, int, int]]
) -> list[Candidate]:
    """Alt alleles of a ``bcftools mpileup -a AD`` pileup worth examining read by read: at
    hotspots ≥ ``hotspot_min_alt_reads`` reads and ≥ ``hotspot_min_vaf``; elsewhere at least half
    the calling thresholds (the pileup's counts are close to, not equal to, the caller's)."""
    out = []
    with pysam.VariantFile(pileup) as vin:
        for rec in vin:
            ad = rec.samples[tumour].get("AD")
            if not ad or ad[0] is None:
                continue
            depth = sum(x or 0 for x in ad)
            for i, alt in enumerate(rec.alts or (), start=1):
                n = ad[i] or 0
                if alt == "<*>" or n < 2:
                    continue
                c = Candidate(rec.contig, rec.start, rec.ref.upper(), alt.upper())
                c.hotspot = overlaps(c, hotspot_regions)
                if c.hotspot:
                    keep = n >= p.hotspot_min_alt_reads and n >= p.hotspot_min_vaf * depth
                else:
                    keep = n >= max(2, p.min_alt_reads // 2) and n >= p.min_vaf / 2 * depth
                if keep:
                    out.append(c)
    return out


def merge_mnvs(cands: list[Candidate], fasta: pysam.FastaFile) -> list[Candidate]:
    """Add an MNV candidate for every pair of SNV candidates within one codon's reach (≤ 2 bp)."""
    snvs = sorted(
        (c for c in cands if len(c.ref) == 1 and len(c.alt) == 1), key=lambda c: (c.contig, c.pos0)
    )
    extra = []
    for a, b in zip(snvs, snvs[1:], strict=False):
        if a.contig == b.contig and 0 < b.pos0 - a.pos0 <= 2:
            middle = fasta.fetch(a.contig, a.pos0 + 1, b.pos0).upper()
            extra.append(
                Candidate(a.contig, a.pos0, a.ref + middle + b.ref, a.alt + middle + b.alt)
            )
    return cands + extra


def resolve_mnvs(cands: list[Candidate]) -> list[Candidate]:
    """Keep a PASS MNV instead of its SNVs when it carries most of their alt reads."""
    out = list(cands)
    for m in [c for c in cands if len(c.ref) == len(c.alt) > 1 and not c.reasons]:
        parts = [
            c
            for c in cands
            if len(c.ref) == 1 == len(c.alt) and c.contig == m.contig and m.pos0 <= c.pos0 < m.end0
        ]
        if parts and all(m.tumour.alt >= 0.8 * p.tumour.alt for p in parts):
            out = [c for c in out if c not in parts]
        else:
            out.remove(m)
    return [c for c in out if not (len(c.ref) == len(c.alt) > 1 and c.reasons)]


def flag_clusters(cands: list[Candidate], p: CallerParams) -> None:
    """``clustered_events`` on PASS candidates with more than ``cluster_max_events`` neighbours
    within ``cluster_window`` bp (itself included)."""
    passing = sorted((c for c in cands if not c.reasons), key=lambda c: (c.contig, c.pos0))
    for c in passing:
        near = [
            o for o in passing if o.contig == c.contig and abs(o.pos0 - c.pos0) <= p.cluster_window
        ]
        if len(near) > p.cluster_max_events:
            c.reasons.append("clustered_events")


def overlaps(c: Candidate, regions: Iterable[tuple[str, int, int]]) -> bool:
    return any(c.contig == r[0] and c.pos0 < r[2] and c.end0 > r[1] for r in regions)


def call(
    pileup: str,
    tumour_bam: str,
    normal_bam: str | None,
    fasta_path: str,
    tumour: str,
    p: CallerParams,
    hotspot_regions: list[tuple[str, int, int]],
    pon_sites: set[tuple[str, int, str, str]],
) -> list[Candidate]:
    """Examine every candidate read by read and decide its FILTER; MNVs resolved, clusters set."""
    with pysam.FastaFile(fasta_path) as fasta, pysam.AlignmentFile(tumour_bam) as tbam:
        nbam = pysam.AlignmentFile(normal_bam) if normal_bam else None
        cands = merge_mnvs(candidates_from_pileup(pileup, tumour, p, hotspot_regions), fasta)
        for c in cands:
            c.hotspot = overlaps(c, hotspot_regions)
            c.in_pon = (c.contig, c.pos0 + 1, c.ref, c.alt) in pon_sites
            c.tumour = allele_evidence(tbam, fasta, c.contig, c.pos0, c.ref, c.alt, p)
            mismatch_burden(tbam, c.contig, c.pos0, c.end0, c.tumour, p.min_baseq)
            if nbam is not None:
                c.normal = allele_evidence(nbam, fasta, c.contig, c.pos0, c.ref, c.alt, p)
            c.reasons, c.tlod, c.nlod = judge(c.tumour, c.normal, p, c.hotspot, c.in_pon)
        if nbam is not None:
            nbam.close()
    cands = resolve_mnvs(cands)
    flag_clusters(cands, p)
    return sorted(cands, key=lambda c: (c.contig, c.pos0, c.ref, c.alt))


def _header(fasta_path: str, samples: list[str], tumour_only: bool) -> pysam.VariantHeader:
    h = pysam.VariantHeader()
    with pysam.FastaFile(fasta_path) as fa:
        for name, length in zip(fa.references, fa.lengths, strict=True):
            h.contigs.add(name, length=length)
    for fid, desc in FILTERS.items():
        h.filters.add(fid, None, None, desc)
    h.info.add("SOMATIC", 0, "Flag", "Somatic candidate (see FILTER)")
    h.info.add("TLOD", 1, "Float", "Tumour log10 odds: allele at the observed fraction vs error")
    h.info.add("NLOD", 1, "Float", "Normal log10 odds: homozygous reference vs heterozygous")
    h.info.add("HOTSPOT", 0, "Flag", "Inside a hotspot codon or region (lower thresholds)")
    h.info.add("TYPE", 1, "String", "snv, mnv, deletion, insertion or complex")
    h.info.add(
        "MMX",
        1,
        "Float",
        "Median other mismatches per alt fragment minus per ref fragment (mismatch_burden)",
    )
    h.formats.add("GT", 1, "String", "Genotype (0/1 where the allele was seen, else 0/0)")
    h.formats.add("AD", "R", "Integer", "Fragments supporting REF and ALT")
    h.formats.add("ADF", "R", "Integer", "Forward-strand fragments supporting REF and ALT")
    h.formats.add("ADR", "R", "Integer", "Reverse-strand fragments supporting REF and ALT")
    h.formats.add("DP", 1, "Integer", "Fragments supporting REF or ALT")
    h.formats.add("AF", "A", "Float", "Allele fraction of ALT")
    for s in samples:
        h.add_sample(s)
    h.add_line(f"##tumour_only={'true' if tumour_only else 'false'}")
    return h


def variant_type(ref: str, alt: str) -> str:
    """snv, mnv, deletion, insertion or complex (delins), whatever the padding bases."""
    while ref and alt and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    while ref and alt and ref[0] == alt[0]:
        ref, alt = ref[1:], alt[1:]
    if not alt:
        return "deletion"
    if not ref:
        return "insertion"
    if len(ref) == len(alt):
        return "snv" if len(ref) == 1 else "mnv"
    return "complex"


def write_vcf(
    cands: list[Candidate], out_path: str, fasta_path: str, tumour: str, normal: str | None
) -> int:
    """Write the calls as VCF 4.2 (one record per allele); returns the PASS count."""
    samples = [tumour] + ([normal] if normal else [])
    header = _header(fasta_path, samples, normal is None)
    n_pass = 0
    with pysam.VariantFile(out_path, "w", header=header) as out:
        for c in cands:
            rec = out.new_record(contig=c.contig, start=c.pos0, alleles=(c.ref, c.alt))
            rec.info["SOMATIC"] = True
            rec.info["TLOD"] = round(c.tlod, 2)
            if c.nlod is not None:
                rec.info["NLOD"] = round(c.nlod, 2)
            if c.hotspot:
                rec.info["HOTSPOT"] = True
            rec.info["TYPE"] = variant_type(c.ref, c.alt)
            if c.tumour is not None and c.tumour.mismatch_excess is not None:
                rec.info["MMX"] = round(c.tumour.mismatch_excess, 1)
            for name, ev in ((tumour, c.tumour), (normal, c.normal)):
                if name is None or ev is None:
                    continue
                f = rec.samples[name]
                f["GT"] = (0, 1) if ev.alt else (0, 0)
                f["AD"] = (ev.ref, ev.alt)
                f["ADF"] = (ev.ref_fwd, ev.alt_fwd)
                f["ADR"] = (ev.ref_rev, ev.alt_rev)
                f["DP"] = ev.depth
                f["AF"] = (round(ev.vaf, 4),)
            for r in c.reasons or ["PASS"]:
                rec.filter.add(r)
            n_pass += not c.reasons
            out.write(rec)
    return n_pass
