"""Issue 14, item 4: a FASTQ pair is read end to end before alignment.  A truncated gzip, R1/R2 with
different read counts or out of step, and broken records stop with one line naming the file, the
record number and the problem (on main they went through fastp with a warning and exit 0)."""

from __future__ import annotations

import gzip
import re

import pytest

from tumorboard.inputs.fastq import FastqError, check_pair


def record(name: str, seq: str = "ACGTACGTAC", qual: str | None = None) -> str:
    return f"@{name}\n{seq}\n+\n{qual if qual is not None else 'I' * len(seq)}\n"


def pair(tmp_path, r1: str, r2: str, gz: bool = True):
    paths = []
    for i, text in ((1, r1), (2, r2)):
        p = tmp_path / f"x_R{i}.fastq{'.gz' if gz else ''}"
        if gz:
            with gzip.open(p, "wt") as fh:
                fh.write(text)
        else:
            p.write_text(text)
        paths.append(p)
    return paths


def reads(n: int, mate: int, comment: str = "") -> str:
    return "".join(record(f"r{i}/{mate}" + comment) for i in range(1, n + 1))


def test_a_good_pair_passes_with_its_counts(tmp_path):
    r1, r2 = pair(tmp_path, reads(50, 1), reads(50, 2))
    s = check_pair(r1, r2)
    assert (s.records, s.bases_r1, s.bases_r2) == (50, 500, 500)
    # Illumina-style names: the comment differs between mates, the name does not
    r1 = "".join(record(f"M1:1:{i} 1:N:0:ACGT") for i in range(5))
    r2 = "".join(record(f"M1:1:{i} 2:N:0:ACGT") for i in range(5))
    assert check_pair(*pair(tmp_path, r1, r2, gz=False)).records == 5


def test_a_truncated_gzip_names_file_and_record(tmp_path):
    big = "".join(record(f"r{i}/1", "ACGT" * 30) for i in range(1, 3001))
    r1, r2 = pair(tmp_path, big, big.replace("/1\n", "/2\n"))
    data = r1.read_bytes()
    r1.write_bytes(data[: len(data) // 2])
    with pytest.raises(FastqError) as err:
        check_pair(r1, r2)
    msg = str(err.value)
    assert msg.startswith(f"{r1}: record ")
    assert "truncated or corrupt" in msg or "incomplete record" in msg
    assert "\n" not in msg


def test_a_corrupt_gzip_trailer_is_caught(tmp_path):
    r1, r2 = pair(tmp_path, reads(20, 1), reads(20, 2))
    data = bytearray(r1.read_bytes())
    data[-8] ^= 0xFF  # the CRC32 of the member
    r1.write_bytes(bytes(data))
    with pytest.raises(FastqError, match=r"x_R1.fastq.gz: record 21: gzip stream is"):
        check_pair(r1, r2)


def test_different_read_counts_stop_at_the_first_missing_record(tmp_path):
    r1, r2 = pair(tmp_path, reads(10, 1), reads(9, 2))
    with pytest.raises(FastqError) as err:
        check_pair(r1, r2)
    assert str(err.value) == (
        f"{r2}: record 10: file ends after 9 records but its mate file x_R1.fastq.gz has more "
        "(R1 and R2 must hold the same reads)"
    )


def test_mismatched_read_names(tmp_path):
    r2 = reads(3, 2) + record("zz/2") + reads(2, 2).replace("r1/", "r5/").replace("r2/", "r6/")
    r1, r2p = pair(tmp_path, reads(6, 1), r2)
    with pytest.raises(
        FastqError, match=r"x_R2.fastq.gz: record 4: read name 'zz' does not match 'r4'"
    ):
        check_pair(r1, r2p)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (record("a/1") + "@b/1\nACGT\n+\n", "record 2: incomplete record at the end"),
        (record("a/1") + "b/1\nACGT\n+\nIIII\n", "record 2: header line does not start with '@'"),
        (record("a/1") + "@b/1\nACGT\n-\nIIII\n", "record 2: third line does not start with '+'"),
        (record("a/1") + "@b/1\nACGT\n+\nIII\n", "record 2: 4 bases but 3 quality values"),
    ],
)
def test_broken_records(tmp_path, text, problem):
    r1, r2 = pair(tmp_path, text, record("a/2") + record("b/2", "ACGT"))
    with pytest.raises(FastqError, match=re.escape(f"x_R1.fastq.gz: {problem}")):
        check_pair(r1, r2)


def test_empty_and_missing_files(tmp_path):
    r1, r2 = pair(tmp_path, "", "")
    with pytest.raises(FastqError, match="no reads"):
        check_pair(r1, r2)
    with pytest.raises(FastqError, match="cannot be read"):
        check_pair(tmp_path / "missing.fastq.gz", r2)
