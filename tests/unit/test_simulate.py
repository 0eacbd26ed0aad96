"""The demo simulator: allele fractions exact to 1/SLOTS, REF checked, output reproducible."""

import gzip
import hashlib

import pytest

from tumorboard.demo import simulate
from tumorboard.reference.contigs import Contig, ContigMap
from tumorboard.reference.panel import Target


def v(vid, kind, cpos, ref, alt, vaf=0.5):
    return simulate.Variant(vid, kind, "G", "chr1", cpos, ref, alt, vaf, "chr1_1_5000", cpos)


def share_with(groups, vid):
    return sum(share for ids, share in groups if vid in ids)


def test_haplotype_groups_give_exact_allele_fractions():
    variants = [
        v("som30", "somatic", 100, "A", "C", 0.30),
        v("som14", "somatic", 200, "A", "G", 0.14),
        v("germ", "germline", 300, "A", "T"),
    ]
    tumour = simulate.haplotype_groups(variants, tumour=True)
    assert sum(s for _, s in tumour) == pytest.approx(1.0)
    assert share_with(tumour, "som30") == pytest.approx(0.30)
    assert share_with(tumour, "som14") == pytest.approx(0.14)
    assert share_with(tumour, "germ") == pytest.approx(0.50)
    normal = simulate.haplotype_groups(variants, tumour=False)
    assert share_with(normal, "som30") == 0 and share_with(normal, "germ") == pytest.approx(0.5)


def test_apply_variants_snv_and_indels():
    seq = "AAAACCCCGGGGTTTT"
    out = simulate.apply_variants(
        seq,
        0,
        [
            v("s", "somatic", 2, "A", "T"),
            v("d", "somatic", 8, "CGGG", "C"),
            v("i", "somatic", 14, "T", "TAAA"),
        ],
    )
    assert out == "ATAACCCCGTTAAATT"


def test_ref_mismatch_is_refused():
    with pytest.raises(ValueError, match="REF mismatch"):
        simulate.apply_variants("AAAA", 0, [v("s", "somatic", 2, "C", "T")])


def test_simulation_regions_pad_and_merge():
    targets = [
        Target("c", 1000, 1100, "KRAS"),
        Target("c", 1300, 1400, "KRAS"),
        Target("c", 5000, 5100, "backbone"),
    ]
    regions = simulate.simulation_regions(targets, 500, {"c": 5300})
    assert regions == [Target("c", 500, 1900, "KRAS"), Target("c", 4500, 5300, "backbone")]


@pytest.fixture
def tiny(tmp_path):
    import random

    rng = random.Random(1)
    seq = "".join(rng.choice("ACGT") for _ in range(3000))
    fa = tmp_path / "ref.fa"
    fa.write_text(">chr1_1_3000\n" + seq + "\n")
    import pysam

    pysam.faidx(str(fa))
    truth_yaml = tmp_path / "truth.yaml"
    truth_yaml.write_text(
        "patient: P\ntumour_type: crc\npurity: 0.5\n"
        f"somatic:\n  - {{id: s1, gene: G, chrom: chr1, pos: 1500, ref: {seq[1499]}, alt: "
        f"{'A' if seq[1499] != 'A' else 'C'}, vaf: 0.4}}\n"
    )
    cmap = ContigMap([Contig("chr1_1_3000", "chr1", 1, 3000)])
    return fa, simulate.load_truth(truth_yaml, cmap, fa)


def _digest(paths):
    return [hashlib.sha256(gzip.open(p).read()).hexdigest() for p in paths]


def test_same_seed_same_reads(tiny, tmp_path):
    fa, truth = tiny
    regions = [Target("chr1_1_3000", 500, 2500, "G")]
    outs = []
    for run in ("a", "b"):
        prefix = tmp_path / run
        n = simulate.simulate_sample(truth, fa, regions, True, 40, 7, [prefix])
        assert n > 200
        outs.append(_digest([f"{prefix}_R1.fastq.gz", f"{prefix}_R2.fastq.gz"]))
    assert outs[0] == outs[1]


def test_truth_ref_is_checked_against_the_reference(tiny, tmp_path):
    fa, _ = tiny
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "patient: P\ntumour_type: crc\npurity: 0.5\nsomatic:\n"
        "  - {id: s1, gene: G, chrom: chr1, pos: 10, ref: NNN, alt: A, vaf: 0.4}\n"
    )
    cmap = ContigMap([Contig("chr1_1_3000", "chr1", 1, 3000)])
    with pytest.raises(ValueError, match="s1 REF NNN differs from the reference"):
        simulate.load_truth(bad, cmap, fa)


def test_off_target_reads_are_spread_outside_targets_and_scaled_by_copy_number(tmp_path):
    import random

    import pysam

    rng = random.Random(5)
    gene_seq = "".join(rng.choice("ACGT") for _ in range(20_000))
    bg_seq = "N" * 2_000 + "".join(rng.choice("ACGT") for _ in range(20_000))
    fa = tmp_path / "ref.fa"
    fa.write_text(f">G_chr1_1_20000\n{gene_seq}\n>chr18_1_22000\n{bg_seq}\n")
    pysam.faidx(str(fa))
    truth_yaml = tmp_path / "truth.yaml"
    truth_yaml.write_text(
        "patient: P\ntumour_type: crc\npurity: 1.0\ncopy_number:\n  - {gene: G, copies: 6}\n"
    )
    cmap = ContigMap(
        [Contig("G_chr1_1_20000", "chr1", 1, 20_000), Contig("chr18_1_22000", "chr18", 1, 22_000)]
    )
    truth = simulate.load_truth(truth_yaml, cmap, fa)
    regions = [Target("G_chr1_1_20000", 9_000, 11_000, "G")]
    off = simulate.off_target_regions(fa, regions)
    assert off == [
        Target("G_chr1_1_20000", 0, 9_000, "G"),
        Target("G_chr1_1_20000", 11_000, 20_000, "G"),
        Target("chr18_1_22000", 2_000, 22_000, ""),
    ]
    counts = {}
    for sample, tumour in (("n", False), ("t", True)):
        prefix = tmp_path / sample
        simulate.simulate_sample(
            truth, fa, regions, tumour, 200, 3, [prefix], off_target=off, off_target_fraction=0.3
        )
        hits = {"on": 0, "gene_flank": 0, "background": 0}
        with gzip.open(f"{prefix}_R1.fastq.gz", "rt") as fh:
            for n, line in enumerate(fh):
                if n % 4:
                    continue
                # art names reads after the FASTA record: <contig>:<start>-<end>-<n>
                record = line[1:].split(":", 1)[1]
                if record.startswith("G_chr1_1_20000:9001-"):
                    hits["on"] += 1
                elif record.startswith("G_chr1"):
                    hits["gene_flank"] += 1
                else:
                    hits["background"] += 1
        counts[sample] = hits
    n, t = counts["n"], counts["t"]
    off_fraction = (n["gene_flank"] + n["background"]) / sum(n.values())
    assert off_fraction == pytest.approx(0.3, abs=0.05)
    # the amplified gene's flanks carry its copies (6 at purity 1: 3x), the background does not
    flank_ratio = (t["gene_flank"] / t["background"]) / (n["gene_flank"] / n["background"])
    assert flank_ratio == pytest.approx(3.0, rel=0.25)
