"""The bad-input matrix of the VCF-start path, copy-number segments and sample sheets (issue 14):
each bad input stops with one line naming the file, the record or row, and the problem, never a
traceback and never a plausible wrong report.  The checks run as the workflow runs them: the
header, sheet and segment checks at parse time (``load_sheet``), the record checks on import
(``import_vcf``).  One end-to-end case shows Snakemake stopping before any job."""

import gzip
import subprocess
import sys
from pathlib import Path

import pysam
import pytest

from tumorboard.annotation.vcf_import import VcfImportError, check_header, import_vcf
from tumorboard.copynumber.segments import SegmentsError, read_segments
from tumorboard.inputs.sheet import SheetError, load_sheet
from tumorboard.reference.contigs import ContigMap, parse_contig_name

PROJECT = Path(__file__).resolve().parents[2]
BASE = PROJECT / "config" / "config.yaml"

# a demo-style contig holding GRCh38 chr7:140,753,301-140,753,400 (BRAF V600 at 140,753,336)
CONTIG = "BRAF_chr7_140753301_140753400"
SEQ = ("ACGTTGCA" * 13)[:100]
BRAF_POS = 140753336
BRAF_REF = SEQ[BRAF_POS - 140753301]
BRAF_ALT = "T" if BRAF_REF != "T" else "A"

HEAD = (
    "##fileformat=VCFv4.2\n"
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">\n'
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">\n'
)
CHROM7 = "##contig=<ID=7,length=159345973>\n"


def vcf_text(samples=("TUMOUR",), records=(), meta=CHROM7, head=HEAD):
    cols = "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT"])
    lines = [head + meta + cols + "".join("\t" + s for s in samples)]
    lines += ["\t".join(map(str, r)) for r in records]
    return "\n".join(lines) + "\n"


def braf(*fields, ref=BRAF_REF, alt=BRAF_ALT, fmt="GT:AD:DP"):
    return ("7", BRAF_POS, ".", ref, alt, ".", "PASS", ".", fmt, *fields)


def write_bgzip(path, text):
    with pysam.BGZFile(str(path), "wb") as fh:
        fh.write(text.encode())
    return path


@pytest.fixture
def genome(tmp_path):
    fa = tmp_path / "genome.fa"
    fa.write_text(f">{CONTIG}\n{SEQ}\n")
    pysam.faidx(str(fa))
    return str(fa), ContigMap([parse_contig_name(CONTIG)])


def run_import(tmp_path, genome, vcf, sample="P1-T", column=""):
    fa, cmap = genome
    out, outside = tmp_path / "calls.vcf", tmp_path / "outside.tsv"
    import_vcf(str(vcf), sample, cmap, fa, str(out), str(outside), [], column=column)
    with pysam.VariantFile(str(out)) as v:
        return [(r.pos, r.samples[sample]["AD"]) for r in v]


# --- the tumour column of a multi-sample VCF -------------------------------------------------

NORMAL_FIRST = [braf("0/0:100,0:100", "0/1:60,40:100")]


@pytest.mark.parametrize(
    "meta,samples,sheet_sample,declared",
    [
        ("##tumor_sample=TUMOUR\n##normal_sample=NORMAL\n", ("NORMAL", "TUMOUR"), "P1-T", ""),
        ("##normal_sample=NORMAL\n", ("NORMAL", "TUMOUR"), "P1-T", ""),  # the other column
        ("", ("NORMAL", "P1-T"), "P1-T", ""),  # named as the sheet's sample
        ("", ("NORMAL", "TUMOUR"), "P1-T", "TUMOUR"),  # the sheet's vcf_sample
    ],
)
def test_normal_column_first_reads_the_tumour(tmp_path, genome, meta, samples, sheet_sample,
                                              declared):  # fmt: skip
    vcf = tmp_path / "in.vcf"
    vcf.write_text(vcf_text(samples, NORMAL_FIRST, CHROM7 + meta))
    assert check_header(vcf, sheet_sample, declared) == samples[1]
    shift = BRAF_POS - 140753300
    assert run_import(tmp_path, genome, vcf, sheet_sample, declared) == [(shift, (60, 40))]


# --- the matrix: case -> one line --------------------------------------------------------------

GRCH37_REF = "##reference=file:///data/human_g1k_v37.fasta\n"
GRCH37_CONTIG = "##contig=<ID=7,length=159138663>\n"
NO_DEPTH_HEAD = "##fileformat=VCFv4.2\n" + HEAD.splitlines(True)[1]


