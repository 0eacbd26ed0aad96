"""tumorboard.alignment: the command lines of one sample's job, and the job itself run for real
(fastp, bwa mem, samtools, mosdepth) on a 6-kb reference and a few hundred simulated read pairs
written here (a few seconds)."""

from __future__ import annotations

import gzip
import json
import random
import subprocess

import pandas as pd
import pysam
import pytest

from tumorboard.alignment import (
    AlignmentError,
    Lane,
    SampleOutputs,
    align_commands,
    fastp_command,
    markdup_commands,
    mosdepth_command,
    read_group,
    run_sample,
)
from tumorboard.reference.contigs import Contig, ContigMap
from tumorboard.steps import Steps

# ---------------------------------------------------------------------------------------------
# command lines
# ---------------------------------------------------------------------------------------------


def test_read_group_has_literal_backslash_t_separators():
    rg = read_group("TB01-T", "L001")
    assert rg == r"@RG\tID:TB01-T.L001\tSM:TB01-T\tLB:TB01-T\tPL:ILLUMINA\tPU:L001"
    assert "\t" not in rg  # bwa mem -R takes the two characters, not a tab


def test_fastp_runs_at_2_threads_without_html_and_the_users_args_last():
    lane = Lane("L001", "in/S1_R1.fq.gz", "in/S1_R2.fq.gz")
    cmd = fastp_command(lane, "S1", ("t/R1.fq.gz", "t/R2.fq.gz"), "lanes/L001.fastp.json", [])
    assert cmd[0] == "fastp"
    opts = dict(zip(cmd[1::2], cmd[2::2], strict=True))
    assert opts == {
        "--in1": "in/S1_R1.fq.gz",
        "--in2": "in/S1_R2.fq.gz",
        "--out1": "t/R1.fq.gz",
        "--out2": "t/R2.fq.gz",
        "--compression": "1",
        "--json": "lanes/L001.fastp.json",
        "--html": "/dev/null",
        "--thread": "2",
        "--report_title": "S1.L001",
    }
    extra = ["--cut_right", "--length_required", "50"]
    with_extra = fastp_command(lane, "S1", ("a", "b"), "j.json", extra)
    assert with_extra[-3:] == extra
    assert with_extra.index("--cut_right") > with_extra.index("--thread")


def test_bwa_gets_a_fixed_batch_size_and_the_jobs_threads():
    trimmed = ("w/L1_R1.fastq.gz", "w/L1_R2.fastq.gz")
    bwa, fixmate, sort = align_commands(trimmed, "S1", "L1", "ref/genome.fa", 6, "w/L1.bam")
    assert bwa[:2] == ["bwa", "mem"]
    assert bwa[bwa.index("-t") + 1] == "6"
    assert bwa[bwa.index("-K") + 1] == "100000000"
    assert bwa[bwa.index("-R") + 1] == read_group("S1", "L1")
    assert bwa[-3:] == ["ref/genome.fa", *trimmed]
    assert fixmate == ["samtools", "fixmate", "-m", "-u", "-", "-"]
    # the batch size does not follow the threads
    bwa1 = align_commands(trimmed, "S1", "L1", "ref/genome.fa", 1, "w/L1.bam")[0]
    assert bwa1[bwa1.index("-K") + 1] == "100000000"


def test_sort_writes_the_bam_with_its_temporary_files_beside_it():
    sort = align_commands(("a", "b"), "S1", "L1", "idx", 3, "work dir/S1.bam.lanes/L1.bam")[2]
    assert sort[:2] == ["samtools", "sort"]
    assert sort[sort.index("-o") + 1] == "work dir/S1.bam.lanes/L1.bam"
    assert sort[sort.index("-T") + 1] == "work dir/S1.bam.lanes/L1.bam.tmp"
    assert sort[sort.index("-@") + 1] == "3"
    assert sort[sort.index("-m") + 1] == "500M"
    assert sort[-1] == "-"  # from the pipe


def test_markdup_merges_the_lanes_and_indexes_as_it_writes():
    out = outputs_in("o", "S1")
    merge, markdup = markdup_commands(["w/L1.bam", "w/L2.bam"], out, 4)
    assert merge[:2] == ["samtools", "merge"] and merge[-2:] == ["w/L1.bam", "w/L2.bam"]
    assert markdup[:2] == ["samtools", "markdup"]
    assert markdup[markdup.index("-f") + 1] == out.markdup
    assert markdup[markdup.index("-@") + 1] == "4"
    assert "--write-index" in markdup
    assert markdup[-2:] == ["-", f"{out.bam}##idx##{out.bai}"]


