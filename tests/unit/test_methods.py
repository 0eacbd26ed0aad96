"""Methods text (generated from config + captured versions) and run provenance."""

import copy
import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tumorboard import __version__
from tumorboard.inputs.sheet import load_sheet
from tumorboard.report import methods, provenance
from tumorboard.report.html import render_html

PROJECT = Path(__file__).resolve().parents[2]
RULES = PROJECT / "workflow" / "rules"
EXAMPLE = PROJECT / "tests" / "data" / "findings_example.json"
CLI_TOOLS = ["fastp", "bwa", "samtools", "mosdepth", "bcftools"]


@pytest.fixture
def config():
    return yaml.safe_load((PROJECT / "config" / "config.yaml").read_text())


@pytest.fixture
def versions():
    """Made-up versions: the text must carry these, not anything written in the code."""
    keys = list(provenance.TOOLS) + [f"python:{p}" for p in provenance.PACKAGES]
    keys += ["python:tumorboard", "python:weasyprint", "python:multiqc"]
    return {k: f"{i}.{i + 1}.{i + 2}-test" for i, k in enumerate(keys)}


def text(config, versions, **kw):
    return "\n".join(methods.methods_paragraphs(config, versions, **kw))


# --------------------------------------------------------------------------- checksums


def test_sha256_of_a_file(tmp_path):
    f = tmp_path / "x.txt"
    f.write_bytes(b"abc")
    assert methods.sha256_file(f) == hashlib.sha256(b"abc").hexdigest()
    assert methods.sha256_file(f, chunk=1) == methods.sha256_file(f)


def test_config_hash_ignores_key_order_and_follows_values(config):
    shuffled = json.loads(json.dumps(config, sort_keys=True))
    shuffled = dict(reversed(list(shuffled.items())))
    assert methods.config_sha256(shuffled) == methods.config_sha256(config)
    changed = copy.deepcopy(config)
    changed["somatic"]["min_vaf"] = 0.05
    assert methods.config_sha256(changed) != methods.config_sha256(config)
    assert re.fullmatch(r"[0-9a-f]{64}", methods.config_sha256(config))
    # another site's mirror location, same settings: same hash (the config is not mutated)
    moved = copy.deepcopy(config)
    moved.setdefault("resources", {})["mirror"] = "/elsewhere/mirror"
    assert methods.config_sha256(moved) == methods.config_sha256(config)
    assert moved["resources"]["mirror"] == "/elsewhere/mirror"


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_workflow_commit_is_head_and_marks_uncommitted_changes(tmp_path):
    def git(*args):
        return subprocess.run(
            ["git", "-C", str(tmp_path), *args], check=True, capture_output=True, text=True
        ).stdout.strip()

    assert methods.workflow_commit(tmp_path) == "unknown"
    git("init", "-q")
    (tmp_path / "f").write_text("1\n")
    git("add", "f")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "x")
    head = git("rev-parse", "HEAD")
    assert methods.workflow_commit(tmp_path) == head
    (tmp_path / "untracked").write_text("ignored\n")
    assert methods.workflow_commit(tmp_path) == head
    (tmp_path / "f").write_text("2\n")
    assert methods.workflow_commit(tmp_path) == f"{head}-dirty"


# --------------------------------------------------------------------------- methods text


def test_methods_carry_the_captured_versions(config, versions):
    t = text(config, versions)
    for tool in CLI_TOOLS:
        assert f"{tool} {versions[tool]}" in t, tool
    assert f"Snakemake {versions['python:snakemake']}" in t
    assert f"WeasyPrint {versions['python:weasyprint']}" in t
    assert f"MultiQC {versions['python:multiqc']}" in t


def test_a_missing_version_is_said_so_never_guessed(config, versions):
    del versions["fastp"]
    versions["bwa"] = "unavailable (FileNotFoundError)"
    t = text(config, versions)
    assert "fastp (version not captured)" in t
    assert "bwa (version not captured)" in t


def test_methods_carry_the_configured_thresholds(config, versions):
    som = config["somatic"]
    t = text(config, versions)
    for expected in [
        f"TLOD ≥ {som['min_tlod']}",
        f"NLOD ≥ {som['min_nlod']}",
        f"≥ {som['min_alt_reads']} alt reads",
        "allele fraction ≥ 1%",
        f"≥ {som['hotspot_min_alt_reads']} reads",
        f"tumour depth ≥ {som['min_depth']}x",
        "95% probability",
        f"maximum depth {config['params']['mpileup']['max_depth']}",
        "amplified at ≥ 6 copies",
        ", ".join(config["panel"]["genes"][:-1]),
    ]:
        assert expected in t, expected
    changed = copy.deepcopy(config)
    changed["somatic"]["min_vaf"] = 0.05
    changed["panel"]["genes"] = ["KRAS", "NRAS"]
    t2 = text(changed, versions)
    assert "allele fraction ≥ 5%" in t2 and "KRAS and NRAS" in t2