def header_case(tmp_path, case):
    """The file of a header-level case (checked at parse time)."""
    vcf = tmp_path / "in.vcf"
    if case == "not a VCF":
        vcf.write_text("patient\tgene\tvariant\nP1\tBRAF\tV600E\n")
    elif case == "truncated bgzip":
        vcf = write_bgzip(tmp_path / "in.vcf.gz", vcf_text(records=[braf("0/1:60,40:100")] * 50))
        vcf.write_bytes(vcf.read_bytes()[:-40])
    elif case == "plain gzip":
        vcf = tmp_path / "in.vcf.gz"
        with gzip.open(vcf, "wt") as fh:
            fh.write(vcf_text(records=[braf("0/1:60,40:100")]))
    elif case == "ambiguous columns":
        vcf.write_text(vcf_text(("NORMAL", "TUMOUR"), NORMAL_FIRST))
    elif case == "only column is the normal":
        meta = CHROM7 + "##normal_sample=NORMAL\n"
        vcf.write_text(vcf_text(("NORMAL",), [braf("0/0:100,0:100")], meta))
    elif case == "tumor_sample not a column":
        vcf.write_text(vcf_text(("A", "B"), NORMAL_FIRST, CHROM7 + "##tumor_sample=TUMOUR\n"))
    elif case == "GRCh37 reference":
        vcf.write_text(vcf_text(records=[braf("0/1:60,40:100")], meta=GRCH37_REF))
    elif case == "GRCh37 contig length":
        vcf.write_text(vcf_text(records=[braf("0/1:60,40:100")], meta=GRCH37_CONTIG))
    elif case == "hg19 chr1 length":
        vcf.write_text(vcf_text(meta="##contig=<ID=chr1,length=249250621>\n"))
    elif case == "no depth fields":
        vcf.write_text(vcf_text(records=[braf("0/1", fmt="GT")], head=NO_DEPTH_HEAD))
    return vcf


HEADER_MATRIX = [
    ("not a VCF", "not a readable VCF"),
    ("truncated bgzip", "truncated bgzip file (no BGZF end-of-file block)"),
    ("plain gzip", "compressed with gzip, not bgzip: recompress it"),
    ("ambiguous columns", "cannot tell which column is the tumour (no ##tumor_sample line and "
     "no column named P1-T; columns: NORMAL, TUMOUR): name it in the sheet's vcf_sample column"),
    ("only column is the normal", "the only column is the normal (##normal_sample=NORMAL"),
    ("tumor_sample not a column",
     "##tumor_sample=TUMOUR is not a column of the VCF (columns: A, B)"),
    ("GRCh37 reference", "##reference=file:///data/human_g1k_v37.fasta names another build than "
     "GRCh38"),
    ("GRCh37 contig length", "##contig 7 has length 159,138,663 (GRCh37's length), GRCh38's is "
     "159,345,973: the VCF is not on GRCh38"),
    ("hg19 chr1 length", "##contig chr1 has length 249,250,621 (GRCh37's length)"),
    ("no depth fields", "no depth/allele fraction fields for tumour column TUMOUR"),
]  # fmt: skip


@pytest.mark.parametrize("case,message", HEADER_MATRIX, ids=[c for c, _ in HEADER_MATRIX])
def test_bad_vcf_header_is_one_line_at_parse_time(tmp_path, case, message):
    vcf = header_case(tmp_path, case)
    samples, units = tmp_path / "samples.tsv", tmp_path / "units.tsv"
    samples.write_text(
        "patient\tsample\ttype\ttumour_type\tvcf\n"
        f"P1\tP1-T\ttumour\tcolorectal adenocarcinoma\t{vcf}\n"
    )
    units.write_text("sample\tunit\tfq1\tfq2\n")
    with pytest.raises(SheetError) as exc:
        load_sheet(samples, units)
    text = str(exc.value)
    assert text.startswith(f"{samples}: row 2: {vcf}: ") and message in text, text
    assert "\n" not in text


