"""Sample and unit sheets: read, validate (JSON schema per row + cross-row rules), explain errors.

Every problem is reported as one line naming the file, the row and what is wrong, before any
rule runs.  Identifiers are restricted by the schema because they become file names and reach
shell commands.
"""

from __future__ import annotations

import csv
import difflib
import gzip
import re
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

import jsonschema
import yaml

SCHEMAS = files("tumorboard") / "schemas"  # package data


class SheetError(Exception):
    """A sample sheet, unit sheet or input file is unusable; the message is one line."""


@dataclass
class Sample:
    patient: str
    sample: str
    type: str
    tumour_type: str = ""
    purity: float | None = None
    units: list[dict[str, str]] = field(default_factory=list)
    vcf: str = ""  # start from this VCF instead of reads (tumour rows only)
    cna: str = ""  # optional copy-number segments going with the VCF
    vcf_sample: str = ""  # the VCF's tumour column, when the sheet names it

    @property
    def from_vcf(self) -> bool:
        return bool(self.vcf)


@dataclass
class Patient:
    id: str
    tumour: Sample
    normal: Sample | None

    @property
    def samples(self) -> list[Sample]:
        return [self.tumour] + ([self.normal] if self.normal else [])


@dataclass
class Sheet:
    patients: dict[str, Patient]
    samples: dict[str, Sample]

    def units(self, sample: str) -> list[dict[str, str]]:
        return self.samples[sample].units

    def unit(self, sample: str, unit: str) -> dict[str, str]:
        for u in self.samples[sample].units:
            if u["unit"] == unit:
                return u
        raise KeyError(f"{sample}/{unit}")

    def is_aligned_input(self, sample: str, unit: str) -> bool:
        """Whether the unit comes as a BAM/CRAM (re-aligned from its reads) rather than FASTQ."""
        return is_aligned_input(self.unit(sample, unit))


def is_aligned_input(unit: dict[str, str]) -> bool:
    """A units-sheet row that gives a BAM or CRAM (aligned or not) instead of FASTQ."""
    return bool(unit.get("bam"))


def _schema(name: str) -> dict:
    with (SCHEMAS / name).open() as fh:
        return yaml.safe_load(fh)


def _read_tsv(path: Path, schema: dict) -> list[dict[str, str]]:
    """The rows of a sheet, after checking its header against the columns ``schema`` knows."""
    if not path.is_file():
        raise SheetError(f"{path}: file not found")
    with open(path, newline="") as fh:
        lines = [ln for ln in fh if ln.strip() and not ln.startswith("#")]
    if not lines:
        raise SheetError(f"{path}: no header line")
    reader = csv.DictReader(lines, delimiter="\t")
    known = schema["properties"]
    for col in (c.strip() for c in reader.fieldnames or []):
        if col not in known:
            guess = _did_you_mean(col, list(known))
            raise SheetError(f"{path}: unknown column {col!r} ({guess}columns: {', '.join(known)})")
    rows = []
    for n, row in enumerate(reader, start=2):
        if None in row or None in row.values():
            raise SheetError(f"{path}: row {n}: number of columns differs from the header")
        rows.append({k.strip(): (v or "").strip() for k, v in row.items()})
    return rows


def _did_you_mean(col: str, known: list[str]) -> str:
    """A hint for a misspelt column: a known column the name contains (``tumour_purity`` ->
    purity), else the closest spelling."""
    inside = sorted((k for k in known if len(k) > 3 and k in col.lower()), key=len)
    close = inside[-1:] or difflib.get_close_matches(col, known, n=1)
    return f"did you mean {close[0]}? " if close else ""


def _validate_rows(path: Path, rows: list[dict[str, str]], schema: dict) -> None:
    validator = jsonschema.Draft202012Validator(schema)
    for n, row in enumerate(rows, start=2):
        for err in sorted(validator.iter_errors(row), key=lambda e: list(e.path)):
            col = err.path[0] if err.path else None
            if err.validator == "required":
                raise SheetError(f"{path}: row {n}: {err.message}")
            desc = schema["properties"].get(col, {}).get("description", "")
            hint = f" ({desc})" if desc else ""
            raise SheetError(f"{path}: row {n}: column {col} = {row.get(col)!r} is invalid{hint}")


