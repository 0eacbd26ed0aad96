"""Bad sample sheets give one clear line naming the file, the row and the problem."""

import gzip

import pytest

from tumorboard.inputs.sheet import SheetError, load_sheet

SAMPLES = "patient\tsample\ttype\ttumour_type\tpurity\n"
UNITS = "sample\tunit\tfq1\tfq2\n"


def fastq(path, name="r"):
    with gzip.open(path, "wt") as fh:
        fh.write(f"@{name}\nACGT\n+\nIIII\n")
    return path


@pytest.fixture
def sheets(tmp_path):
    fq = [fastq(tmp_path / f"{i}.fq.gz") for i in range(4)]

    def write(samples_rows, units_rows=None):
        s = tmp_path / "samples.tsv"
        u = tmp_path / "units.tsv"
        s.write_text(SAMPLES + "".join(r + "\n" for r in samples_rows))
        if units_rows is None:
            units_rows = [f"P1-T\tL1\t{fq[0]}\t{fq[1]}", f"P1-N\tL1\t{fq[2]}\t{fq[3]}"]
        u.write_text(UNITS + "".join(r + "\n" for r in units_rows))
        return s, u

    return write, fq


GOOD = ["P1\tP1-T\ttumour\tcolorectal adenocarcinoma\t0.6", "P1\tP1-N\tnormal\t\t"]


def test_good_sheet(sheets):
    write, _ = sheets
    sheet = load_sheet(*write(GOOD))
    p = sheet.patients["P1"]
    assert (p.tumour.sample, p.normal.sample, p.tumour.purity) == ("P1-T", "P1-N", 0.6)
    assert [u["unit"] for u in sheet.units("P1-T")] == ["L1"]


def test_tumour_only_patient(sheets):
    write, fq = sheets
    sheet = load_sheet(*write(GOOD[:1], [f"P1-T\tL1\t{fq[0]}\t{fq[1]}"]))
    assert sheet.patients["P1"].normal is None


@pytest.mark.parametrize(
    "rows,units,message",
    [
        (
            ["P1\tP1 T;rm -rf\ttumour\tcrc\t"],
            None,
            r"samples.tsv: row 2: column sample = 'P1 T;rm -rf'",
        ),
        (["P1\tP1-T\ttumor\tcrc\t", GOOD[1]], None, r"row 2: column type = 'tumor' is invalid"),
        (["P1\tP1-T\ttumour\tcrc\t1.7", GOOD[1]], None, r"row 2: column purity = '1.7'"),
        (["P1\tP1-T\ttumour\t\t", GOOD[1]], None, r"row 2: tumour sample P1-T has no tumour_type"),
        ([GOOD[0], GOOD[0]], None, r"row 3: sample P1-T appears twice"),
        ([GOOD[1]], "skip", r"patient P1 has 0 tumour and 1 normal"),
        (GOOD, ["P9\tL1\ta\tb"], r"units.tsv: row 2: sample P9 is not in"),
        (
            GOOD,
            ["P1-T\tL1\t/nonexistent_R1.fq.gz\t/nonexistent_R2.fq.gz"],
            r"units.tsv: row 2: /nonexistent_R1.fq.gz: FASTQ file not found",
        ),
    ],
)
def test_bad_sheets(sheets, rows, units, message):
    write, fq = sheets
    if units == "skip":
        units = [f"P1-N\tL1\t{fq[2]}\t{fq[3]}"]
    with pytest.raises(SheetError, match=message) as err:
        load_sheet(*write(rows, units))
    assert "\n" not in str(err.value)


def test_fastq_that_is_not_fastq(sheets, tmp_path):
    write, fq = sheets
    bad = tmp_path / "bad.fq.gz"
    with gzip.open(bad, "wt") as fh:
        fh.write(">fasta\nACGT\n")
    with pytest.raises(SheetError, match="bad.fq.gz: first record is not FASTQ"):
        load_sheet(*write(GOOD, [f"P1-T\tL1\t{bad}\t{fq[1]}", f"P1-N\tL1\t{fq[2]}\t{fq[3]}"]))


def test_plain_text_fastq_is_refused(sheets, tmp_path):
    write, fq = sheets
    plain = tmp_path / "plain.fq.gz"
    plain.write_text("@r\nACGT\n+\nIIII\n")
    with pytest.raises(SheetError, match="not a readable gzipped FASTQ"):
        load_sheet(*write(GOOD, [f"P1-T\tL1\t{plain}\t{fq[1]}", f"P1-N\tL1\t{fq[2]}\t{fq[3]}"]))


def test_ragged_row(sheets):
    write, _ = sheets
    with pytest.raises(SheetError, match="row 2: number of columns differs"):
        load_sheet(*write(["P1\tP1-T\ttumour\tcrc\t0.5\textra", GOOD[1]]))


