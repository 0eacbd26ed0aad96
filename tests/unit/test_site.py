"""Site mode pieces: identity contig map, naming checks, BED targets labelled by gene, up-front
checks of the reference and index."""

import random

import pysam
import pytest

from tumorboard.annotation.vcf_import import GeneSpans
from tumorboard.reference import panel, site
from tumorboard.reference.contigs import (
    Contig,
    ContigMap,
    ContigNameError,
    check_names,
    grch38_chrom,
    translate_name,
)
from tumorboard.reference.genemodel import GeneModels, Transcript


def write_fasta(path, seqs):
    with open(path, "w") as fh:
        for name, seq in seqs.items():
            fh.write(f">{name}\n{seq}\n")
    pysam.faidx(str(path))
    return path


def test_identity_map_keeps_positions_and_normalises_names(tmp_path):
    fa = write_fasta(tmp_path / "g.fa", {"7": "ACGT" * 10, "MT": "A" * 8, "chrUn_x": "C" * 5})
    cmap = ContigMap.identity(f"{fa}.fai")
    assert [c.chrom for c in cmap.contigs] == ["chr7", "chrM", "chrUn_x"]  # "7" is shown as chr7
    assert cmap.to_grch38("7", 17) == ("chr7", 17)
    assert cmap.from_grch38("chr7", 40) == ("7", 40)
    assert cmap.from_grch38("7", 41) is None
    assert cmap.to_grch38("MT", 3) == ("chrM", 3)
    assert cmap.from_grch38("chrUn_x", 2) == ("chrUn_x", 2)


def test_bisection_lookup_agrees_with_a_scan():
    rng = random.Random(7)
    contigs, pos = [], 1
    for i in range(300):
        pos += rng.randint(1, 5000)
        length = rng.randint(10, 3000)
        contigs.append(Contig(f"c{i}", "chr1" if i % 2 else "chr2", pos, pos + length - 1))
        pos += length
    cmap = ContigMap(contigs)
    for _ in range(3000):
        chrom, p = rng.choice(["chr1", "chr2", "1"]), rng.randint(1, pos)
        scan = [
            (c.name, p - c.offset)
            for c in contigs
            if c.chrom == grch38_chrom(chrom) and c.start <= p <= c.end
        ]
        assert cmap.from_grch38(chrom, p) == (scan[0] if scan else None)


def test_names_differing_by_chr_prefix_say_how_to_fix():
    with pytest.raises(ContigNameError) as err:
        check_names("panel.bed", "kit.bed", ["7", "12"], ["chr7", "chr12"], "genome.fa")
    msg = str(err.value)
    assert "\n" not in msg
    assert "kit.bed" in msg and "'7'" in msg and "'chr7'" in msg and "1 more" in msg
    assert "rename" in msg
    with pytest.raises(ContigNameError, match="no such sequence"):
        check_names("panel.bed", "kit.bed", ["chrZ"], ["chr7"], "genome.fa")
    check_names("panel.bed", "kit.bed", ["chr7"], ["chr7", "chr12"], "genome.fa")


def test_translate_name_only_across_the_chr_prefix():
    assert translate_name("7", {"chr7"}) == "chr7"
    assert translate_name("chr7", {"7"}) == "7"
    assert translate_name("MT", {"chrM"}) == "chrM"
    assert translate_name("chrM", {"MT"}) == "MT"
    assert translate_name("GL000192.1", {"chr7"}) is None


def tx(gene, chrom, cds):
    t = Transcript(f"T{gene}", gene, f"G{gene}", chrom, "+", cds[0][0], cds[-1][1])
    t.cds, t.exons = list(cds), list(cds)
    return t


MODELS = GeneModels(
    ["##gff-version 3"],
    {},
    [
        tx("KRAS", "chr12", [(1000, 1100), (5000, 5120)]),
        tx("BRCA2", "chr13", [(300, 400)]),
        tx("OTHER", "chr12", [(1090, 1200)]),
    ],
)


