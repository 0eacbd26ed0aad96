"""Shared fixtures: the resource mirror (../shared/data in this project's CI) and project paths."""

import os
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def project() -> Path:
    return PROJECT


@pytest.fixture(scope="session")
def mirror() -> Path:
    path = Path(os.environ.get("TUMORBOARD_MIRROR", PROJECT.parent / "shared" / "data"))
    if not (path / "reference" / "grch38_loci.fa").exists():
        pytest.fail(f"resource mirror {path} not found: set TUMORBOARD_MIRROR")
    return path


@pytest.fixture(scope="session")
def mane_models(mirror):
    """MANE Select models of the panel genes, GRCh38 coordinates (from the mirror)."""
    from tumorboard.reference import genemodel

    models = genemodel.read_gff3(mirror / "annotation" / "genes.grch38.gff3")
    mane = genemodel.read_mane_select(mirror / "annotation" / "MANE.GRCh38.v1.0.summary.txt.gz")
    return genemodel.select_mane(models, mane, ["BRAF", "CDKN2A", "EGFR", "ERBB2", "KRAS", "TP53"])
