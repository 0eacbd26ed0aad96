"""tumorboard: the tested logic behind the Snakemake workflow (research use only)."""

__version__ = "0.1.0"