def test_bed_targets_are_labelled_by_coding_exon_overlap():
    bed = [
        panel.Target("chr12", 980, 1105, "kit_name_ignored"),
        panel.Target("chr12", 1050, 1110, ""),  # overlaps the first: merged
        panel.Target("chr12", 3000, 3200, "intron"),
        panel.Target("chr12", 5100, 5300, ""),
        panel.Target("chr13", 250, 350, ""),
    ]
    out = panel.label_targets(bed, MODELS, ["KRAS"])
    assert [(t.contig, t.start, t.end, t.name) for t in out] == [
        ("chr12", 980, 1110, "KRAS"),
        ("chr12", 3000, 3200, "backbone"),
        ("chr12", 5100, 5300, "KRAS"),
        ("chr13", 250, 350, "backbone"),  # BRCA2 is not a reported gene: background
    ]
    every = {(t.contig, t.start): t.name for t in panel.label_targets(bed, MODELS, [])}
    assert every[("chr13", 250)] == "BRCA2"
    # largest overlap wins: 980-1110 overlaps KRAS by 101 bp and OTHER by 20 bp
    assert every[("chr12", 980)] == "KRAS"


def test_site_targets_without_bed_and_unknown_gene(tmp_path):
    t = panel.site_targets(None, MODELS, ["KRAS"], 20)
    assert {x.name for x in t} == {"KRAS"} and t[0].start == 1000 - 1 - 20
    with pytest.raises(ValueError, match="NRAS"):
        panel.site_targets(None, MODELS, ["KRAS", "NRAS"], 20)


def test_read_bed_skips_headers_and_names_bad_lines(tmp_path):
    bed = tmp_path / "kit.bed"
    bed.write_text("track name=x\n#c\nchr1\t10\t20\tA\nchr1\t30\t40\n")
    assert [(t.start, t.end, t.name) for t in panel.read_bed(bed)] == [(10, 20, "A"), (30, 40, "")]
    bed.write_text("chr1\t10\t20\nchr1\tten\t40\n")
    with pytest.raises(ValueError, match=r"kit.bed:2"):
        panel.read_bed(bed)


def test_reference_checks_name_the_missing_file(tmp_path):
    with pytest.raises(site.SiteError, match="file not found"):
        site.check_reference(str(tmp_path / "none.fa"))
    fa = tmp_path / "g.fa"
    fa.write_text(">chr1\nACGT\n")
    with pytest.raises(site.SiteError, match="samtools faidx"):
        site.check_reference(str(fa))
    pysam.faidx(str(fa))
    assert site.check_reference(str(fa)) == ["chr1"]
    with pytest.raises(site.SiteError, match=r"missing .*idx\.amb"):
        site.check_reference(str(fa), str(tmp_path / "idx"))


def test_gene_lookup_by_bisection_matches_a_scan():
    rng = random.Random(3)
    spans = []
    for i in range(2000):
        s = rng.randint(1, 10_000_000)
        spans.append((rng.choice(["chr1", "chr2"]), s, s + rng.randint(100, 200_000), f"G{i}"))
    index = GeneSpans(spans)
    for _ in range(2000):
        c, p = rng.choice(["chr1", "chr2"]), rng.randint(1, 10_200_000)
        hits = [g for cc, s, e, g in spans if cc == c and s <= p <= e]
        assert index.at(c, p) == (hits[0] if hits else None)


def test_reported_genes_are_the_configured_ones_or_every_gene_the_bed_names(tmp_path):
    bed = tmp_path / "targets.bed"
    bed.write_text("chr12\t1\t9\tKRAS\nchr12\t20\t30\tbackbone\nchr17\t5\t9\tTP53\n")
    assert panel.reported_genes(["ERBB2"], bed) == ["ERBB2"]
    assert panel.reported_genes([], bed) == ["KRAS", "TP53"]
    vcf_start = [{"variants": [{"gene": "ITGAE"}, {"gene": "TP53"}]}]
    assert panel.reported_genes([], bed, vcf_start) == ["ITGAE", "KRAS", "TP53"]


def test_gene_model_names_are_checked_with_the_conversion_s_own_renaming(tmp_path):
    fa = write_fasta(tmp_path / "g.fa", {"chr17": "ACGT" * 10})
    sheet = type("Sheet", (), {"patients": {}})()
    config = {
        "reference": {"fasta": str(fa), "bwa_index": ""},
        "panel": {"bed": "", "genes": ["TP53"]},
        "annotation": {"gene_models": str(tmp_path / "models.gff3")},
    }
    gff = tmp_path / "models.gff3"
    gff.write_text("##gff-version 3\nNC_000017.11\tRefSeq\tgene\t1\t10\t.\t-\t.\tID=gene-TP53\n")
    site.check_site(config, sheet)  # NC_000017.11 is chr17: accepted
    gff.write_text("##gff-version 3\nNW_003315952.1\tRefSeq\tgene\t1\t10\t.\t-\t.\tID=gene-X\n")
    with pytest.raises(ContigNameError, match="none of its sequences"):
        site.check_site(config, sheet)