def test_methods_state_the_civic_to_amp_level_mapping(config, versions):
    kb = [{"name": "CIViC clinical evidence summaries", "release_date": "2018-05-06"}]
    (para,) = [p for p in methods.methods_paragraphs(config, versions, knowledge_base=kb)
               if "AMP/ASCO/CAP" in p]  # fmt: skip
    assert "rather than taken one to one" in para
    for words in [
        "CIViC A (validated association) counts as AMP level B",
        "CIViC B (clinical trial or other patient data) as level C",
        "CIViC C (case study) and D (preclinical) as level D",
        "CIViC E (inferential) is listed but not counted",
        "AMP level A (FDA/EMA approval or professional guideline) comes only from the project's "
        "authored biomarker table",
        "Tier I is level A or B in the patient's tumour type",
    ]:
        assert words in para, words
    assert "AMP/ASCO/CAP levels" not in text(config, versions)  # no knowledge base, no tiers


def test_tumour_only_and_vcf_patients_get_their_own_methods(config, versions):
    t = text(config, versions, tumour_only=True)
    assert "germline variants cannot be excluded" in t
    assert "copy number was not evaluated" in t.lower()
    pooled = text(config, versions, tumour_only=True, pooled_normals=3)
    assert "pooled reference of the run's 3 normal sample(s)" in pooled
    assert "not evaluated" not in pooled
    matched = text(config, versions)
    assert "against the matched normal" in matched and "homozygous deletion at ≤ 0.5" in matched
    v = text(config, versions, from_vcf=True)
    assert "imported" in v and "fastp" not in v and "mpileup" not in v


def test_every_tool_the_methods_name_is_run_by_a_rule_and_captured(config, versions):
    """Drift guard: the methods name a command-line tool only if a rule runs it and its
    version is captured at run time (tumorboard.report.provenance.TOOLS)."""
    t = text(config, versions)
    shells = "\n".join(p.read_text() for p in RULES.glob("*.smk"))
    # or a rule's script runs it, through a command line the package builds (rule align: every
    # tool of a sample in one job, tumorboard.alignment; tumorboard.steps runs them)
    code = [*(RULES.parent / "scripts").glob("*.py"), *(RULES.parent / "tumorboard").rglob("*.py")]
    scripts = "\n".join(p.read_text() for p in code)
    for tool in CLI_TOOLS:
        assert re.search(rf"\b{tool}\b", t), tool
        assert re.search(rf'"\(?(?:set -o pipefail; )?{tool} |\| {tool} ', shells) or re.search(
            rf'\[\s*"{tool}", ', scripts
        ), tool
        assert tool in provenance.TOOLS, tool
    for name in re.findall(r"\b([a-z]+) \d+\.\d+\.\d+-test\b", t):
        assert name in provenance.TOOLS or name in ("tumorboard",), name


# --------------------------------------------------------------------------- provenance


def write_sheet(tmp_path, rows, units):
    samples, unit_file = tmp_path / "samples.tsv", tmp_path / "units.tsv"
    samples.write_text("patient\tsample\ttype\ttumour_type\tpurity\tvcf\tcna\n" + rows)
    unit_file.write_text("sample\tunit\tfq1\tfq2\n" + units)
    return load_sheet(samples, unit_file, check_files=False)


def test_patient_input_files_lists_fastq_pairs_tumour_first(tmp_path):
    sheet = write_sheet(
        tmp_path,
        "P1\tP1-N\tnormal\t\t\t\t\nP1\tP1-T\ttumour\tcrc\t0.5\t\t\n",
        "P1-T\tL1\tt1_1.fq.gz\tt1_2.fq.gz\nP1-N\tL1\tn1_1.fq.gz\tn1_2.fq.gz\n"
        "P1-T\tL2\tt2_1.fq.gz\tt2_2.fq.gz\n",
    )
    assert methods.patient_input_files(sheet.patients["P1"]) == [
        "t1_1.fq.gz",
        "t1_2.fq.gz",
        "t2_1.fq.gz",
        "t2_2.fq.gz",
        "n1_1.fq.gz",
        "n1_2.fq.gz",
    ]


