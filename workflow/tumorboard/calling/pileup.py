"""The one ``bcftools mpileup`` command line: a patient's samples (candidates for the caller) and
the cohort's normals (the panel of normals) differ only in the FORMAT fields annotated.

``-d``/``-L`` are raised to the configured maximum depth: with the defaults (250) bcftools skips
indel calling on deep panels.  ``-m 2``: an allele needs two reads to be a candidate at all (the
caller applies its own, stricter, read counts).
"""

from __future__ import annotations

PATIENT_FIELDS = "FORMAT/AD,FORMAT/ADF,FORMAT/ADR,FORMAT/DP"
NORMALS_FIELDS = "FORMAT/AD,FORMAT/DP"


def mpileup_command(
    ref: str, targets: str, bams: list[str], settings: dict, fields: str, out: str
) -> list[str]:
    """``settings``: config ``params.mpileup`` (min_mapq, min_baseq, max_depth, gap_frac)."""
    depth = str(settings["max_depth"])
    return [
        "bcftools", "mpileup", "-f", ref, "-R", targets,
        "-q", str(settings["min_mapq"]), "-Q", str(settings["min_baseq"]),
        "-d", depth, "-L", depth, "-m", "2", "-F", str(settings["gap_frac"]),
        "-a", fields, "-Ob", "-o", out, *bams,
    ]  # fmt: skip
