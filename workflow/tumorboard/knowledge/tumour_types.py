"""Tumour types: a small OncoTree-coded ontology with Disease Ontology ids and parents.

The sample sheet names a tumour type in words ("colorectal adenocarcinoma"); evidence names a
disease (CIViC: a name and a DOID; the project's biomarker table: an OncoTree code).  Both are
resolved to codes of ``tumour_types.tsv`` (next to this module), and evidence applies to a
patient when its tumour type is the patient's or one of its ancestors (evidence for "colorectal
cancer" applies to a rectal adenocarcinoma; evidence for "lung adenocarcinoma" does not apply to
"lung cancer").
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

# authored for tumorboard and versioned with its code (package data, like the schemas)
DEFAULT_TABLE = files("tumorboard.knowledge") / "tumour_types.tsv"

# how evidence's tumour type relates to the patient's (tiers treat the first three as "same")
SAME, BROADER, AGNOSTIC, NARROWER, OTHER = (
    "same",
    "broader",
    "tumour-agnostic",
    "narrower",
    "other",
)
SAME_TYPE = frozenset({SAME, BROADER, AGNOSTIC})


class TumourTypeError(ValueError):
    """A tumour type that the ontology does not know, or a malformed ontology table."""


@dataclass(frozen=True)
class TumourType:
    code: str
    name: str
    parent: str | None
    doids: tuple[str, ...]
    synonyms: tuple[str, ...]


def normalise_name(text: str) -> str:
    """Case, spacing, hyphens and tumour/tumor spelling do not distinguish names."""
    t = re.sub(r"[\s_\-]+", " ", text.strip().lower())
    return t.replace("tumour", "tumor")


def normalise_doid(doid: str | int | None) -> str | None:
    """``DOID:9256``, ``9256`` and ``doid:9256`` are one id; empty means none."""
    if doid is None:
        return None
    t = str(doid).strip().upper().removeprefix("DOID:").strip()
    return f"DOID:{t}" if t else None


class Ontology:
    def __init__(self, types: list[TumourType], source: str = "") -> None:
        self.source = source
        self.types: dict[str, TumourType] = {}
        self._by_name: dict[str, str] = {}
        self._by_doid: dict[str, str] = {}
        for t in types:
            if t.code in self.types:
                raise TumourTypeError(f"{source}: tumour type code {t.code} appears twice")
            self.types[t.code] = t
        for t in types:
            if t.parent is not None and t.parent not in self.types:
                raise TumourTypeError(f"{source}: {t.code} has unknown parent {t.parent}")
            for name in (t.code, t.name, *t.synonyms):
                key = normalise_name(name)
                if self._by_name.get(key, t.code) != t.code:
                    raise TumourTypeError(
                        f"{source}: name {name!r} names both {self._by_name[key]} and {t.code}"
                    )
                self._by_name[key] = t.code
            for d in t.doids:
                if self._by_doid.get(d, t.code) != t.code:
                    raise TumourTypeError(f"{source}: {d} given to {self._by_doid[d]} and {t.code}")
                self._by_doid[d] = t.code
        roots = [t.code for t in types if t.parent is None]
        if len(roots) != 1:
            raise TumourTypeError(f"{source}: expected one root tumour type, found {roots}")
        self.root = roots[0]
        for code in self.types:
            self.ancestors(code)  # refuses cycles

    def valid_names(self) -> list[str]:
        return sorted(t.name for t in self.types.values())

    def resolve(self, text: str) -> str:
        """The code for a sheet's tumour type (code, name or synonym, case-insensitive)."""
        code = self._by_name.get(normalise_name(text or ""))
        if code is None:
            raise TumourTypeError(
                f"unknown tumour type {text!r}; valid tumour types (or their OncoTree codes): "
                + ", ".join(self.valid_names())
            )
        return code

    def name(self, code: str) -> str:
        return self.types[code].name

    def ancestors(self, code: str) -> list[str]:
        """``code`` and its ancestors up to the root, nearest first."""
        out: list[str] = []
        cur: str | None = code
        while cur is not None:
            if cur in out:
                raise TumourTypeError(f"{self.source}: parent cycle through {cur}")
            out.append(cur)
            cur = self.types[cur].parent
        return out

    def from_doid(self, doid: str | int | None) -> str | None:
        d = normalise_doid(doid)
        return self._by_doid.get(d) if d else None

    def from_disease(self, name: str | None, doid: str | int | None = None) -> str | None:
        """Code of an evidence disease: by DOID first, then by name; None = not in the ontology
        (treated as another tumour type)."""
        code = self.from_doid(doid)
        if code is None and name:
            code = self._by_name.get(normalise_name(name))
        return code

    def _code(self, code_or_doid: str) -> str | None:
        if code_or_doid in self.types:
            return code_or_doid
        if re.fullmatch(r"(?i)(doid:)?\d+", code_or_doid.strip()):
            return self.from_doid(code_or_doid)
        return self._by_name.get(normalise_name(code_or_doid))

    def relation(self, patient_code: str, evidence: str | None) -> str:
        """How evidence's tumour type (code, DOID or name; None = unknown) relates to the
        patient's: same, broader (an ancestor), tumour-agnostic (the root), narrower (a
        descendant) or other."""
        code = self._code(evidence) if evidence else None
        if code is None:
            return OTHER
        if code == patient_code:
            return SAME
        if code in self.ancestors(patient_code):
            return AGNOSTIC if code == self.root else BROADER
        if patient_code in self.ancestors(code):
            return NARROWER
        return OTHER

    def matches(self, patient_code: str, evidence: str | None) -> bool:
        """Does evidence for ``evidence`` (code or DOID) apply to the patient's tumour type?"""
        return self.relation(patient_code, evidence) in SAME_TYPE


def _split(cell: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (cell or "").split(";") if p.strip())


def load_ontology(path: str | Path = DEFAULT_TABLE) -> Ontology:
    path = Path(path)
    with open(path, newline="") as fh:
        rows = csv.DictReader((ln for ln in fh if not ln.startswith("#")), delimiter="\t")
        missing = {"code", "name", "parent", "doids", "synonyms"} - set(rows.fieldnames or [])
        if missing:
            raise TumourTypeError(f"{path}: missing columns {sorted(missing)}")
        types = []
        for r in rows:
            doids = tuple(normalise_doid(d) for d in _split(r["doids"]))
            types.append(
                TumourType(
                    code=r["code"].strip(),
                    name=r["name"].strip(),
                    parent=(r["parent"] or "").strip() or None,
                    doids=tuple(d for d in doids if d),
                    synonyms=_split(r["synonyms"]),
                )
            )
    return Ontology(types, str(path))
