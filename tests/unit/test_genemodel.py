"""MANE Select models: the right transcripts, codons at their real GRCh38 positions."""

import csv

import pysam
import pytest

from tumorboard.reference import genemodel
from tumorboard.reference.contigs import ContigMap, parse_contig_name


def test_one_mane_select_transcript_per_gene(mane_models):
    got = {t.gene: t.attributes["mane_refseq"] for t in mane_models.transcripts}
    assert got == {
        "BRAF": "NM_004333.6",
        "CDKN2A": "NM_000077.5",
        "EGFR": "NM_005228.5",
        "ERBB2": "NM_004448.4",
        "KRAS": "NM_004985.5",
        "TP53": "NM_000546.6",
    }


@pytest.mark.parametrize(
    "gene,codon,positions",
    [
        ("KRAS", 12, [25245351, 25245350, 25245349]),  # c.34-36, minus strand
        ("BRAF", 600, [140753337, 140753336, 140753335]),  # c.1798-1800
        ("EGFR", 858, [55191821, 55191822, 55191823]),  # c.2572-2574, plus strand
        ("TP53", 175, [7675089, 7675088, 7675087]),
    ],
)
def test_codon_positions(mane_models, gene, codon, positions):
    assert mane_models.transcript(gene).codon_positions(codon) == positions


def test_protein_lengths_match_mane(mane_models):
    # coding length / 3 - 1 (stop) = protein length of the MANE RefSeq protein
    lengths = {t.gene: len(t.coding_positions()) // 3 - 1 for t in mane_models.transcripts}
    assert lengths == {
        "BRAF": 766,
        "CDKN2A": 156,
        "EGFR": 1210,
        "ERBB2": 1255,
        "KRAS": 188,
        "TP53": 393,
    }


def test_hotspot_table_reference_amino_acids_match_the_models(mane_models, mirror, project):
    """The authored hotspot list must agree with the translated MANE models."""
    code = dict(
        zip(
            (a + b + c for a in "TCAG" for b in "TCAG" for c in "TCAG"),
            "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG",
            strict=True,
        )
    )
    fa = pysam.FastaFile(str(mirror / "reference" / "grch38_loci.fa"))
    cmap = ContigMap([parse_contig_name(n) for n in fa.references])
    comp = str.maketrans("ACGT", "TGCA")
    with open(project / "resources" / "hotspots.tsv") as fh:
        rows = list(csv.DictReader((ln for ln in fh if not ln.startswith("#")), delimiter="\t"))
    checked = 0
    for row in rows:
        if not mane_models.by_gene(row["gene"]):
            continue
        tx = mane_models.transcript(row["gene"])
        if row["codon_end"]:  # exon-level event: both ends of the codon range in the stated exon
            for c in (int(row["codon"]), int(row["codon_end"])):
                assert str(tx.exon_number(tx.codon_positions(c)[1])) == row["exon"], row
            continue
        bases = ""
        for p in tx.codon_positions(int(row["codon"])):
            contig, cpos = cmap.from_grch38(tx.chrom, p)
            bases += fa.fetch(contig, cpos - 1, cpos)
        if tx.strand == "-":
            bases = bases.translate(comp)
        assert code[bases] == row["ref_aa"], row
        assert str(tx.exon_number(tx.codon_positions(int(row["codon"]))[1])) == row["exon"], row
        checked += 1
    assert checked >= 20


def test_lift_to_contigs_and_back(mane_models, mirror, tmp_path):
    fa = pysam.FastaFile(str(mirror / "reference" / "grch38_loci.fa"))
    cmap = ContigMap([parse_contig_name(n) for n in fa.references])
    lifted = genemodel.lift_to_contigs(mane_models, cmap)
    genemodel.write_gff3(lifted, tmp_path / "m.gff3")
    again = genemodel.read_gff3(tmp_path / "m.gff3")
    kras = [t for t in again.transcripts if t.gene == "KRAS"][0]
    assert kras.chrom == "KRAS_chr12_25204646_25251936"
    assert cmap.to_grch38(kras.chrom, kras.codon_positions(12)[1]) == ("chr12", 25245350)


def test_gene_without_mane_model_is_an_error(mane_models):
    with pytest.raises(ValueError, match="NRAS"):
        genemodel.select_mane(mane_models, {}, ["NRAS"])


def test_project_gene_model_files_read_as_one(mirror, tmp_path):
    """NRAS and PIK3CA come from a second manifest file: read together with the six genes, their
    MANE Select models give the proteins of NM_002524.5 (189 aa) and NM_006218.4 (1,068 aa)."""
    out = tmp_path / "all.gff3"
    paths = [mirror / f"annotation/{name}.grch38.gff3" for name in ("genes", "genes_ras_pi3k")]
    genemodel.concatenate_gff3(paths, out)
    assert out.read_text().count("##gff-version") == 1
    mane = genemodel.read_mane_select(mirror / "annotation/MANE.GRCh38.v1.0.summary.txt.gz")
    models = genemodel.select_mane(genemodel.read_gff3(out), mane, ["KRAS", "NRAS", "PIK3CA"])
    cds = {t.gene: sum(e - s + 1 for s, e in t.cds) for t in models.transcripts}
    assert sorted(cds) == ["KRAS", "NRAS", "PIK3CA"]  # CDS with the stop codon:
    assert (cds["NRAS"], cds["PIK3CA"]) == (190 * 3, 1069 * 3)
    copy = tmp_path / "copy.gff3"
    copy.write_text(paths[1].read_text())
    with pytest.raises(ValueError, match="also defined in"):
        genemodel.concatenate_gff3([paths[1], copy], tmp_path / "x.gff3")
