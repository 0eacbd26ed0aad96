"""What a job asks a scheduler for (threads, memory, run time), from the size of its inputs.

Every rule declares ``threads``, ``mem_mb`` and ``runtime`` so that a SLURM site adds only its
partition and account; where the work grows with the data (alignment, calling) the request grows
with the size of the sample's reads as the sample sheet gives them (FASTQ, BAM or CRAM: they exist
when the run is planned, unlike the BAMs made from them), and the genome's size.  The rates are
measured and asked for with a margin (figures in the docstrings); a site with other hardware
overrides a rule with ``--set-resources``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

SORT_MEMORY_MB = 500  # samtools sort -m, per thread (tumorboard.alignment.SORT_MEMORY)


def files_mb(paths: Iterable[str]) -> float:
    """Size of the files that exist, in MB (a file not there yet counts 0)."""
    total = 0
    for p in paths:
        try:
            total += os.path.getsize(p)
        except OSError:
            pass
    return total / 1e6


def align_mem_mb(genome_mb: float, threads: int) -> int:
    """One sample's job: bwa mem holds the index (~1.7 bytes per base: 5.3 GB for GRCh38) and a
    batch of reads (-K 100 Mb: ~1 GB with its alignments), samtools sort 500 MB per thread, and
    fastp ~1.3 GB (measured on the demo: 1,337 MB peak RSS)."""
    return int(1.8 * genome_mb + SORT_MEMORY_MB * threads + 2500)


def align_runtime_min(reads_mb: float, threads: int) -> int:
    """One sample's job, from its compressed reads: bwa mem on GRCh38 takes about 2 CPU-hours
    per GB of gzipped 150-bp FASTQ (~7 CPU-s per MB; 0.7 on the 17-Mb demo reference), fastp,
    sort, markdup and mosdepth add ~30 %: 0.25 CPU-min per MB asked for, a 1.6x margin."""
    return int(20 + 0.25 * reads_mb / max(1, threads))


def call_runtime_min(reads_mb: float) -> int:
    """A patient's pileup and caller (one thread), from its samples' compressed reads: 0.07
    CPU-s per MB on the demo (bcftools mpileup over the targets 7.4 s + caller 1.2 s for
    129 MB); asked for at 0.6 CPU-s per MB, since the caller's time follows the depth at its
    candidates, which a deep panel raises more than its file size."""
    return int(15 + 0.01 * reads_mb)