def test_mosdepth_thresholds_are_comma_joined_or_left_out():
    cmd = mosdepth_command("cov/S1", "targets.bed", "S1.bam", 20, 2, [10, 50, 100])
    assert cmd[0] == "mosdepth"
    assert cmd[cmd.index("--thresholds") + 1] == "10,50,100"
    assert cmd[cmd.index("--by") + 1] == "targets.bed"
    assert cmd[cmd.index("--mapq") + 1] == "20"
    assert cmd[cmd.index("--threads") + 1] == "2"
    assert "--no-per-base" in cmd
    assert cmd[-2:] == ["cov/S1", "S1.bam"]
    for none in (None, []):
        cmd = mosdepth_command("cov/S1", "bins.bed", "S1.bam", 20, 2, none)
        assert "--thresholds" not in cmd
        assert cmd[-2:] == ["cov/S1", "S1.bam"]


# ---------------------------------------------------------------------------------------------
# one sample, for real
# ---------------------------------------------------------------------------------------------

CONTIG = Contig("TP53_chr17_7661179_7667178", "chr17", 7_661_179, 7_667_178)  # 6,000 bp
TARGETS = [(1_000, 1_200, "TP53"), (3_000, 3_300, "TP53"), (4_500, 4_620, "TP53")]
ANTITARGETS = [(0, 1_000, "Antitarget"), (1_200, 3_000, "Antitarget")]
PAIRS = 150  # per lane
READ_LEN = 100
COMP = str.maketrans("ACGT", "TGCA")


def outputs_in(root, sample: str) -> SampleOutputs:
    return SampleOutputs(
        lanes=f"{root}/qc/lanes/{sample}",
        bam=f"{root}/align/{sample}.bam",
        bai=f"{root}/align/{sample}.bam.bai",
        markdup=f"{root}/align/{sample}.markdup.txt",
        flagstat=f"{root}/align/{sample}.flagstat.json",
        stats=f"{root}/align/{sample}.stats.txt",
        coverage_prefix=f"{root}/coverage/{sample}",
        targets_table=f"{root}/coverage/{sample}.targets.tsv",
        antitargets_table=f"{root}/coverage/{sample}.antitargets.tsv",
    )


