"""Copy number from hand-made depths: normalisation, purity adjustment, calls."""

import math

import pandas as pd
import pytest

from tumorboard import cnv


def _targets(gene_depths_t, gene_depths_n):
    rows = []
    for i, ((gene, t), (_, n)) in enumerate(zip(gene_depths_t, gene_depths_n, strict=True)):
        rows.append(
            {
                "contig": "c",
                "start": i * 1000,
                "end": i * 1000 + 200,
                "target": gene,
                "chrom": "chr1",
                "grch38_start": i * 1000 + 1,
                "grch38_end": i * 1000 + 200,
                "t": t,
                "n": n,
            }
        )
    df = pd.DataFrame(rows)
    t = df.drop(columns=["n"]).rename(columns={"t": "mean_depth"})
    n = df.drop(columns=["t"]).rename(columns={"n": "mean_depth"})
    return t, n


def test_amplified_gene_purity_adjusted():
    # purity 0.6, ERBB2 at 8 copies -> depth ratio (0.6*8 + 0.8)/2 = 2.8 before library scaling
    t_rows = [("backbone", 500)] * 20 + [("KRAS", 500)] * 4 + [("ERBB2", 1400)] * 4
    n_rows = [("backbone", 250)] * 20 + [("KRAS", 250)] * 4 + [("ERBB2", 250)] * 4
    t, n = _targets(t_rows, n_rows)
    targets = cnv.target_log2(t, n, 20)
    genes = cnv.gene_table(targets, 0.6, cnv.CallThresholds()).set_index("gene")
    assert genes.loc["ERBB2", "log2_ratio"] == pytest.approx(math.log2(2.8), abs=1e-3)
    assert genes.loc["ERBB2", "copy_number"] == pytest.approx(8.0, abs=0.01)
    assert genes.loc["ERBB2", "call"] == "amplified"
    assert genes.loc["KRAS", "call"] == "neutral"


def test_library_size_is_normalised_away():
    t, n = _targets(
        [("backbone", 1000)] * 10 + [("KRAS", 1000)] * 3,
        [("backbone", 100)] * 10 + [("KRAS", 100)] * 3,
    )
    genes = cnv.gene_table(cnv.target_log2(t, n, 20), 0.5, cnv.CallThresholds())
    assert genes.iloc[0]["log2_ratio"] == pytest.approx(0.0)


def test_unknown_purity_is_not_evaluable():
    t, n = _targets(
        [("backbone", 500)] * 10 + [("ERBB2", 2000)] * 3,
        [("backbone", 250)] * 10 + [("ERBB2", 250)] * 3,
    )
    genes = cnv.gene_table(cnv.target_log2(t, n, 20), None, cnv.CallThresholds())
    assert genes.iloc[0]["call"] == "not evaluable"


@pytest.mark.parametrize(
    "copies,expected",
    [
        (8, "amplified"),
        (6, "amplified"),
        (5, "equivocal"),
        (2, "neutral"),
        (1, "loss"),
        (0, "loss"),
    ],
)
def test_call_thresholds(copies, expected):
    assert cnv.call(copies, cnv.CallThresholds()) == expected


def test_purity_adjustment_inverts_the_mixture():
    for p in (0.2, 0.5, 0.9):
        for c in (0, 1, 2, 4, 8, 20):
            ratio = (p * c + 2 * (1 - p)) / 2
            assert cnv.copies_from_ratio(ratio, p) == pytest.approx(c)


def test_no_usable_target_gives_an_empty_table_with_columns():
    t, n = _targets([("KRAS", 30)] * 3, [("KRAS", 5)] * 3)  # normal too shallow everywhere
    genes = cnv.gene_table(cnv.target_log2(t, n, 20), 0.5, cnv.CallThresholds())
    assert genes.empty and "call" in genes.columns
