"""Site gene models in any dialect -> the one MANE Select transcript per gene, in csq GFF3."""

import gzip
import random
import shutil
import subprocess
from pathlib import Path

import pysam
import pytest

from tumorboard.reference import genemodel
from tumorboard.reference.gene_model_formats import SeqidMap, convert_gene_models

DATA = Path(__file__).resolve().parents[1] / "data" / "gene_models"
SUMMARY = DATA / "mane_summary.tp53_erbb2.txt"
UCSC = [f"chr{c}" for c in [*range(1, 23), "X", "Y", "M"]]
DIALECTS = {
    "gencode.gtf": "gtf",
    "gencode.gff3": "gencode_gff3",
    "ensembl.gff3": "ensembl_gff3",
    "ncbi.gff3": "ncbi_gff3",
    "csq.gff3": "csq_gff3",  # no MANE tags: chosen by accession via the MANE summary
}
# MANE Select models from GENCODE v45 (ENST00000269305.9 = NM_000546.6; ENST00000269571.10 =
# NM_004448.4): the stop codon is inside the CDS, as csq wants it
TP53_CDS_ENDS = ((7669609, 7669690), (7676521, 7676594))
ERBB2_CDS_ENDS = ((39700239, 39700311), (39727689, 39728044))
CODON = {
    a + b + c: aa
    for (a, b, c), aa in zip(
        ((x, y, z) for x in "TCAG" for y in "TCAG" for z in "TCAG"),
        "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG",
        strict=True,
    )
}


def _convert(tmp_path, name, contig_names=UCSC, **kw):
    if name == "csq.gff3":
        kw.setdefault("mane_summary", SUMMARY)
    out = tmp_path / f"{name}.out.gff3"
    counts = convert_gene_models(DATA / f"tp53_erbb2.{name}", out, contig_names=contig_names, **kw)
    return counts, genemodel.read_gff3(out), out


@pytest.mark.parametrize("name", DIALECTS)
def test_every_dialect_gives_the_same_mane_select_models(tmp_path, name):
    counts, models, _ = _convert(tmp_path, name)
    assert counts["dialect"] == DIALECTS[name]
    assert counts["genes_kept"] == 2
    assert sorted(t.gene for t in models.transcripts) == ["ERBB2", "TP53"]
    tp53, erbb2 = models.transcript("TP53"), models.transcript("ERBB2")
    assert (tp53.chrom, tp53.strand, erbb2.chrom, erbb2.strand) == ("chr17", "-", "chr17", "+")
    assert (tp53.cds[0], tp53.cds[-1]) == TP53_CDS_ENDS
    assert (erbb2.cds[0], erbb2.cds[-1]) == ERBB2_CDS_ENDS
    assert (len(tp53.cds), len(tp53.exons), len(erbb2.cds), len(erbb2.exons)) == (10, 11, 27, 27)
    # 393 and 1255 amino acids plus the stop codon
    assert len(tp53.coding_positions()) == 394 * 3
    assert len(erbb2.coding_positions()) == 1256 * 3
    # MANE Plus Clinical (TP53-203 / NM_900001 in the fixtures, listed first) is not chosen
    assert genemodel._strip_version(tp53.id) in {"ENST00000269305", "NM_000546"}
    # the lncRNA LINC02887 has no MANE Select: skipped and counted
    assert counts["genes_without_mane_select"] == 1
    # the ERBB2 copy on an alt-locus scaffold is skipped and counted
    assert counts["transcripts_skipped_unmapped_seqid"] == 1
    assert counts["unmapped_seqids"][0] in {
        "chr17_KI270909v1_alt",
        "CHR_HSCHR17_1_CTG1",
        "NT_187614.1",
    }


@pytest.mark.parametrize("name", DIALECTS)
def test_identical_gff3_lines_whatever_the_dialect(tmp_path, name):
    """Apart from ids and the source column, the written models are the same line for line."""

    def shape(path):
        rows = [r.split("\t") for r in path.read_text().splitlines() if not r.startswith("#")]
        return [(r[0], r[2], r[3], r[4], r[6], r[7]) for r in rows if r[2] != "gene"]

    _, _, ref = _convert(tmp_path, "gencode.gtf")
    _, _, out = _convert(tmp_path, name)
    assert shape(out) == shape(ref)


