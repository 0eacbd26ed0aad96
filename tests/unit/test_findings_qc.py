"""Read-level QC of a sample (tumorboard.findings.qc_sample) on hand-made tool outputs."""

import json

import pandas as pd
import pytest

from tumorboard import findings

STATS = """# This file was produced by samtools stats (1.16.1+htslib-1.16)
# The command line was:  stats -t targets.bed sample.bam
SN\traw total sequences:\t600\t# excluding supplementary and secondary reads
SN\treads mapped:\t600
SN\treads duplicated:\t12\t# PCR or optical duplicate bit set
SN\tinsert size average:\t301.6
SN\tinsert size standard deviation:\t29.4
FFQ\t1\t0\t0
"""


@pytest.fixture
def tool_outputs(tmp_path):
    flagstat = tmp_path / "s.flagstat.json"
    flagstat.write_text(
        json.dumps(
            {
                "QC-passed reads": {
                    "primary": 1000,
                    "primary mapped": 980,
                    "primary duplicates": 20,
                }
            }
        )
    )
    stats = tmp_path / "s.stats.txt"
    stats.write_text(STATS)
    # two gene targets of 100 and 300 bp, and a backbone tile that QC must ignore
    cov = pd.DataFrame(
        {
            "target": ["KRAS", "KRAS", "backbone"],
            "start": [0, 1000, 5000],
            "end": [100, 1300, 5200],
            "mean_depth": [400.0, 200.0, 3.0],
            "fraction_ge_100x": [1.0, 1.0, 0.0],
            "fraction_ge_250x": [1.0, 0.5, 0.0],
        }
    )
    return str(flagstat), str(stats), cov


def test_on_target_rate_insert_size_and_depth_fractions(tool_outputs):
    flagstat, stats, cov = tool_outputs
    qc = findings.qc_sample(flagstat, cov, "S1", "tumour", 250, stats)
    assert qc["reads"] == 1000 and qc["mapped_fraction"] == 0.98
    assert qc["duplicate_fraction"] == 0.02
    assert qc["on_target_fraction"] == round(600 / 980, 4)
    assert (qc["insert_size_mean"], qc["insert_size_sd"]) == (301.6, 29.4)
    assert qc["mean_target_depth"] == 300.0  # backbone excluded
    assert qc["fraction_targets_ge_min_depth"] == 0.5
    # bases, not targets: (100 * 1.0 + 300 * 0.5) / 400
    assert qc["fraction_target_bases_ge"] == {"100": 1.0, "250": 0.625}


def test_without_samtools_stats_the_rate_is_absent_not_invented(tool_outputs):
    flagstat, _, cov = tool_outputs
    qc = findings.qc_sample(flagstat, cov, "S1", "normal", 100)
    assert "on_target_fraction" not in qc and "insert_size_mean" not in qc


def test_stats_summary_reads_every_sn_line(tool_outputs):
    _, stats, _ = tool_outputs
    sn = findings.samtools_stats_summary(stats)
    assert sn["raw total sequences"] == 600 and sn["reads duplicated"] == 12
    assert "FFQ" not in sn
