"""Copy number from hand-made depths: normalisation (library size, GC content, target size),
pooled reference, purity adjustment and its interval, calls and "not evaluable" reasons."""

import math

import numpy as np
import pandas as pd
import pytest

from tumorboard.copynumber.calls import (
    Purity,
    Settings,
    call,
    call_gene,
    copies_from_ratio,
    copies_interval,
    format_copies,
    ratio_from_copies,
)
from tumorboard.copynumber.depth import copy_number_from_depth, pooled_reference
from tumorboard.copynumber.plot import profile_figure, profile_points, write_profile
from tumorboard.reference.panel import BACKBONE

S = Settings()


def _table(rows):
    """Coverage table from (gene, depth, gc, size) rows, one target each, 1 kb apart."""
    out = []
    for i, (gene, depth, _gc, size) in enumerate(rows):
        out.append(
            {
                "contig": "c",
                "start": i * 1000,
                "end": i * 1000 + size,
                "target": gene,
                "chrom": "chr1",
                "grch38_start": i * 1000 + 1,
                "grch38_end": i * 1000 + size,
                "mean_depth": depth,
            }
        )
    return pd.DataFrame(out)


NOISE = 2 ** np.random.default_rng(7).normal(0, 0.03, 1000)


def _jitter(i):
    # small, seeded noise: robust scales are not zero and nothing correlates with GC or size
    return NOISE[i % len(NOISE)]


def _panel(tumour_factor, n_depth=250.0, t_depth=500.0, gcs=None, sizes=None, genes=None):
    """Backbone (30 tiles) + genes (8 targets each); ``tumour_factor(gene, gc, size)`` multiplies
    the tumour depth.  GC spreads 0.3-0.7 inside every gene and the backbone."""
    genes = genes or ["BRAF", "ERBB2", "KRAS", "CDKN2A"]
    spec = [("backbone", 30)] + [(g, 8) for g in genes]
    t_rows, n_rows, gc = [], [], []
    i = 0
    for gene, n in spec:
        for j in range(n):
            g = 0.3 + 0.4 * j / (n - 1) if gcs is None else gcs
            size = (60 + 40 * (j % 5)) if sizes is None else sizes
            t_rows.append((gene, t_depth * tumour_factor(gene, g, size) * _jitter(i), g, size))
            n_rows.append((gene, n_depth * _jitter(i + 3), g, size))
            gc.append(g)
            i += 1
    return _table(t_rows), _table(n_rows), np.array(gc)


def _genes(t, n, gc, purity, settings=S, normals=None):
    genes, targets, used = copy_number_from_depth(
        t, normals or [n], gc, Purity.from_sheet(purity), settings
    )
    return genes.set_index("gene"), targets


def test_amplified_gene_purity_adjusted():
    # purity 0.6, ERBB2 at 8 copies -> depth ratio (0.6*8 + 0.8)/2 = 2.8
    t, n, gc = _panel(lambda g, *_: 2.8 if g == "ERBB2" else 1.0)
    genes, _ = _genes(t, n, gc, 0.6)
    erbb2 = genes.loc["ERBB2"]
    assert erbb2["log2_ratio"] == pytest.approx(math.log2(2.8), abs=0.03)
    assert erbb2["copy_number"] == pytest.approx(8.0, abs=0.3)
    assert erbb2["copy_number_ci_low"] <= 8.0 <= erbb2["copy_number_ci_high"]
    assert erbb2["call"] == "amplified" and erbb2["reason"] == ""
    assert genes.loc["KRAS", "call"] == "neutral"
    assert genes.loc["KRAS", "purity_source"] == "sample sheet"


def test_library_size_is_normalised_away():
    t, n, gc = _panel(lambda *_: 1.0, n_depth=100, t_depth=1000)
    genes, _ = _genes(t, n, gc, 0.5)
    assert genes["log2_ratio"].abs().max() < 0.03
    assert set(genes["call"]) == {"neutral"}


