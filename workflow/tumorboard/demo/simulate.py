"""Deterministic tumour/normal read simulator for the demo patient (art_illumina underneath).

Model.  Every simulated region (panel targets padded so that fragments cover them fully) is
sequenced from ``SLOTS`` equally weighted haplotype copies.  Germline heterozygous variants sit on
the odd slots (50% allele fraction in both samples).  A somatic variant with allele fraction ``v``
sits on the first ``round(v * SLOTS)`` slots of the tumour, so allele fractions are exact to
1/SLOTS.  A focal amplification of ``CN`` copies in a tumour of purity ``p`` multiplies the depth of
that gene's regions by ``(p * CN + 2 * (1 - p)) / 2``.  Identical slots are merged and each distinct
haplotype is passed to ``art_illumina`` (HiSeq 2500 error profile, fixed seed) at its share of the
depth, so the same truth file and seed always give the same reads, byte for byte.

Off-target reads (``off_target_fraction`` of the read pairs, as a hybrid capture leaves 20-40% of
its reads off target): simulated evenly over the rest of the reference (``off_target_regions``:
every contig minus the padded targets and runs of N), reference sequence only, at the depth that
makes that fraction of the pairs (before copy number), and multiplied by copy number like the
targets: an off-target region on an amplified gene's contig (its flanks and introns) carries the
gene's copies.  They are the copy-number background (antitarget bins).
"""

from __future__ import annotations

import gzip
import subprocess
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pysam
import yaml

from tumorboard.reference.contigs import ContigMap
from tumorboard.reference.panel import Target, _merge

SLOTS = 100  # allele fractions are exact to 1%


@dataclass(frozen=True)
class Variant:
    id: str
    kind: str  # "somatic" or "germline"
    gene: str
    chrom: str  # GRCh38
    pos: int
    ref: str
    alt: str
    vaf: float
    contig: str = ""
    cpos: int = 0  # position on the demo contig


@dataclass
class Truth:
    patient: str
    tumour_type: str
    purity: float
    variants: list[Variant]
    amplifications: dict[str, float]  # gene -> absolute copies in tumour cells
    raw: dict


def load_truth(path: str | Path, contig_map: ContigMap, fasta: str | Path) -> Truth:
    """Read the truth YAML, place each variant on the demo contigs and check its REF allele."""
    with open(path) as fh:
        doc = yaml.safe_load(fh)
    variants: list[Variant] = []
    with pysam.FastaFile(str(fasta)) as fa:
        for kind in ("somatic", "germline"):
            for n, v in enumerate(doc.get(kind, []), start=1):
                hit = contig_map.from_grch38(v["chrom"], int(v["pos"]))
                vid = v.get("id", f"{kind}{n}")
                if hit is None:
                    raise ValueError(
                        f"{path}: {vid} {v['chrom']}:{v['pos']} is not in the demo reference"
                    )
                contig, cpos = hit
                seen = fa.fetch(contig, cpos - 1, cpos - 1 + len(v["ref"])).upper()
                if seen != v["ref"].upper():
                    raise ValueError(
                        f"{path}: {vid} REF {v['ref']} differs from the reference ({seen}) at "
                        f"{v['chrom']}:{v['pos']}"
                    )
                vaf = 0.5 if kind == "germline" else float(v["vaf"])
                if kind == "somatic" and not 0 < vaf <= 1:
                    raise ValueError(f"{path}: {vid} VAF {vaf} is not in (0, 1]")
                variants.append(
                    Variant(
                        vid,
                        kind,
                        v["gene"],
                        v["chrom"],
                        int(v["pos"]),
                        v["ref"].upper(),
                        v["alt"].upper(),
                        vaf,
                        contig,
                        cpos,
                    )
                )
    amps = {a["gene"]: float(a["copies"]) for a in doc.get("copy_number", [])}
    return Truth(doc["patient"], doc["tumour_type"], float(doc["purity"]), variants, amps, doc)