RECORD_MATRIX = [
    ("tumour AD missing", [braf("0/1:.:.")], "record 7:140753336 has no usable depth/allele "
     "fraction for tumour column TUMOUR"),
    ("no ALT", [braf("0/1:60,40:100", alt=".")], "record 7:140753336 has no ALT allele"),
    ("invalid ALT", [braf("0/1:60,40:100", alt="TZ")],
     "record 7:140753336 has an invalid ALT 'TZ'"),
    ("invalid REF", [braf("0/1:60,40:100", ref="R")], "record 7:140753336 has an invalid REF 'R'"),
    ("REF differs from GRCh38", [braf("0/1:60,40:100", ref="GG" if BRAF_REF != "G" else "CC")],
     "record 7:140753336 REF"),
]  # fmt: skip


@pytest.mark.parametrize(
    "case,records,message", RECORD_MATRIX, ids=[c for c, _, _ in RECORD_MATRIX]
)
def test_bad_vcf_record_is_one_line_on_import(tmp_path, genome, case, records, message):
    vcf = tmp_path / "in.vcf"
    vcf.write_text(vcf_text(records=records))
    with pytest.raises(VcfImportError) as exc:
        run_import(tmp_path, genome, vcf)
    text = str(exc.value)
    assert text.startswith(f"{vcf}: ") and message in text and "\n" not in text, text


