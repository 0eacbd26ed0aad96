"""tumorboard.inputs.sheet.ids_pattern: a rule's wildcard constraint matching exactly its patients
(rules somatic_call and import_vcf make the same files, each for its own patients).

The pattern is checked the way Snakemake uses it: put into the rule's output pattern as
``{patient,PATTERN}`` and turned into Snakemake's own regular expression."""

from __future__ import annotations

import re

import pytest
from snakemake.io import regex_from_filepattern, update_wildcard_constraints

from tumorboard.inputs.sheet import ids_pattern

OUTPUT = "results/somatic/{patient}.vcf.gz"


def matcher(ids, output: str = OUTPUT):
    """The patient a path is made for under the constraint, or None when the rule cannot."""
    pattern = update_wildcard_constraints(output, {"patient": ids_pattern(ids)}, {})
    regex = re.compile(regex_from_filepattern(pattern))

    def patient(path: str) -> str | None:
        m = regex.match(path)
        return m["patient"] if m else None

    return patient


def test_the_given_ids_match_and_others_do_not():
    patient = matcher(["P1", "P2", "TB-007"])
    for pid in ("P1", "P2", "TB-007"):
        assert patient(f"results/somatic/{pid}.vcf.gz") == pid
    for other in ("P3", "p1", "P", "TB-00", "TB-0077", "XP1", "P1P2", "P1|P2", ".*"):
        assert patient(f"results/somatic/{other}.vcf.gz") is None, other


def test_ids_that_are_prefixes_of_each_other_match_only_themselves():
    """P1 and P10, A and A.b: each path is made for its own patient only."""
    patient = matcher(["P1", "P10", "A", "A.b"])
    assert patient("results/somatic/P1.vcf.gz") == "P1"
    assert patient("results/somatic/P10.vcf.gz") == "P10"
    assert patient("results/somatic/A.vcf.gz") == "A"
    assert patient("results/somatic/A.b.vcf.gz") == "A.b"
    assert patient("results/somatic/P100.vcf.gz") is None
    assert patient("results/somatic/A.c.vcf.gz") is None
    # the patient's index file of the same rule
    tbi = matcher(["P1", "P10"], OUTPUT + ".tbi")
    assert tbi("results/somatic/P10.vcf.gz.tbi") == "P10"
    assert tbi("results/somatic/P1.vcf.gz.tbi") == "P1"


def test_a_prefix_id_alone_does_not_match_the_longer_id():
    """The rule of patient P1 (or A) does not claim P10's (or A.b's) files."""
    assert matcher(["P1"])("results/somatic/P10.vcf.gz") is None
    assert matcher(["P10"])("results/somatic/P1.vcf.gz") is None
    assert matcher(["A"])("results/somatic/A.b.vcf.gz") is None
    assert matcher(["A.b"])("results/somatic/A.vcf.gz") is None


def test_dots_and_dashes_are_literal():
    patient = matcher(["A.b", "case-1", "x_y.2"])
    assert patient("results/somatic/A.b.vcf.gz") == "A.b"
    assert patient("results/somatic/AXb.vcf.gz") is None  # '.' is not any character
    assert patient("results/somatic/case-1.vcf.gz") == "case-1"
    assert patient("results/somatic/x_y.2.vcf.gz") == "x_y.2"
    assert patient("results/somatic/x_yz2.vcf.gz") is None


def test_the_two_rules_split_the_patients_between_them():
    """Reads patients P1, A; VCF patients P10, A.b: every path has exactly one rule."""
    reads, vcfs = matcher(["P1", "A"]), matcher(["P10", "A.b"])
    for pid in ("P1", "A", "P10", "A.b"):
        path = f"results/somatic/{pid}.vcf.gz"
        assert [reads(path), vcfs(path)].count(pid) == 1
        assert [reads(path), vcfs(path)].count(None) == 1


@pytest.mark.parametrize("ids", [[], (), iter([])])
def test_no_ids_match_nothing(ids):
    patient = matcher(ids)
    for path in ("results/somatic/P1.vcf.gz", "results/somatic/.vcf.gz", "results/somatic/"):
        assert patient(path) is None
    assert re.fullmatch(ids_pattern([]), "") is None


def test_the_pattern_is_the_same_whatever_the_order_or_repeats():
    """A rule's constraint does not change between runs listing the sheet in another order."""
    assert ids_pattern(["P1", "P10", "A"]) == ids_pattern(["A", "P10", "P1", "P1"])
    assert ids_pattern(p for p in ["P2"]) == "P2"
