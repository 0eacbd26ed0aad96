"""MultiQC over the cohort's fastp JSON, samtools stats and mosdepth outputs, offline.

Offline: the version check, AI summaries and MegaQC upload are switched off, plots stay
interactive (flat plots would need kaleido's bundled browser), and every proxy variable points
at a closed loopback port so that any request MultiQC might still try fails on this machine.
MultiQC's HTML inlines its JavaScript and CSS (checked by tests/integration/test_report_browser.py).
Reproducible: no analysis paths (absolute) or time in the report, and the run-dependent values
MultiQC still writes are normalised (tumorboard.qc.multiqc).  No data directory: its log, parquet
and JSON carry the run's time and absolute paths, and the report's tables export the same values.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from tumorboard.qc.multiqc import reproducible_html

sys.stderr = open(snakemake.log[0], "w")
out = Path(snakemake.output.html)
# the samples' lane folders (rule align) hold fastp's JSON of each lane
files = [
    str(f)
    for p in snakemake.input
    for f in (sorted(Path(p).glob("*.fastp.json")) if Path(p).is_dir() else [p])
]
# mosdepth writes its distribution files next to the summary; MultiQC plots coverage from them
for summary in snakemake.input.mosdepth:
    stem = summary.removesuffix(".mosdepth.summary.txt")
    for extra in (f"{stem}.mosdepth.global.dist.txt", f"{stem}.mosdepth.region.dist.txt"):
        if os.path.exists(extra):
            files.append(extra)

settings = {
    "title": snakemake.params.title,
    "no_version_check": True,
    "no_ai": True,
    "plots_force_interactive": True,
    "show_analysis_time": False,
    "show_analysis_paths": False,
    "megaqc_url": None,
}
closed = "http://127.0.0.1:9"
env = {**os.environ, "NO_PROXY": "", "no_proxy": ""}
env.update({k: closed for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY")})
env.update({"ALL_PROXY": closed, "all_proxy": closed})
with tempfile.TemporaryDirectory() as tmp:
    cfg, file_list = Path(tmp) / "multiqc_config.yaml", Path(tmp) / "files.txt"
    cfg.write_text(yaml.safe_dump(settings))
    file_list.write_text("\n".join(files) + "\n")
    cmd = [  # this interpreter's MultiQC: the venv's, or the conda env's under --sdm conda
        sys.executable,
        "-m",
        "multiqc",
        "--force",
        "--no-version-check",
        "--no-ai",
        "--no-megaqc-upload",
        "--interactive",
        "--no-ansi",
        "--config",
        str(cfg),
        "--file-list",
        str(file_list),
        "--outdir",
        str(out.parent),
        "--filename",
        out.name,
        "--no-data-dir",
    ]
    print(" ".join(cmd), file=sys.stderr, flush=True)
    subprocess.run(cmd, check=True, env=env, stdout=sys.stderr, stderr=sys.stderr)
if not out.is_file():
    sys.exit(f"MultiQC wrote no report at {out}")
out.write_text(reproducible_html(out.read_text(encoding="utf-8")), encoding="utf-8")
