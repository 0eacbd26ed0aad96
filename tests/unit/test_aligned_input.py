"""BAM/CRAM units: a CRAM written against another reference is refused with one line; a matching
CRAM, a coordinate-sorted BAM and an unaligned BAM come back as the same paired FASTQ."""

import gzip
import random
import subprocess

import pytest

from tumorboard.inputs import aligned_input
from tumorboard.inputs.aligned_input import AlignedInputError, check_cram_reference

COMP = str.maketrans("ACGT", "TGCA")


def rc(seq):
    return seq.translate(COMP)[::-1]


def fasta(path, seqs):
    path.write_text("".join(f">{name}\n{seq}\n" for name, seq in seqs.items()))
    subprocess.run(["samtools", "faidx", str(path)], check=True)
    return path


@pytest.fixture
def world(tmp_path):
    """A two-contig reference, a copy with one base changed in ctgA, and a CRAM of two read pairs
    (one pair with a supplementary record, which must not come back) written against the first."""
    rng = random.Random(7)
    seqs = {n: "".join(rng.choice("ACGT") for _ in range(1000)) for n in ("ctgA", "ctgB")}
    ref = fasta(tmp_path / "ref.fa", seqs)
    other = dict(seqs, ctgA=seqs["ctgA"][:500] + rc(seqs["ctgA"][500]) + seqs["ctgA"][501:])
    wrong = fasta(tmp_path / "wrong.fa", other)
    a, b = seqs["ctgA"], seqs["ctgB"]
    q = "I" * 50
    # pairs: p1 on ctgA (read 2 reverse), p2 on ctgB (read 1 reverse) with a supplementary record
    reads = {
        "p1": (a[100:150], rc(a[300:350])),
        "p2": (rc(b[600:650]), b[400:450]),
    }
    sam = [
        "@HD\tVN:1.6\tSO:coordinate",
        "@SQ\tSN:ctgA\tLN:1000",
        "@SQ\tSN:ctgB\tLN:1000",
        f"p1\t99\tctgA\t101\t60\t50M\t=\t301\t250\t{a[100:150]}\t{q}",
        f"p1\t147\tctgA\t301\t60\t50M\t=\t101\t-250\t{a[300:350]}\t{q}",
        f"p2\t2209\tctgA\t11\t60\t20M30H\tctgB\t401\t0\t{a[10:30]}\t{q[:20]}",
        f"p2\t163\tctgB\t401\t60\t50M\t=\t601\t250\t{b[400:450]}\t{q}",
        f"p2\t83\tctgB\t601\t60\t50M\t=\t401\t-250\t{b[600:650]}\t{q}",
    ]
    (tmp_path / "reads.sam").write_text("\n".join(sam) + "\n")
    bam = tmp_path / "reads.bam"
    cram = tmp_path / "reads.cram"
    subprocess.run(
        ["samtools", "view", "-b", "-o", str(bam), str(tmp_path / "reads.sam")], check=True
    )
    subprocess.run(
        ["samtools", "view", "-C", "-T", str(ref), "-o", str(cram), str(bam)], check=True
    )
    return {"ref": ref, "wrong": wrong, "bam": bam, "cram": cram, "reads": reads, "dir": tmp_path}


def test_matching_cram_is_accepted(world):
    check_cram_reference(world["cram"], world["ref"])


def test_matching_cram_is_accepted_with_a_sequence_dictionary(world, tmp_path):
    dict_file = tmp_path / "ref.dict"
    subprocess.run(["samtools", "dict", "-o", str(dict_file), str(world["ref"])], check=True)
    check_cram_reference(world["cram"], world["ref"], dict_file)


def test_cram_against_another_reference_is_refused_in_one_line(world):
    with pytest.raises(AlignedInputError) as err:
        check_cram_reference(world["cram"], world["wrong"])
    msg = str(err.value)
    assert "\n" not in msg
    want = aligned_input.sequence_md5(world["ref"].read_text().split("\n")[1])
    have = aligned_input.reference_md5(world["wrong"], ["ctgA"])["ctgA"]
    assert msg == (
        f"{world['cram']}: made against another reference: @SQ ctgA M5 {want} != "
        f"{world['wrong']} ({have}); give the FASTA it was written with"
    )


