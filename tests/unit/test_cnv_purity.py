"""Purity from somatic SNV allele fractions: estimate, interval, refusal with too few SNVs."""

import numpy as np
import pandas as pd
import pysam
import pytest

from tumorboard.copynumber.calls import Purity, Settings
from tumorboard.copynumber.depth import copy_number_from_depth
from tumorboard.copynumber.purity import estimate_purity, snv_allele_counts

S = Settings()


def _draw(vafs, depth=500, seed=3):
    rng = np.random.default_rng(seed)
    depths = np.full(len(vafs), depth)
    return rng.binomial(depths, vafs), depths


@pytest.mark.parametrize("purity", [0.3, 0.6, 0.9])
def test_clonal_snvs_give_the_purity(purity):
    alt, depth = _draw([purity / 2] * 6)
    est = estimate_purity(alt, depth, S)
    assert est.value == pytest.approx(purity, abs=0.05)
    assert est.ci_low <= est.value <= est.ci_high
    assert est.source == "somatic SNV allele fractions" and est.n_snvs == 6


def test_subclonal_snvs_do_not_drag_the_estimate_down():
    alt, depth = _draw([0.3] * 5 + [0.08, 0.1, 0.12])
    est = estimate_purity(alt, depth, S)
    assert est.value == pytest.approx(0.6, abs=0.05)


def test_too_few_snvs_leave_purity_unknown():
    alt, depth = _draw([0.3, 0.3])
    est = estimate_purity(alt, depth, S)
    assert est.value is None and "2 usable somatic SNVs" in est.note


def test_shallow_snvs_are_not_used():
    est = estimate_purity([10, 12, 9], [30, 35, 28], S)
    assert est.value is None and est.n_snvs == 0


def test_purity_is_estimated_from_snvs_in_copy_neutral_regions_only(tmp_path):
    # backbone + KRAS neutral, ERBB2 amplified; SNVs: clonal in KRAS/backbone, one in ERBB2
    # at a high VAF (on the amplified allele) that must not be used
    rows, i = [], 0
    for gene, n, ratio in [("backbone", 30, 1.0), ("KRAS", 8, 1.0), ("ERBB2", 8, 2.8)]:
        for _ in range(n):
            rows.append(
                {
                    "contig": "c",
                    "start": i * 1000,
                    "end": i * 1000 + 150,
                    "target": gene,
                    "chrom": "chr1",
                    "grch38_start": i * 1000 + 1,
                    "grch38_end": i * 1000 + 150,
                    "t": 500 * ratio * (1 + 0.02 * ((i * 7) % 5 - 2)),
                    "n": 250.0,
                }
            )
            i += 1
    df = pd.DataFrame(rows)
    t = df.drop(columns="n").rename(columns={"t": "mean_depth"})
    n = df.drop(columns="t").rename(columns={"n": "mean_depth"})
    gc = np.full(len(df), 0.45)
    # contig c positions (1-based) inside targets 0, 5, 31, 33 (neutral) and 40 (ERBB2)
    snvs = pd.DataFrame(
        {
            "contig": ["c"] * 6,
            "pos": [51, 5051, 31051, 33051, 35051, 40051],
            "alt_reads": [148, 152, 150, 147, 155, 1100],
            "depth": [500, 500, 500, 500, 500, 1400],
        }
    )
    genes, _, purity = copy_number_from_depth(t, [n], gc, Purity.from_sheet(None), S, snvs)
    assert purity.n_snvs == 5
    assert purity.value == pytest.approx(0.6, abs=0.04)
    g = genes.set_index("gene")
    assert g.loc["ERBB2", "call"] == "amplified"
    assert g.loc["ERBB2", "purity_source"] == "somatic SNV allele fractions"


def test_reads_outside_the_panel_genes_leave_every_gene_not_evaluable():
    # as COLO829's panel-limited reads: no target has reference depth, purity not given
    rows = [
        {"contig": "c", "start": i * 1000, "end": i * 1000 + 150, "target": g, "chrom": "chr1",
         "grch38_start": i * 1000 + 1, "grch38_end": i * 1000 + 150, "mean_depth": 0.0}
        for i, g in enumerate(["backbone"] * 5 + ["KRAS"] * 4 + ["ERBB2"] * 4)
    ]  # fmt: skip
    t = pd.DataFrame(rows)
    snvs = pd.DataFrame({"contig": ["c"], "pos": [5051], "alt_reads": [50], "depth": [100]})
    gc = np.full(len(t), 0.45)
    genes, _, purity = copy_number_from_depth(t, [t.copy()], gc, Purity(None), S, snvs)
    assert purity.value is None
    assert list(genes["gene"]) == ["ERBB2", "KRAS"]
    assert (genes["call"] == "not evaluable").all()
    assert genes["reason"].str.startswith("no usable targets").all()


def test_snv_allele_counts_reads_pass_snvs_of_the_first_sample(tmp_path):
    path = tmp_path / "s.vcf"
    header = pysam.VariantHeader()
    header.contigs.add("c", length=10000)
    header.filters.add("low_vaf", None, None, "x")
    header.formats.add("AD", "R", "Integer", "allele depths")
    header.add_sample("T")
    header.add_sample("N")
    with pysam.VariantFile(str(path), "w", header=header) as out:
        for pos, ref, alt, flt, ad in [
            (100, "A", "G", "PASS", (70, 30)),
            (200, "C", "T", "low_vaf", (99, 1)),
            (300, "GA", "G", "PASS", (60, 40)),  # indel: not used
            (400, "T", "C", "PASS", (50, 50)),
        ]:
            rec = out.new_record(contig="c", start=pos - 1, alleles=(ref, alt), filter=flt)
            rec.samples["T"]["AD"] = ad
            rec.samples["N"]["AD"] = (100, 0)
            out.write(rec)
    got = snv_allele_counts(path)
    assert got[["pos", "alt_reads", "depth"]].values.tolist() == [[100, 30, 100], [400, 50, 100]]
