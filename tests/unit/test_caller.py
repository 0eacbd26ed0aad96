"""The somatic model on hand-built evidence, and read-level evidence on a hand-built BAM."""

import random

import pysam
import pytest

from tumorboard.calling import caller
from tumorboard.calling.caller import CallerParams, Evidence, judge, nlod, tlod

P = CallerParams()


def evidence(ref, alt, qual=35, alt_fwd=None, mapq=60, position=40):
    ev = Evidence()
    alt_fwd = alt // 2 if alt_fwd is None else alt_fwd
    for i in range(ref):
        ev.add(False, qual, reverse=bool(i % 2), mapq=mapq, position=position)
    for i in range(alt):
        ev.add(True, qual, reverse=i >= alt_fwd, mapq=mapq, position=position)
    return ev


def test_no_variant_has_no_tumour_evidence():
    reasons, t, _ = judge(evidence(500, 0), evidence(250, 0), P)
    assert t == 0.0 and "tlod" in reasons and "alt_reads" in reasons


def test_clonal_somatic_passes():
    reasons, t, n = judge(evidence(350, 150), evidence(250, 0), P)
    assert reasons == [] and t > 100 and n > 60


def test_germline_het_is_rejected_by_the_normal():
    reasons, _, n = judge(evidence(250, 250), evidence(125, 125), P)
    assert n < 0 and {"nlod", "normal_artifact"} <= set(reasons)


def test_germline_with_loss_of_heterozygosity_is_still_germline():
    # tumour lost the reference allele (VAF ~1), normal heterozygous
    reasons, _, _ = judge(evidence(3, 300), evidence(120, 130), P)
    assert "normal_artifact" in reasons and "nlod" in reasons


def test_somatic_with_loh_in_the_tumour_passes():
    # homozygous somatic (COLO829 CDKN2A): tumour 107/108 alt, normal 0/36
    reasons, t, n = judge(evidence(1, 107), evidence(36, 0), P)
    assert reasons == [] and n > P.min_nlod


def test_strand_biased_artefact_is_filtered():
    reasons, _, _ = judge(evidence(400, 40, alt_fwd=40), evidence(250, 0), P)
    assert reasons == ["strand_bias"]


def test_low_vaf_true_variant_at_depth_passes():
    # 2% at 1000x: 20 good-quality alt reads are far beyond sequencing error
    reasons, t, _ = judge(evidence(980, 20), evidence(500, 0), P)
    assert reasons == [] and t > P.min_tlod


def test_same_alt_count_at_low_quality_is_less_convincing():
    assert tlod(evidence(980, 20, qual=12)) < tlod(evidence(980, 20, qual=35))


def test_shallow_normal_cannot_rule_out_germline():
    reasons, _, n = judge(evidence(400, 100), evidence(5, 0), P)
    assert n < P.min_nlod and reasons == ["nlod"]


def test_nlod_grows_with_normal_depth():
    assert nlod(evidence(10, 0)) < nlod(evidence(100, 0))


def test_hotspot_tier_is_more_lenient():
    ev = evidence(596, 4)  # 0.7%
    assert "alt_reads" in judge(ev, evidence(500, 0), P)[0]
    assert judge(ev, evidence(500, 0), P, hotspot=True)[0] == []


def test_read_end_and_mapping_artefacts():
    assert "read_position" in judge(evidence(400, 40, position=2), evidence(250, 0), P)[0]
    assert "mapping_quality" in judge(evidence(400, 40, mapq=15), evidence(250, 0), P)[0]


def test_panel_of_normals_and_tumour_only():
    assert judge(evidence(250, 250), None, P, in_pon=True)[0] == ["panel_of_normals"]
    assert judge(evidence(250, 250), None, P)[0] == []


@pytest.mark.parametrize(
    "ref,alt,kind",
    [
        ("A", "T", "snv"),
        ("GC", "TT", "mnv"),
        ("CCG", "C", "deletion"),
        ("CCGCGC", "CCGC", "deletion"),
        ("A", "AGGT", "insertion"),
        ("ACG", "T", "complex"),
    ],
)
def test_variant_type(ref, alt, kind):
    assert caller.variant_type(ref, alt) == kind


# ---------------------------------------------------------------- a hand-built BAM

_RNG = random.Random(3)
REF_SEQ = "".join(_RNG.choice("ACGT") for _ in range(2000))
DEL_START, DEL_LEN = 1000, 15  # deleted bases are REF_SEQ[1001:1016] (anchor at 1000, 0-based)


def _reads(tmp_path, n_alt=20, n_ref=60, clipped_alt=10):
    """Reads over a 15-bp deletion; ``clipped_alt`` of the alt reads are soft-clipped at the
    breakpoint (as bwa does near read ends) instead of carrying a D in their CIGAR."""
    fa = tmp_path / "ref.fa"
    fa.write_text(">c\n" + REF_SEQ + "\n")
    pysam.faidx(str(fa))
    alt_hap = REF_SEQ[: DEL_START + 1] + REF_SEQ[DEL_START + 1 + DEL_LEN :]
    header = {"HD": {"VN": "1.6", "SO": "coordinate"}, "SQ": [{"SN": "c", "LN": len(REF_SEQ)}]}
    reads = []
    rng = random.Random(5)

    def make(name, seq, start, cigar, reverse):
        r = pysam.AlignedSegment()
        r.query_name, r.query_sequence = name, seq
        r.reference_id, r.reference_start, r.cigarstring = 0, start, cigar
        r.mapping_quality, r.flag = 60, 16 if reverse else 0
        r.query_qualities = pysam.qualitystring_to_array("I" * len(seq))
        reads.append(r)

    for i in range(n_ref):
        s = rng.randint(DEL_START - 120, DEL_START - 20)
        make(f"ref{i}", REF_SEQ[s : s + 150], s, "150M", i % 2 == 1)
    for i in range(n_alt - clipped_alt):
        s = rng.randint(DEL_START - 120, DEL_START - 20)
        left = DEL_START + 1 - s
        make(f"alt{i}", alt_hap[s : s + 150], s, f"{left}M{DEL_LEN}D{150 - left}M", i % 2 == 1)
    for i in range(clipped_alt):  # the deletion 6 bases from the read start: clipped
        s_alt = DEL_START + 1 - 6
        seq = alt_hap[s_alt : s_alt + 150]
        make(f"clip{i}", seq, DEL_START + 1 + DEL_LEN, "6S144M", i % 2 == 1)
    reads.sort(key=lambda r: r.reference_start)
    bam = tmp_path / "t.bam"
    with pysam.AlignmentFile(str(bam), "wb", header=header) as out:
        for r in reads:
            out.write(r)
    pysam.index(str(bam))
    return fa, bam


