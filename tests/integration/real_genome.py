"""A real-coordinate GRCh38 test genome, built from the resource mirror, for site-mode tests.

There is no whole genome on the test machines.  This genome has chromosome-named sequences
(``chr7``, ``chr17``, ...) that hold the real GRCh38 sequence wherever the manifest has it (the
demo loci and control regions, each verified by the manifest's md5) and N elsewhere, so every
position is its real GRCh38 position: chr7 runs from 1 to the end of the BRAF locus
(140,925,976), chr17 holds the real 1-7,600,000, TP53 and ERBB2, and so on.  It is what a site
reference looks like to the workflow (whole chromosomes, identity contig map), only with gaps.

bwa index of it costs minutes (bwa indexes the N runs too, as random bases), so the genome and
its index are cached under ``resources/cache/test_genome/<key>/`` (or $TUMORBOARD_TEST_CACHE),
keyed by the manifest's sequences; a second ``make test`` reuses them.  bwa index is
single-threaded: when a session will need the genome and it is not cached, the integration
conftest starts the build in the background as the session starts (``start_background_build``),
so the index is built on one core while the other tests run; ``site_genome`` waits for it (a file
lock) and builds it itself if that background build failed.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import pysam
import yaml

PROJECT = Path(__file__).resolve().parents[2]
_NAME = re.compile(r"^(?:[A-Za-z0-9]+_)?(chr[0-9XY]+)_(\d+)_(\d+)$")


def _chrom_key(chrom: str) -> tuple[int, str]:
    tail = chrom.removeprefix("chr")
    return (int(tail), "") if tail.isdigit() else (100, tail)


def sequences(manifest: Path) -> list[dict]:
    doc = yaml.safe_load(manifest.read_text())
    return [r for r in doc["resources"] if r["kind"] == "sequence"]


def cache_dir(manifest: Path) -> Path:
    key = hashlib.sha256(
        "".join(f"{r['contig']}:{r['md5_sequence']};" for r in sequences(manifest)).encode()
    ).hexdigest()[:12]
    root = Path(os.environ.get("TUMORBOARD_TEST_CACHE", PROJECT / "resources" / "cache"))
    return root / "test_genome" / key


def build_fasta(mirror: Path, manifest: Path, out: Path) -> dict[str, int]:
    """Write the genome; returns each chromosome's length.  Every piece is checked against the
    manifest's md5 of its upper-case sequence."""
    pieces: dict[str, list[tuple[int, str]]] = {}
    for r in sequences(manifest):
        chrom, start, end = _NAME.match(r["contig"]).groups()
        with pysam.FastaFile(str(mirror / r["mirror"])) as fa:
            seq = fa.fetch(r["contig"]).upper()
        if hashlib.md5(seq.encode()).hexdigest() != r["md5_sequence"]:
            raise ValueError(f"{r['id']}: sequence in the mirror differs from the manifest's md5")
        assert len(seq) == int(end) - int(start) + 1
        pieces.setdefault(chrom, []).append((int(start), seq))
    lengths = {}
    tmp = out.with_suffix(".tmp")
    with open(tmp, "w") as fh:
        for chrom in sorted(pieces, key=_chrom_key):
            parts, pos = [], 1
            for start, seq in sorted(pieces[chrom]):
                if start < pos:
                    raise ValueError(f"{chrom}: pieces overlap at {start}")
                parts.append("N" * (start - pos))
                parts.append(seq)
                pos = start + len(seq)
            full = "".join(parts)
            lengths[chrom] = len(full)
            fh.write(f">{chrom}\n")
            for i in range(0, len(full), 60):
                fh.write(full[i : i + 60] + "\n")
    tmp.rename(out)
    return lengths


def site_genome(mirror: Path) -> dict:
    """The cached genome: ``fasta`` (with .fai) and ``bwa_index`` (prefix); built when absent,
    with the bwa index cost (wall, peak RSS) written to ``bwa_index.cost.tsv`` beside it."""
    manifest = PROJECT / "resources" / "manifest.yaml"
    d = cache_dir(manifest)
    d.mkdir(parents=True, exist_ok=True)
    fasta, prefix = d / "genome.fa", d / "bwa" / "genome"
    done = d / "complete"
    with open(d / ".lock", "w") as lock:
        # one builder at a time (the background build of start_background_build, or a test):
        # the other waits here and then finds the genome complete
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            _build(mirror, manifest, d, fasta, prefix)
            done.write_text("ok\n")
    return {"fasta": fasta, "bwa_index": prefix, "dir": d}


def start_background_build(mirror: Path) -> subprocess.Popen | None:
    """Start building the genome in a background process when it is not cached; ``None`` when
    it is.  Its output goes to ``background_build.log`` in the cache directory."""
    d = cache_dir(PROJECT / "resources" / "manifest.yaml")
    if (d / "complete").exists():
        return None
    d.mkdir(parents=True, exist_ok=True)
    code = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); "
        "from real_genome import site_genome; site_genome(Path(sys.argv[2]))"
    )
    with open(d / "background_build.log", "w") as log:
        return subprocess.Popen(
            [sys.executable, "-c", code, str(Path(__file__).parent), str(mirror)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _build(mirror: Path, manifest: Path, d: Path, fasta: Path, prefix: Path) -> None:
    lengths = build_fasta(mirror, manifest, fasta)
    pysam.faidx(str(fasta))
    prefix.parent.mkdir(exist_ok=True)
    t0 = time.time()
    with open(d / "bwa_index.log", "w") as log:
        # -a is: linear-time suffix arrays, quicker than bwtsw below 2 Gb (a test genome of
        # ~300 Mb; a real GRCh38 needs bwtsw, the workflow's default)
        subprocess.run(
            ["bwa", "index", "-a", "is", "-p", str(prefix), str(fasta)],
            check=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    (d / "bwa_index.cost.tsv").write_text(
        f"genome_bp\twall_s\tpeak_rss_mb\n{sum(lengths.values())}\t"
        f"{time.time() - t0:.1f}\t{peak:.0f}\n"
    )
