"""Run provenance: tool versions captured at run time (never written by hand)."""

from __future__ import annotations

import re
import subprocess
from importlib import metadata

TOOLS = {
    "bwa": ["bwa"],
    "samtools": ["samtools", "--version"],
    "bcftools": ["bcftools", "--version"],
    "tabix": ["tabix", "--version"],
    "fastp": ["fastp", "--version"],
    "mosdepth": ["mosdepth", "--version"],
    "art_illumina": ["art_illumina", "--help"],
}
PACKAGES = ["snakemake", "pysam", "pandas", "jinja2", "matplotlib", "scipy"]
_VERSION = re.compile(r"(?:Version:?\s*|version\s+|\s)v?(\d+\.\d+(?:\.\d+)?(?:[-.\w]*)?)")


def tool_version(cmd: list[str]) -> str:
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unavailable ({exc.__class__.__name__})"
    text = res.stdout + res.stderr
    m = _VERSION.search(text)
    return m.group(1) if m else "unknown"


def tool_versions() -> dict[str, str]:
    out = {name: tool_version(cmd) for name, cmd in TOOLS.items()}
    for pkg in PACKAGES:
        out[f"python:{pkg}"] = metadata.version(pkg)
    return out
