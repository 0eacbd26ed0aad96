"""Baseline callers on the workflow's own BAMs, and reading every caller's calls.

* bcftools: ``bcftools mpileup -f REF -R targets.bed -a AD,DP -d 10000 -L 10000 T N |
  bcftools call -mv``; somatic = the tumour genotype carries the allele, and the normal does not
  (its genotype is homozygous reference, or it has no read of the allele).
* freebayes: ``freebayes -f REF -t targets.bed --pooled-continuous --min-alternate-fraction 0.01
  --min-alternate-count 2 --min-mapping-quality 20 --min-base-quality 20 T N``; somatic = at least
  2 tumour reads of the allele (AO), and the normal as for bcftools.

Both outputs are split to one allele per record and left-normalised with ``bcftools norm -f REF
-m -any`` before the somatic filter.  The tumorboard VCF is read as its output contract says:
records with FILTER PASS are calls, the first sample is the tumour.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pysam
from runs import Patient
from variants import Allele, Genome, trim

CALLERS = ("tumorboard", "bcftools", "freebayes")
MIN_TUMOUR_ALT = 2  # freebayes somatic filter (its --min-alternate-count)


@dataclass(frozen=True)
class Call:
    allele: Allele  # GRCh38, trimmed
    tumour_alt: int
    tumour_depth: int
    normal_alt: int
    normal_depth: int
    filter: str = "PASS"  # PASS = a call; otherwise why the record is not one

    @property
    def vaf(self) -> float:
        return self.tumour_alt / self.tumour_depth if self.tumour_depth else 0.0


def ensure_freebayes() -> str:
    """freebayes on PATH, installed from Debian when missing (the bench may install)."""
    if shutil.which("freebayes") is None:
        subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "freebayes"],
            check=True,
            capture_output=True,
        )
    out = subprocess.run(["freebayes", "--version"], capture_output=True, text=True).stdout
    return out.replace("version:", "").strip()


def bcftools_command(ref: Path, targets: Path, tumour: Path, normal: Path) -> str:
    return (
        f"bcftools mpileup -f {ref} -R {targets} -a AD,DP -d 10000 -L 10000 -Ou {tumour} {normal}"
        " | bcftools call -mv -Ou"
    )


def freebayes_command(ref: Path, targets: Path, tumour: Path, normal: Path) -> str:
    return (
        f"freebayes -f {ref} -t {targets} --pooled-continuous --min-alternate-fraction 0.01"
        f" --min-alternate-count {MIN_TUMOUR_ALT} --min-mapping-quality 20 --min-base-quality 20"
        f" {tumour} {normal}"
    )


def up_to_date(out: Path, inputs: list[Path], cmd: str) -> bool:
    """``out`` is newer than ``inputs`` and was made by the same command."""
    done = out.with_suffix(".cmd")
    return (
        out.exists()
        and done.exists()
        and done.read_text() == cmd
        and all(out.stat().st_mtime > i.stat().st_mtime for i in inputs)
    )


def run_baseline(caller: str, p: Patient, ref: Path, targets: Path) -> Path:
    """Raw calls of ``caller`` on ``p``'s BAMs, split and left-normalised (``baselines/``);
    not run again while the BAMs and the command are unchanged."""
    make = bcftools_command if caller == "bcftools" else freebayes_command
    out = p.baseline_dir / f"{caller}.vcf.gz"
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = (
        f"set -o pipefail; {make(ref, targets, p.bam(p.tumour), p.bam(p.normal))}"
        f" | bcftools norm -f {ref} -m -any -Oz -o {out} - && bcftools index -t -f {out}"
    )
    cmd = f"({cmd}) 2> {out.parent / caller}.log"
    if up_to_date(out, [p.bam(p.tumour), p.bam(p.normal)], cmd):
        return out
    subprocess.run(["bash", "-c", cmd], check=True)
    out.with_suffix(".cmd").write_text(cmd)
    return out


def _allele(genome: Genome, rec: pysam.VariantRecord) -> Allele:
    chrom, pos = genome.to_grch38(rec.chrom, rec.pos)
    return trim(Allele(chrom, pos, rec.ref.upper(), rec.alts[0].upper()))


def _ad(rec: pysam.VariantRecord, sample: str) -> tuple[int, int]:
    """(alt reads, depth) of a split record from FORMAT/AD."""
    ad = rec.samples[sample].get("AD")
    if not ad or ad[0] is None:
        return 0, 0
    ad = [x or 0 for x in ad]
    return ad[1] if len(ad) > 1 else 0, sum(ad)


def _ao(rec: pysam.VariantRecord, sample: str) -> tuple[int, int]:
    """(alt reads, depth) of a split freebayes record from FORMAT/AO and RO."""
    s = rec.samples[sample]
    ao = s.get("AO")
    ao = (ao[0] if isinstance(ao, tuple) else ao) or 0
    return ao, ao + (s.get("RO") or 0)


def tumorboard_calls(genome: Genome, p: Patient) -> list[Call]:
    """Every record of the tumorboard VCF; ``filter`` is its FILTER (PASS = a call)."""
    calls = []
    with pysam.VariantFile(str(p.vcf)) as vcf:
        samples = list(vcf.header.samples)
        for rec in vcf:
            if not rec.alts:
                continue
            t_alt, t_dp = _ad(rec, samples[0])
            n_alt, n_dp = _ad(rec, samples[1]) if len(samples) > 1 else (0, 0)
            flt = ";".join(rec.filter) or "."
            calls.append(Call(_allele(genome, rec), t_alt, t_dp, n_alt, n_dp, flt))
    return calls


def _carries_alt(rec: pysam.VariantRecord, sample: str) -> bool:
    gt = rec.samples[sample].get("GT") or ()
    return any(a is not None and a > 0 for a in gt)


def _normal_free(rec: pysam.VariantRecord, sample: str, alt_reads: int) -> bool:
    """The normal does not carry the allele: homozygous-reference genotype, or no alt read."""
    gt = rec.samples[sample].get("GT") or ()
    hom_ref = bool(gt) and all(a == 0 for a in gt)
    return hom_ref or alt_reads == 0


def _somatic_filter(tumour_ok: bool, normal_ok: bool) -> str:
    reasons = [
        r for r, ok in (("tumour_not_called", tumour_ok), ("in_normal", normal_ok)) if not ok
    ]
    return ";".join(reasons) or "PASS"


def bcftools_calls(genome: Genome, p: Patient, vcf_path: Path) -> list[Call]:
    """Every split record; PASS when the tumour genotype carries the allele and the normal not."""
    calls = []
    with pysam.VariantFile(str(vcf_path)) as vcf:
        for rec in vcf:
            if not rec.alts or rec.alts[0] == "*":
                continue
            t_alt, t_dp = _ad(rec, p.tumour)
            n_alt, n_dp = _ad(rec, p.normal)
            flt = _somatic_filter(
                _carries_alt(rec, p.tumour) and t_alt > 0, _normal_free(rec, p.normal, n_alt)
            )
            calls.append(Call(_allele(genome, rec), t_alt, t_dp, n_alt, n_dp, flt))
    return calls


def freebayes_calls(genome: Genome, p: Patient, vcf_path: Path) -> list[Call]:
    """Every split record; PASS with >= 2 tumour alt reads and the normal free of the allele."""
    calls = []
    with pysam.VariantFile(str(vcf_path)) as vcf:
        for rec in vcf:
            if not rec.alts:
                continue
            t_alt, t_dp = _ao(rec, p.tumour)
            n_alt, n_dp = _ao(rec, p.normal)
            flt = _somatic_filter(t_alt >= MIN_TUMOUR_ALT, _normal_free(rec, p.normal, n_alt))
            calls.append(Call(_allele(genome, rec), t_alt, t_dp, n_alt, n_dp, flt))
    return calls


def calls_of(caller: str, genome: Genome, p: Patient) -> list[Call]:
    """Every record of ``caller`` for ``p``; those with ``filter == "PASS"`` are its calls."""
    if caller == "tumorboard":
        return tumorboard_calls(genome, p)
    path = p.baseline_dir / f"{caller}.vcf.gz"
    read = bcftools_calls if caller == "bcftools" else freebayes_calls
    return read(genome, p, path)
