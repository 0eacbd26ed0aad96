"""Limit of detection of the hotspot statements."""

import pytest
from scipy.stats import binom

from tumorboard.calling.hotspots import limit_of_detection


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
