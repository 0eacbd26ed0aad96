"""Issue 14, item 1: tumour and normal must be two samples (not the same reads) of one person
(germline concordance).  Hand-built BAMs: 12 heterozygous sites over one target."""

from __future__ import annotations

import pysam
import pytest

from tumorboard.qc import identity as I

LENGTH, READ = 2000, 100
HETS = list(range(300, 1500, 100))  # 0-based heterozygous sites
TARGETS = [("c", 200, 1600)]


def _bam(path, prefix: str, alt_fraction: float, depth: int = 40):
    """Reads tiling TARGETS, ``depth`` deep; at every HET site ``alt_fraction`` carry a C."""
    header = {"HD": {"VN": "1.6", "SO": "coordinate"}, "SQ": [{"SN": "c", "LN": LENGTH}]}
    reads = []
    k = 0
    for start in range(150, 1550, 10):
        for j in range(depth // 10):
            k += 1
            seq = list("A" * READ)
            alt = (j / (depth // 10)) < alt_fraction
            for h in HETS:
                if start <= h < start + READ and alt:
                    seq[h - start] = "C"
            r = pysam.AlignedSegment()
            r.query_name, r.flag = f"{prefix}{k}", 0
            r.query_sequence = "".join(seq)
            r.reference_id, r.reference_start, r.cigarstring = 0, start, f"{READ}M"
            r.mapping_quality = 60
            r.query_qualities = pysam.qualitystring_to_array("I" * READ)
            reads.append(r)
    with pysam.AlignmentFile(str(path), "wb", header=header) as out:
        for r in reads:
            out.write(r)
    pysam.index(str(path))
    return str(path)


@pytest.fixture
def normal(tmp_path):
    return _bam(tmp_path / "n.bam", "N:", 0.5)


def test_two_samples_of_one_person_pass(tmp_path, normal):
    tumour = _bam(tmp_path / "t.bam", "T:", 0.5)
    res = I.check(tumour, normal, TARGETS, tumour="P-T", normal="P-N")
    problem, summary = I.verdict(res)
    assert problem is None
    assert (res.shared_names, res.het_sites, res.discordant_sites) == (0, 12, 0)
    assert "0 of 12 heterozygous germline sites" in summary


def test_the_same_reads_stop_the_patient(tmp_path, normal):
    res = I.check(normal, normal, TARGETS, tumour="P-T", normal="P-N")
    problem, _ = I.verdict(res)
    assert res.shared_fraction == 1.0
    assert problem.startswith("tumour P-T and normal P-N are the same reads: ")
    assert "(100.0%)" in problem and "\n" not in problem


def test_another_persons_normal_stops_the_patient(tmp_path, normal):
    other = _bam(tmp_path / "o.bam", "O:", 0.0)  # homozygous reference at every site
    res = I.check(other, normal, TARGETS, tumour="P-T", normal="Q-N")
    problem, _ = I.verdict(res)
    assert res.discordant_sites == 12
    assert problem.startswith("tumour P-T and normal Q-N are not from the same person: 12 of 12")


def test_too_few_sites_leave_concordance_not_evaluable(tmp_path, normal):
    other = _bam(tmp_path / "o.bam", "O:", 0.0)
    p = I.IdentityParams(min_sites=20)
    problem, summary = I.verdict(I.check(other, normal, TARGETS, p), p)
    assert problem is None and "germline concordance not evaluable (12 heterozygous" in summary
