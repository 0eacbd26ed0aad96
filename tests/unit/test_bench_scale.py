"""bench/scale_accounting.py: which rule wrote a benchmark file, what kind of work a stage is, steps
files, slope fits and the extrapolation (pure functions; no workflow runs, no timings)."""

import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import scale_accounting as acc  # noqa: E402

SMK = """
rule bwa_mem:
    input:
        r1="x",
    benchmark:
        "results/benchmarks/bwa_mem/{sample}/{unit}.tsv"
    shell:
        "bwa mem"


rule provenance:
    benchmark:
        "results/benchmarks/provenance/{patient}.tsv"
    script:
        "x.py"


rule tool_versions:
    benchmark:
        "results/benchmarks/provenance/tool_versions.tsv"
    script:
        "x.py"


rule identity:
    benchmark:
        "results/benchmarks/identity/{tumour}_vs_{normal}.tsv"


rule sample_job:
    benchmark:
        "results/benchmarks/sample_job/{sample}.tsv"


    rule panel_targets:
        benchmark:
            f"{CACHE}/benchmarks/panel/panel_targets.tsv"
"""

BENCH_HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"


def test_patterns_read_from_rules_and_cache_rules_left_out():
    pats = acc.benchmark_patterns([SMK])
    assert [p.rule for p in pats] == [
        "bwa_mem",
        "provenance",
        "tool_versions",
        "identity",
        "sample_job",
    ]
    scopes = {p.rule: p.scope for p in pats}
    assert scopes == {
        "bwa_mem": "unit",
        "provenance": "patient",
        "tool_versions": "run",
        "identity": "patient",
        "sample_job": "sample",
    }


def test_most_specific_pattern_wins_and_unmatched_is_kept():
    pats = acc.benchmark_patterns([SMK])
    assert acc.match_rule("results/benchmarks/provenance/tool_versions.tsv", pats)[0] == (
        "tool_versions"
    )
    rule, wc, scope = acc.match_rule("results/benchmarks/provenance/P1.tsv", pats)
    assert (rule, wc, scope) == ("provenance", {"patient": "P1"}, "patient")
    rule, wc, _ = acc.match_rule("results/benchmarks/bwa_mem/S-T/L001.tsv", pats)
    assert (rule, wc) == ("bwa_mem", {"sample": "S-T", "unit": "L001"})
    assert acc.match_rule("results/benchmarks/newrule/P1.tsv", pats) == ("?newrule", {}, "run")


def test_kinds_table_driven():
    assert acc.rule_kind("bwa_mem") == acc.TOOL
    assert acc.rule_kind("somatic_call") == acc.PYTHON
    assert acc.rule_kind("coverage") == acc.WRAPPED
    assert acc.rule_kind("a_new_merged_rule") == acc.UNKNOWN
    assert acc.step_kind("python") == acc.PYTHON
    assert acc.step_kind("bwa mem") == acc.TOOL
    assert acc.step_kind("samtools markdup") == acc.TOOL
    assert acc.step_kind("chromium") == acc.OTHER


