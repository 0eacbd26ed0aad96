"""``tumorboard compare`` on two real runs of the demo patient: the second with a raised
somatic.min_vaf, which the caller applies, so the CDKN2A frameshift (the demo's one call outside
the hotspots, VAF ~30%) is lost.  The second run reruns only what the setting reaches (calling
onwards, for the findings and provenance) in a copy of the small demo's run directory."""

import json
import shutil

import pytest
import yaml
from workflow_run import run_workflow

from tumorboard import compare

pytestmark = pytest.mark.integration


def test_raised_min_vaf_names_the_lost_call_and_the_threshold(small_demo, tmp_path):
    workdir, overlay = small_demo
    run_b = tmp_path / "run_b"
    shutil.copytree(workdir, run_b, symlinks=True,
                    ignore=shutil.ignore_patterns("locks", "incomplete"))  # fmt: skip
    settings = yaml.safe_load(overlay.read_text())
    settings["somatic"] = {"min_vaf": 0.5}
    overlay_b = run_b / "overlay_b.yaml"
    overlay_b.write_text(yaml.safe_dump(settings))
    res = run_workflow(
        run_b, overlay_b, targets=["results/findings/DEMO01.json", "results/provenance/DEMO01.json"]
    )
    assert res.returncode == 0, res.stderr[-3000:]

    out = tmp_path / "changes.json"
    code = compare.main([str(workdir / "results"), str(run_b / "results"), "--format", "json",
                         "-o", str(out)])  # fmt: skip
    assert code == 1
    (patient,) = json.loads(out.read_text())
    assert patient["patient"] == "DEMO01"
    assert {"cause": "threshold", "text": "somatic.min_vaf: 0.01 → 0.5"} in patient["differences"]
    lost = [c for c in patient["changes"] if c["category"] == "variant"]
    assert [(c["item"].split(" p.")[0], c["change"], c["cause"]) for c in lost] == [
        ("CDKN2A", "removed", "threshold")]  # fmt: skip
    assert "is below somatic.min_vaf 50% of the second run (1% in the first)" in lost[0]["reason"]
    # the hotspot calls (their own, lower thresholds) are unchanged, so not listed
    assert not [c for c in patient["changes"] if c["item"].startswith(("KRAS", "BRAF", "EGFR"))]