def test_cram_contig_missing_from_the_reference_is_refused(world, tmp_path):
    only_a = fasta(tmp_path / "only_a.fa", {"ctgA": world["ref"].read_text().split("\n")[1]})
    with pytest.raises(AlignedInputError, match=r"@SQ ctgB M5 \w+ != .*only_a.fa \(absent\)"):
        check_cram_reference(world["cram"], only_a)


def test_md5_is_of_the_upper_case_sequence():
    assert aligned_input.sequence_md5("acgtN") == aligned_input.sequence_md5("ACGTN")


def read_fastq(path):
    with gzip.open(path, "rt") as fh:
        lines = fh.read().splitlines()
    return {lines[i][1:]: lines[i + 1] for i in range(0, len(lines), 4)}


def unpack(world, source):
    r1, r2 = (
        world["dir"] / f"{source.stem}_R1.fastq.gz",
        world["dir"] / f"{source.stem}_R2.fastq.gz",
    )
    log = world["dir"] / f"{source.stem}.log"
    aligned_input.run_unpack(source, world["ref"], r1, r2, log, threads=2)
    return read_fastq(r1), read_fastq(r2)


def test_commands_are_argument_lists_without_a_shell(world):
    collate, fastq = aligned_input.unpack_commands("in put.bam", "ref.fa", "o 1.fq.gz", "o2.fq.gz")
    assert collate[:2] == ["samtools", "collate"] and "in put.bam" in collate
    assert fastq[:2] == ["samtools", "fastq"] and fastq[fastq.index("-F") + 1] == "0x900"
    assert fastq[fastq.index("-1") + 1] == "o 1.fq.gz" and "-n" in fastq


@pytest.mark.parametrize("kind", ["bam", "cram"])
def test_aligned_reads_come_back_as_the_original_pairs(world, kind):
    r1, r2 = unpack(world, world[kind])
    reads = world["reads"]
    assert r1 == {name: pair[0] for name, pair in reads.items()}  # no supplementary, names kept
    assert r2 == {name: pair[1] for name, pair in reads.items()}


def test_unaligned_bam_comes_back_as_the_original_pairs(world, tmp_path):
    for r, i in (("1", 0), ("2", 1)):
        with gzip.open(tmp_path / f"in_R{r}.fq.gz", "wt") as fh:
            for name, pair in world["reads"].items():
                fh.write(f"@{name}\n{pair[i]}\n+\n{'I' * len(pair[i])}\n")
    ubam = tmp_path / "unaligned.bam"
    subprocess.run(
        ["samtools", "import", "-1", str(tmp_path / "in_R1.fq.gz"), "-2",
         str(tmp_path / "in_R2.fq.gz"), "-o", str(ubam)],
        check=True,
    )  # fmt: skip
    assert aligned_input.header_sq(ubam) == [] and not aligned_input.is_cram(ubam)
    r1, r2 = unpack(world, ubam)
    assert r1 == {name: pair[0] for name, pair in world["reads"].items()}
    assert r2 == {name: pair[1] for name, pair in world["reads"].items()}


def test_unpacking_a_cram_checks_its_reference_first(world):
    r1 = world["dir"] / "x_R1.fastq.gz"
    with pytest.raises(AlignedInputError, match="made against another reference"):
        aligned_input.run_unpack(
            world["cram"],
            world["wrong"],
            r1,
            world["dir"] / "x_R2.fastq.gz",
            world["dir"] / "x.log",
        )
    assert not r1.exists()


def test_single_end_input_is_refused(world, tmp_path):
    sam = tmp_path / "se.sam"
    seq = world["reads"]["p1"][0]
    sam.write_text(
        f"@SQ\tSN:ctgA\tLN:1000\nse1\t0\tctgA\t101\t60\t50M\t*\t0\t0\t{seq}\t{'I' * 50}\n"
    )
    se = tmp_path / "se.bam"
    subprocess.run(["samtools", "view", "-b", "-o", str(se), str(sam)], check=True)
    with pytest.raises(AlignedInputError, match="se.bam: no paired reads"):
        unpack(world, se)
