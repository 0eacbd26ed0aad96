"""Shared fixtures: the resource mirror (../shared/data in this project's CI) and project paths.

Tests that need the mirror are skipped, with the reason, in a checkout without it.  But when
TUMORBOARD_MIRROR is given explicitly (``make test`` and CI always give it) and holds no mirror,
the session stops at once: CI must not pass by skipping."""

import os
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
DEFAULT_MIRROR = PROJECT.parent / "shared" / "data"


def mirror_path() -> Path:
    return Path(os.environ.get("TUMORBOARD_MIRROR", DEFAULT_MIRROR))


def is_mirror(path: Path) -> bool:
    return (path / "reference" / "grch38_loci.fa").exists()


def pytest_configure(config):
    if "TUMORBOARD_MIRROR" in os.environ and not is_mirror(mirror_path()):
        raise pytest.UsageError(
            f"TUMORBOARD_MIRROR={os.environ['TUMORBOARD_MIRROR']!r}: no resource mirror there "
            "(reference/grch38_loci.fa missing); unset it to skip the tests that need one"
        )


@pytest.fixture(scope="session")
def project() -> Path:
    return PROJECT


@pytest.fixture(scope="session")
def mirror() -> Path:
    path = mirror_path()
    if not is_mirror(path):  # TUMORBOARD_MIRROR unset (pytest_configure checks a given one)
        pytest.skip(f"resource mirror not found: set TUMORBOARD_MIRROR ({path} has none)")
    return path


@pytest.fixture(scope="session")
def mane_models(mirror):
    """MANE Select models of the panel genes, GRCh38 coordinates (from the mirror)."""
    from tumorboard.reference import genemodel

    models = genemodel.read_gff3(mirror / "annotation" / "genes.grch38.gff3")
    mane = genemodel.read_mane_select(mirror / "annotation" / "MANE.GRCh38.v1.0.summary.txt.gz")
    return genemodel.select_mane(models, mane, ["BRAF", "CDKN2A", "EGFR", "ERBB2", "KRAS", "TP53"])


@pytest.fixture(scope="module")
def kb(mirror, project):
    """The knowledge base built from the mirror's CIViC 2018 export and the authored biomarker
    table (built once per test module, as each module had it)."""
    from tumorboard.knowledge import sources
    from tumorboard.knowledge.tumour_types import DEFAULT_TABLE

    return sources.build(
        mirror / "civic" / "civic_nightly_2018-05_ClinicalEvidenceSummaries.tsv",
        project / "resources" / "biomarkers.tsv",
        DEFAULT_TABLE,
    )


@pytest.fixture(scope="module")
def kb2024(mirror, project):
    """The knowledge base as the workflow builds it by default: CIViC's 1 Aug 2024 release and the
    authored biomarker table."""
    from tumorboard.knowledge import sources
    from tumorboard.knowledge.tumour_types import DEFAULT_TABLE

    return sources.build(
        mirror / "civic" / "2024-08-01" / "01-Aug-2024-ClinicalEvidenceSummaries.tsv",
        project / "resources" / "biomarkers.tsv",
        DEFAULT_TABLE,
    )