def test_haplotype_evidence_counts_soft_clipped_deletion_reads(tmp_path):
    fa, bam = _reads(tmp_path)
    ref = REF_SEQ[DEL_START : DEL_START + 1 + DEL_LEN]
    alt = REF_SEQ[DEL_START]
    with pysam.AlignmentFile(str(bam)) as b, pysam.FastaFile(str(fa)) as f:
        ev = caller.haplotype_evidence(b, f, "c", DEL_START, ref, alt, P)
    assert (ev.alt, ev.ref) == (20, 60)  # all 10 clipped reads recovered


def test_snv_evidence_from_pileup(tmp_path):
    fa, bam = _reads(tmp_path, n_alt=0, clipped_alt=0)
    pos0 = DEL_START - 50
    with pysam.AlignmentFile(str(bam)) as b:
        ev = caller.snv_evidence(
            b, "c", pos0, REF_SEQ[pos0], "A" if REF_SEQ[pos0] != "A" else "C", P
        )
    assert ev.alt == 0 and ev.ref > 40


def _mnv_bam(tmp_path, n_alt=30, n_ref=70):
    """Reads carrying two adjacent substitutions together (an MNV, as KRAS c.34_35delinsTT)."""
    fa = tmp_path / "ref.fa"
    fa.write_text(">c\n" + REF_SEQ + "\n")
    pysam.faidx(str(fa))
    p = 700
    alt_pair = "".join("A" if b != "A" else "C" for b in REF_SEQ[p : p + 2])
    alt_hap = REF_SEQ[:p] + alt_pair + REF_SEQ[p + 2 :]
    header = {"HD": {"VN": "1.6", "SO": "coordinate"}, "SQ": [{"SN": "c", "LN": len(REF_SEQ)}]}
    rng = random.Random(9)
    reads = []
    for i in range(n_alt + n_ref):
        s = rng.randint(p - 120, p - 20)
        hap = alt_hap if i < n_alt else REF_SEQ
        r = pysam.AlignedSegment()
        r.query_name, r.query_sequence = f"r{i}", hap[s : s + 150]
        r.reference_id, r.reference_start, r.cigarstring = 0, s, "150M"
        r.mapping_quality, r.flag = 60, 16 if i % 2 else 0
        r.query_qualities = pysam.qualitystring_to_array("I" * 150)
        reads.append(r)
    reads.sort(key=lambda r: r.reference_start)
    bam = tmp_path / "m.bam"
    with pysam.AlignmentFile(str(bam), "wb", header=header) as out:
        for r in reads:
            out.write(r)
    pysam.index(str(bam))
    return fa, bam, p, alt_pair


def test_adjacent_snvs_in_phase_become_one_mnv(tmp_path):
    fa, bam, p, alt_pair = _mnv_bam(tmp_path)
    cands = [
        caller.Candidate("c", p, REF_SEQ[p], alt_pair[0]),
        caller.Candidate("c", p + 1, REF_SEQ[p + 1], alt_pair[1]),
    ]
    with pysam.FastaFile(str(fa)) as f, pysam.AlignmentFile(str(bam)) as b:
        cands = caller.merge_mnvs(cands, f)
        assert len(cands) == 3
        for c in cands:
            c.tumour = caller.allele_evidence(b, f, "c", c.pos0, c.ref, c.alt, P)
            c.reasons, c.tlod, c.nlod = judge(c.tumour, None, P)
    kept = caller.resolve_mnvs(cands)
    assert [(c.ref, c.alt) for c in kept] == [(REF_SEQ[p : p + 2], alt_pair)]
    assert (kept[0].tumour.alt, kept[0].tumour.ref) == (30, 70)


def test_clustered_events_are_flagged():
    cands = [caller.Candidate("c", pos, "A", "T") for pos in (100, 120, 140, 900)]
    caller.flag_clusters(cands, P)
    assert [c.reasons for c in cands] == [["clustered_events"]] * 3 + [[]]


def test_reads_of_another_event_support_neither_haplotype(tmp_path):
    """Reads carrying the 15-bp deletion must not count for a 1-bp insertion 12 bp downstream,
    whatever haplotype they happen to resemble less badly (a benchmark false positive)."""
    fa, bam = _reads(tmp_path, n_alt=20, n_ref=0, clipped_alt=0)
    pos0 = DEL_START + 1 + DEL_LEN + 12
    ref = REF_SEQ[pos0]
    with pysam.AlignmentFile(str(bam)) as b, pysam.FastaFile(str(fa)) as f:
        ev = caller.haplotype_evidence(b, f, "c", pos0, ref, ref + "T", P)
    assert ev.alt == 0
