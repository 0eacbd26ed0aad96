"""The mismatch_burden filter: fragments of a paralogue (a pseudogene the reference lacks) carry the
paralogue's other differences; fragments of a true somatic allele carry sequencing errors only.
Hand-built paired reads with MD tags (as bwa mem writes them), tumour-only (no normal to help)."""

import random

import pysam
import pytest

from tumorboard.calling import caller, hotspots
from tumorboard.calling.caller import CallerParams, Evidence, judge

P = CallerParams()
_RNG = random.Random(11)
GENE = "".join(_RNG.choice("ACGT") for _ in range(3000))
SITE = 1500  # 0-based candidate position
READ, INSERT = 150, 400


def _swap(base: str) -> str:
    return "A" if base != "A" else "C"


def _paralogue() -> str:
    """The gene with a difference every 37 bp (97% identity, as the chr22 PIK3CA pseudogene has
    over exons 9-13) and the candidate allele at SITE."""
    seq = list(GENE)
    for i in range(SITE % 37, len(seq), 37):
        seq[i] = _swap(seq[i])
    seq[SITE] = _swap(GENE[SITE])
    return "".join(seq)


def _md(read: str, ref: str) -> str:
    """MD tag of an ungapped alignment."""
    out, run = [], 0
    for a, b in zip(read, ref, strict=True):
        if a == b:
            run += 1
        else:
            out += [str(run), b]
            run = 0
    return "".join(out) + str(run)


def _bam(tmp_path, fragments: list[tuple[str, str]]) -> tuple:
    """Paired fragments ``(name, haplotype)`` over SITE, aligned ungapped to GENE, MAPQ 60."""
    fa = tmp_path / "ref.fa"
    fa.write_text(">c\n" + GENE + "\n")
    pysam.faidx(str(fa))
    header = {"HD": {"VN": "1.6", "SO": "coordinate"}, "SQ": [{"SN": "c", "LN": len(GENE)}]}
    rng = random.Random(7)
    reads = []
    for name, hap in fragments:
        start = rng.randint(SITE - READ + 20, SITE - 20)  # read 1 covers the site
        mate = start + INSERT - READ
        for i, (s, flag) in enumerate(((start, 99), (mate, 147))):
            r = pysam.AlignedSegment()
            r.query_name, r.flag = name, flag
            r.query_sequence = hap[s : s + READ]
            r.reference_id, r.reference_start, r.cigarstring = 0, s, f"{READ}M"
            r.next_reference_id, r.next_reference_start = 0, (mate if i == 0 else start)
            r.mapping_quality = 60
            r.query_qualities = pysam.qualitystring_to_array("I" * READ)
            r.set_tag("MD", _md(r.query_sequence, GENE[s : s + READ]))
            reads.append(r)
    reads.sort(key=lambda r: r.reference_start)
    bam = tmp_path / "t.bam"
    with pysam.AlignmentFile(str(bam), "wb", header=header) as out:
        for r in reads:
            out.write(r)
    pysam.index(str(bam))
    return fa, bam


def _judge(tmp_path, fragments):
    fa, bam = _bam(tmp_path, fragments)
    with pysam.AlignmentFile(str(bam)) as b:
        ev = caller.snv_evidence(b, "c", SITE, GENE[SITE], _swap(GENE[SITE]), P)
        caller.mismatch_burden(b, "c", SITE, SITE + 1, ev, P.min_baseq)
    reasons, _, _ = judge(ev, None, P)
    return ev, reasons


def test_paralogue_fragments_are_filtered(tmp_path):
    para = _paralogue()
    frags = [(f"p{i}", para) for i in range(15)] + [(f"g{i}", GENE) for i in range(15)]
    ev, reasons = _judge(tmp_path, frags)
    assert (ev.alt, ev.ref) == (15, 15)
    # read + mate span ~400 bp of 97%-identical sequence: about 10 other differences each
    assert min(ev.alt_mismatches) >= 6 and max(ev.ref_mismatches) == 0
    assert reasons == ["mismatch_burden"]