def test_gc_bias_of_the_tumour_library_is_corrected():
    def gc_bias(gene, gc, size):
        return 2 ** (1.5 * (gc - 0.5)) * (2.8 if gene == "ERBB2" else 1.0)

    t, n, gc = _panel(gc_bias)
    genes, targets = _genes(t, n, gc, 0.6)
    assert targets.attrs["bias"].startswith("GC")
    assert genes.loc["ERBB2", "copy_number"] == pytest.approx(8.0, abs=0.4)
    neutral = genes.drop(index="ERBB2")
    assert neutral["log2_ratio"].abs().max() < 0.05
    # without the correction the within-gene spread stays
    raw, _ = _genes(t, n, gc, 0.6, Settings(bias_correction=False))
    assert raw["log2_ratio_mad"].mean() > 2 * genes["log2_ratio_mad"].mean()


def test_gc_correction_is_learnt_within_genes_not_from_copy_number():
    # ERBB2 targets are GC-rich and amplified, the tumour library has no GC bias: the
    # amplification must not be mistaken for a GC effect
    t, n, _ = _panel(lambda g, *_: 2.8 if g == "ERBB2" else 1.0)
    gc = np.where(t["target"] == "ERBB2", 0.65, 0.42) + 0.05 * np.sin(np.arange(len(t)))
    genes, _ = _genes(t, n, gc, 0.6)
    assert genes.loc["ERBB2", "copy_number"] == pytest.approx(8.0, abs=0.3)


def test_target_size_effect_is_corrected():
    def size_bias(gene, gc, size):
        return (size / 140) ** 0.5

    t, n, gc = _panel(size_bias)
    genes, targets = _genes(t, n, gc, 0.6)
    assert "log2 size" in targets.attrs["bias"]
    assert genes["log2_ratio_mad"].max() < 0.03
    assert set(genes["call"]) == {"neutral"}


def test_no_bias_means_no_correction():
    t, n, gc = _panel(lambda *_: 1.0)
    _, targets = _genes(t, n, gc, 0.6)
    assert targets.attrs["bias"].startswith("not applied")
    assert (targets["log2_bias"] == 0).all()


def test_pooled_reference_of_normals_with_different_library_sizes():
    t, n, gc = _panel(lambda g, *_: 2.8 if g == "ERBB2" else 1.0)
    normals = []
    for k, scale in enumerate((0.5, 1.0, 3.0)):
        m = n.copy()
        m["mean_depth"] = (
            n["mean_depth"] * scale * np.array([_jitter(i + k) for i in range(len(n))])
        )
        normals.append(m)
    ref = pooled_reference(normals)
    assert ref["n_normals"].iloc[0] == 3 and ref["reference_log2_sd"].notna().all()
    genes, _ = _genes(t, None, gc, 0.6, normals=normals)
    assert genes.loc["ERBB2", "call"] == "amplified"
    assert genes.loc["ERBB2", "copy_number"] == pytest.approx(8.0, abs=0.5)
    assert genes.loc["ERBB2", "source"] == "read depth vs pooled reference of 3 normals"
    alone, _, _ = copy_number_from_depth(
        t, normals[:1], gc, Purity.from_sheet(0.6), S, matched=False
    )
    assert alone["source"].iloc[0] == "read depth vs pooled reference of 1 normal"


def test_homozygous_deletion_in_a_pure_and_an_impure_tumour():
    for purity in (1.0, 0.8):
        ratio = ratio_from_copies(0, purity)  # 0 and 0.2
        t, n, gc = _panel(lambda g, *_, r=ratio: r if g == "CDKN2A" else 1.0)
        genes, _ = _genes(t, n, gc, purity)
        assert genes.loc["CDKN2A", "copy_number"] == pytest.approx(0.0, abs=0.15), purity
        assert genes.loc["CDKN2A", "call"] == "homozygous deletion", purity


def test_one_copy_loss_is_a_loss_not_a_homozygous_deletion():
    t, n, gc = _panel(lambda g, *_: ratio_from_copies(1, 0.8) if g == "CDKN2A" else 1.0)
    genes, _ = _genes(t, n, gc, 0.8)
    assert genes.loc["CDKN2A", "copy_number"] == pytest.approx(1.0, abs=0.15)
    assert genes.loc["CDKN2A", "call"] == "loss"