def test_mane_ids_are_recorded(tmp_path):
    _, models, _ = _convert(tmp_path, "ncbi.gff3")  # from the file's tag and Dbxref
    tp53 = models.transcript("TP53")
    assert tp53.id == "NM_000546.6"
    assert tp53.attributes["mane_refseq"] == "NM_000546.6"
    assert tp53.attributes["mane_ensembl"] == "ENST00000269305.9"
    _, models, _ = _convert(tmp_path, "ensembl.gff3", mane_summary=SUMMARY)  # from the summary
    erbb2 = models.transcript("ERBB2")
    assert erbb2.id == "ENST00000269571.10"  # Ensembl's version=10 attribute joined on
    assert erbb2.attributes["mane_refseq"] == "NM_004448.4"
    assert erbb2.attributes["mane_ensembl"] == "ENST00000269571.10"
    _, models, _ = _convert(tmp_path, "gencode.gtf")  # no summary: only what the file says
    assert "mane_refseq" not in models.transcript("TP53").attributes


def test_gzipped_input_and_gene_restriction(tmp_path):
    gz = tmp_path / "models.gtf.gz"
    with open(DATA / "tp53_erbb2.gencode.gtf", "rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)
    out = tmp_path / "out.gff3"
    counts = convert_gene_models(gz, out, contig_names=UCSC, genes=["TP53"])
    assert counts["genes_kept"] == 1
    assert [t.gene for t in genemodel.read_gff3(out).transcripts] == ["TP53"]


@pytest.mark.parametrize("gene", ["KRAS", "LINC02887"])
def test_requested_gene_not_found_names_gene_and_file(tmp_path, gene):
    with pytest.raises(ValueError, match=rf"{gene}.*tp53_erbb2\.ncbi\.gff3"):
        _convert(tmp_path, "ncbi.gff3", genes=["TP53", gene])


def test_seqid_renaming():
    ucsc, ensembl = SeqidMap(["chr17", "chrX", "chrM"]), SeqidMap(["17", "X", "MT"])
    assert [ucsc(s) for s in ("17", "chr17", "NC_000017.11", "NC_000023.11", "MT")] == [
        "chr17",
        "chr17",
        "chr17",
        "chrX",
        "chrM",
    ]
    assert [ensembl(s) for s in ("chr17", "NC_012920.1", "chrM", "NC_000024.10")] == [
        "17",
        "MT",
        "MT",
        None,
    ]
    for scaffold in ("chr17_KI270909v1_alt", "NT_187614.1", "KI270909.1", "chrUn_GL000220v1"):
        assert ucsc(scaffold) is None


def test_ensembl_style_fasta_names(tmp_path):
    _, models, _ = _convert(tmp_path, "gencode.gtf", contig_names=["1", "17", "X"])
    assert {t.chrom for t in models.transcripts} == {"17"}


def test_output_sorted_by_fasta_order_then_position(tmp_path):
    _, _, out = _convert(tmp_path, "ncbi.gff3", contig_names=["chr1", "chr17"])
    rows = [r.split("\t") for r in out.read_text().splitlines() if not r.startswith("#")]
    genes = [(r[0], int(r[3])) for r in rows if r[2] == "gene"]
    assert genes == sorted(genes) and len(genes) == 2


def test_nothing_maps_is_a_one_line_error(tmp_path):
    with pytest.raises(ValueError) as err:
        _convert(tmp_path, "ncbi.gff3", contig_names=["chr1", "chr2", "chrX"])
    msg = str(err.value)
    assert "\n" not in msg
    assert "tp53_erbb2.ncbi.gff3" in msg and "NC_000017.11" in msg and "chr1" in msg


def test_untagged_file_needs_the_summary(tmp_path):
    with pytest.raises(ValueError, match="MANE summary"):
        convert_gene_models(DATA / "tp53_erbb2.csq.gff3", tmp_path / "o.gff3", contig_names=UCSC)


def test_panel_models_of_the_mirror_match_select_mane(mirror, mane_models, tmp_path):
    """The mirror's own csq-dialect file (some genes tagged, some RefSeq without tags)."""
    out = tmp_path / "panel.gff3"
    panel = sorted({t.gene for t in mane_models.transcripts})
    convert_gene_models(
        mirror / "annotation" / "genes.grch38.gff3",
        out,
        contig_names=UCSC,
        mane_summary=mirror / "annotation" / "MANE.GRCh38.v1.0.summary.txt.gz",
        genes=panel,
    )
    got = genemodel.read_gff3(out)
    for want in mane_models.transcripts:
        t = got.transcript(want.gene)
        assert t.versioned_id == want.versioned_id
        assert (t.cds, t.exons) == (want.cds, want.exons)
        assert t.attributes["mane_refseq"] == want.attributes["mane_refseq"]


# --------------------------------------------------------------------------------------------
# the real GENCODE v45 chr17 gene set, and bcftools csq on the converted models
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chr17(mirror, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("chr17")
    out = tmp / "chr17.gff3"
    gtf = mirror / "annotation" / "gencode.v45.chr17.annotation.gtf.gz"
    counts = convert_gene_models(gtf, out, contig_names=["chr17"])
    return counts, out, genemodel.read_gff3(out)


@pytest.fixture(scope="module")
def chr17_fasta(mirror, tmp_path_factory):
    """chr17 as N except the TP53 and ERBB2 loci of the mirror, at their GRCh38 positions."""
    path = tmp_path_factory.mktemp("fa") / "chr17.fa"
    with pysam.FastaFile(str(mirror / "reference" / "grch38_loci.fa")) as fa:
        seq = "".join(
            [
                "N" * 7_661_178,
                fa.fetch("TP53_chr17_7661179_7688546"),
                "N" * (39_686_913 - 7_688_546),
                fa.fetch("ERBB2_chr17_39686914_39730662"),
            ]
        )
    assert len(seq) == 39_730_662
    with open(path, "w") as fh:
        fh.write(">chr17\n")
        fh.writelines(seq[i : i + 60] + "\n" for i in range(0, len(seq), 60))
    pysam.faidx(str(path))
    return path


def test_real_gencode_chr17(chr17):
    counts, _, models = chr17
    print(counts)
    assert counts["dialect"] == "gtf"
    ids = {t.gene: t.id for t in models.transcripts}
    assert ids["TP53"] == "ENST00000269305.9"
    assert ids["ERBB2"] == "ENST00000269571.10"
    # SEPTIN9's MANE Plus Clinical transcript (ENST00000329047) is not its MANE Select
    assert not ids["SEPTIN9"].startswith("ENST00000329047")
    # chr17 holds ~1,200 protein-coding genes (of ~19,000 MANE Select genes genome-wide)
    assert 1000 <= counts["genes_kept"] <= 1300
    assert len(ids) == counts["genes_kept"] == len(models.transcripts)
    assert counts["cds_length_not_multiple_of_3"] == 0


def test_translated_cds_ends_in_a_stop(chr17, chr17_fasta):
    _, _, models = chr17
    comp = str.maketrans("ACGT", "TGCA")
    with pysam.FastaFile(str(chr17_fasta)) as fa:
        for gene in ("TP53", "ERBB2"):
            t = models.transcript(gene)
            bases = "".join(fa.fetch("chr17", p - 1, p) for p in t.coding_positions())
            if t.strand == "-":
                bases = bases.translate(comp)
            protein = "".join(CODON[bases[i : i + 3]] for i in range(0, len(bases), 3))
            assert protein.startswith("M") and protein.endswith("*")
            assert "*" not in protein[:-1]


def test_bcftools_csq_on_converted_models(chr17, chr17_fasta, tmp_path):
    _, gff, _ = chr17
    vcf = tmp_path / "calls.vcf"
    vcf.write_text(
        "##fileformat=VCFv4.2\n##contig=<ID=chr17,length=39730662>\n"
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
        "chr17\t7675088\t.\tC\tT\t.\tPASS\t.\n"
        "chr17\t39724747\t.\tG\tT\t.\tPASS\t.\n"
    )
    run = subprocess.run(
        ["bcftools", "csq", "-l", "-f", str(chr17_fasta), "-g", str(gff), str(vcf)],
        capture_output=True,
        text=True,
        check=True,
    )
    bcsq = [line.split("\t")[7] for line in run.stdout.splitlines() if line[0] != "#"]
    assert "missense|TP53|ENST00000269305.9|protein_coding|-|175R>175H|7675088C>T" in bcsq[0]
    assert "missense|ERBB2|ENST00000269571.10|protein_coding|+|777V>777L|39724747G>T" in bcsq[1]
    assert "Warning" not in run.stderr, run.stderr


def test_transcripts_at_agrees_with_a_linear_scan(chr17):
    _, _, models = chr17
    rng = random.Random(17)
    spans = [(t.start, t.end) for t in models.transcripts]
    probes = [rng.randint(1, 84_000_000) for _ in range(300)]
    probes += [p for s, e in rng.sample(spans, 100) for p in (s - 1, s, e, e + 1)]
    for pos in probes:
        linear = [t for t in models.transcripts if t.chrom == "chr17" and t.start <= pos <= t.end]
        assert models.transcripts_at("chr17", pos) == linear
    assert models.transcripts_at("chr1", 7675088) == []
    assert [t.gene for t in models.transcripts_at("chr17", 7675088)] == ["TP53"]