def _bench(path: Path, s: float, rss: float, cpu: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(BENCH_HEADER + f"{s}\t0:00:01\t{rss}\t1\t1\t1\t0\t0\t50\t{cpu}\n")


def test_job_rows_use_steps_where_they_exist(tmp_path):
    pats = acc.benchmark_patterns([SMK])
    bench = tmp_path / "results" / "benchmarks"
    _bench(bench / "bwa_mem" / "S-T" / "L001.tsv", 10.0, 300.0, 18.0)
    # a merged job with its steps file: rows per step, the rest is job overhead
    _bench(bench / "sample_job" / "S-T.tsv", 30.0, 900.0, 50.0)
    (bench / "sample_job" / "S-T.steps.tsv").write_text(
        "step\ttool\twall_s\tcpu_s\tmax_rss_mb\n"
        "check_fastq L001\tpython\t2\t1.5\t40\n"
        "align L001\tfastp\t20\t6\t1200\n"
        "align L001\tbwa mem\t20\t38\t250\n"
        "coverage targets\tmosdepth\t1\t0.5\t120\n"
        "page images\tchromium\t2\t1\t500\n"
    )
    _bench(bench / "mystery" / "P1.tsv", 1.0, 10.0, 0.5)
    rows = acc.job_rows(tmp_path, pats, {"L001", "S-T"})
    by = {(r["stage"], r["tool"]): r for r in rows}
    assert by[("bwa_mem", "bwa mem | samtools fixmate | samtools sort")]["cpu_s"] == 18.0
    assert by[("sample_job: check_fastq (python)", "python")]["kind"] == acc.PYTHON
    assert by[("sample_job: check_fastq (python)", "python")]["instance"] == "L001"
    assert by[("sample_job: align (bwa mem)", "bwa mem")]["kind"] == acc.TOOL
    overhead = by[("sample_job: job overhead", "")]
    assert by[("sample_job: coverage targets (mosdepth)", "mosdepth")]["instance"] == ""
    assert by[("sample_job: page images (chromium)", "chromium")]["kind"] == acc.OTHER
    assert overhead["kind"] == acc.OVERHEAD and overhead["cpu_s"] == pytest.approx(3.0)
    assert acc.unknown_rules(rows) == ["?mystery"]
    table = acc.stage_table(rows, total_cpu=100.0)
    align = next(s for s in table if s["stage"] == "sample_job: align (fastp)")
    assert align["cpu_share"] == pytest.approx(0.06)


def test_step_names_lose_their_lane_and_sample_only():
    names = {"L001", "S-T", "S-T.L001"}
    assert acc.split_step("align L001", names) == ("align", "L001")
    assert acc.split_step("align S-T.L001", names) == ("align", "S-T.L001")
    assert acc.split_step("markdup S-T", names) == ("markdup", "S-T")
    assert acc.split_step("coverage targets", names) == ("coverage targets", "")
    assert acc.split_step("L001", names) == ("L001", "")


def test_steps_file_missing_a_column_is_an_error(tmp_path):
    p = tmp_path / "x.steps.tsv"
    p.write_text("step\ttool\twall_s\tcpu_s\nalign\tbwa mem\t1\t1\n")
    with pytest.raises(ValueError, match="max_rss_mb"):
        acc.read_steps(p)


def test_slopes_and_linear_fit():
    xs = [1e5, 2e5, 4e5, 8e5]
    linear = [2e-5 * x for x in xs]
    assert acc.loglog_slope(xs, linear) == pytest.approx(1.0)
    quadratic = [1e-10 * x * x for x in xs]
    assert acc.loglog_slope(xs, quadratic) == pytest.approx(2.0)
    assert acc.top_slope(xs, quadratic) == pytest.approx(2.0)
    a, b = acc.linear_fit(xs, [3 + 2e-5 * x for x in xs])
    assert (a, b) == (pytest.approx(3), pytest.approx(2e-5))
    # negative intercept -> through the origin; negative slope -> the mean
    a, b = acc.linear_fit([1, 2, 3], [0.5, 2, 3.5])
    assert a == 0 and b == pytest.approx((0.5 + 4 + 10.5) / 14)
    assert acc.linear_fit([1, 2, 3], [3, 2, 1]) == (2, 0)
    assert math.isnan(acc.loglog_slope([1], [1]))


def test_fit_flags_faster_than_linear_and_territory_term():
    xs = [1e5, 2e5, 4e5, 8e5]
    fit = acc.fit_stage("caller", [(x, 1e-10 * x * x) for x in xs], 30_000)
    assert acc.faster_than_linear(fit)
    lin = acc.fit_stage("bwa", [(x, 1 + 1e-4 * x) for x in xs], 30_000, (4e5, 41 + 20, 1_030_000))
    assert not acc.faster_than_linear(lin)
    assert lin.c == pytest.approx(20 / 1_000_000)
    assert lin.predict(4e5, 2_030_000) == pytest.approx(41 + 40)
    assert acc.growth_flag(fit, largest_cpu_s=30.0) == "faster"
    assert acc.growth_flag(fit, largest_cpu_s=0.5) == "faster (small)"
    assert acc.growth_flag(lin, largest_cpu_s=30.0) == ""
    # a wide point cheaper than its read pairs predict gives no negative territory term
    cheap = acc.fit_stage("x", [(x, 1e-4 * x) for x in xs], 30_000, (4e5, 10, 1_030_000))
    assert cheap.c == 0


def test_extrapolation_read_pairs_and_shares():
    pairs = acc.read_pairs(500, 2.5e6, read_length=150, on_target=0.7, duplicates=0.2)
    assert pairs == pytest.approx(500 * 2.5e6 / (300 * 0.7 * 0.8))
    fits = [
        acc.StageFit("align", 0, 1e-4, 0, 30_000, 1, 1),
        acc.StageFit("report", 5, 0, math.nan, 30_000, 0, 0),
    ]
    scen = acc.Scenario("panel", 2.5e6, 500, 250)
    rows = acc.extrapolate(fits, scen, read_length=150, on_target=0.7, duplicates=0.2)
    total_pairs = acc.read_pairs(500, 2.5e6) + acc.read_pairs(250, 2.5e6)
    assert rows[0]["stage"] == "align"
    assert rows[0]["cpu_s"] == pytest.approx(1e-4 * total_pairs)
    assert rows[1]["cpu_s"] == 5
    assert sum(r["share"] for r in rows) == pytest.approx(1)