def test_purity_below_the_minimum_is_not_evaluable():
    t, n, gc = _panel(lambda g, *_: ratio_from_copies(20, 0.15) if g == "ERBB2" else 1.0)
    genes, _ = _genes(t, n, gc, 0.15)
    assert set(genes["call"]) == {"not evaluable"}
    assert "below the 20% needed" in genes.loc["ERBB2", "reason"]


def test_unknown_purity_without_snvs_is_not_evaluable():
    t, n, gc = _panel(lambda g, *_: 2.8 if g == "ERBB2" else 1.0)
    genes, _ = _genes(t, n, gc, None)
    assert set(genes["call"]) == {"not evaluable"}
    assert genes.loc["ERBB2", "copy_number"] is None or np.isnan(genes.loc["ERBB2", "copy_number"])
    assert "purity" in genes.loc["ERBB2", "reason"]


def test_a_noisy_gene_at_low_purity_is_not_called_either_way():
    # 3 copies in 25% of cells (ratio 1.125) measured by 8 very noisy targets
    def f(gene, gc, size):
        return ratio_from_copies(3, 0.25) if gene == "KRAS" else 1.0

    t, n, gc = _panel(f)
    noisy = (t["target"] == "KRAS").to_numpy()
    t.loc[noisy, "mean_depth"] *= np.array([0.72, 1.4, 0.74, 1.38, 0.73, 1.36, 0.75, 1.39])
    genes, _ = _genes(t, n, gc, 0.25)
    kras = genes.loc["KRAS"]
    assert kras["call"] in ("not evaluable", "equivocal")
    assert kras["copy_number_ci_high"] >= S.amplification_copies
    assert "interval" in kras["reason"]


def test_too_few_targets_is_not_evaluable():
    t, n, gc = _panel(lambda *_: 1.0)
    keep = ~((t["target"] == "KRAS") & (t.index % 8 > 1))
    genes, _ = _genes(
        t[keep].reset_index(drop=True), n[keep].reset_index(drop=True), gc[keep.to_numpy()], 0.6
    )
    assert genes.loc["KRAS", "n_targets"] == 2
    assert genes.loc["KRAS", "call"] == "not evaluable"
    assert "usable targets" in genes.loc["KRAS", "reason"]


def test_shallow_reference_targets_are_not_used():
    t, n, gc = _panel(lambda *_: 1.0, n_depth=10)  # below min_normal_depth everywhere
    genes, targets = _genes(t, n, gc, 0.5)
    assert not targets["usable"].any()
    # every panel gene is still reported: not evaluable, with the reason, never dropped
    panel = set(targets.loc[targets["target"] != BACKBONE, "target"])
    assert set(genes.index) == panel
    assert (genes["call"] == "not evaluable").all() and (genes["n_targets"] == 0).all()
    assert genes["reason"].str.startswith("no usable targets").all()
    assert genes["copy_number"].isna().all() and genes["log2_ratio"].isna().all()


def test_purity_adjustment_inverts_the_mixture():
    for p in (0.2, 0.5, 0.9):
        for c in (0, 1, 2, 4, 8, 20):
            assert copies_from_ratio(ratio_from_copies(c, p), p) == pytest.approx(c)


def test_copies_interval_widens_with_purity_uncertainty():
    known = Purity(0.6, 0.6, 0.6, "sample sheet")
    unsure = Purity(0.6, 0.4, 0.8, "somatic SNV allele fractions")
    c1, lo1, hi1 = copies_interval(math.log2(2.8), 0.03, known, 0.95)
    c2, lo2, hi2 = copies_interval(math.log2(2.8), 0.03, unsure, 0.95)
    assert c1 == pytest.approx(8.0) and c2 == pytest.approx(8.0)
    assert lo2 < lo1 < 8 < hi1 < hi2
    # higher purity -> fewer copies for a gain (the conservative side)
    assert lo2 == pytest.approx(
        copies_from_ratio(2 ** (math.log2(2.8) - 1.96 * 0.03), 0.8), rel=1e-3
    )


