"""Therapy names: one normalised name per drug, what is not a drug, and what a therapy line's
separators mean (issue 12, item 7).

**Names.**  CIViC's current exports use NCI Thesaurus (NCIt) preferred names ("Trastuzumab
Deruxtecan", "Fluorouracil"), the 2018 export older spellings and codes ("5-fluorouracil",
"Selumetinib (AZD6244)", "Trametinib DMSO"), the project's biomarker table lower-case INNs.
``drug_names.tsv`` next to this module (authored; sources in its header) maps every spelling to
one name, so the same drug from different sources is one drug for gating and one line per patient
(:mod:`tumorboard.knowledge.gating`).  A name not in the table is kept as its source writes it,
ordinary words lower-cased ("Vemurafenib" -> "vemurafenib"), codes as they are ("AZD6244").  A
name is never split on "/": NCIt names contain it ("Futuximab/Modotuximab Mixture", "AKTi-1/2").

**Kinds.**  ``drug`` (one agent), ``regimen`` (a named multi-drug regimen, e.g. "EAP regimen",
shown with its drugs: "EAP regimen (etoposide + doxorubicin + cisplatin)"), ``class`` (a class of
agents, e.g. "anti-EGFR monoclonal antibody": a therapy line, compared with the gating rules by its
class name) and ``non-drug``: a treatment modality, procedure or unspecified treatment
("Chemotherapy", "Adjuvant Chemotherapy", "Radiation Therapy", "Hormone Therapy", "Cytoreductive
Surgery", cell therapies).  A name the table does not list is a non-drug when it names one of those
modalities (:data:`NON_DRUG_WORDS`).  "Trametinib DMSO" is trametinib (the dimethyl sulfoxide
solvate is the marketed form), and "EAP Protocol" is the EAP regimen, both drugs.

**Non-drugs.**  An evidence item whose therapies are all non-drugs says nothing about a drug a
tumour board could choose: it is kept in the knowledge base, never counts toward a tier and is
never a therapy line; each source counts such items (``non_drug_only`` in the knowledge base's
``sources``, shown in the report's knowledge-base summary).  A non-drug named together with drugs
stays in the line, marked as such: "cetuximab + radiation therapy (not a drug)"; only the drugs
take part in gating and reconciliation.

**Separators** (CIViC's ``therapy_interaction_type``; the biomarker table's " + " is a
combination):

* Combination: ``a + b`` (given together; alphabetical);
* Substitutes: ``a or b`` (alternatives: the evidence holds for each; alphabetical);
* Sequential: ``a then b`` (in the source's order);
* not stated (every multi-therapy item of the 2018 export): ``a, b (together or alternatives:
  not stated)``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

DEFAULT_TABLE = files("tumorboard.knowledge") / "drug_names.tsv"
DRUG, REGIMEN, CLASS, NON_DRUG = "drug", "regimen", "class", "non-drug"
KINDS = (DRUG, REGIMEN, CLASS, NON_DRUG)
_COLUMNS = ["name", "kind", "components", "synonyms"]

COMBINATION, ALTERNATIVES, SEQUENCE = " + ", " or ", " then "
NOT_STATED = " (together or alternatives: not stated)"
NON_DRUG_MARK = " (not a drug)"
NO_THERAPY = "no therapy named"

NON_DRUG_WORDS = re.compile(
    r"\b(chemotherapy|radiation|radiotherapy|surgery|surgical|resection|transplant\w*|"
    r"hormone therapy|cell therapy|lymphocytes)\b",
    re.I,
)
"""Modalities that make an unlisted therapy name a non-drug."""

SEPARATORS_TEXT = (
    "Therapy lines: drug names are normalised to one name per drug (NCI Thesaurus and INN names, "
    "brand names and research codes mapped to them); \"a + b\" means given together "
    "(combination), \"a or b\" alternatives (the evidence holds for each), \"a then b\" given in "
    "sequence, and \"a, b (together or alternatives: not stated)\" that the source does not say "
    "which; a name is never split on \"/\", which belongs to some drug names. Evidence whose "
    "therapies are all non-drugs (chemotherapy unspecified, radiation therapy, surgery, hormone "
    "therapy, cell therapy) is kept in the knowledge base and counted, but is not a therapy line "
    "and counts toward no tier; a non-drug named with drugs is marked \"(not a drug)\"."
)


class TherapyNameError(ValueError):
    """The drug-name table is malformed."""


@dataclass(frozen=True)
class Term:
    name: str
    kind: str
    components: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        if self.kind == REGIMEN and self.components:
            return f"{self.name} ({COMBINATION.join(self.components)})"
        if self.kind == NON_DRUG:
            return self.name + NON_DRUG_MARK
        return self.name


_ALIAS = re.compile(r"^([^()]+?)\s*\(([^()]+)\)$")


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


@lru_cache(maxsize=4)
def load_table(path: str | Path = DEFAULT_TABLE) -> dict[str, Term]:
    """{spelling (case-folded): Term} of a drug-name table; a bad row stops with the file, row
    and problem."""
    lines = [ln for ln in Path(str(path)).read_text().splitlines() if ln and not ln.startswith("#")]
    reader = csv.DictReader(lines, delimiter="\t")
    if reader.fieldnames != _COLUMNS:
        raise TherapyNameError(f"{path}: columns must be {_COLUMNS}, not {reader.fieldnames}")
    out: dict[str, Term] = {}
    for n, r in enumerate(reader, start=1):
        where = f"{path}: row {n} ({r['name']!r})"
        if not (r["name"] or "").strip() or r["kind"] not in KINDS:
            raise TherapyNameError(f"{where}: needs a name and a kind of {list(KINDS)}")
        comps = tuple(c.strip() for c in (r["components"] or "").split("|") if c.strip())
        if (r["kind"] == REGIMEN) != bool(comps):
            raise TherapyNameError(f"{where}: a regimen, and only a regimen, lists components")
        term = Term(r["name"].strip(), r["kind"], comps)
        for s in [term.name, *(r["synonyms"] or "").split("|")]:
            if not s.strip():
                continue
            if _key(s) in out and out[_key(s)] != term:
                raise TherapyNameError(f"{where}: {s!r} is already a name of {out[_key(s)].name!r}")
            out[_key(s)] = term
    return out


def _plain(name: str) -> str:
    """Lower-case ordinary words (``Vemurafenib``), keep codes (``AZD6244``, ``5-FU``)."""
    words = name.strip().split()
    return " ".join(w.lower() if w[:1].isupper() and w[1:].islower() else w for w in words)


def normalise(name: str, table: dict[str, Term] | None = None) -> Term:
    """The one name and kind of a therapy name as a source writes it."""
    table = load_table() if table is None else table
    if term := table.get(_key(name)):
        return term
    # "code (name)" or "name (code)", as the 2018 export writes many drugs: either part known
    if m := _ALIAS.match(name.strip()):
        for part in m.groups():
            if term := table.get(_key(part)):
                return term
    kind = NON_DRUG if NON_DRUG_WORDS.search(name) else DRUG
    return Term(_plain(name), kind)


def terms(therapies: list[str]) -> list[Term]:
    """The normalised therapies of an item, duplicates (two spellings of one drug) removed, in
    the source's order."""
    return list(dict.fromkeys(normalise(t) for t in therapies if t.strip()))