def test_patient_input_files_of_a_vcf_patient(tmp_path):
    sheet = write_sheet(tmp_path, "P2\tP2-T\ttumour\tcrc\t\tcalls.vcf\tsegments.tsv\n", "")
    assert methods.patient_input_files(sheet.patients["P2"]) == ["calls.vcf", "segments.tsv"]


def test_build_provenance_checksums_everything_and_renders_in_the_report(
    tmp_path, config, versions
):
    fq, ref, kb = tmp_path / "r1.fq.gz", tmp_path / "genome.fa", tmp_path / "kb.json"
    fq.write_bytes(b"@r\nACGT\n+\nIIII\n")
    ref.write_text(">c\nACGT\n")
    source = {"name": "CIViC evidence", "file": "civic.tsv", "release_date": "2018-05-06"}
    kb.write_text(json.dumps({"sources": [{**source, "sha256": "ab" * 32, "rows": 3}]}))
    doc = methods.build_provenance(
        patient="DEMO01",
        config=config,
        tool_versions=versions,
        inputs=[fq],
        resources={"reference": ref},
        project_dir=tmp_path,
        knowledge_base=kb,
    )
    assert doc["workflow_version"] == __version__
    assert doc["workflow_commit"] == "unknown"  # tmp_path is no git checkout
    assert doc["config_sha256"] == methods.config_sha256(config)
    # named relative to the project that holds it, never by an absolute path
    assert doc["inputs"] == [{"file": fq.name, "sha256": methods.sha256_file(fq)}]
    assert doc["resources"]["reference"] == f"sha256:{methods.sha256_file(ref)}"
    # a file of the project is named relative to it: the same text on every checkout
    assert doc["resource_files"]["reference"] == ref.name
    assert doc["knowledge_base"] == {
        "file": kb.name,
        "sha256": methods.sha256_file(kb),
        "release": "CIViC evidence 2018-05-06",
        "sources": [{**source, "sha256": "ab" * 32}],
    }
    assert doc["resources"]["knowledge_base"] == f"sha256:{methods.sha256_file(kb)}"
    assert doc["config"] == methods.recorded_config(config)  # the settings, not only their hash
    assert doc["config"]["somatic"]["min_vaf"] == config["somatic"]["min_vaf"]
    assert "CIViC evidence (release 2018-05-06)" in "\n".join(doc["methods"])
    assert doc["tool_versions"]["fastp"] == versions["fastp"]
    assert doc["tool_versions"]["python:tumorboard"] == versions["python:tumorboard"]
    assert len(doc["methods"]) >= 4
    json.dumps(doc)  # serialisable as it is

    html = render_html(json.loads(EXAMPLE.read_text()), doc)
    assert doc["config_sha256"] in html
    assert methods.sha256_file(ref) in html


def test_a_knowledge_base_of_another_kind_is_still_checksummed(tmp_path):
    kb = tmp_path / "kb.tsv"
    kb.write_text("gene\tvariant\n")
    assert methods.knowledge_base_provenance(kb) == {
        "file": str(kb),
        "sha256": methods.sha256_file(kb),
        "release": "not recorded",
        "sources": [],
    }


def test_runtime_versions_fill_in_only_what_is_missing():
    captured = {"python:weasyprint": "1.0-pinned"}
    out = methods.runtime_versions(captured)
    assert out["python:weasyprint"] == "1.0-pinned"
    assert out["python:tumorboard"] == __version__
    assert "python:multiqc" in out and "chromium" in out


def test_methods_name_the_reference_mode_and_panel(config, versions):
    demo = " ".join(methods.methods_paragraphs(config, versions))
    assert "GRCh38 sequence of the panel loci" in demo and "backbone tiles" in demo
    site = json.loads(json.dumps(config))
    site["reference"] = {"fasta": "/refs/GRCh38_no_alt.fa", "bwa_index": "", "build": "GRCh38"}
    site["annotation"] = {"gene_models": "/refs/gencode.v45.annotation.gtf.gz"}
    site["panel"]["bed"] = "/kits/exome_v8.hg38.bed"
    text = " ".join(methods.methods_paragraphs(site, versions))
    assert "GRCh38 reference GRCh38_no_alt.fa" in text
    assert "gencode.v45.annotation.gtf.gz" in text and "capture BED exome_v8.hg38.bed" in text
    assert "panel loci" not in text and "backbone tiles of" not in text
    assert "/refs/" not in text  # file names only: paths differ between sites


