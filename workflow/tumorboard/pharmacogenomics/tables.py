"""The authored pharmacogenomic tables (``resources/pgx/``): the sites genotyped, the drugs each
gene bears on, and what the guidelines recommend per phenotype.  A malformed table stops with one
line naming the file, the row and the problem."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

SNV, TA_REPEAT = "snv", "ta_repeat"
_BASES = re.compile(r"^[ACGT]$")


class PgxTableError(ValueError):
    """An authored pharmacogenomic table is malformed (one-line message)."""


@dataclass(frozen=True)
class Site:
    """One allele of a site: an SNV (``ref``/``alt`` bases) or one length of the UGT1A1 TA repeat
    (``ref``/``alt`` = numbers of TA units; ``pos`` = the base before the repeat tract)."""

    gene: str
    site: str
    rsid: str
    allele: str
    hgvs_c: str
    chrom: str
    pos: int
    ref: str
    alt: str
    kind: str
    function: str
    activity_value: float | None
    counts: str  # "yes" or "tag"


@dataclass(frozen=True)
class DrugClass:
    name: str
    genes: tuple[str, ...]
    names: tuple[str, ...]

    def pattern(self) -> re.Pattern:
        words = sorted(self.names, key=len, reverse=True)
        return re.compile(
            r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w-])", re.I
        )


@dataclass(frozen=True)
class Guidance:
    drug_class: str
    gene: str
    key: str
    recommendation: str
    short: str
    source: str


def _rows(path: str | Path, columns: list[str]) -> list[tuple[int, dict]]:
    lines = [ln for ln in Path(path).read_text().splitlines() if ln.strip() and ln[0] != "#"]
    reader = csv.DictReader(lines, delimiter="\t")
    if reader.fieldnames != columns:
        raise PgxTableError(f"{path}: columns must be {columns}, not {reader.fieldnames}")
    out = []
    for n, row in enumerate(reader, start=1):
        if None in row or any(v is None for v in row.values()):
            raise PgxTableError(f"{path}: row {n}: expected {len(columns)} tab-separated columns")
        out.append((n, {k: v.strip() for k, v in row.items()}))
    return out


SITE_COLUMNS = ["gene", "site", "rsid", "allele", "hgvs_c", "chrom", "pos", "ref", "alt", "kind",
                "function", "activity_value", "counts"]  # fmt: skip


def read_sites(path: str | Path) -> list[Site]:
    out = []
    for n, r in _rows(path, SITE_COLUMNS):
        where = f"{path}: row {n} ({r['site']})"
        try:
            pos = int(r["pos"])
            value = float(r["activity_value"]) if r["activity_value"] else None
        except ValueError:
            raise PgxTableError(f"{where}: pos and activity_value must be numbers") from None
        if r["kind"] == SNV and not (_BASES.match(r["ref"]) and _BASES.match(r["alt"])):
            raise PgxTableError(f"{where}: an snv needs one-base ref and alt (A, C, G, T)")
        if r["kind"] == TA_REPEAT and not (r["ref"].isdigit() and r["alt"].isdigit()):
            raise PgxTableError(f"{where}: a ta_repeat row gives ref and alt as TA-unit numbers")
        if r["kind"] not in (SNV, TA_REPEAT):
            raise PgxTableError(f"{where}: kind must be {SNV} or {TA_REPEAT}, not {r['kind']!r}")
        if r["counts"] not in ("yes", "tag"):
            raise PgxTableError(f"{where}: counts must be yes or tag, not {r['counts']!r}")
        out.append(
            Site(r["gene"], r["site"], r["rsid"], r["allele"], r["hgvs_c"], r["chrom"], pos,
                 r["ref"], r["alt"], r["kind"], r["function"], value, r["counts"])  # fmt: skip
        )
    if not out:
        raise PgxTableError(f"{path}: no sites")
    return out


def read_drugs(path: str | Path) -> list[DrugClass]:
    out = []
    for n, r in _rows(path, ["drug_class", "genes", "names"]):
        names = tuple(x.strip() for x in r["names"].split("|") if x.strip())
        if not (r["drug_class"] and r["genes"] and names):
            raise PgxTableError(f"{path}: row {n}: needs a drug_class, genes and names")
        out.append(DrugClass(r["drug_class"], tuple(r["genes"].split("|")), names))
    return out


def read_guidance(path: str | Path) -> dict[tuple[str, str, str], Guidance]:
    """{(drug_class, gene, key): Guidance}."""
    out: dict[tuple[str, str, str], Guidance] = {}
    for n, r in _rows(path, ["drug_class", "gene", "key", "recommendation", "short", "source"]):
        g = Guidance(**r)
        if not (g.recommendation and g.short and g.source):
            raise PgxTableError(f"{path}: row {n}: needs recommendation, short and source")
        if (g.drug_class, g.gene, g.key) in out:
            raise PgxTableError(f"{path}: row {n}: {g.drug_class}/{g.gene}/{g.key} appears twice")
        out[(g.drug_class, g.gene, g.key)] = g
    return out