def prepare_outputs(root, sample: str) -> SampleOutputs:
    """The output folders, as Snakemake makes them before the job."""
    for sub in ("align", "coverage"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    return outputs_in(root, sample)


def fastq_record(name: str, seq: str) -> str:
    return f"@{name}\n{seq}\n+\n{'I' * len(seq)}\n"


def write_lane(folder, unit: str, genome: str, rng: random.Random) -> Lane:
    """PAIRS read pairs (fragments of 250-350 bp at distinct starts) and one exact duplicate."""
    r1, r2 = [], []
    starts = rng.sample(range(0, len(genome) - 350), PAIRS)
    for i, start in enumerate(starts):
        frag = genome[start : start + rng.randint(250, 350)]
        r1.append(fastq_record(f"{unit}:{i}/1", frag[:READ_LEN]))
        r2.append(fastq_record(f"{unit}:{i}/2", frag[-READ_LEN:].translate(COMP)[::-1]))
    if unit == "L1":  # a PCR duplicate of the first pair, under another name
        r1.append(r1[0].replace(f"@{unit}:0/", f"@{unit}:dup/"))
        r2.append(r2[0].replace(f"@{unit}:0/", f"@{unit}:dup/"))
    paths = []
    for mate, records in (("R1", r1), ("R2", r2)):
        path = folder / f"S1_{unit}_{mate}.fastq.gz"
        with gzip.open(path, "wt") as fh:
            fh.writelines(records)
        paths.append(str(path))
    return Lane(unit, *paths)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """A 6-kb random contig named like a demo contig, its bwa index, targets, bins and contigs."""
    root = tmp_path_factory.mktemp("ref")
    rng = random.Random(17)
    genome = "".join(rng.choice("ACGT") for _ in range(CONTIG.length))
    fasta = root / "genome.fa"
    fasta.write_text(
        f">{CONTIG.name}\n" + "".join(genome[i : i + 60] + "\n" for i in range(0, len(genome), 60))
    )
    pysam.faidx(str(fasta))
    subprocess.run(["bwa", "index", str(fasta)], check=True, capture_output=True)
    for name, rows in (("targets.bed", TARGETS), ("antitargets.bed", ANTITARGETS)):
        (root / name).write_text(
            "".join(f"{CONTIG.name}\t{s}\t{e}\t{label}\n" for s, e, label in rows)
        )
    ContigMap([CONTIG]).to_tsv(root / "contigs.tsv")
    return {
        "genome": genome,
        "index": str(fasta),
        "targets": str(root / "targets.bed"),
        "antitargets": str(root / "antitargets.bed"),
        "contigs": str(root / "contigs.tsv"),
    }


def lanes_in(folder, genome: str) -> list[Lane]:
    rng = random.Random(3)
    folder.mkdir(parents=True, exist_ok=True)
    return [write_lane(folder, unit, genome, rng) for unit in ("L1", "L2")]


@pytest.fixture(scope="module")
def sample(reference, tmp_path_factory):
    """Sample S1 (two lanes) run once through ``run_sample``; its outputs and steps."""
    root = tmp_path_factory.mktemp("run")
    lanes = lanes_in(root / "fastq", reference["genome"])
    out = prepare_outputs(root / "results", "S1")
    with open(root / "S1.log", "w") as log:
        steps = Steps(log)
        run_sample(
            "S1",
            lanes,
            reference["index"],
            reference["targets"],
            reference["antitargets"],
            reference["contigs"],
            out,
            steps,
            threads=2,
            # fastp's duplication estimate allocates 1 GB and takes seconds: not wanted here
            fastp_extra=["--dont_eval_duplication", "--length_required", "30"],
            thresholds=[1, 5],
            min_mapq=20,
        )
    return out, steps, root


def test_a_sample_gives_an_indexed_bam_with_each_lanes_read_group(sample):
    out, _, _ = sample
    with pysam.AlignmentFile(out.bam) as bam:
        groups = {rg["ID"]: rg for rg in bam.header.to_dict()["RG"]}
        assert bam.header.to_dict()["HD"]["SO"] == "coordinate"
        assert bam.check_index()
        reads = list(bam.fetch(CONTIG.name))
    assert set(groups) == {"S1.L1", "S1.L2"}
    assert groups["S1.L2"] == {
        "ID": "S1.L2", "SM": "S1", "LB": "S1", "PL": "ILLUMINA", "PU": "L2"
    }  # fmt: skip
    assert len(reads) == 2 * (2 * PAIRS + 1)  # every read aligned
    assert {r.get_tag("RG") for r in reads} == {"S1.L1", "S1.L2"}
    assert all(r.has_tag("MC") for r in reads)  # fixmate -m ran
    assert sum(r.is_duplicate for r in reads) == 2  # the duplicate pair, marked


def test_a_sample_writes_flagstat_json_and_stats(sample, reference):
    out, _, _ = sample
    flagstat = json.loads(open(out.flagstat).read())["QC-passed reads"]
    assert flagstat["total"] == 2 * (2 * PAIRS + 1)
    assert flagstat["mapped"] == flagstat["total"]
    assert flagstat["duplicates"] == 2
    assert flagstat["properly paired"] == flagstat["total"]
    stats = open(out.stats).read()
    assert stats.startswith("# This file was produced by samtools stats")
    assert "\nSN\traw total sequences:\t" in stats
    assert f"stats -t {reference['targets']} {out.bam}" in stats  # over the targets
    markdup = open(out.markdup).read()
    assert "DUPLICATE TOTAL: 2\n" in markdup


def test_a_sample_writes_coverage_tables_with_grch38_positions(sample):
    out, _, _ = sample
    targets = pd.read_csv(out.targets_table, sep="\t")
    assert list(targets.columns) == [
        "contig", "start", "end", "target", "chrom", "grch38_start", "grch38_end",
        "mean_depth", "fraction_ge_1x", "fraction_ge_5x",
    ]  # fmt: skip
    assert list(zip(targets["start"], targets["end"], strict=True)) == [
        (s, e) for s, e, _ in TARGETS
    ]
    assert (targets["chrom"] == "chr17").all()
    assert list(targets["grch38_start"]) == [s + CONTIG.start for s, _, _ in TARGETS]
    assert list(targets["grch38_end"]) == [e + CONTIG.offset for _, e, _ in TARGETS]
    assert (targets["mean_depth"] > 0).all()
    assert targets["fraction_ge_1x"].between(0, 1).all()
    assert (targets["fraction_ge_5x"] <= targets["fraction_ge_1x"]).all()
    bins = pd.read_csv(out.antitargets_table, sep="\t")
    assert list(bins["start"]) == [s for s, _, _ in ANTITARGETS]
    assert not any(c.startswith("fraction_ge") for c in bins.columns)
    assert (bins["mean_depth"] > 0).all()


def test_a_sample_keeps_each_lanes_checks_and_removes_its_work_folder(sample):
    out, _, root = sample
    lanes = sorted(p.name for p in (root / "results" / "qc" / "lanes" / "S1").iterdir())
    assert lanes == ["L1.fastp.json", "L1.fastq_check.json", "L2.fastp.json", "L2.fastq_check.json"]
    check = json.loads(open(f"{out.lanes}/L1.fastq_check.json").read())
    assert (check["records"], check["bases_r1"]) == (PAIRS + 1, (PAIRS + 1) * READ_LEN)
    fastp = json.loads(open(f"{out.lanes}/L2.fastp.json").read())
    assert fastp["summary"]["before_filtering"]["total_reads"] == 2 * PAIRS
    assert "--thread 2" in fastp["command"]
    assert fastp["command"].rstrip().endswith(" --dont_eval_duplication --length_required 30")
    assert not (root / "results" / "align" / "S1.bam.lanes").exists()
    assert sorted(p.name for p in (root / "results" / "align").iterdir()) == [
        "S1.bam", "S1.bam.bai", "S1.flagstat.json", "S1.markdup.txt", "S1.stats.txt"
    ]  # fmt: skip


def test_a_sample_records_every_step_and_tool(sample):
    _, steps, _ = sample
    assert [(u.step, u.tool) for u in steps.usage] == [
        ("check_fastq L1", "python"),
        ("check_fastq L2", "python"),
        ("trim L1", "fastp"),
        ("align L1", "bwa mem"),
        ("align L1", "samtools fixmate"),
        ("align L1", "samtools sort"),
        ("trim L2", "fastp"),
        ("align L2", "bwa mem"),
        ("align L2", "samtools fixmate"),
        ("align L2", "samtools sort"),
        ("markdup", "samtools merge"),
        ("markdup", "samtools markdup"),
        ("flagstat", "samtools flagstat"),
        ("stats", "samtools stats"),
        ("coverage targets", "mosdepth"),
        ("coverage antitargets", "mosdepth"),
        ("coverage tables", "python"),
    ]


def test_a_truncated_lane_stops_the_sample_before_any_bam(reference, tmp_path):
    """Lane L2's R2 lacks its last record: the error names that file; nothing was aligned."""
    lanes = lanes_in(tmp_path / "fastq", reference["genome"])
    r2 = lanes[1].r2
    with gzip.open(r2, "rt") as fh:
        lines = fh.readlines()
    with gzip.open(r2, "wt") as fh:
        fh.writelines(lines[:-4])
    out = prepare_outputs(tmp_path / "results", "S1")
    with open(tmp_path / "S1.log", "w") as log:
        steps = Steps(log)
        with pytest.raises(AlignmentError) as err:
            run_sample(
                "S1", lanes, reference["index"], reference["targets"],
                reference["antitargets"], reference["contigs"], out, steps,
            )  # fmt: skip
    msg = str(err.value)
    assert msg.startswith(f"{r2}: record {PAIRS}: file ends after {PAIRS - 1} records")
    assert "\n" not in msg
    assert not list(tmp_path.rglob("*.bam")) and not list(tmp_path.rglob("*.fastp.json"))
    # the two lanes' checks, L2's failed one included; no tool ran
    assert [(u.step, u.tool) for u in steps.usage] == [
        ("check_fastq L1", "python"),
        ("check_fastq L2", "python"),
    ]


def test_a_sample_without_lanes_is_refused(reference, tmp_path):
    out = prepare_outputs(tmp_path, "S1")
    with (
        open(tmp_path / "S1.log", "w") as log,
        pytest.raises(AlignmentError, match="^S1: no lanes$"),
    ):
        run_sample(
            "S1", [], reference["index"], reference["targets"], reference["antitargets"],
            reference["contigs"], out, Steps(log),
        )  # fmt: skip


def run_without_index(reference, tmp_path) -> str:
    """Lane L1 aligned against an index that is not there: the AlignmentError's message."""
    lanes = lanes_in(tmp_path / "fastq", reference["genome"])[:1]
    out = prepare_outputs(tmp_path / "results", "S1")
    with open(tmp_path / "S1.log", "w") as log, pytest.raises(AlignmentError) as err:
        run_sample(
            "S1", lanes, str(tmp_path / "no_index.fa"), reference["targets"],
            reference["antitargets"], reference["contigs"], out, Steps(log),
            fastp_extra=["--dont_eval_duplication"],
        )  # fmt: skip
    assert not (tmp_path / "results" / "align" / "S1.bam").exists()
    return str(err.value)


def test_a_failing_step_stops_the_sample_with_one_line(reference, tmp_path):
    msg = run_without_index(reference, tmp_path)
    assert msg.startswith("S1: align L1: ")
    assert msg.endswith(" exited with status 1 (see the job's log)")


def test_a_failing_aligner_is_named_not_the_sort_it_left_without_input(reference, tmp_path):
    msg = run_without_index(reference, tmp_path)
    assert msg == "S1: align L1: bwa mem exited with status 1 (see the job's log)"