def test_true_low_vaf_allele_in_phase_with_a_germline_snp_passes(tmp_path):
    """5% VAF; every alt fragment also carries a germline SNP 60 bp away (in cis), as do half of
    the ref fragments: one other mismatch is not a paralogue's burden."""
    snp = SITE + 60
    germ = GENE[:snp] + _swap(GENE[snp]) + GENE[snp + 1 :]
    alt = germ[:SITE] + _swap(GENE[SITE]) + germ[SITE + 1 :]
    frags = [(f"a{i}", alt) for i in range(10)]
    frags += [(f"r{i}", germ if i % 2 else GENE) for i in range(190)]
    ev, reasons = _judge(tmp_path, frags)
    assert ev.alt == 10 and ev.mismatch_excess == 1.0
    assert reasons == []


def test_burden_counts_quality_and_skips_the_candidate():
    r = pysam.AlignedSegment()
    ref = GENE[100:250]
    seq = list(ref)
    for i in (10, 70, 72, 120):
        seq[i] = _swap(seq[i])
    r.query_sequence = "".join(seq)
    r.reference_start, r.cigarstring = 100, "150M"
    quals = [40] * 150
    quals[120] = 5  # a low-quality error does not count
    r.query_qualities = pysam.qualitystring_to_array("".join(chr(q + 33) for q in quals))
    r.set_tag("MD", _md(r.query_sequence, ref))
    # 70 and 72 (reference 170, 172) inside the skipped interval; 110 counts
    assert caller.read_mismatches(r, (165, 180), 20) == 1
    assert caller.read_mismatches(r, (0, 0), 20) == 3


@pytest.mark.parametrize(
    ("alt", "ref", "filtered"),
    [([5, 6, 7], [0, 0, 1], True), ([1, 1, 2], [0, 0, 0], False), ([3, 3, 3], [1, 1, 1], False)],
)
def test_judge_uses_the_median_excess(alt, ref, filtered):
    ev = Evidence()
    for i in range(30):
        ev.add(False, 35, reverse=bool(i % 2), mapq=60, position=40)
    for i in range(3):
        ev.add(True, 35, reverse=bool(i % 2), mapq=60, position=40)
    ev.alt_mismatches, ev.ref_mismatches = alt, ref
    reasons, _, _ = judge(ev, None, P, hotspot=True)
    assert ("mismatch_burden" in reasons) is filtered


def test_hotspot_depth_leaves_paralogue_fragments_out(tmp_path):
    para = _paralogue()
    frags = [(f"p{i}", para) for i in range(15)] + [(f"g{i}", GENE) for i in range(25)]
    _, bam = _bam(tmp_path, frags)
    codon = [SITE, SITE + 1, SITE + 2]  # 1-based: the codon holding SITE (0-based) first
    with pysam.AlignmentFile(str(bam)) as b:
        para_names = hotspots.paralogous_fragments(b, "c", codon, P)
        assert para_names == {f"p{i}" for i in range(15)}
        full = hotspots.codon_depth(b, "c", codon, P.min_mapq, P.min_baseq)
        own = hotspots.codon_depth(b, "c", codon, P.min_mapq, P.min_baseq, exclude=para_names)
    assert (full, own) == (40, 25)


def test_the_vcf_carries_the_excess_and_the_filter(tmp_path):
    para = _paralogue()
    frags = [(f"p{i}", para) for i in range(15)] + [(f"g{i}", GENE) for i in range(15)]
    ev, reasons = _judge(tmp_path, frags)
    c = caller.Candidate("c", SITE, GENE[SITE], _swap(GENE[SITE]), tumour=ev, reasons=reasons)
    out = tmp_path / "calls.vcf"
    assert caller.write_vcf([c], str(out), str(tmp_path / "ref.fa"), "T", None) == 0
    with pysam.VariantFile(str(out)) as vcf:
        (rec,) = list(vcf)
    assert list(rec.filter) == ["mismatch_burden"] and rec.info["MMX"] >= 6