def drug_names(therapies: list[str]) -> list[str]:
    """The drugs of an item, lower case, for gating and reconciliation: drugs, classes, and a
    regimen's name and its components; non-drugs left out."""
    out: list[str] = []
    for t in terms(therapies):
        if t.kind != NON_DRUG:
            out += [t.name.lower(), *(c.lower() for c in t.components)]
    return sorted(set(out))


def non_drug_only(therapies: list[str]) -> bool:
    """Does the item name therapies, all of them non-drugs?"""
    ts = terms(therapies)
    return bool(ts) and all(t.kind == NON_DRUG for t in ts)


def therapy_label(therapies: list[str], interaction: str | None) -> str:
    """One line for an item's therapies, with the separator its interaction type means (see the
    module docstring)."""
    ts = terms(therapies)
    if not ts:
        return NO_THERAPY
    if len(ts) == 1:
        return ts[0].label
    kind = (interaction or "").strip().lower()
    if kind == "sequential":
        return SEQUENCE.join(t.label for t in ts)
    labels = sorted((t.label for t in ts), key=str.lower)
    if kind == "combination":
        return COMBINATION.join(labels)
    if kind == "substitutes":
        return ALTERNATIVES.join(labels)
    return ", ".join(labels) + NOT_STATED


def lines(evidence: dict) -> list[str]:
    """The therapy lines an evidence entry speaks for.  Alternatives (``a or b``: CIViC's
    Substitutes) hold for each drug alone, so they are one line per drug and meet that drug's
    other evidence (one line per drug and patient, and a direction conflict between "cetuximab or
    panitumumab" and "cetuximab" is seen); every other entry is its own line."""
    names = evidence.get("drugs") or []
    if (evidence.get("therapy_interaction") or "").lower() == "substitutes" and len(names) > 1:
        return sorted(set(names))
    return [evidence["therapy"]]
