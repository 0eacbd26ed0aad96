"""Run the tumorboard workflow the way a user does, in its own work directory."""

import subprocess
import sys
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parents[2]
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
# The small demo (conftest.small_demo): enough depth for every spiked event, quick enough for CI.
SMALL_DEMO = {"tumour_depth": 160, "normal_depth": 80, "units": ["L001", "L002"]}


def workflow_command(workdir, overlay, *extra, targets=(), cores=2) -> list[str]:
    """``snakemake`` with the project's config, the demo scenario (config/demo/config.yaml: the
    simulated patient's settings) and then ``overlay``; ``targets`` go before ``--configfile``
    (which takes every argument after it up to the next option)."""
    return [
        SNAKEMAKE,
        *targets,
        "-s",
        str(PROJECT / "Snakefile"),
        "-d",
        str(workdir),
        "--cores",
        str(cores),
        "--configfile",
        str(PROJECT / "config" / "config.yaml"),
        str(PROJECT / "config" / "demo" / "config.yaml"),
        str(overlay),
        *extra,
    ]


def run_workflow(workdir, overlay, *extra, targets=()):
    """Run ``workflow_command`` to its end."""
    cmd = workflow_command(workdir, overlay, *extra, targets=targets)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=1800)


def write_overlay(workdir, samples, units, mirror, **more) -> Path:
    """The run's config overlay: its sample sheets, the resource mirror, and ``more`` keys."""
    overlay = Path(workdir) / "overlay.yaml"
    config = {"samples": str(samples), "units": str(units), "resources": {"mirror": str(mirror)}}
    overlay.write_text(yaml.safe_dump(config | more))
    return overlay


def write_demo_reads_run(work, demo_dir, mirror, samples: str, reads: dict[str, Path]) -> Path:
    """A run of new patients made of the small demo's simulated reads: ``samples`` is the sample
    sheet's text, ``reads`` maps each sample to the directory of its lane L001 FASTQs.  The
    overlay reuses the small demo's built reference and knowledge base (read, not rebuilt)."""
    work = Path(work)
    (work / "samples.tsv").write_text(samples)
    rows = "".join(
        f"{s}\tL001\t{d / 'L001_R1.fastq.gz'}\t{d / 'L001_R2.fastq.gz'}\n" for s, d in reads.items()
    )
    (work / "units.tsv").write_text("sample\tunit\tfq1\tfq2\n" + rows)
    resources = {"mirror": str(mirror), "cache": str(Path(demo_dir) / "resources/cache")}
    return write_overlay(
        work, work / "samples.tsv", work / "units.tsv", mirror, resources=resources
    )


def write_colo829_sheets(work, mirror) -> tuple[Path, Path]:
    """Sample and unit sheets of the real COLO829 tumour/normal reads (Hartwig test data)."""
    work = Path(work)
    reads = Path(mirror) / "reads" / "hartwig_cancerPanel"
    (work / "samples.tsv").write_text(
        "patient\tsample\ttype\ttumour_type\tpurity\n"
        "COLO829\tCOLO829T\ttumour\tmelanoma\t\n"
        "COLO829\tCOLO829R\tnormal\t\t\n"
    )
    rows = ["sample\tunit\tfq1\tfq2"]
    for sample, folder in (("COLO829T", "CPCT12345678T"), ("COLO829R", "CPCT12345678R")):
        # the AHHKYHDSXX lanes are COLO829/COLO829BL; HJJLGCCXX is a GIAB sample (left out)
        for r1 in sorted((reads / folder).glob("*_AHHKYHDSXX_*_R1_001.fastq.gz")):
            unit = r1.name.split("_", 1)[1].removesuffix("_R1_001.fastq.gz")
            rows.append(f"{sample}\t{unit}\t{r1}\t{str(r1).replace('_R1_', '_R2_')}")
    (work / "units.tsv").write_text("\n".join(rows) + "\n")
    return work / "samples.tsv", work / "units.tsv"


def write_giab_panel_sheets(work, mirror, normal: bool) -> tuple[Path, Path]:
    """Sample and unit sheets of the real GIAB panel reads of the Hartwig test data
    (``*_HJJLGCCXX_S1_*``: one GIAB sample, in both the R and the T folder), as a tumour with
    (``normal``) or without a matched normal."""
    work = Path(work)
    reads = Path(mirror) / "reads" / "hartwig_cancerPanel"
    rows, units = ["patient\tsample\ttype\ttumour_type\tpurity"], ["sample\tunit\tfq1\tfq2"]
    pairs = [("GIAB-T", "tumour", "colorectal adenocarcinoma", "CPCT12345678T")]
    if normal:
        pairs.append(("GIAB-R", "normal", "", "CPCT12345678R"))
    for sample, kind, tumour_type, folder in pairs:
        rows.append(f"GIAB\t{sample}\t{kind}\t{tumour_type}\t")
        (r1,) = sorted((reads / folder).glob("*_HJJLGCCXX_S1_*_R1_001.fastq.gz"))
        units.append(f"{sample}\tL001\t{r1}\t{str(r1).replace('_R1_', '_R2_')}")
    (work / "samples.tsv").write_text("\n".join(rows) + "\n")
    (work / "units.tsv").write_text("\n".join(units) + "\n")
    return work / "samples.tsv", work / "units.tsv"
