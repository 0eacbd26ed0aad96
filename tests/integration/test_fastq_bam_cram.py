"""The same patient given as FASTQ, as BAM and as CRAM gives the same findings.

The demo patient (DEMO01, simulated FASTQ) is run first; its reads are then aligned outside the
workflow (bwa mem | samtools sort: a lab's coordinate-sorted BAM), one tumour lane is also given
as an unaligned BAM (samtools import), and every BAM is written as CRAM against the workflow's
reference.  DEMOBAM (BAM and uBAM units) and DEMOCRAM (CRAM units) then run in the same work
directory; the workflow re-aligns their reads and must report what it reported for DEMO01.
A CRAM written against another reference stops its run with one line naming the file."""

import json
import shutil
import subprocess
import time

import pytest
from workflow_run import run_workflow, write_overlay

from tumorboard.inputs import aligned_input

pytestmark = pytest.mark.integration

DEMO = {"tumour_depth": 160, "normal_depth": 80, "units": ["L001", "L002"]}
UNITS = ("L001", "L002")
SAMPLES = "patient\tsample\ttype\ttumour_type\tpurity\n"
VAF_TOLERANCE = 0.02


@pytest.fixture(scope="module")
def demo(project, mirror, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("aligned_input")
    d = project / "config" / "demo"
    overlay = write_overlay(workdir, d / "samples.tsv", d / "units.tsv", mirror, demo=DEMO)
    start = time.monotonic()
    res = run_workflow(workdir, overlay)
    assert res.returncode == 0, res.stderr[-3000:]
    print(f"\nDEMO01 from FASTQ: {time.monotonic() - start:.0f} s")
    return workdir


def bwa_sorted_bam(ref, r1, r2, sample, out):
    """A lab's BAM: bwa mem with a read group, coordinate-sorted (no shell)."""
    read_group = f"@RG\\tID:{sample}\\tSM:{sample}"
    bwa = subprocess.Popen(
        ["bwa", "mem", "-t", "2", "-R", read_group, str(ref), str(r1), str(r2)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    subprocess.run(["samtools", "sort", "-o", str(out), "-"], stdin=bwa.stdout, check=True)
    bwa.stdout.close()
    assert bwa.wait() == 0


@pytest.fixture(scope="module")
def inputs(demo):
    """BAM, unaligned BAM and CRAM of DEMO01's reads, the sheets naming them, and a copy of
    DEMO01's panel of normals (so every patient is filtered against the same one)."""
    workdir = demo
    ref = workdir / "resources" / "cache" / "reference" / "genome.fa"
    out = workdir / "inputs"
    out.mkdir()
    files = {}
    for sample in ("DEMO01-T", "DEMO01-N"):
        for unit in UNITS:
            reads = [workdir / f"results/demo/reads/{sample}/{unit}_R{r}.fastq.gz" for r in (1, 2)]
            bam, cram = out / f"{sample}.{unit}.bam", out / f"{sample}.{unit}.cram"
            bwa_sorted_bam(ref, *reads, sample, bam)
            subprocess.run(
                ["samtools", "view", "-C", "-T", str(ref), "-o", str(cram), str(bam)], check=True
            )
            files[sample, unit] = {"bam": bam, "cram": cram, "reads": reads}
    ubam = out / "DEMO01-T.L002.unaligned.bam"
    r1, r2 = files["DEMO01-T", "L002"]["reads"]
    subprocess.run(
        ["samtools", "import", "-1", str(r1), "-2", str(r2), "-o", str(ubam)], check=True
    )
    samples = out / "samples.tsv"
    units = out / "units.tsv"
    rows, unit_rows = [], []
    for patient, kind in (("DEMOBAM", "bam"), ("DEMOCRAM", "cram")):
        rows += [
            f"{patient}\t{patient}-T\ttumour\tcolorectal adenocarcinoma\t0.6",
            f"{patient}\t{patient}-N\tnormal\t\t",
        ]
        for t in ("T", "N"):
            for unit in UNITS:
                path = files[f"DEMO01-{t}", unit][kind]
                if (patient, t, unit) == ("DEMOBAM", "T", "L002"):
                    path = ubam
                unit_rows.append(f"{patient}-{t}\t{unit}\t{path}")
    samples.write_text(SAMPLES + "".join(r + "\n" for r in rows))
    units.write_text("sample\tunit\tbam\n" + "".join(r + "\n" for r in unit_rows))
    pon = workdir / "results" / "pon" / "panel_of_normals.vcf.gz"
    for suffix in ("", ".tbi"):
        shutil.copy(f"{pon}{suffix}", out / f"demo01_pon.vcf.gz{suffix}")
    return {"ref": ref, "dir": out, "files": files, "samples": samples, "units": units}


@pytest.fixture(scope="module")
def aligned_run(project, mirror, demo, inputs):
    workdir = demo
    overlay = write_overlay(
        inputs["dir"],
        inputs["samples"],
        inputs["units"],
        mirror,
        demo=DEMO,
        somatic={"panel_of_normals": str(inputs["dir"] / "demo01_pon.vcf.gz")},
    )
    start = time.monotonic()
    res = run_workflow(workdir, overlay)
    assert res.returncode == 0, res.stderr[-3000:]
    print(f"\nDEMOBAM + DEMOCRAM from BAM/CRAM: {time.monotonic() - start:.0f} s")
    return workdir


def findings(workdir, patient):
    return json.loads((workdir / "results" / "findings" / f"{patient}.json").read_text())


def vcf_records(workdir, patient):
    """(contig, pos, ref, alt, FILTER) of every record of the patient's somatic VCF."""
    view = subprocess.run(
        ["bcftools", "query", "-f", "%CHROM\t%POS\t%REF\t%ALT\t%FILTER\n",
         str(workdir / "results" / "somatic" / f"{patient}.vcf.gz")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return {tuple(line.split("\t")) for line in view.stdout.splitlines()}


VARIANT_KEYS = ("gene", "hgvs_p", "hgvs_c", "chrom", "pos", "ref", "alt")


@pytest.mark.parametrize("patient", ["DEMOBAM", "DEMOCRAM"])
def test_bam_and_cram_give_the_findings_of_fastq(aligned_run, patient):
    workdir = aligned_run
    fastq, other = findings(workdir, "DEMO01"), findings(workdir, patient)
    assert other["tumour_sample"] == f"{patient}-T"

    def variants(doc):
        return {tuple(v[k] for k in VARIANT_KEYS): v for v in doc["variants"]}

    want, got = variants(fastq), variants(other)
    assert sorted(got) == sorted(want)
    vaf_diff = {key[0] + " " + key[1]: abs(got[key]["vaf"] - want[key]["vaf"]) for key in want}
    print(f"\n{patient}: largest VAF difference {max(vaf_diff.values()):.4f} {vaf_diff}")
    assert max(vaf_diff.values()) <= VAF_TOLERANCE, vaf_diff

    # every candidate of the somatic VCF, with its filter status (PASS or the failed filters)
    assert vcf_records(workdir, patient) == vcf_records(workdir, "DEMO01")

    def hotspots(doc):
        return {h["label"]: (h["status"], h["variant"]) for h in doc["hotspots"]}

    assert hotspots(other) == hotspots(fastq)
    depth = {h["label"]: h["depth"] for h in other["hotspots"] if h["status"] != "not evaluable"}
    depth_fastq = {h["label"]: h["depth"] for h in fastq["hotspots"] if h["label"] in depth}
    print(
        f"{patient}: largest hotspot depth difference "
        f"{max(abs(depth[k] - depth_fastq[k]) for k in depth)} reads"
    )

    def copy_number(doc):
        return {c["gene"]: c["call"] for c in doc["copy_number"]}

    assert copy_number(other) == copy_number(fastq)
    cn = {c["gene"]: c["copy_number"] for c in other["copy_number"]}
    cn_fastq = {c["gene"]: c["copy_number"] for c in fastq["copy_number"]}
    print(f"{patient}: copy numbers {cn} (FASTQ: {cn_fastq})")


def test_bam_units_are_realigned_from_their_reads(aligned_run):
    """The units went through unpack -> fastp -> bwa mem like FASTQ units (one read group each)."""
    # (their per-lane BAMs are rule align's own intermediates)
    workdir = aligned_run
    for sample in ("DEMOBAM-T", "DEMOCRAM-N"):
        for unit in UNITS:
            assert (workdir / f"results/qc/lanes/{sample}/{unit}.fastp.json").exists()
            assert (workdir / f"results/logs/unpack_reads/{sample}/{unit}.log").exists()
        assert not (workdir / f"results/unpack/{sample}").exists() or not any(
            (workdir / f"results/unpack/{sample}").iterdir()
        )  # temp FASTQ removed
        header = subprocess.run(
            ["samtools", "view", "-H", str(workdir / f"results/align/{sample}.bam")],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        groups = [ln for ln in header.splitlines() if ln.startswith("@RG")]
        assert [g.split("\t")[1] for g in groups] == [f"ID:{sample}.{u}" for u in UNITS]


def test_cram_against_another_reference_stops_the_run(project, mirror, demo, inputs):
    workdir = demo
    out = inputs["dir"] / "wrong"
    out.mkdir()
    # the workflow's reference with one base of one contig changed
    lines = inputs["ref"].read_text().splitlines()
    contig = lines[0][1:].split()[0]
    lines[1] = ("A" if lines[1][0] != "A" else "C") + lines[1][1:]
    wrong = out / "wrong.fa"
    wrong.write_text("\n".join(lines) + "\n")
    subprocess.run(["samtools", "faidx", str(wrong)], check=True)
    cram = out / "wrong.cram"
    bam = inputs["files"]["DEMO01-T", "L001"]["bam"]
    subprocess.run(
        ["samtools", "view", "-C", "-T", str(wrong), "-o", str(cram), str(bam)], check=True
    )
    samples, units = out / "samples.tsv", out / "units.tsv"
    samples.write_text(SAMPLES + "DEMOWRONG\tDEMOWRONG-T\ttumour\tcolorectal adenocarcinoma\t0.6\n")
    units.write_text(f"sample\tunit\tbam\nDEMOWRONG-T\tL001\t{cram}\n")
    overlay = write_overlay(out, samples, units, mirror, demo=DEMO)
    res = run_workflow(workdir, overlay)
    assert res.returncode != 0
    ref = "resources/cache/reference/genome.fa"
    want = aligned_input.reference_md5(wrong, [contig])[contig]
    have = aligned_input.reference_md5(inputs["ref"], [contig])[contig]
    message = (
        f"tumorboard: {cram}: made against another reference: @SQ {contig} M5 {want} != "
        f"{ref} ({have}); give the FASTA it was written with"
    )
    assert message in (res.stdout + res.stderr).splitlines(), res.stderr[-3000:]
    assert not (workdir / "results" / "qc" / "DEMOWRONG-T").exists()  # stopped before fastp