def check_fastq(path: Path) -> None:
    """Cheap check that ``path`` is a readable gzipped FASTQ (first record well formed)."""
    if not path.is_file():
        raise SheetError(f"{path}: FASTQ file not found")
    try:
        with gzip.open(path, "rt") as fh:
            rec = [fh.readline() for _ in range(4)]
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise SheetError(f"{path}: not a readable gzipped FASTQ ({exc})") from None
    if not rec[0].startswith("@") or not rec[2].startswith("+") or len(rec[1]) != len(rec[3]):
        raise SheetError(
            f"{path}: first record is not FASTQ (expected @name, sequence, +, qualities)"
        )


def check_bam(path: Path) -> None:
    """The BAM/CRAM exists and its header opens; a CRAM's @SQ lines must carry M5 or UR, or the
    reference it was written with could not be checked against the configured one."""
    import pysam

    if not path.is_file():
        raise SheetError(f"{path}: BAM/CRAM file not found")
    try:
        with pysam.AlignmentFile(str(path), check_sq=False) as bam:
            kind_ok = bam.is_bam or bam.is_cram
            cram, sq = bam.is_cram, bam.header.to_dict().get("SQ", [])
    except Exception as exc:  # htslib reports unreadable files as OSError, ValueError, IndexError
        raise SheetError(f"{path}: not a readable BAM or CRAM file ({exc})") from None
    if not kind_ok:
        raise SheetError(f"{path}: not a BAM or CRAM file")
    for line in sq if cram else ():
        if "M5" not in line and "UR" not in line:
            raise SheetError(
                f"{path}: CRAM @SQ {line.get('SN')} has neither M5 nor UR, so the reference it "
                "was written with cannot be checked"
            )


def check_vcf(path: Path, where: str, sample: str = "", declared: str = "") -> str:
    """The VCF's header checks (``vcf_import.check_header``: readable, GRCh38, depth fields,
    a known tumour column); returns the tumour column."""
    from tumorboard.annotation.vcf_import import VcfImportError, check_header

    try:
        return check_header(path, sample, declared)
    except VcfImportError as exc:
        raise SheetError(f"{where}: {exc}") from None


def check_cna(path: Path, where: str) -> None:
    """The copy-number segments read (columns, numbers, chromosomes)."""
    from tumorboard.copynumber.segments import SegmentsError, read_segments

    try:
        read_segments(path)
    except SegmentsError as exc:
        raise SheetError(f"{where}: {exc}") from None