def test_truncated_bgzip_data_is_one_line_on_import(tmp_path, genome):
    """Past the parse-time EOF check (a file cut inside a block): htslib's error, one line."""
    vcf = write_bgzip(tmp_path / "in.vcf.gz", vcf_text(records=[braf("0/1:60,40:100")] * 2000))
    data = vcf.read_bytes()
    vcf.write_bytes(data[: len(data) // 2])
    with pytest.raises(VcfImportError) as exc:
        run_import(tmp_path, genome, vcf)
    assert str(exc.value).startswith(f"{vcf}: unreadable VCF data") and "\n" not in str(exc.value)


# --- copy-number segments ----------------------------------------------------------------------

CNA_HEAD = "Chromosome\tStart\tEnd\tnMajor\tnMinor\n"
CNA_MATRIX = [
    ("missing columns", "Chrom\tStart\tEnd\tnMajor\tnMinor\n1\t10\t20\t1\t1\n",
     "missing column Chromosome (expected Chromosome, Start, End and nMajor+nMinor or "
     "Segment_Mean; has: Chrom, Start, End, nMajor, nMinor)"),
    ("no copy-number columns", "Chromosome\tStart\tEnd\tcopies\n1\t10\t20\t2\n",
     "neither nMajor+nMinor nor Segment_Mean columns"),
    ("non-numeric copies", CNA_HEAD + "1\t10\t20\t1\t1\n7\t10\t20\tthree\t1\n",
     "row 3: nMajor = 'three' is not a number"),
    ("blank copies", CNA_HEAD + "1\t10\t20\t\t1\n", "row 2: nMajor = '' is not a number"),
    ("non-numeric start", CNA_HEAD + "1\t1e6x\t20\t1\t1\n",
     "row 2: Start = '1e6x' is not a number"),
    ("unknown chromosome", CNA_HEAD + "1\t10\t20\t1\t1\nchr99\t10\t20\t1\t1\n",
     "row 3: unknown chromosome 'chr99'"),
    ("end before start", CNA_HEAD + "7\t30\t20\t1\t1\n", "row 2: segment chr7:30-20 ends before"),
]  # fmt: skip


@pytest.mark.parametrize("case,text,message", CNA_MATRIX, ids=[c for c, _, _ in CNA_MATRIX])
def test_bad_segments_are_one_line(tmp_path, case, text, message):
    cna = tmp_path / "cna.tsv"
    cna.write_text(text)
    with pytest.raises(SegmentsError) as exc:
        read_segments(cna)
    assert str(exc.value).startswith(f"{cna}: ") and message in str(exc.value), str(exc.value)
    assert "\n" not in str(exc.value)


def test_bad_segments_stop_at_parse_time(tmp_path):
    vcf = tmp_path / "in.vcf"
    vcf.write_text(vcf_text(records=[braf("0/1:60,40:100")]))
    cna = tmp_path / "cna.tsv"
    cna.write_text(CNA_HEAD + "X\t10\t20\tNA\t1\n")
    samples, units = tmp_path / "samples.tsv", tmp_path / "units.tsv"
    samples.write_text(
        "patient\tsample\ttype\ttumour_type\tvcf\tcna\n"
        f"P1\tP1-T\ttumour\tcolorectal adenocarcinoma\t{vcf}\t{cna}\n"
    )
    units.write_text("sample\tunit\tfq1\tfq2\n")
    with pytest.raises(SheetError, match=r"row 2: .*cna.tsv: row 2: nMajor = 'NA' is not a number"):
        load_sheet(samples, units)


def test_good_segments_read_as_before(mirror):
    seg = read_segments(mirror / "variants" / "pcgr_T001.grch38.cna.tsv")
    assert list(seg.columns) == ["chrom", "start", "end", "copies"]
    assert seg.iloc[0].to_dict() == {"chrom": "chr1", "start": 809641, "end": 37651942,
                                     "copies": 1.0}  # fmt: skip


def test_real_tcga_vcfs_pass_the_header_checks(mirror):
    """Lifted over to GRCh38 (CrossMap), ``7``-style names, no ##contig lengths, one column."""
    for name in ("pcgr_T001-COAD.grch38.vcf.gz", "pcgr_T001-BRCA.grch38.vcf.gz"):
        column = check_header(mirror / "variants" / name, "T001-T")
        assert column.startswith("TCGA-")


# --- sheets ------------------------------------------------------------------------------------

SHEET_MATRIX = [
    ("purity on a normal row", "patient\tsample\ttype\ttumour_type\tpurity\n"
     "P1\tP1-T\ttumour\tcrc\t\nP1\tP1-N\tnormal\t\t0.6\n",
     "row 3: purity is given on a normal row (P1-N); it is the tumour's cell fraction"),
    ("misspelt purity column", "patient\tsample\ttype\ttumour_type\ttumour_purity\n"
     "P1\tP1-T\ttumour\tcrc\t0.6\nP1\tP1-N\tnormal\t\t\n",
     "unknown column 'tumour_purity' (did you mean purity?"),
    ("vcf_sample on a normal row", "patient\tsample\ttype\ttumour_type\tvcf_sample\n"
     "P1\tP1-T\ttumour\tcrc\t\nP1\tP1-N\tnormal\t\tN\n",
     "row 3: vcf/cna/vcf_sample are given on tumour rows only"),
    ("vcf_sample without a vcf", "patient\tsample\ttype\ttumour_type\tvcf_sample\n"
     "P1\tP1-T\ttumour\tcrc\tT\nP1\tP1-N\tnormal\t\t\n",
     "row 2: vcf_sample names a column of a vcf: give the vcf"),
]  # fmt: skip


@pytest.mark.parametrize("case,text,message", SHEET_MATRIX, ids=[c for c, _, _ in SHEET_MATRIX])
def test_bad_sheet_is_one_line(tmp_path, case, text, message):
    samples, units = tmp_path / "samples.tsv", tmp_path / "units.tsv"
    samples.write_text(text)
    units.write_text("sample\tunit\tfq1\tfq2\nP1-T\tL1\ta\tb\nP1-N\tL1\tc\td\n")
    with pytest.raises(SheetError) as exc:
        load_sheet(samples, units, check_files=False)
    assert message in str(exc.value) and "\n" not in str(exc.value), str(exc.value)


# --- end to end: Snakemake stops before any job, with the one line -----------------------------


def test_grch37_vcf_stops_snakemake_with_one_line(tmp_path):
    vcf = header_case(tmp_path, "GRCh37 contig length")
    samples, units = tmp_path / "samples.tsv", tmp_path / "units.tsv"
    samples.write_text(
        "patient\tsample\ttype\ttumour_type\tvcf\n"
        f"P1\tP1-T\ttumour\tcolorectal adenocarcinoma\t{vcf}\n"
    )
    units.write_text("sample\tunit\tfq1\tfq2\n")
    res = subprocess.run(
        [str(Path(sys.executable).with_name("snakemake")), "-n", "--cores", "1",
         "--configfile", str(BASE), "--config", f"samples={samples}", f"units={units}"],
        cwd=PROJECT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    out = res.stdout + res.stderr
    lines = [ln for ln in out.splitlines() if "tumorboard:" in ln]
    assert res.returncode != 0
    assert lines == [
        f"tumorboard: {samples}: row 2: {vcf}: ##contig 7 has length 159,138,663 (GRCh37's "
        "length), GRCh38's is 159,345,973: the VCF is not on GRCh38 (lift it over, e.g. with "
        "CrossMap)"
    ], out
    assert "Traceback" not in out
