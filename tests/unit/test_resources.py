"""Resources are fetched from a mirror or a URL and refused when their checksum differs."""

import dataclasses
import gzip

import pysam
import pytest

from tumorboard.reference import resources as R


@pytest.fixture(scope="module")
def manifest(project):
    return R.load_manifest(project / "resources" / "manifest.yaml")


def test_manifest_lists_every_panel_locus_with_url_and_checksum(manifest):
    loci = {r.contig.split("_")[0] for r in manifest.values() if r.kind == "sequence"}
    assert {"BRAF", "KRAS", "ERBB2", "EGFR", "TP53", "CDKN2A"} <= loci
    for r in manifest.values():
        assert r.url.startswith("https://"), r.id
        assert r.licence, r.id
        assert r.md5_sequence if r.kind == "sequence" else r.sha256, r.id


def test_every_mirrored_resource_verifies(manifest, mirror, tmp_path):
    for r in manifest.values():
        dest = tmp_path / r.filename
        R.fetch(r, mirror, dest)
        assert dest.stat().st_size > 0


def test_fetched_locus_is_the_real_grch38_sequence(manifest, mirror, tmp_path):
    # KRAS c.35 (codon 12) is chr12:25245350 C on the plus strand
    r = manifest["locus_KRAS"]
    R.fetch(r, mirror, tmp_path / "kras.fa")
    with pysam.FastaFile(str(tmp_path / "kras.fa")) as fa:
        assert fa.fetch(r.contig, 25245350 - 25204646, 25245350 - 25204645) == "C"


def test_sequence_checksum_mismatch_is_refused(manifest, mirror, tmp_path):
    bad = dataclasses.replace(manifest["locus_KRAS"], md5_sequence="0" * 32)
    with pytest.raises(R.ResourceError, match="locus_KRAS: sequence md5"):
        R.fetch(bad, mirror, tmp_path / "x.fa")
    assert not (tmp_path / "x.fa").exists()


def test_file_checksum_mismatch_is_refused_and_nothing_is_left(manifest, mirror, tmp_path):
    bad = dataclasses.replace(manifest["mane_summary"], sha256="0" * 64)
    with pytest.raises(R.ResourceError, match="mane_summary: sha256"):
        R.fetch(bad, mirror, tmp_path / "mane.txt.gz")
    assert list(tmp_path.iterdir()) == []


def test_download_route_reads_an_ensembl_style_fasta(manifest, tmp_path):
    # the URL route, exercised with a file:// URL holding an Ensembl REST-style answer
    seq = "ACGTNACGTTGCA" * 7
    src = tmp_path / "region.fa"
    src.write_text(">chromosome:GRCh38:12:1:91:1\n" + seq + "\n")
    res = R.Resource(
        id="toy",
        kind="sequence",
        url=src.as_uri(),
        mirror="",
        contig="chr12_1_91",
        md5_sequence=R.md5_sequence(seq),
        length=len(seq),
    )
    R.fetch(res, None, tmp_path / "out.fa")
    assert (tmp_path / "out.fa").read_text().splitlines()[0] == ">chr12_1_91"


def test_download_route_verifies_files(tmp_path):
    src = tmp_path / "a.txt.gz"
    with gzip.open(src, "wt") as fh:
        fh.write("hello\n")
    res = R.Resource(
        id="toy", kind="file", url=src.as_uri(), mirror="a.txt.gz", sha256=R.sha256_file(src)
    )
    R.fetch(res, "", tmp_path / "b.txt.gz")
    assert R.sha256_file(tmp_path / "b.txt.gz") == res.sha256


def test_missing_mirror_file_is_named(manifest, tmp_path):
    with pytest.raises(R.ResourceError, match="not found in the mirror"):
        R.fetch(manifest["mane_summary"], tmp_path, tmp_path / "x")


def test_derived_resource_cannot_be_downloaded(manifest, tmp_path):
    with pytest.raises(R.ResourceError, match="derived"):
        R.fetch(manifest["gene_models"], None, tmp_path / "g.gff3")
