"""Bad sample sheets give one clear line naming the file, the row and the problem."""

import gzip

import pytest

from tumorboard.sheet import SheetError, load_sheet

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