def simulation_regions(targets: list[Target], pad: int, lengths: dict[str, int]) -> list[Target]:
    """Targets padded by ``pad`` and merged per contig; the name keeps the (first) gene."""
    by_contig: dict[str, list[tuple[int, int]]] = defaultdict(list)
    names: dict[tuple[str, int, int], str] = {}
    for t in targets:
        by_contig[t.contig].append((max(0, t.start - pad), min(lengths[t.contig], t.end + pad)))
        names[(t.contig, t.start, t.end)] = t.name
    out = []
    for contig, iv in by_contig.items():
        for s, e in _merge(iv):
            genes = sorted(
                {n for (c, ts, te), n in names.items() if c == contig and ts < e and te > s}
            )
            out.append(Target(contig, s, e, genes[0] if genes else ""))
    return sorted(out)


def off_target_regions(fasta: str | Path, regions: list[Target], min_gap: int = 50) -> list[Target]:
    """Every contig of ``fasta`` minus the simulated ``regions`` and runs of N (>= ``min_gap``),
    each stretch named by the gene of the contig's regions (for its copy number), else ""."""
    from tumorboard.copynumber.antitarget import accessible_regions, subtract

    by_contig: dict[str, list[Target]] = defaultdict(list)
    for r in regions:
        by_contig[r.contig].append(r)
    out = []
    with pysam.FastaFile(str(fasta)) as fa:
        for contig in fa.references:
            regs = by_contig.get(contig, [])
            genes = sorted({r.name for r in regs if r.name and r.name != "backbone"})
            name = genes[0] if genes else ""
            free = subtract(
                accessible_regions(fa.fetch(contig), min_gap), [(r.start, r.end) for r in regs]
            )
            out += [Target(contig, s, e, name) for s, e in free]
    return sorted(out)


def apply_variants(seq: str, start: int, variants: list[Variant]) -> str:
    """``seq`` (0-based ``start`` on its contig) with ``variants`` applied, right to left."""
    for v in sorted(variants, key=lambda v: v.cpos, reverse=True):
        i = v.cpos - 1 - start
        if seq[i : i + len(v.ref)] != v.ref:
            raise ValueError(f"{v.id}: REF mismatch while applying to the haplotype")
        seq = seq[:i] + v.alt + seq[i + len(v.ref) :]
    return seq


def haplotype_groups(variants: list[Variant], tumour: bool) -> list[tuple[frozenset[str], float]]:
    """Distinct haplotypes (sets of variant ids) with their share of the molecules."""
    counts: dict[frozenset[str], int] = defaultdict(int)
    for slot in range(SLOTS):
        ids = {v.id for v in variants if v.kind == "germline" and slot % 2 == 1}
        if tumour:
            ids |= {v.id for v in variants if v.kind == "somatic" and slot < round(v.vaf * SLOTS)}
        counts[frozenset(ids)] += 1
    return sorted(((k, c / SLOTS) for k, c in counts.items()), key=lambda kv: sorted(kv[0]))


def _art(
    fasta: Path,
    prefix: Path,
    coverage: float,
    seed: int,
    read_length: int,
    fragment_mean: int,
    fragment_sd: int,
) -> None:
    cmd = [
        "art_illumina",
        "-ss",
        "HS25",
        "-i",
        str(fasta),
        "-p",
        "-l",
        str(read_length),
        "-f",
        f"{coverage:.4f}",
        "-m",
        str(fragment_mean),
        "-s",
        str(fragment_sd),
        "-rs",
        str(seed),
        "-na",
        "-q",
        "-o",
        str(prefix),
    ]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"art_illumina failed ({res.returncode}): {res.stderr.strip()[-500:]}")


def _fastq_records(path: Path):
    with open(path) as fh:
        while True:
            rec = [fh.readline() for _ in range(4)]
            if not rec[0]:
                return
            yield rec


