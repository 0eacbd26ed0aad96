"""The configuration schema: every key described and every object closed, so a misspelt key or
sheet column stops the run with one line naming it; the scenario configs under config/ validate
and their sheets load."""

import copy
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from snakemake.utils import update_config

from tumorboard.inputs import config as tb_config
from tumorboard.inputs.sheet import SheetError, load_sheet

PROJECT = Path(__file__).resolve().parents[2]
SCHEMAS = PROJECT / "workflow" / "tumorboard" / "schemas"
BASE = PROJECT / "config" / "config.yaml"
# scenario -> configs given after config/config.yaml (as the README's commands do)
SCENARIOS = {
    "default": [],
    "demo": ["config/demo/config.yaml"],
    "site": ["config/site/config.yaml"],
    "vcf_start": ["config/vcf_start/config.yaml"],
    "tumour_only": ["config/tumour_only/config.yaml"],
}


def merged(*paths) -> dict:
    """The configs merged as ``snakemake --configfile a b ...`` merges them."""
    config = {}
    for path in paths:
        update_config(config, yaml.safe_load((PROJECT / path).read_text()))
    return config


def objects(schema, key=""):
    """(key, subschema) of every key of the schema, depth first."""
    for name, sub in schema.get("properties", {}).items():
        path = f"{key}.{name}" if key else name
        yield path, sub
        yield from objects(sub, path)


@pytest.mark.parametrize("name", ["config", "samples", "units"])
def test_every_key_is_described_and_every_object_closed(name):
    schema = yaml.safe_load((SCHEMAS / f"{name}.schema.yaml").read_text())
    assert schema["additionalProperties"] is False
    for key, sub in objects(schema):
        assert sub.get("description"), f"{name}: {key} has no description"
        if sub.get("type") == "object":
            assert sub.get("additionalProperties") is False, f"{name}: {key} is not closed"


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario_configs_validate(scenario):
    config = tb_config.validate(merged(BASE, *SCENARIOS[scenario]))
    assert config["somatic"]["min_alt_reads"] == 5  # a default filled in


@pytest.mark.parametrize("scenario", [s for s in SCENARIOS if s != "site"])  # site: user's sheets
def test_scenario_sheets_load(scenario, monkeypatch):
    config = tb_config.validate(merged(BASE, *SCENARIOS[scenario]))
    monkeypatch.chdir(PROJECT)  # sheet paths are relative to the run directory
    sheet = load_sheet(config["samples"], config["units"], check_files=False)
    assert sheet.patients
    if scenario == "tumour_only":
        assert all(p.normal is None for p in sheet.patients.values())
    if scenario == "vcf_start":
        assert all(p.tumour.from_vcf for p in sheet.patients.values())


def test_demo_settings_live_in_the_demo_scenario():
    """config/config.yaml has no demo block; without the demo config the schema's defaults give
    the same demo (the default scenario's units sheet has both lanes)."""
    assert "demo" not in merged(BASE)
    demo = merged(BASE, "config/demo/config.yaml")["demo"]
    assert tb_config.validate(merged(BASE))["demo"] == demo


@pytest.mark.parametrize(
    "overlay,message",
    [
        (
            {"somatic": {"min_alt_read": 3}},
            "unknown key somatic.min_alt_read (did you mean somatic.min_alt_reads?)",
        ),
        ({"sampels": "x.tsv"}, "unknown key sampels (did you mean samples?)"),
        ({"params": {"mpileup": {"depth_cap": 5}}}, "params.mpileup has: gap_frac, max_depth"),
        ({"somatic": {"min_vaf": 2}}, "somatic.min_vaf = 2: 2 is greater than the maximum of 1"),
        ({"reference": {"build": "hg19"}}, "reference.build = 'hg19': 'hg19' is not one of"),
    ],
)
def test_bad_config_is_one_line_naming_the_key(overlay, message):
    config = merged(BASE)
    update_config(config, copy.deepcopy(overlay))
    with pytest.raises(tb_config.ConfigError) as exc:
        tb_config.validate(config)
    assert message in str(exc.value) and "\n" not in str(exc.value)


def test_misspelt_key_stops_snakemake_before_any_job(tmp_path):
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text("somatic:\n  min_alt_read: 3\n")
    res = subprocess.run(
        [str(Path(sys.executable).with_name("snakemake")), "-n", "--cores", "1",
         "--configfile", str(BASE), str(overlay)],
        cwd=PROJECT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    out = res.stdout + res.stderr
    lines = [ln for ln in out.splitlines() if "tumorboard:" in ln]
    assert res.returncode != 0
    assert lines == [
        "tumorboard: config: unknown key somatic.min_alt_read "
        "(did you mean somatic.min_alt_reads?)"
    ], out


@pytest.mark.parametrize(
    "sheet,header,message",
    [
        (
            "samples",
            "patient\tsample\ttype\ttumour_type\ttumour_purity\n",
            "samples.tsv: unknown column 'tumour_purity' (did you mean purity? columns: "
            "patient, sample, type, tumour_type, purity, vcf, vcf_sample, cna)",
        ),
        ("units", "sample\tunit\tfq1\tfq2\tbam_file\n", "units.tsv: unknown column 'bam_file'"),
    ],
)
def test_misspelt_sheet_column_is_refused(tmp_path, sheet, header, message):
    samples, units = tmp_path / "samples.tsv", tmp_path / "units.tsv"
    samples.write_text("patient\tsample\ttype\ttumour_type\tpurity\nP1\tP1-T\ttumour\tcrc\t\n")
    units.write_text("sample\tunit\tfq1\tfq2\nP1-T\tL1\ta.fq.gz\tb.fq.gz\n")
    row = "P1\tP1-T\ttumour\tcrc\t\n" if sheet == "samples" else "P1-T\tL1\ta\tb\t\n"
    (samples if sheet == "samples" else units).write_text(header + row)
    with pytest.raises(SheetError) as exc:
        load_sheet(samples, units, check_files=False)
    assert message in str(exc.value) and "\n" not in str(exc.value)