def load_sheet(
    samples_tsv: str | Path,
    units_tsv: str | Path,
    produced: set[str] | frozenset[str] = frozenset(),
    check_files: bool = True,
) -> Sheet:
    """Read and validate both sheets.  Input paths in ``produced`` are made by the workflow
    (the simulated demo) and are not checked on disk."""
    spath, upath = Path(samples_tsv), Path(units_tsv)
    sschema, uschema = _schema("samples.schema.yaml"), _schema("units.schema.yaml")
    srows, urows = _read_tsv(spath, sschema), _read_tsv(upath, uschema)
    if not srows:
        raise SheetError(f"{spath}: no samples")
    _validate_rows(spath, srows, sschema)
    _validate_rows(upath, urows, uschema)

    samples: dict[str, Sample] = {}
    for n, r in enumerate(srows, start=2):
        if r["sample"] in samples:
            raise SheetError(f"{spath}: row {n}: sample {r['sample']} appears twice")
        if r["type"] == "tumour" and not r.get("tumour_type"):
            raise SheetError(f"{spath}: row {n}: tumour sample {r['sample']} has no tumour_type")
        purity = float(r["purity"]) if r.get("purity") else None
        if purity is not None and purity <= 0:
            raise SheetError(f"{spath}: row {n}: purity must be above 0 (blank when unknown)")
        if purity is not None and r["type"] != "tumour":
            raise SheetError(
                f"{spath}: row {n}: purity is given on a normal row ({r['sample']}); it is the "
                "tumour's cell fraction: move it to the patient's tumour row"
            )
        vcf, cna, vcf_sample = r.get("vcf", ""), r.get("cna", ""), r.get("vcf_sample", "")
        if (vcf or cna or vcf_sample) and r["type"] != "tumour":
            raise SheetError(f"{spath}: row {n}: vcf/cna/vcf_sample are given on tumour rows only")
        if vcf_sample and not vcf:
            raise SheetError(f"{spath}: row {n}: vcf_sample names a column of a vcf: give the vcf")
        if cna and not vcf:
            raise SheetError(f"{spath}: row {n}: cna segments need a vcf on the same row")
        if check_files:
            for path in filter(None, (vcf, cna)):
                if not Path(path).is_file():
                    raise SheetError(f"{spath}: row {n}: {path}: file not found")
            if vcf:
                check_vcf(Path(vcf), f"{spath}: row {n}", r["sample"], vcf_sample)
            if cna:
                check_cna(Path(cna), f"{spath}: row {n}")
        samples[r["sample"]] = Sample(
            r["patient"],
            r["sample"],
            r["type"],
            r.get("tumour_type", ""),
            purity,
            vcf=vcf,
            cna=cna,
            vcf_sample=vcf_sample,
        )

    seen_units: set[tuple[str, str]] = set()
    for n, u in enumerate(urows, start=2):
        if u["sample"] not in samples:
            raise SheetError(f"{upath}: row {n}: sample {u['sample']} is not in {spath}")
        key = (u["sample"], u["unit"])
        if key in seen_units:
            raise SheetError(f"{upath}: row {n}: unit {u['unit']} of {u['sample']} appears twice")
        seen_units.add(key)
        u = {"fq1": "", "fq2": "", "bam": "", **u}
        fastq, bam = [u["fq1"], u["fq2"]], u["bam"]
        if bam and any(fastq):
            raise SheetError(f"{upath}: row {n}: give either fq1 and fq2 or bam, not both")
        if not bam and not all(fastq):
            raise SheetError(
                f"{upath}: row {n}: "
                + (
                    "fq1 and fq2 go together (paired FASTQ)"
                    if any(fastq)
                    else "give fq1 and fq2 (paired FASTQ) or bam (BAM/CRAM)"
                )
            )
        if check_files:
            for path in [bam] if bam else fastq:
                if path in produced:
                    continue
                try:
                    (check_bam if bam else check_fastq)(Path(path))
                except SheetError as exc:
                    raise SheetError(f"{upath}: row {n}: {exc}") from None
        samples[u["sample"]].units.append(u)

    patients: dict[str, Patient] = {}
    for pid in dict.fromkeys(s.patient for s in samples.values()):
        mine = [s for s in samples.values() if s.patient == pid]
        tumours = [s for s in mine if s.type == "tumour"]
        normals = [s for s in mine if s.type == "normal"]
        if len(tumours) != 1 or len(normals) > 1:
            raise SheetError(
                f"{spath}: patient {pid} has {len(tumours)} tumour and {len(normals)} normal "
                "samples (expected exactly one tumour and at most one normal)"
            )
        if tumours[0].from_vcf and normals:
            raise SheetError(
                f"{spath}: patient {pid} starts from a VCF; its normal row would not be used "
                "(remove it)"
            )
        patients[pid] = Patient(pid, tumours[0], normals[0] if normals else None)
    for s in samples.values():
        if s.from_vcf and s.units:
            raise SheetError(f"{upath}: sample {s.sample} starts from a VCF and also has reads")
        if not s.units and not s.from_vcf:
            raise SheetError(f"{upath}: sample {s.sample} has no units (FASTQ pairs or BAM/CRAM)")
    return Sheet(patients, samples)


def ids_pattern(ids) -> str:
    """A regular expression matching exactly the given ids (a rule's wildcard constraint), or
    nothing at all when there are none."""
    ids = sorted(set(ids), key=lambda i: (-len(i), i))
    return "|".join(re.escape(i) for i in ids) if ids else "(?!)"
