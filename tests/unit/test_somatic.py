"""The first somatic filter on hand-built allele counts, and on a hand-built pileup VCF."""

import pysam
import pytest
from tumorboard.somatic import Counts, SomaticParams, filter_pileup, judge

P = SomaticParams()


def c(ref, alt, fwd=None, rev=None):
    fwd = alt // 2 if fwd is None else fwd
    rev = alt - fwd if rev is None else rev
    return Counts(ref, alt, fwd, rev)


@pytest.mark.parametrize(
    "tumour,normal,expected",
    [
        (c(350, 150), c(250, 0), []),  # clonal somatic
        (c(490, 10), c(250, 0), []),  # low-VAF true variant (2%)
        (c(250, 250), c(125, 125), ["normal_evidence"]),  # germline het
        (c(0, 300), c(120, 130), ["normal_evidence"]),  # germline het with LOH in tumour
        (c(97, 3), c(250, 0), ["alt_reads"]),  # too few reads (3%)
        (c(4000, 20), c(250, 0), ["low_vaf"]),  # 0.5%: below min_vaf
        (c(400, 40, 40, 0), c(250, 0), ["strand"]),  # strand-biased artefact
        (c(400, 40), c(10, 0), ["normal_depth"]),  # uninformative normal
        (c(400, 40), c(250, 3), ["normal_evidence"]),  # alt reads in the normal
    ],
)
def test_judge(tumour, normal, expected):
    assert judge(tumour, normal, P) == expected


def test_tumour_only_has_no_normal_filters():
    assert judge(c(250, 250), None, P) == []


def _pileup(path):
    h = pysam.VariantHeader()
    h.contigs.add("KRAS_chr12_25204646_25251936", length=47291)
    h.formats.add("AD", "R", "Integer", "")
    h.formats.add("ADF", "R", "Integer", "")
    h.formats.add("ADR", "R", "Integer", "")
    h.formats.add("DP", 1, "Integer", "")
    for s in ("T", "N"):
        h.add_sample(s)
    with pysam.VariantFile(str(path), "w", header=h) as out:
        rows = [
            (40705, ("C", "T", "<*>"), (150, 64, 0), (124, 0, 0)),  # somatic
            (21119, ("A", "G", "<*>"), (104, 100, 0), (124, 121, 0)),  # germline
            (30000, ("G", "<*>"), (200, 0), (100, 0)),
        ]  # nothing
        for pos, alleles, t, n in rows:
            r = out.new_record(
                contig="KRAS_chr12_25204646_25251936", start=pos - 1, alleles=alleles
            )
            for s, ad in (("T", t), ("N", n)):
                r.samples[s]["AD"] = ad
                r.samples[s]["ADF"] = tuple(x // 2 for x in ad)
                r.samples[s]["ADR"] = tuple(x - x // 2 for x in ad)
                r.samples[s]["DP"] = sum(ad)
            out.write(r)


def test_filter_pileup(tmp_path):
    _pileup(tmp_path / "p.vcf")
    n = filter_pileup(str(tmp_path / "p.vcf"), str(tmp_path / "o.vcf"), "T", "N", P)
    assert n == 1
    with pysam.VariantFile(str(tmp_path / "o.vcf")) as v:
        recs = {r.pos: r for r in v}
    assert set(recs) == {40705, 21119}
    assert list(recs[40705].filter) == ["PASS"]
    assert recs[40705].samples["T"]["AD"] == (150, 64)
    assert recs[40705].samples["T"]["AF"][0] == pytest.approx(64 / 214, abs=1e-4)
    assert list(recs[21119].filter) == ["normal_evidence"]


def test_missing_sample_is_named(tmp_path):
    _pileup(tmp_path / "p.vcf")
    with pytest.raises(ValueError, match="samples \\['X'\\] not in the pileup"):
        filter_pileup(str(tmp_path / "p.vcf"), str(tmp_path / "o.vcf"), "X", "N", P)
