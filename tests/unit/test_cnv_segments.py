"""External copy-number segments (PCGR CNA TSV) -> gene calls, on the real PCGR example file."""

import pandas as pd
import pytest

from tumorboard.copynumber.calls import Purity, Settings
from tumorboard.copynumber.segments import genes_from_segments, read_segments

S = Settings()

# three hand-placed 150-bp targets inside each gene (GRCh38, BED 0-based)
GENES = {
    "ERBB2": ("chr17", [39700100, 39710000, 39725000]),
    "CDKN2A": ("chr9", [21968000, 21971000, 21974500]),
    "KRAS": ("chr12", [25209800, 25227200, 25245200]),
    "TP53": ("chr17", [7673700, 7674800, 7676500]),
    "BRAF": ("chr7", [140734500, 140753200, 140781500]),
    "EGFR": ("chr7", [55174700, 55181300, 55191700]),
}


@pytest.fixture
def targets():
    rows = [(chrom, s, s + 150, gene) for gene, (chrom, starts) in GENES.items() for s in starts]
    rows.append(("chr18", 1000000, 1000200, "backbone"))
    return pd.DataFrame(rows, columns=["chrom", "start", "end", "target"])


@pytest.fixture
def pcgr(mirror):
    return read_segments(mirror / "variants" / "pcgr_T001.grch38.cna.tsv")


def test_pcgr_file_is_read(pcgr):
    assert len(pcgr) == 260 and set(pcgr.columns) == {"chrom", "start", "end", "copies"}
    erbb2 = pcgr[(pcgr["chrom"] == "chr17") & (pcgr["start"] == 39600010)].iloc[0]
    assert (erbb2["end"], erbb2["copies"]) == (40000000, 9.0)  # nMajor 8 + nMinor 1


def test_pcgr_segments_give_gene_calls(pcgr, targets):
    genes, per_target = genes_from_segments(
        pcgr, targets, Purity.from_sheet(None), S, source="segments: pcgr"
    )
    g = genes.set_index("gene")
    assert g.loc["ERBB2", "call"] == "amplified" and g.loc["ERBB2", "copy_number"] == 9
    assert g.loc["CDKN2A", "call"] == "loss" and g.loc["CDKN2A", "copy_number"] == 1
    assert g.loc["TP53", "call"] == "neutral"  # 2+0: copy-neutral LOH
    assert g.loc["BRAF", "copy_number"] == 3 and g.loc["BRAF", "call"] == "neutral"
    assert g.loc["KRAS", "call"] == "neutral" and g.loc["EGFR", "call"] == "neutral"
    assert (g["n_targets"] == 3).all() and (g["source"] == "segments: pcgr").all()
    assert g.loc["ERBB2", "purity_source"].startswith("not needed")
    assert per_target["segment"].str.startswith("chr").all()


def test_known_low_purity_still_stops_segment_calls(pcgr, targets):
    genes, _ = genes_from_segments(pcgr, targets, Purity.from_sheet(0.1), S)
    assert set(genes["call"]) == {"not evaluable"}


def test_log2_segments_are_purity_adjusted(tmp_path, targets):
    path = tmp_path / "seg.tsv"
    path.write_text(
        "Chromosome\tStart\tEnd\tSegment_Mean\n"
        "17\t39600010\t40000000\t1.485\n"  # log2 2.8: 8 copies at purity 0.6
        "9\t21900000\t22000000\t-1.3219\n"  # log2 0.4: 0 copies at purity 0.6
    )
    seg = read_segments(path)
    genes, _ = genes_from_segments(seg, targets, Purity.from_sheet(0.6), S)
    g = genes.set_index("gene")
    assert g.loc["ERBB2", "copy_number"] == pytest.approx(8.0, abs=0.01)
    assert g.loc["ERBB2", "call"] == "amplified"
    assert g.loc["CDKN2A", "call"] == "homozygous deletion"
    assert g.loc["KRAS", "call"] == "not evaluable" and "no segment" in g.loc["KRAS", "reason"]


def test_bad_segment_files_say_what_is_wrong(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("chrom\tfrom\tto\n1\t1\t2\n")
    with pytest.raises(ValueError, match="missing columns Chromosome, Start, End"):
        read_segments(bad)