def test_methods_state_the_paralogue_filter_and_its_limitation(config, versions):
    paras = methods.methods_paragraphs(config, versions)
    (para,) = [p for p in paras if p.startswith("Paralogous sequence.")]
    assert "PIK3CA pseudogene" in para and "Baker et al." in para
    assert f"by more than {config['somatic']['max_mismatch_excess']}" in para
    assert "demo reference holds only the panel loci" in para and "Limitation" in para
    changed = copy.deepcopy(config)
    changed["somatic"]["max_mismatch_excess"] = 4
    changed["reference"] = {"fasta": "/site/GRCh38.fa"}
    (para2,) = [p for p in methods.methods_paragraphs(changed, versions) if "Paralogous" in p]
    assert "by more than 4" in para2 and "mapping quality on the full reference" in para2


def test_copy_number_methods_say_what_the_centre_rested_on(config, versions):
    used = {
        "mode": "antitargets",
        "antitarget_bins": 876,
        "antitarget_bins_used": 790,
        "backbone_tiles": 0,
        "backbone_tiles_used": 0,
        "excluded": ["contig chr18_1_8823530", "gene ERBB2"],
        "offset_pairs": 7,
        "enough": True,
        "bias": "not applied (F test p = 0.045); antitargets: not applied (F test p = 0.58)",
    }
    t = text(config, versions, copy_number_background=used)
    assert "tested for GC-content and size bias (not applied (F test p = 0.045); antitargets" in t
    assert "centred on 790 of 876 antitarget bins" in t
    assert "left out of the centre as not copy-neutral: contig chr18_1_8823530;" in t
    assert "over 7 genes and backbone contigs" in t
    assert "final on-target centre" not in t
    used["genes_in_background"] = ["KRAS", "TP53"]
    used["backbone_tiles_used"] = 12
    t = text(config, versions, copy_number_background=used)
    assert (
        "final on-target centre: the targets of KRAS, TP53 and 12 backbone tiles (copy-neutral "
        "on that scale; left out as changed: ERBB2)"
    ) in t
    thin = dict(used, mode="none", antitarget_bins_used=4, backbone_tiles_used=0, enough=False)
    t = text(config, versions, copy_number_background=thin)
    assert "not centred: too little background (4 antitarget bins and 0 backbone tiles" in t
    backbone = dict(used, mode="backbone", backbone_tiles_used=30, genes_in_background=["KRAS"])
    t = text(config, versions, copy_number_background=backbone)
    assert "centred on 30 backbone tiles and the targets of KRAS" in t
    assert "backbone tiles of" in text(config, versions)  # the demo panel's backbone, when set
    config["panel"]["backbone_tiles"] = 0
    assert "backbone tiles of" not in text(config, versions)


# an absolute path in text: a "/" that starts a word, followed by at least two path components
ABSOLUTE_PATH = re.compile(r"(?<![\w.:/<~-])/(?:[\w.-]+/)+[\w.-]+")


def test_shown_paths_are_never_absolute(tmp_path, project):
    inside = project / "resources" / "hotspots.tsv"
    assert methods.shown_path(inside, project) == "resources/hotspots.tsv"
    assert methods.shown_path("results/demo/T_R1.fastq.gz", project) == (
        "results/demo/T_R1.fastq.gz"
    )
    assert methods.shown_path(tmp_path / "site" / "T_R1.fastq.gz", project) == "T_R1.fastq.gz"
    assert methods.shown_path("../../cohort/T_R1.fastq.gz", project) == "T_R1.fastq.gz"


def test_report_prints_no_absolute_input_path(tmp_path, config, versions):
    """Inputs and knowledge base given by absolute paths outside the project and the run
    directory (a site's /data/patients/... layout): the rendered report names them by file name
    and sha256 only."""
    site = tmp_path / "patients" / "Jane_Doe_1961"
    site.mkdir(parents=True)
    fq1, fq2, kb = site / "T_R1.fastq.gz", site / "T_R2.fastq.gz", site / "knowledgebase.json"
    for f in (fq1, fq2):
        f.write_bytes(b"@r\nACGT\n+\nIIII\n")
    kb.write_text(json.dumps({"sources": [{"name": "CIViC", "release_date": "2018-05-06"}]}))
    doc = methods.build_provenance(
        patient="DEMO01",
        config=config,
        tool_versions=versions,
        inputs=[fq1, fq2],
        resources={"reference": fq1},
        project_dir=PROJECT,
        knowledge_base=kb,
    )
    html = render_html(json.loads(EXAMPLE.read_text()), doc)
    assert "T_R1.fastq.gz" in html and methods.sha256_file(fq1) in html
    assert str(tmp_path) not in html and "Jane_Doe_1961" not in html
    assert not ABSOLUTE_PATH.findall(html), ABSOLUTE_PATH.findall(html)[:5]
