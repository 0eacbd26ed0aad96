"""Limit of detection of the hotspot statements: the binomial alt-read rule, and the caller's
whole hotspot rule (alt reads, VAF floor, TLOD) that the reported LoD uses."""

import numpy as np
import pytest
from scipy.stats import binom

from tumorboard.calling.caller import CallerParams, judge
from tumorboard.calling.hotspots import (
    LOD_BASE_QUALITY,
    called_alt_reads,
    clean_evidence,
    hotspot_lod,
    limit_of_detection,
)


@pytest.mark.parametrize("depth", [100, 250, 500, 812, 2000])
def test_lod_is_the_smallest_vaf_detected_with_95_percent(depth):
    f = limit_of_detection(depth, 5, 0.95)
    assert binom.sf(4, depth, f) == pytest.approx(0.95, abs=1e-4)
    assert binom.sf(4, depth, f * 0.98) < 0.95


def test_lod_falls_with_depth_and_matches_hand_value():
    # 500x with >= 5 alt reads: about 1.83% (Poisson approx. 9.15/500)
    assert limit_of_detection(500, 5) == pytest.approx(0.0182, abs=5e-4)
    assert limit_of_detection(1000, 5) < limit_of_detection(500, 5)


def test_lod_undefined_below_the_alt_read_rule():
    assert limit_of_detection(3, 5) is None


# ------------------------------------------------------------- the caller's hotspot rule


def _caller_calls(alt: int, depth: int, p: CallerParams) -> bool:
    """The caller's own decision (``judge`` at a hotspot) on ``alt`` of ``depth`` Q30 reads."""
    reasons, _, _ = judge(clean_evidence(alt, depth, LOD_BASE_QUALITY), None, p, hotspot=True)
    return not reasons


def test_hotspot_lod_at_1600x_is_what_the_caller_needs():
    p, depth = CallerParams(), 1600
    lod = hotspot_lod(depth, p, 0.95)
    # the VAF floor (0.5% = 8 reads) decides here, not the 3-read rule (0.39%)
    assert called_alt_reads(depth, p) == 8
    assert limit_of_detection(depth, p.hotspot_min_alt_reads) < 0.004 < 0.008 < lod < 0.0085
    # simulate: binomial draws at the reported LoD, each judged by the caller
    rng = np.random.default_rng(20240611)
    draws = rng.binomial(depth, lod, size=20_000)
    decisions = {k: _caller_calls(int(k), depth, p) for k in np.unique(draws)}
    called = np.mean([decisions[k] for k in draws])
    assert called >= 0.95 - 3 * np.sqrt(0.95 * 0.05 / draws.size)
    # exactly: the probability mass of the alt counts the caller calls
    exact = sum(binom.pmf(k, depth, lod) for k in range(depth + 1) if _caller_calls(k, depth, p))
    assert exact >= 0.95 - 1e-6
    # and the old, binomial-only LoD would be called far less often than 95%
    old = limit_of_detection(depth, p.hotspot_min_alt_reads)
    assert sum(binom.pmf(k, depth, old) for k in range(40) if _caller_calls(k, depth, p)) < 0.5


@pytest.mark.parametrize("depth", [100, 500, 812, 3000])
def test_hotspot_lod_is_never_below_the_alt_read_rule(depth):
    p = CallerParams()
    assert hotspot_lod(depth, p) >= limit_of_detection(depth, p.hotspot_min_alt_reads)
    k = called_alt_reads(depth, p)
    assert _caller_calls(k, depth, p) and not _caller_calls(k - 1, depth, p)
