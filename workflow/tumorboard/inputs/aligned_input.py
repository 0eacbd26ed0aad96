"""Units given as BAM, CRAM or unaligned BAM: turned back into paired FASTQ and re-aligned.

Decision: aligned input is never re-used as it is.  Its reads are collated by name and written
back to FASTQ (``samtools collate | samtools fastq``; paired reads only, secondary and
supplementary records excluded, original read names), then take the same fastp -> bwa mem ->
markdup path as FASTQ units.  One aligner, one reference and one duplicate marking for every
sample, so FASTQ, BAM and CRAM of the same reads give the same findings, and a BAM aligned to
another build cannot slip through.  Re-use of an alignment that already matches is not offered.

A CRAM stores bases as differences from its reference, so it can only be decoded with the FASTA
it was written with: its @SQ M5 checksums are compared with the configured reference first.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path


class AlignedInputError(Exception):
    """An aligned input cannot be used; the message is one line naming the file."""


def sequence_md5(seq: str) -> str:
    """M5 of a reference sequence as the SAM spec defines it: md5 of the upper-case bases."""
    return hashlib.md5(seq.upper().encode("ascii")).hexdigest()


def header_sq(path: str | Path) -> list[dict]:
    """The @SQ lines of a BAM/CRAM header (dicts with SN, LN and, when present, M5, UR)."""
    import pysam

    with pysam.AlignmentFile(str(path), check_sq=False) as bam:
        return list(bam.header.to_dict().get("SQ", []))


def is_cram(path: str | Path) -> bool:
    """Whether the file is a CRAM (by its content, not its name)."""
    import pysam

    with pysam.AlignmentFile(str(path), check_sq=False) as bam:
        return bool(bam.is_cram)


def dict_md5(reference_dict: str | Path) -> dict[str, str]:
    """Sequence name -> M5 from a ``samtools dict`` (Picard sequence dictionary) file."""
    out: dict[str, str] = {}
    with open(reference_dict) as fh:
        for line in fh:
            if not line.startswith("@SQ"):
                continue
            tags = dict(f.split(":", 1) for f in line.rstrip("\n").split("\t")[1:] if ":" in f)
            if "SN" in tags and "M5" in tags:
                out[tags["SN"]] = tags["M5"].lower()
    return out


def reference_md5(reference_fasta: str | Path, names: list[str]) -> dict[str, str]:
    """M5 of the named sequences of an indexed FASTA (names it lacks are left out)."""
    import pysam

    with pysam.FastaFile(str(reference_fasta)) as fa:
        present = set(fa.references)
        return {n: sequence_md5(fa.fetch(n)) for n in names if n in present}


def check_cram_reference(
    cram_path: str | Path,
    reference_fasta: str | Path,
    reference_dict: str | Path | None = None,
) -> None:
    """Every @SQ line of the CRAM that carries an M5 must match the same-named sequence of the
    configured reference; a mismatch, or a sequence the reference lacks, raises
    :class:`AlignedInputError`.  M5 of the reference come from ``reference_dict`` (``samtools
    dict`` output) when given, else are computed for the CRAM's sequences only."""
    sq = [s for s in header_sq(cram_path) if "M5" in s]
    if not sq:
        return
    names = [s["SN"] for s in sq]
    if reference_dict is not None:
        ref_md5: Mapping[str, str] = dict_md5(reference_dict)
    else:
        ref_md5 = reference_md5(reference_fasta, names)
    for s in sq:
        want = str(s["M5"]).lower()
        have = ref_md5.get(s["SN"], "absent")
        if want != have:
            raise AlignedInputError(
                f"{cram_path}: made against another reference: @SQ {s['SN']} M5 {want} != "
                f"{reference_fasta} ({have}); give the FASTA it was written with"
            )


def unpack_commands(
    bam: str | Path,
    reference: str | Path,
    r1: str | Path,
    r2: str | Path,
    threads: int = 1,
) -> tuple[list[str], list[str]]:
    """Argument lists of ``samtools collate`` (reads grouped by name, uncompressed BAM to stdout;
    temporary files next to ``r1``) and ``samtools fastq`` (stdin: paired reads only, secondary
    and supplementary records excluded, original read names, read 1 and 2 to gzipped ``r1`` and
    ``r2``; singletons and reads of neither end discarded), to be piped one into the other."""
    extra = [str(max(threads - 1, 0))]
    collate = [
        "samtools", "collate", "-O", "-u", "--no-PG", "-@", *extra,
        "--reference", str(reference), str(bam), f"{r1}.collate",
    ]  # fmt: skip
    fastq = [
        "samtools", "fastq", "-@", *extra, "-n", "-F", "0x900",
        "-1", str(r1), "-2", str(r2), "-0", "/dev/null", "-s", "/dev/null", "-",
    ]  # fmt: skip
    return collate, fastq


def run_unpack(
    bam: str | Path,
    reference: str | Path,
    r1: str | Path,
    r2: str | Path,
    log: str | Path,
    threads: int = 1,
) -> None:
    """Check a CRAM's reference, then run collate | fastq without a shell; tools' stderr goes to
    ``log``.  Raises :class:`AlignedInputError` (one line) when either command fails or no read
    pair comes out."""
    if is_cram(bam):
        check_cram_reference(bam, reference)
    collate, fastq = unpack_commands(bam, reference, r1, r2, threads)
    # no reference look-up by M5 on the network (htslib's default REF_PATH is the EBI server):
    # the reference given is the only one used
    env = {**os.environ, "REF_PATH": os.devnull}
    with open(log, "a") as err:
        print("$", " ".join(collate), "|", " ".join(fastq), file=err, flush=True)
        first = subprocess.Popen(collate, stdout=subprocess.PIPE, stderr=err, env=env)
        second = subprocess.Popen(fastq, stdin=first.stdout, stderr=err, env=env)
        first.stdout.close()  # collate gets SIGPIPE if fastq stops early
        second.wait()
        first.wait()
    for name, rc in (("samtools collate", first.returncode), ("samtools fastq", second.returncode)):
        if rc != 0:
            raise AlignedInputError(f"{bam}: {name} failed (exit {rc}); see {log}")
    if _empty_gzip(r1):
        raise AlignedInputError(
            f"{bam}: no paired reads (flags 0x1 with read 1/read 2) to re-align; "
            "single-end input is not supported"
        )


def _empty_gzip(path: str | Path) -> bool:
    import gzip

    with gzip.open(path, "rb") as fh:
        return not fh.read(1)
