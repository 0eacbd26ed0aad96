"""End-to-end check of a FASTQ pair before alignment (issue 14, item 4).

fastp drops reads it cannot pair and only warns, and the sheet check reads the first record only,
so a truncated gzip or R1/R2 files that disagree used to reach the report with exit 0.  This reads
both files once, in step, to the end:

* gzip integrity: a gzip file is decompressed to its end (a truncated member, a bad CRC or
  trailing garbage raises);
* record structure: 4 lines a record, ``@name``, sequence, ``+``, qualities as long as the
  sequence;
* pairing: the same number of records in R1 and R2, and the same read name in each record pair
  once a ``/1`` or ``/2`` suffix and the comment (after the first space or tab) are set aside.

The first problem stops the check with one line naming the file, the record number (1-based) and
the problem.  Plain (uncompressed) FASTQ is read too.  Cost (demo reads): see
bench/results/fastq_check.md.
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass
from itertools import zip_longest
from pathlib import Path


class FastqError(Exception):
    """One line: file, record and problem."""


@dataclass(frozen=True)
class PairSummary:
    r1: str
    r2: str
    records: int
    bases_r1: int
    bases_r2: int


def _open(path: Path):
    with open(path, "rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rb")
    return open(path, "rb")


def _records(path: Path):
    """(record number, name, sequence length) per record; FastqError on the first problem."""
    try:
        fh = _open(path)
    except OSError as exc:
        raise FastqError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    n = 0
    try:
        with fh:
            lines = iter(fh)
            for header in lines:
                n += 1
                seq = next(lines, None)
                plus = next(lines, None)
                qual = next(lines, None)
                if qual is None:
                    raise FastqError(
                        f"{path}: record {n}: incomplete record at the end of the file "
                        "(a FASTQ record is 4 lines)"
                    )
                if not header.startswith(b"@"):
                    raise FastqError(f"{path}: record {n}: header line does not start with '@'")
                if not plus.startswith(b"+"):
                    raise FastqError(f"{path}: record {n}: third line does not start with '+'")
                seq, qual = seq.rstrip(b"\r\n"), qual.rstrip(b"\r\n")
                if len(seq) != len(qual):
                    raise FastqError(
                        f"{path}: record {n}: {len(seq)} bases but {len(qual)} quality values"
                    )
                yield n, _name(header), len(seq)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise FastqError(
            f"{path}: record {n + 1}: gzip stream is truncated or corrupt ({exc})"
        ) from None
    except OSError as exc:
        raise FastqError(f"{path}: record {n + 1}: read error ({exc})") from None


def _name(header: bytes) -> bytes:
    """The read name of a header line: up to the first space or tab, without /1 or /2."""
    name = header[1:].rstrip(b"\r\n").split(None, 1)
    name = name[0] if name else b""
    if name.endswith((b"/1", b"/2")):
        name = name[:-2]
    return name


def check_pair(r1: str | Path, r2: str | Path) -> PairSummary:
    """Read ``r1`` and ``r2`` to the end in step; FastqError (one line) on the first problem."""
    r1, r2 = Path(r1), Path(r2)
    n = bases1 = bases2 = 0
    for a, b in zip_longest(_records(r1), _records(r2)):
        if a is None or b is None:
            short, long_ = (r1, r2) if a is None else (r2, r1)
            raise FastqError(
                f"{short}: record {n + 1}: file ends after {n} records but its mate file "
                f"{long_.name} has more (R1 and R2 must hold the same reads)"
            )
        n = a[0]
        if a[1] != b[1]:
            raise FastqError(
                f"{r2}: record {n}: read name {b[1].decode(errors='replace')!r} does not match "
                f"{a[1].decode(errors='replace')!r} in {r1.name} (R1 and R2 out of step)"
            )
        bases1 += a[2]
        bases2 += b[2]
    if n == 0:
        raise FastqError(f"{r1}: no reads")
    return PairSummary(str(r1), str(r2), n, bases1, bases2)