def test_files_made_by_the_workflow_are_not_checked(sheets):
    write, fq = sheets
    s, u = write(
        GOOD, ["P1-T\tL1\tresults/x_R1.fq.gz\tresults/x_R2.fq.gz", f"P1-N\tL1\t{fq[2]}\t{fq[3]}"]
    )
    load_sheet(s, u, produced={"results/x_R1.fq.gz", "results/x_R2.fq.gz"})


# ---------------------------------------------------------------- units given as BAM or CRAM

UNITS_BAM = "sample\tunit\tfq1\tfq2\tbam\n"


@pytest.fixture
def alignments(tmp_path):
    """A tiny BAM, a CRAM with M5 on its @SQ lines and one without (reference-free)."""
    import subprocess

    (tmp_path / "ref.fa").write_text(">ctgA\n" + "ACGT" * 50 + "\n")
    subprocess.run(["samtools", "faidx", str(tmp_path / "ref.fa")], check=True)
    sam = tmp_path / "r.sam"
    sam.write_text(
        "@SQ\tSN:ctgA\tLN:200\n"
        "p1\t99\tctgA\t1\t60\t8M\t=\t21\t28\tACGTACGT\tIIIIIIII\n"
        "p1\t147\tctgA\t21\t60\t8M\t=\t1\t-28\tACGTACGT\tIIIIIIII\n"
    )
    out = {}
    for name, args in {
        "bam": ["-b"],
        "cram": ["-C", "-T", str(tmp_path / "ref.fa")],
        "nocheck.cram": ["-C", "--output-fmt-option", "no_ref=1"],
    }.items():
        out[name] = tmp_path / f"r.{name}"
        subprocess.run(["samtools", "view", *args, "-o", str(out[name]), str(sam)], check=True)
    return out


def test_units_given_as_bam_and_cram(sheets, alignments, tmp_path):
    write, fq = sheets
    s, u = write(GOOD)
    u.write_text(
        UNITS_BAM
        + f"P1-T\tL1\t\t\t{alignments['bam']}\n"
        + f"P1-T\tL2\t{fq[0]}\t{fq[1]}\t\n"
        + f"P1-N\tL1\t\t\t{alignments['cram']}\n"
    )
    sheet = load_sheet(s, u)
    assert sheet.is_aligned_input("P1-T", "L1") and sheet.is_aligned_input("P1-N", "L1")
    assert not sheet.is_aligned_input("P1-T", "L2")
    assert sheet.unit("P1-N", "L1")["bam"] == str(alignments["cram"])


def test_units_sheet_with_a_bam_column_only(sheets, alignments):
    write, _ = sheets
    s, u = write(GOOD)
    u.write_text(
        "sample\tunit\tbam\n" + f"P1-T\tL1\t{alignments['bam']}\nP1-N\tL1\t{alignments['cram']}\n"
    )
    sheet = load_sheet(s, u)
    assert sheet.unit("P1-T", "L1")["fq1"] == ""  # every unit has the same keys
    assert sheet.is_aligned_input("P1-T", "L1")


@pytest.mark.parametrize(
    "row,message",
    [
        (
            "P1-T\tL1\t\t\t/nonexistent.bam",
            r"units.tsv: row 2: /nonexistent.bam: BAM/CRAM file not found",
        ),
        (
            "P1-T\tL1\t{fq0}\t{fq1}\t{bam}",
            r"units.tsv: row 2: give either fq1 and fq2 or bam, not both",
        ),
        (
            "P1-T\tL1\t\t\t",
            r"units.tsv: row 2: give fq1 and fq2 \(paired FASTQ\) or bam \(BAM/CRAM\)",
        ),
        ("P1-T\tL1\t{fq0}\t\t", r"units.tsv: row 2: fq1 and fq2 go together"),
        ("P1-T\tL1\t\t\t{fq0}", r"units.tsv: row 2: .*0.fq.gz: not a (readable )?BAM or CRAM file"),
        (
            "P1-T\tL1\t\t\t{nocheck}",
            r"units.tsv: row 2: .*r.nocheck.cram: CRAM @SQ ctgA has neither M5 nor UR, so the "
            r"reference it was written with cannot be checked",
        ),
    ],
)
def test_bad_bam_units(sheets, alignments, row, message):
    write, fq = sheets
    s, u = write(GOOD)
    row = row.format(
        fq0=fq[0], fq1=fq[1], bam=alignments["bam"], nocheck=alignments["nocheck.cram"]
    )
    u.write_text(UNITS_BAM + row + "\n" + f"P1-N\tL1\t{fq[2]}\t{fq[3]}\t\n")
    with pytest.raises(SheetError, match=message) as err:
        load_sheet(s, u)
    assert "\n" not in str(err.value)
