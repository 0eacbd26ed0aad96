"""tumorboard.costs: what a job asks the scheduler for, from the size of its inputs."""

from __future__ import annotations

from tumorboard import costs

GRCH38_MB = 3_100


def test_files_mb_counts_the_files_there_and_ignores_missing_ones(tmp_path):
    a, b = tmp_path / "a.fastq.gz", tmp_path / "b.fastq.gz"
    a.write_bytes(b"x" * 1_500_000)
    b.write_bytes(b"x" * 500_000)
    assert costs.files_mb([str(a), str(b)]) == 2.0
    assert costs.files_mb([str(a), str(tmp_path / "not_yet.bam")]) == 1.5
    assert costs.files_mb([str(tmp_path / "not_yet.bam")]) == 0
    assert costs.files_mb([]) == 0
    assert costs.files_mb(p for p in [str(b)]) == 0.5  # any iterable


def test_alignment_memory_grows_with_genome_and_threads():
    assert costs.align_mem_mb(100, 8) < costs.align_mem_mb(1_000, 8) < costs.align_mem_mb(3_100, 8)
    assert costs.align_mem_mb(GRCH38_MB, 1) < costs.align_mem_mb(GRCH38_MB, 2)
    assert costs.align_mem_mb(GRCH38_MB, 2) < costs.align_mem_mb(GRCH38_MB, 8)
    # every extra thread adds one samtools sort buffer
    assert costs.align_mem_mb(GRCH38_MB, 9) - costs.align_mem_mb(GRCH38_MB, 8) == (
        costs.SORT_MEMORY_MB
    )
    assert isinstance(costs.align_mem_mb(17.3, 3), int)


def test_grch38_at_8_threads_asks_for_10_to_16_gb():
    assert 10_000 <= costs.align_mem_mb(GRCH38_MB, 8) <= 16_000


def test_the_demo_reference_still_gets_room_for_fastp_and_a_read_batch():
    """bwa's read batch and fastp (~1.3 GB on the demo) need memory whatever the genome."""
    assert costs.align_mem_mb(17, 1) >= 2_500


def test_sort_memory_matches_what_the_alignment_asks_samtools_for():
    from tumorboard.alignment import SORT_MEMORY

    assert SORT_MEMORY == f"{costs.SORT_MEMORY_MB}M"


def test_alignment_runtime_is_linear_in_reads_and_falls_with_threads():
    t = costs.align_runtime_min
    assert t(0, 1) == 20  # the floor
    assert t(0, 8) == 20 and t(10, 64) == 20
    # linear: equal steps of reads add equal minutes above the floor
    assert t(4_000, 1) - t(2_000, 1) == t(2_000, 1) - t(0, 1) > 0
    assert t(40_000, 1) > t(40_000, 2) > t(40_000, 8) > 20
    # twice the threads, half the time above the floor
    assert (t(40_000, 4) - 20) == 2 * (t(40_000, 8) - 20)
    assert t(1_000, 0) == t(1_000, 1)  # no division by zero
    assert isinstance(t(123.4, 3), int)


def test_calling_runtime_grows_with_reads():
    t = costs.call_runtime_min
    assert t(0) >= 1
    assert t(0) <= t(100) <= t(10_000) < t(100_000) < t(1_000_000)
    assert isinstance(t(129.0), int)