@pytest.mark.parametrize(
    "copies,ci,expected",
    [
        (8.0, (7.0, 9.0), "amplified"),
        (6.0, (5.0, 7.0), "amplified"),
        (6.5, (3.5, 9.5), "not evaluable"),  # amplification not supported
        (5.0, (4.5, 5.5), "equivocal"),
        (2.0, (1.7, 2.3), "neutral"),
        (2.5, (1.0, 6.5), "not evaluable"),  # amplification not excluded
        (1.0, (0.8, 1.2), "loss"),
        (1.0, (0.3, 1.4), "loss"),  # with a note that homozygous deletion is not excluded
        (1.4, (0.9, 2.1), "not evaluable"),  # loss not confirmed
        (0.1, (0.0, 0.4), "homozygous deletion"),
        (0.3, (0.0, 1.9), "not evaluable"),  # homozygous deletion not confirmed
    ],
)
def test_call_rules(copies, ci, expected):
    label, reason = call_gene(copies, ci, 10, Purity.from_sheet(0.6), S)
    assert label == expected, reason
    assert bool(reason) == (expected in ("not evaluable", "equivocal") or ci == (0.3, 1.4))


@pytest.mark.parametrize(
    "copies,expected",
    [
        (8, "amplified"),
        (6, "amplified"),
        (5, "equivocal"),
        (4, "equivocal"),
        (2, "neutral"),
        (1.5, "loss"),
        (1, "loss"),
        (0.5, "homozygous deletion"),
        (0, "homozygous deletion"),
    ],
)
def test_thresholds_of_the_point_estimate(copies, expected):
    assert call(copies, S) == expected


def test_thresholds_come_from_the_config():
    s = Settings.from_config({"amplification_copies": 8, "equivocal_copies": 5, "other": 1})
    assert call(7, s) == "equivocal" and call(8, s) == "amplified"


def test_profile_figure_and_points(tmp_path):
    t, n, gc = _panel(lambda g, *_: 2.8 if g == "ERBB2" else 1.0)
    genes, targets, purity = copy_number_from_depth(t, [n], gc, Purity.from_sheet(0.6), S)
    points = profile_points(targets)
    assert len(points) == len(targets) and {"target", "chrom", "start", "log2_ratio"} <= set(
        points[0]
    )
    fig = profile_figure(points, genes.to_dict("records"), purity.value, S)
    a, b = tmp_path / "a.svg", tmp_path / "b.svg"
    write_profile(fig, a)
    write_profile(profile_figure(points, genes.to_dict("records"), 0.6, S), b)
    assert a.read_text() == b.read_text() and "ERBB2" not in a.read_text()[:50]


def test_findings_carry_the_profile_and_the_thresholds_in_force(tmp_path):
    from tumorboard import findings

    t, n, gc = _panel(lambda g, *_: 2.8 if g == "ERBB2" else 1.0)
    _, targets, _ = copy_number_from_depth(t, [n], gc, Purity.from_sheet(0.6), S)
    path = tmp_path / "targets.tsv"
    targets.to_csv(path, sep="\t", index=False)
    profile = findings.copy_number_profile(str(path))
    assert len(profile) == int(targets["log2_ratio"].notna().sum())
    # genome order: chromosome number, then GRCh38 start
    keys = [(int(p["chrom"].removeprefix("chr")), p["start"]) for p in profile]
    assert keys == sorted(keys)
    erbb2 = [p["log2_ratio"] for p in profile if p["target"] == "ERBB2"]
    assert erbb2 and min(erbb2) > 0.8  # 2.8-fold depth: log2 ~1.5 before centring
    th = findings.copy_number_thresholds({"amplification_copies": 8, "unrelated": 1})
    assert th["amplification_copies"] == 8 and th["equivocal_copies"] == 4.0
    assert set(th) >= {"loss_copies", "homozygous_deletion_copies", "min_purity", "confidence"}


@pytest.mark.parametrize(
    "copies, text",
    [(5.96, "5.96"), (6.04, "6.0"), (5.9, "5.9"), (3.97, "3.97"), (1.52, "1.52"), (8.04, "8.0")],
)
def test_copies_never_read_as_the_other_side_of_a_threshold(copies, text):
    assert format_copies(copies, S) == text


def test_equivocal_reason_does_not_print_the_threshold_value():
    call, reason = call_gene(5.96, (5.7, 6.2), 10, Purity.from_sheet(0.9), S)
    assert call == "equivocal" and reason.startswith("5.96 copies")