def simulate_sample(
    truth: Truth,
    fasta: str | Path,
    regions: list[Target],
    tumour: bool,
    depth: float,
    seed: int,
    out_prefixes: list[str | Path],
    read_length: int = 150,
    fragment_mean: int = 300,
    fragment_sd: int = 30,
    off_target: list[Target] = (),
    off_target_fraction: float = 0.0,
) -> int:
    """Simulate one sample; reads are dealt round-robin into ``len(out_prefixes)`` units.

    ``off_target`` (``off_target_regions``) receive ``off_target_fraction`` of the read pairs
    (of a copy-neutral sample; copy number scales them as the targets).  Writes
    ``<prefix>_R1.fastq.gz`` and ``<prefix>_R2.fastq.gz`` per unit; returns read pairs.
    """
    if not 0 <= off_target_fraction < 1:
        raise ValueError(f"off-target fraction {off_target_fraction} is not in [0, 1)")
    variants = [v for v in truth.variants if tumour or v.kind == "germline"]
    region_vars = {
        r: [v for v in variants if v.contig == r.contig and r.start < v.cpos <= r.end]
        for r in regions
    }
    placed = {v.id for vs in region_vars.values() for v in vs}
    missing = [v.id for v in variants if v.id not in placed]
    if missing:
        raise ValueError(f"variants outside the simulated regions: {', '.join(missing)}")

    def multiplier(r: Target) -> float:
        cn = truth.amplifications.get(r.name) if tumour else None
        return 1.0 if cn is None else (truth.purity * cn + 2 * (1 - truth.purity)) / 2

    jobs = []  # (regions, haplotype variant ids, depth)
    classes: dict[float, list[Target]] = defaultdict(list)
    for r in regions:
        classes[multiplier(r)].append(r)
    for mult, regs in sorted(classes.items()):
        for hap, share in haplotype_groups(variants, tumour):
            jobs.append((regs, hap, depth * share * mult))
    off_len = sum(r.end - r.start for r in off_target)
    if off_target_fraction > 0 and off_len:
        on_len = sum(r.end - r.start for r in regions)
        off_depth = depth * on_len / off_len * off_target_fraction / (1 - off_target_fraction)
        off_classes: dict[float, list[Target]] = defaultdict(list)
        for r in off_target:
            off_classes[multiplier(r)].append(r)
        for mult, regs in sorted(off_classes.items()):
            jobs.append((regs, frozenset(), off_depth * mult))
    outs = []
    for p in out_prefixes:
        # level 1: compression at level 9 (gzip's default) took ~80% of the simulation's time
        outs.append([gzip.GzipFile(f"{p}_R{i}.fastq.gz", "wb", compresslevel=1, mtime=0)
                     for i in (1, 2)])  # fmt: skip
    pairs = 0
    with tempfile.TemporaryDirectory() as tmp, pysam.FastaFile(str(fasta)) as fa:
        for job, (regs, hap, cov) in enumerate(jobs, start=1):
            hap_fa = Path(tmp) / f"h{job}.fa"
            with open(hap_fa, "w") as fh:
                for r in regs:
                    seq = fa.fetch(r.contig, r.start, r.end).upper()
                    seq = apply_variants(
                        seq, r.start, [v for v in region_vars.get(r, []) if v.id in hap]
                    )
                    fh.write(f">{r.contig}:{r.start + 1}-{r.end}\n{seq}\n")
            prefix = Path(tmp) / f"h{job}_"
            _art(
                hap_fa,
                prefix,
                cov,
                (seed * 1000 + job) % 2**31,
                read_length,
                fragment_mean,
                fragment_sd,
            )
            r1 = _fastq_records(Path(f"{prefix}1.fq"))
            r2 = _fastq_records(Path(f"{prefix}2.fq"))
            for a, b in zip(r1, r2, strict=True):
                name = f"@h{job}:{a[0][1:].split()[0].removesuffix('/1')}"
                unit = outs[pairs % len(outs)]
                unit[0].write(f"{name}/1\n{a[1]}+\n{a[3]}".encode())
                unit[1].write(f"{name}/2\n{b[1]}+\n{b[3]}".encode())
                pairs += 1
    for pair in outs:
        for fh in pair:
            fh.close()
    return pairs
