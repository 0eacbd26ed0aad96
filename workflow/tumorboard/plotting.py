"""Deterministic matplotlib output, for every figure tumorboard writes (the report's SVGs, the
copy-number profile, the cohort oncoprint): the same inputs give the same bytes.

One font (DejaVu Sans, shipped with matplotlib); SVG text drawn as paths (no font references)
and element ids salted with a fixed string per figure family instead of a random one; no date,
creator or software stamp in the file's metadata.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

FONT = "DejaVu Sans"
SVG_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}
PNG_METADATA = {"Software": None}


def figure_rc(svg_salt: str | None = None, extra: Mapping | None = None) -> dict:
    """rcParams of a deterministic figure: the font and, for SVG, ``svg_salt`` and path text."""
    rc: dict = {"svg.hashsalt": svg_salt, "svg.fonttype": "path"} if svg_salt else {}
    rc["font.family"] = FONT
    return rc | dict(extra or {})


@contextmanager
def deterministic(svg_salt: str | None = None, extra: Mapping | None = None) -> Iterator[None]:
    """Build and save a figure under :func:`figure_rc`, leaving global rcParams untouched."""
    import matplotlib  # here, so that modules importing this one do not load matplotlib

    with matplotlib.rc_context(figure_rc(svg_salt, extra)):
        yield
