"""The bcftools steps every patient's calls go through, the caller's or an imported VCF's:
left-normalised and split (``bcftools norm -m -any``), sorted, bgzipped and indexed
(results/somatic/), then consequences on the MANE Select transcripts (``bcftools csq``), one
record at a time (``-l``: tumour variants at different allele fractions need not share a
haplotype), bgzipped and indexed (results/annotate/).  ``--no-version``: bcftools would stamp
the run date into the header, and the same inputs must give the same bytes (the versions are in
results/provenance/)."""

from __future__ import annotations

from tumorboard.steps import Steps


def normalise_and_annotate(
    steps: Steps, calls: str, ref: str, gff: str, somatic: str, annotated: str
) -> None:
    """``calls`` (VCF) -> ``somatic`` (.vcf.gz + .tbi) -> ``annotated`` (.vcf.gz + .tbi)."""
    steps.run(
        "normalise",
        ["bcftools", "norm", "--no-version", "-f", ref, "-m", "-any", calls],
        ["bcftools", "sort", "-Oz", "-o", somatic, "-"],
    )
    steps.run("index", ["tabix", "-f", "-p", "vcf", somatic])
    steps.run(
        "csq",
        ["bcftools", "csq", "--no-version", "-l", "-f", ref, "-g", gff, "-Oz", "-o", annotated,
         somatic],
    )  # fmt: skip
    steps.run("index", ["tabix", "-f", "-p", "vcf", annotated])
