"""The knowledge base: predictive evidence from CIViC exports and the project's biomarker table,
normalised to one record type, and matched to a patient's findings.

Matching is by gene + alteration, never by genomic coordinate (CIViC's 2018 rows are GRCh37, the
findings GRCh38).  An alteration is one of

* a protein change, exact (``V600E``, ``E746_A750del``, ``W288fs``; ``S310F/Y`` = either);
* a codon (``G12``; ``G12/G13`` = either): any missense change of it;
* an exon-level event (``exon 19 deletion``, ``exon 20 insertion``, ``exon 2 mutation``);
* a category: ``amplification``, ``loss`` (copy number), ``mutation`` (any protein-altering
  variant), ``activating mutation`` (a protein-altering variant at a hotspot), ``truncating``
  (frameshift, nonsense, essential splice site, homozygous deletion), ``frameshift``,
  ``wild type`` (every hotspot of the gene evaluable and not mutated, and no protein-altering
  variant of the gene called);
* ``fusion`` or ``unsupported`` (expression, methylation, rsIDs, domains ...): kept, never matched.

Profiles combine alterations with AND / OR / NOT and parentheses, as CIViC molecular profiles do
(``EGFR L858R AND EGFR T790M``).  AND needs every part; NOT needs the part to be *evaluably*
absent (its hotspot genotyped and not mutated, its gene's copy number called), otherwise the
profile is "not established" rather than matched.
"""

from __future__ import annotations

import csv
import itertools
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

import jsonschema

from .hgvs import THREE_LETTER
from .resources import sha256_file
from .tumour_types import Ontology, load_ontology, normalise_doid

SCHEMA = files("tumorboard") / "schemas" / "knowledgebase.schema.json"
SCHEMA_VERSION = "1.0"
CIVIC = "CIViC"
BIOMARKERS = "tumorboard biomarkers"


class KnowledgeBaseError(Exception):
    """A source export or table that cannot be read, or a knowledge base that fails its schema."""


# --------------------------------------------------------------------------------------------
# Protein changes
# --------------------------------------------------------------------------------------------

_ONE = {three.upper(): one for one, three in THREE_LETTER.items()}
_THREE_RE = re.compile("|".join(sorted({t for t in THREE_LETTER.values()}, key=len, reverse=True)))
_POS = r"([A-Z*]?)(\d+)"  # residue (optional in old CIViC names) and position
_RANGE = rf"([A-Z])(\d+)(?:_{_POS})?"


@dataclass(frozen=True)
class ProteinChange:
    """One protein change in one-letter form.  ``kind``: sub (missense, nonsense ``*``,
    synonymous alt == ref), del, ins (between ``start`` and ``end``), dup, delins, fs, start."""

    kind: str
    start: int
    end: int
    ref: str = ""  # residue at start ("" when the name does not give it)
    alt: str = ""  # substituted / inserted / duplicated residues ("" = not given)
    end_ref: str = ""

    @property
    def synonymous(self) -> bool:
        return self.kind == "sub" and self.alt == self.ref

    @property
    def nonsense(self) -> bool:
        return self.kind == "sub" and self.alt == "*" and self.ref != "*"

    def canonical(self) -> ProteinChange:
        """A duplication whose residues are known is the insertion of them after its end."""
        if self.kind != "dup":
            return self
        seq = self.alt
        if not seq and self.end == self.start and self.ref:
            seq = self.ref
        elif not seq and self.end == self.start + 1 and self.ref and self.end_ref:
            seq = self.ref + self.end_ref
        if not seq:
            return self
        return ProteinChange("ins", self.end, self.end + 1, self.end_ref or self.ref, seq)

    def same_as(self, other: ProteinChange) -> bool:
        """Is ``other`` (a patient's change) the change this one names?"""
        if self.kind == "fs":
            return other.kind == "fs" and other.start == self.start
        a, b = self.canonical(), other.canonical()
        if a.kind != b.kind or a.start != b.start or a.end != b.end:
            return False
        if a.ref and b.ref and a.ref != b.ref:
            return False
        if a.kind in ("sub", "delins"):
            return a.alt == b.alt
        if a.kind == "ins":
            return not a.alt or a.alt == b.alt
        return True  # del, dup with unknown residues (positions agree), start


def _one_letter(text: str) -> str:
    t = text.strip()
    t = re.sub(r"^p\.\(?|\)$", "", t)
    if re.search(r"[A-Z][a-z]{2}", t):
        t = _THREE_RE.sub(lambda m: _ONE[m.group(0).upper()], t)
    return t.upper()


def parse_protein(text: str) -> ProteinChange | None:
    """A protein change from a one- or three-letter name (``V600E``, ``p.Val600Glu``,
    ``E746_A750del``, ``A68Gfs*51``, CIViC 2018 forms such as ``M774INSAYVM`` or
    ``DEL 755-759``); None when the text is not one."""
    t = _one_letter(text)
    if m := re.fullmatch(r"DEL\s*(\d+)\s*-\s*(\d+)", t):
        return ProteinChange("del", int(m[1]), int(m[2]))
    if m := re.fullmatch(r"([A-Z*])(\d+)([A-Z*]?)FS(?:\*|X|TER)?(?:\d+|\?)?", t):
        return ProteinChange("fs", int(m[2]), int(m[2]), m[1], m[3])
    for kind, tail in (("delins", "DELINS([A-Z*]+)"), ("del", "DEL([A-Z]*)"),
                       ("dup", "DUP([A-Z]*)"), ("ins", "INS([A-Z*]*)")):  # fmt: skip
        if m := re.fullmatch(_RANGE + tail, t):
            start = int(m[2])
            end = int(m[4]) if m[4] else start
            if kind == "ins" and not m[4]:  # old CIViC "M774INSAYVM": after residue 774
                end = start + 1
            return ProteinChange(kind, start, end, m[1], m[5], m[3] or "")
    if m := re.fullmatch(r"([A-Z*])(\d+)([A-Z*=?])", t):
        ref, alt = m[1], m[3]
        if alt == "?":
            return ProteinChange("start", int(m[2]), int(m[2]), ref)
        if alt == "X":
            alt = "*"
        return ProteinChange("sub", int(m[2]), int(m[2]), ref, ref if alt == "=" else alt)
    return None


# --------------------------------------------------------------------------------------------
# Alterations and profiles
# --------------------------------------------------------------------------------------------

PROTEIN, CODON, EXON = "protein change", "codon", "exon"
AMPLIFICATION, LOSS, WILD_TYPE = "amplification", "loss", "wild type"
MUTATION, ACTIVATING, TRUNCATING, FRAMESHIFT = (
    "mutation",
    "activating mutation",
    "truncating",
    "frameshift",
)
FUSION, UNSUPPORTED = "fusion", "unsupported"
KINDS = (PROTEIN, CODON, EXON, AMPLIFICATION, LOSS, WILD_TYPE, MUTATION, ACTIVATING,
         TRUNCATING, FRAMESHIFT, FUSION, UNSUPPORTED)  # fmt: skip

_CATEGORIES = {
    "AMPLIFICATION": AMPLIFICATION,
    "AMP": AMPLIFICATION,
    "LOSS": LOSS,
    "DELETION": LOSS,
    "HOMOZYGOUS DELETION": LOSS,
    "COPY NUMBER LOSS": LOSS,
    "WILD TYPE": WILD_TYPE,
    "WILDTYPE": WILD_TYPE,
    "WILD-TYPE": WILD_TYPE,
    "MUTATION": MUTATION,
    "MUTATIONS": MUTATION,
    "ACTIVATING MUTATION": ACTIVATING,
    "LOSS-OF-FUNCTION": TRUNCATING,
    "LOSS OF FUNCTION": TRUNCATING,
    "DELETERIOUS MUTATION": TRUNCATING,
    "TRUNCATING MUTATION": TRUNCATING,
    "INACTIVATING MUTATION": TRUNCATING,
    "FRAMESHIFT TRUNCATION": TRUNCATING,
    "FRAMESHIFT MUTATION": FRAMESHIFT,
    "FRAMESHIFT": FRAMESHIFT,
}
_EXON_EVENTS = {
    "DELETION": "deletion",
    "DELETIONS": "deletion",
    "INSERTION": "insertion",
    "INSERTIONS": "insertion",
    "MUTATION": "mutation",
    "MUTATIONS": "mutation",
    "FRAMESHIFT": "frameshift",
    "MISSENSE": "missense",
}
# fusions: "EML4::ALK", CIViC 2018 "EML4-ALK E6;A20", "ALK FUSIONS", "REARRANGEMENT"
_FUSION_RE = re.compile(
    r"(::|^[A-Z][A-Z0-9]+-[A-Z][A-Z0-9]+(\s|$)|\bFUSIONS?\b|\bREARRANGEMENTS?\b)"
)


@dataclass(frozen=True)
class Alteration:
    """One gene's alteration (a leaf of a profile)."""

    gene: str
    text: str  # as the source writes it
    kind: str
    changes: tuple[ProteinChange, ...] = ()
    codons: tuple[tuple[str, int], ...] = ()  # (reference residue or "", codon)
    exon: int | None = None
    event: str | None = None  # exon-level: deletion, insertion, mutation, frameshift, missense
    reason: str = ""  # why it is unsupported

    @property
    def label(self) -> str:
        return f"{self.gene} {self.text}"

    def genes(self) -> list[str]:
        return [self.gene]

    def leaves(self) -> list[Alteration]:
        return [self]

    def to_dict(self) -> dict:
        d: dict = {"op": "alteration", "gene": self.gene, "text": self.text, "kind": self.kind}
        if self.exon is not None:
            d.update(exon=self.exon, event=self.event)
        if self.codons:
            d["codons"] = [c for _, c in self.codons]
        if self.reason:
            d["reason"] = self.reason
        return d


def parse_alteration(gene: str, text: str) -> Alteration:
    """The matchable alteration that ``text`` names for ``gene``."""
    gene = gene.strip()
    raw = re.sub(r"\s+", " ", text.strip())
    t = re.sub(r"\s*\((?:c|p|g|n)\.[^)]*\)", "", raw).strip()  # "R200W (c.598C>T)"
    u = t.upper()
    if "::" in gene or (_FUSION_RE.search(u) and " OF " not in u):
        return Alteration(gene, raw, FUSION, reason="fusions are not called by this workflow")
    if u in _CATEGORIES:
        return Alteration(gene, raw, _CATEGORIES[u])
    if m := re.fullmatch(r"EXON (\d+) ([A-Z]+)", u):
        if m[2] in _EXON_EVENTS:
            return Alteration(gene, raw, EXON, exon=int(m[1]), event=_EXON_EVENTS[m[2]])
    parts = [p.strip() for p in t.split("/")]
    if not all(parts):
        return Alteration(gene, raw, UNSUPPORTED, reason="not a gene-level DNA alteration")
    changes: list[ProteinChange] = []
    codons: list[tuple[str, int]] = []
    for i, part in enumerate(parts):
        pu = part.upper()
        if i and re.fullmatch(r"[A-Z*]", pu) and changes and changes[-1].kind == "sub":
            prev = changes[-1]  # "S310F/Y" = S310F or S310Y
            changes.append(ProteinChange("sub", prev.start, prev.end, prev.ref, pu))
        elif m := re.fullmatch(r"([A-Z])(\d+)", pu):
            codons.append((m[1], int(m[2])))
        elif (pc := parse_protein(part)) is not None:
            changes.append(pc)
        else:
            return Alteration(gene, raw, UNSUPPORTED, reason="not a gene-level DNA alteration")
    if changes and codons:
        return Alteration(gene, raw, UNSUPPORTED, reason="mixes codons and exact changes")
    if codons:
        return Alteration(gene, raw, CODON, codons=tuple(codons))
    return Alteration(gene, raw, PROTEIN, changes=tuple(changes))


@dataclass(frozen=True)
class And:
    args: tuple
    op = "and"

    def genes(self) -> list[str]:
        return sorted({g for a in self.args for g in a.genes()})

    def leaves(self) -> list[Alteration]:
        return [x for a in self.args for x in a.leaves()]

    def to_dict(self) -> dict:
        return {"op": self.op, "args": [a.to_dict() for a in self.args]}


@dataclass(frozen=True)
class Or(And):
    op = "or"


@dataclass(frozen=True)
class Not:
    arg: object
    op = "not"

    def genes(self) -> list[str]:
        return self.arg.genes()

    def leaves(self) -> list[Alteration]:
        return self.arg.leaves()

    def to_dict(self) -> dict:
        return {"op": "not", "args": [self.arg.to_dict()]}


def parse_profile(text: str) -> Alteration | And | Or | Not:
    """A profile: ``GENE alteration`` terms joined by AND, OR, NOT and parentheses (CIViC
    molecular profile names; the biomarker table's ``alteration`` column)."""
    clean = re.sub(r"\s*\((?:c|p|g|n)\.[^)]*\)", "", text)
    tokens = re.findall(r"\(|\)|[^\s()]+", clean)
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> str:
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def expr():
        args = [term()]
        while peek() == "OR":
            take()
            args.append(term())
        return args[0] if len(args) == 1 else Or(tuple(args))

    def term():
        args = [factor()]
        while peek() == "AND":
            take()
            args.append(factor())
        return args[0] if len(args) == 1 else And(tuple(args))

    def factor():
        tok = peek()
        if tok == "NOT":
            take()
            return Not(factor())
        if tok == "(":
            take()
            inner = expr()
            if take() != ")":
                raise KnowledgeBaseError(f"profile {text!r}: unbalanced parentheses")
            return inner
        words = []
        while peek() not in (None, "AND", "OR", "NOT", "(", ")"):
            words.append(take())
        if len(words) < 2:
            raise KnowledgeBaseError(f"profile {text!r}: expected 'GENE alteration'")
        return parse_alteration(words[0], " ".join(words[1:]))

    try:
        out = expr()
        if peek() is not None:
            raise KnowledgeBaseError(f"profile {text!r}: unexpected {peek()!r}")
    except IndexError:
        raise KnowledgeBaseError(f"profile {text!r}: incomplete expression") from None
    return out


def profile_from_dict(d: dict):
    if d["op"] == "alteration":
        return parse_alteration(d["gene"], d["text"])
    args = tuple(profile_from_dict(a) for a in d["args"])
    if d["op"] == "not":
        return Not(args[0])
    return And(args) if d["op"] == "and" else Or(args)


# --------------------------------------------------------------------------------------------
# Evidence records
# --------------------------------------------------------------------------------------------

_RESPONSES = {
    "sensitivity": "sensitivity",
    "sensitivity/response": "sensitivity",
    "response": "sensitivity",
    "resistance": "resistance",
    "resistance or non-response": "resistance",
    "reduced sensitivity": "reduced sensitivity",
    "adverse response": "adverse response",
}


def normalise_response(significance: str) -> str:
    s = significance.strip().lower()
    return _RESPONSES.get(s, s or "not stated")


def therapy_label(therapies: list[str], interaction: str | None) -> str:
    """One line for a therapy: ``a + b`` for a combination (alphabetical), ``a / b`` when the
    source does not say whether drugs are combined or alternatives."""
    names = sorted({_drug_name(t) for t in therapies if t.strip()})
    if not names:
        return "no therapy named"
    if len(names) == 1:
        return names[0]
    kind = (interaction or "").lower()
    if kind == "combination":
        return " + ".join(names)
    if kind == "sequential":
        return " then ".join(_drug_name(t) for t in therapies if t.strip())
    return " / ".join(names)


def _drug_name(name: str) -> str:
    """Lower-case ordinary drug names (``Vemurafenib``), keep codes (``AZD6244``, ``5-FU``)."""
    words = name.strip().split()
    return " ".join(w.lower() if w[:1].isupper() and w[1:].islower() else w for w in words)


@dataclass
class Evidence:
    """One predictive evidence item, whatever its source."""

    source: str  # CIViC or tumorboard biomarkers
    id: str  # EID1409, TB017
    profile: str  # as the source writes it ("BRAF V600E")
    expression: object  # parsed profile
    disease: str
    doid: str | None
    tumour_type: str | None  # ontology code; None = not in the ontology (another tumour type)
    therapies: list[str]
    therapy_interaction: str | None  # Combination, Substitutes, Sequential; None = not stated
    evidence_type: str
    level: str
    direction: str  # Supports / Does Not Support
    significance: str  # as the source writes it
    url: str | None = None
    citation: str | None = None
    variant_origin: str | None = None
    exclude_tumour_types: list[str] = field(default_factory=list)
    indication: str | None = None
    statement: str | None = None  # the source's own text (CIViC, CC0): shown with id + URL

    @property
    def response(self) -> str:
        return normalise_response(self.significance)

    @property
    def therapy(self) -> str:
        return therapy_label(self.therapies, self.therapy_interaction)

    def genes(self) -> list[str]:
        return sorted(set(self.expression.genes()))

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "id": self.id,
            "profile": self.profile,
            "expression": self.expression.to_dict(),
            "genes": self.genes(),
            "disease": self.disease,
            "doid": self.doid,
            "tumour_type": self.tumour_type,
            "exclude_tumour_types": self.exclude_tumour_types,
            "therapies": self.therapies,
            "therapy_interaction": self.therapy_interaction,
            "evidence_type": self.evidence_type,
            "level": self.level,
            "direction": self.direction,
            "significance": self.significance,
            "response": self.response,
            "url": self.url,
            "citation": self.citation,
            "variant_origin": self.variant_origin,
            "indication": self.indication,
            "statement": self.statement,
        }

    @classmethod
    def from_dict(cls, d: dict) -> Evidence:
        keys = {f for f in cls.__dataclass_fields__ if f != "expression"}
        return cls(expression=profile_from_dict(d["expression"]), **{k: d[k] for k in keys})


# --------------------------------------------------------------------------------------------
# Readers
# --------------------------------------------------------------------------------------------

OLD_LAYOUT, CURRENT_LAYOUT = "gene/variant (2018)", "molecular profile (current)"
_COMMON = {
    "disease",
    "doid",
    "evidence_type",
    "evidence_direction",
    "evidence_level",
    "evidence_id",
}
_OLD_REQUIRED = _COMMON | {"gene", "variant", "drugs", "clinical_significance"}
_CURRENT_REQUIRED = _COMMON | {"molecular_profile", "therapies", "significance"}


def civic_layout(header: list[str]) -> str:
    """Which CIViC ClinicalEvidenceSummaries layout a header is (by column names)."""
    cols = set(header)
    if _CURRENT_REQUIRED <= cols:
        return CURRENT_LAYOUT
    if _OLD_REQUIRED <= cols:
        return OLD_LAYOUT
    raise KnowledgeBaseError(
        "not a CIViC ClinicalEvidenceSummaries export: expected the columns "
        f"{sorted(_CURRENT_REQUIRED)} (current) or {sorted(_OLD_REQUIRED)} (2018)"
    )


def _first(row: dict, *names: str) -> str:
    for n in names:
        if row.get(n):
            return row[n].strip()
    return ""


def _old_profile(gene: str, variant: str):
    """2018 names: ``+`` joins variants that must all be present (``V600E+V600M``)."""
    parts = [p.strip() for p in variant.split("+") if p.strip()]
    if len(parts) > 1 and not _FUSION_RE.search(variant.upper()):
        return And(tuple(parse_alteration(gene, p) for p in parts))
    return parse_alteration(gene, variant)


@dataclass
class CivicExport:
    layout: str
    records: list[Evidence]
    excluded: dict[str, int]
    release_date: str | None  # newest last_review_date in the file
    rows: int


def read_civic(path: str | Path, ontology: Ontology | None = None) -> CivicExport:
    """Accepted predictive evidence of a CIViC ClinicalEvidenceSummaries export (either layout).
    Germline-origin evidence (pharmacogenomics) and flagged items are left out and counted."""
    ontology = ontology or load_ontology()
    path = Path(path)
    records: list[Evidence] = []
    excluded: Counter[str] = Counter()
    newest = ""
    n = 0
    with open(path, newline="", encoding="utf-8") as fh:
        # current exports quote fields holding quotes, tabs or newlines; 2018 ones quote nothing
        reader = csv.DictReader(fh, delimiter="\t")
        layout = civic_layout(reader.fieldnames or [])
        for n, row in enumerate(reader, start=1):  # noqa: B007 (n counts rows)
            newest = max(newest, (row.get("last_review_date") or "")[:10])
            status = _first(row, "evidence_status") or "accepted"
            etype = _first(row, "evidence_type")
            origin = _first(row, "variant_origin")
            direction = _first(row, "evidence_direction")
            if status.lower() != "accepted":
                excluded[f"status {status}"] += 1
                continue
            if etype != "Predictive":
                excluded[f"evidence type {etype or 'missing'}"] += 1
                continue
            if "germline" in origin.lower():
                excluded["germline variant origin"] += 1
                continue
            if _first(row, "is_flagged").lower() in ("true", "1", "yes", "t"):
                excluded["flagged"] += 1
                continue
            if direction not in ("Supports", "Does Not Support"):
                excluded["no evidence direction"] += 1
                continue
            try:
                records.append(_civic_record(row, layout, ontology))
            except KnowledgeBaseError as exc:
                raise KnowledgeBaseError(f"{path}: row {n + 1}: {exc}") from None
    return CivicExport(layout, records, dict(sorted(excluded.items())), newest or None, n)


def _split_outside_parentheses(cell: str) -> list[str]:
    """Comma-separated names, where a name may hold commas in parentheses ("BEZ235 (a, b)")."""
    out, depth, cur = [], 0, ""
    for ch in cell:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    return [t.strip() for t in [*out, cur] if t.strip()]


def _civic_record(row: dict, layout: str, ontology: Ontology) -> Evidence:
    if layout == CURRENT_LAYOUT:
        profile = row["molecular_profile"].strip()
        expression = parse_profile(profile)
        if _first(row, "source_type").lower() in ("pubmed", "") and row.get("citation_id"):
            citation = f"PMID:{row['citation_id'].strip()}"
        elif row.get("asco_abstract_id"):
            citation = f"ASCO abstract {row['asco_abstract_id'].strip()}"
        else:
            citation = _first(row, "citation_id") or None
    else:
        gene, variant = row["gene"].strip(), row["variant"].strip()
        profile = f"{gene} {variant}"
        expression = _old_profile(gene, variant)
        citation = f"PMID:{row['pubmed_id'].strip()}" if row.get("pubmed_id") else None
    eid = row["evidence_id"].strip()
    doid = normalise_doid(row.get("doid"))
    disease = row["disease"].strip()
    therapies = _split_outside_parentheses(_first(row, "therapies", "drugs"))
    interaction = _first(row, "therapy_interaction_type", "drug_interaction_type") or None
    return Evidence(
        source=CIVIC,
        id=f"EID{eid}",
        profile=profile,
        expression=expression,
        disease=disease,
        doid=doid,
        tumour_type=ontology.from_disease(disease, doid),
        therapies=therapies,
        therapy_interaction=interaction,
        evidence_type=row["evidence_type"].strip(),
        level=row["evidence_level"].strip(),
        direction=row["evidence_direction"].strip(),
        significance=_first(row, "significance", "clinical_significance"),
        # CIViC's stable link (2018 exports name the retired host civic.genome.wustl.edu)
        url=f"https://civicdb.org/links/evidence_items/{eid}",
        citation=citation,
        variant_origin=_first(row, "variant_origin") or None,
        statement=_first(row, "evidence_statement") or None,
    )


_BIOMARKER_COLUMNS = ["id", "gene", "alteration", "tumour_type", "exclude_tumour_types",
                      "therapy", "direction", "level", "indication", "source"]  # fmt: skip


_SIGNIFICANCE = {"sensitivity": "Sensitivity/Response", "resistance": "Resistance"}


@dataclass
class BiomarkerTable:
    records: list[Evidence]
    release_date: str | None


def read_biomarkers(path: str | Path, ontology: Ontology | None = None) -> BiomarkerTable:
    """The project's regulatory/guideline facts (``resources/biomarkers.tsv``), checked."""
    ontology = ontology or load_ontology()
    path = Path(path)
    release = None
    lines = []
    with open(path, newline="", encoding="utf-8") as fh:
        for ln in fh:
            if ln.startswith("#"):
                if m := re.match(r"#\s*release:\s*(\S+)", ln):
                    release = m[1]
                continue
            lines.append(ln)
    reader = csv.DictReader(lines, delimiter="\t")
    if reader.fieldnames != _BIOMARKER_COLUMNS:
        raise KnowledgeBaseError(f"{path}: columns must be {_BIOMARKER_COLUMNS}")
    records, seen = [], set()
    for n, r in enumerate(reader, start=1):
        where = f"{path}: row {n} ({r['id']})"
        if r["id"] in seen:
            raise KnowledgeBaseError(f"{where}: id appears twice")
        seen.add(r["id"])
        expression = parse_profile(r["alteration"])
        bad = [a.label for a in expression.leaves() if a.kind in (UNSUPPORTED, FUSION)]
        if bad:
            raise KnowledgeBaseError(f"{where}: cannot match {bad}")
        if r["gene"] not in expression.genes():
            raise KnowledgeBaseError(f"{where}: gene {r['gene']} is not in {r['alteration']!r}")
        codes = [r["tumour_type"], *_split(r["exclude_tumour_types"])]
        unknown = [c for c in codes if c not in ontology.types]
        if unknown:
            raise KnowledgeBaseError(f"{where}: unknown tumour type codes {unknown}")
        if r["direction"] not in ("sensitivity", "resistance"):
            raise KnowledgeBaseError(f"{where}: direction must be sensitivity or resistance")
        if r["level"] not in ("A", "B", "C", "D"):
            raise KnowledgeBaseError(f"{where}: level must be A, B, C or D")
        if not r["source"].strip():
            raise KnowledgeBaseError(f"{where}: a fact needs its source")
        therapies = [t.strip() for t in r["therapy"].split("+") if t.strip()]
        t = ontology.types[r["tumour_type"]]
        records.append(
            Evidence(
                source=BIOMARKERS,
                id=r["id"],
                profile=r["alteration"],
                expression=expression,
                disease=t.name,
                doid=t.doids[0] if t.doids else None,
                tumour_type=t.code,
                exclude_tumour_types=codes[1:],
                therapies=therapies,
                therapy_interaction="Combination" if len(therapies) > 1 else None,
                evidence_type="Predictive",
                level=r["level"],
                direction="Supports",
                significance=_SIGNIFICANCE[r["direction"]],
                citation=r["source"].strip(),
                indication=r["indication"].strip() or None,
            )
        )
    return BiomarkerTable(records, release)


def _split(cell: str | None) -> list[str]:
    return [p.strip() for p in re.split(r"[;,]", cell or "") if p.strip()]


# --------------------------------------------------------------------------------------------
# The versioned knowledge base
# --------------------------------------------------------------------------------------------


@dataclass
class KnowledgeBase:
    records: list[Evidence]
    sources: list[dict]

    def to_dict(self) -> dict:
        return {
            "schema_version": SCHEMA_VERSION,
            "sources": self.sources,
            "record_count": len(self.records),
            "records": [r.to_dict() for r in self.records],
        }

    def provenance(self) -> list[dict]:
        """What a findings document / report cites: each input's release date and sha256."""
        keys = ("id", "name", "file", "layout", "release_date", "sha256", "records")
        return [{k: s[k] for k in keys} for s in self.sources]

    def match(self, findings: dict) -> list[Match]:
        """Every record whose profile is present in ``findings``, or whose presence cannot be
        established (state None: a wild-type or NOT part not evaluable)."""
        ctx = FindingsContext(findings)
        out = []
        for rec in self.records:
            genes = rec.genes()
            if not any(g in ctx.genes for g in genes):
                continue
            res = evaluate(rec.expression, ctx)
            if res.state is False:
                continue
            out.append(Match(rec, res))
        return out


def build(
    civic: str | Path,
    biomarkers: str | Path,
    tumour_types: str | Path,
    civic_resource=None,
) -> KnowledgeBase:
    """The knowledge base from a CIViC export, the biomarker table and the tumour-type table;
    ``civic_resource`` (a manifest :class:`~tumorboard.resources.Resource`) names its URL and
    licence.  Deterministic: the same inputs give the same document."""
    ontology = load_ontology(tumour_types)
    exp = read_civic(civic, ontology)
    table = read_biomarkers(biomarkers, ontology)
    civic_source = {
        "id": getattr(civic_resource, "id", "civic_evidence"),
        "name": "CIViC clinical evidence summaries",
        "file": Path(civic).name,
        "sha256": sha256_file(civic),
        "url": getattr(civic_resource, "url", None),
        "licence": getattr(civic_resource, "licence", None) or "CC0 1.0",
        "layout": exp.layout,
        "release_date": exp.release_date,
        "release_date_basis": "newest last_review_date in the export",
        "rows": exp.rows,
        "records": len(exp.records),
        "excluded": exp.excluded,
    }
    table_source = {
        "id": "biomarkers",
        "name": "tumorboard regulatory and guideline biomarkers",
        "file": Path(biomarkers).name,
        "sha256": sha256_file(biomarkers),
        "url": None,
        "licence": "MIT (tumorboard)",
        "layout": "tumorboard biomarkers v1",
        "release_date": table.release_date,
        "release_date_basis": "release line of the table",
        "rows": len(table.records),
        "records": len(table.records),
        "excluded": {},
    }
    ontology_source = {
        "id": "tumour_types",
        "name": "tumorboard tumour types (OncoTree codes, Disease Ontology ids)",
        "file": Path(tumour_types).name,
        "sha256": sha256_file(tumour_types),
        "url": None,
        "licence": "MIT (tumorboard)",
        "layout": "tumorboard tumour types v1",
        "release_date": None,
        "release_date_basis": "not versioned separately",
        "rows": len(ontology.types),
        "records": 0,
        "excluded": {},
    }
    records = table.records + exp.records
    return KnowledgeBase(records, [civic_source, table_source, ontology_source])


def validate(doc: dict) -> None:
    schema = json.loads(SCHEMA.read_text())
    try:
        jsonschema.Draft202012Validator(schema).validate(doc)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path)
        raise KnowledgeBaseError(
            f"knowledge base fails its schema at /{where}: {exc.message}"
        ) from None


def write_kb(kb: KnowledgeBase, path: str | Path) -> None:
    doc = kb.to_dict()
    validate(doc)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    tmp.replace(path)


def load_kb(path: str | Path) -> KnowledgeBase:
    doc = json.loads(Path(path).read_text())
    if doc.get("schema_version") != SCHEMA_VERSION:
        raise KnowledgeBaseError(
            f"{path}: knowledge base schema {doc.get('schema_version')!r}, expected "
            f"{SCHEMA_VERSION}: rebuild it"
        )
    return KnowledgeBase([Evidence.from_dict(r) for r in doc["records"]], doc["sources"])


def citation_line(kb: KnowledgeBase) -> str:
    """One line naming every input with its release and checksum (for the report)."""
    return "; ".join(
        f"{s['name']} ({s['file']}, {s['release_date'] or 'undated'}, sha256 {s['sha256'][:12]})"
        for s in kb.sources
    )


# --------------------------------------------------------------------------------------------
# Matching against findings
# --------------------------------------------------------------------------------------------

_TRUNCATING_CSQ = ("splice_acceptor", "splice_donor", "start_lost")
_NOT_CALLED = ("not evaluable", "equivocal")


@dataclass(frozen=True)
class WildType:
    """Whether genes are wild type at every hotspot the workflow genotyped for them."""

    genes: tuple[str, ...]
    established: bool | None  # True: all evaluable and not mutated; False: one mutated
    label: str  # "KRAS/NRAS wild-type (codons 12, 13, 59, 61, 117, 146)"
    reason: str | None  # why not established (None when established)
    refs: tuple[str, ...]  # JSON pointers of the hotspot rows


def _sites(rows: list[dict]) -> str:
    codons = sorted({r["codon"] for r in rows if not r.get("codon_end")})
    exons = sorted({r["label"].split(" ", 1)[1] for r in rows if r.get("codon_end")})
    parts = []
    if codons:
        parts.append(("codon " if len(codons) == 1 else "codons ") + ", ".join(map(str, codons)))
    return "; ".join(parts + exons)


def wild_type_status(
    genes: list[str] | tuple[str, ...], hotspots: list[dict], variants: list[dict] = ()
) -> WildType:
    """Wild type is stated only when every hotspot of every gene was evaluable and not
    detected; a detected hotspot, or any protein-altering variant of the gene in ``variants``
    (the findings' variants), refutes it; anything else leaves it not established."""
    genes = tuple(dict.fromkeys(genes))
    per_gene = {g: [(i, h) for i, h in enumerate(hotspots) if h["gene"] == g] for g in genes}
    groups: dict[str, list[str]] = {}
    for g in genes:
        groups.setdefault(_sites([h for _, h in per_gene[g]]), []).append(g)
    label = " and ".join(
        f"{'/'.join(gs)} wild-type ({sites})" if sites else f"{'/'.join(gs)} wild-type"
        for sites, gs in groups.items()
    )
    refs = tuple(f"/hotspots/{i}" for g in genes for i, _ in per_gene[g])
    detected = [
        f"{h['label']} ({h.get('variant') or 'detected'})"
        for g in genes
        for _, h in per_gene[g]
        if h["status"] == "detected"
    ]
    for v in variants:
        name = v.get("protein_short") or v.get("hgvs_p")
        if v["gene"] in genes and protein_altering(v, parse_protein(name) if name else None):
            detected.append(f"{v['gene']} {name or v.get('hgvs_c') or 'variant'}")
    if detected:
        found = ", ".join(dict.fromkeys(detected))
        return WildType(genes, False, label, f"mutated: {found}", refs)
    problems = []
    for g in genes:
        rows = [h for _, h in per_gene[g]]
        if not rows:
            problems.append(f"no {g} hotspots were genotyped")
            continue
        bad = [h for h in rows if h["status"] != "not detected"]
        if bad:
            why = sorted({h.get("reason") or h["status"] for h in bad})
            problems.append(f"{g} {_sites(bad)} not evaluable ({'; '.join(why)})")
    if problems:
        return WildType(genes, None, label, "; ".join(problems), refs)
    return WildType(genes, True, label, None, refs)


class FindingsContext:
    """A findings document indexed for matching (variants, copy number, hotspots by gene)."""

    def __init__(self, findings: dict) -> None:
        self.hotspots: list[dict] = findings.get("hotspots", [])
        self.variants: list[tuple[str, dict, ProteinChange | None]] = []
        for i, v in enumerate(findings.get("variants", [])):
            pc = None
            for name in (v.get("protein_short"), v.get("hgvs_p")):
                if name and (pc := parse_protein(name)) is not None:
                    break
            self.variants.append((f"/variants/{i}", v, pc))
        self.copy_number = {
            c["gene"]: (f"/copy_number/{i}", c["call"])
            for i, c in enumerate(findings.get("copy_number", []))
        }
        self.genes = (
            {v["gene"] for _, v, _ in self.variants}
            | set(self.copy_number)
            | {h["gene"] for h in self.hotspots}
        )

    def gene_variants(self, gene: str):
        return [(r, v, pc) for r, v, pc in self.variants if v["gene"] == gene]

    def wild_type(self, gene: str) -> WildType:
        return wild_type_status([gene], self.hotspots, [v for _, v, _ in self.variants])


def protein_altering(v: dict, pc: ProteinChange | None) -> bool:
    if pc is not None and not pc.synonymous:
        return True
    return any(k in (v.get("consequence") or "") for k in _TRUNCATING_CSQ + ("stop_lost",))


def _truncating(v: dict, pc: ProteinChange | None) -> bool:
    if pc is not None and (pc.kind == "fs" or pc.nonsense):
        return True
    return any(k in (v.get("consequence") or "") for k in _TRUNCATING_CSQ)


def _exon_event(a: Alteration, v: dict, pc: ProteinChange | None) -> bool:
    if v.get("exon") != a.exon or not protein_altering(v, pc):
        return False
    if a.event == "mutation":
        return True
    if pc is None:
        return False
    c = pc.canonical()
    span = c.end - c.start + 1
    if a.event == "deletion":
        return c.kind == "del" or (c.kind == "delins" and len(c.alt) < span)
    if a.event == "insertion":
        return c.kind in ("ins", "dup") or (c.kind == "delins" and len(c.alt) > span)
    if a.event == "frameshift":
        return c.kind == "fs"
    return c.kind == "sub" and not c.synonymous and not c.nonsense  # missense


def present(a: Alteration, ctx: FindingsContext) -> list[tuple[str, bool]]:
    """Findings (JSON pointer, specific?) that carry alteration ``a``.

    ``specific`` is False when the evidence names any mutation of a gene ("mutation",
    "activating mutation") or of an exon ("exon 2 mutation") rather than this change: such
    evidence is often about the common activating changes and says nothing about, say, a
    resistance mutation or a variant of unknown function (an exon-level "mutation" is specific
    for a variant at a known hotspot).  Tiers cap non-specific evidence at Tier II."""
    out: list[tuple[str, bool]] = []
    if a.kind in (AMPLIFICATION, LOSS, TRUNCATING):
        ref, call = ctx.copy_number.get(a.gene, (None, None))
        if ref and (
            (a.kind == AMPLIFICATION and call == "amplified")
            or (a.kind == LOSS and call in ("loss", "homozygous deletion"))
            or (a.kind == TRUNCATING and call == "homozygous deletion")
        ):
            out.append((ref, True))
        if a.kind != TRUNCATING:
            return out
    for ref, v, pc in ctx.gene_variants(a.gene):
        hit, specific = False, True
        if a.kind == PROTEIN:
            hit = pc is not None and any(c.same_as(pc) for c in a.changes)
        elif a.kind == CODON:
            hit = (
                pc is not None
                and (pc.kind == "sub" and not pc.synonymous and not pc.nonsense
                     or pc.kind == "delins")
                and any(c == pc.start and (not r or not pc.ref or r == pc.ref)
                        for r, c in a.codons)
            )  # fmt: skip
        elif a.kind == EXON:
            hit = _exon_event(a, v, pc)
            specific = a.event != "mutation" or bool(v.get("hotspot"))
        elif a.kind == MUTATION:
            hit, specific = protein_altering(v, pc), False
        elif a.kind == ACTIVATING:
            hit, specific = protein_altering(v, pc) and bool(v.get("hotspot")), False
        elif a.kind == TRUNCATING:
            hit = _truncating(v, pc)
        elif a.kind == FRAMESHIFT:
            hit = pc is not None and pc.kind == "fs"
        if hit:
            out.append((ref, specific))
    return out


def _covering_hotspots(a: Alteration, ctx: FindingsContext) -> list[dict] | None:
    """Hotspot rows that genotype every codon ``a`` names (None if some codon has none)."""
    rows = [h for h in ctx.hotspots if h["gene"] == a.gene]
    if a.kind == EXON:
        want = f"{a.gene} exon {a.exon} {a.event}"
        hit = [h for h in rows if h["label"] == want]
        return hit or None
    codons = [c for _, c in a.codons] or [c.start for c in a.changes]
    out = []
    for c in codons:
        cover = [h for h in rows if h["codon"] <= c <= (h.get("codon_end") or h["codon"])]
        if not cover:
            return None
        out += cover
    return out


def absent(a: Alteration, ctx: FindingsContext) -> tuple[bool | None, str | None]:
    """Is ``a`` evaluably absent?  (True, None) when it was looked for and not found; (None,
    reason) when the workflow could not have seen it.  Only called when ``a`` is not present."""
    if a.kind in (AMPLIFICATION, LOSS):
        _, call = ctx.copy_number.get(a.gene, (None, None))
        if call is None or call in _NOT_CALLED:
            return None, f"{a.gene} copy number {call or 'not called'}"
        return True, None
    if a.kind in (PROTEIN, CODON, EXON):
        rows = _covering_hotspots(a, ctx)
        if rows is None:
            return None, f"{a.label} is not a genotyped hotspot"
        bad = [h for h in rows if h["status"] == "not evaluable"]
        if bad:
            why = sorted({h.get("reason") or "not evaluable" for h in bad})
            return None, f"{a.label}: {', '.join(h['label'] for h in bad)} {'; '.join(why)}"
        return True, None
    if a.kind in (MUTATION, ACTIVATING):
        wt = ctx.wild_type(a.gene)
        return (True, None) if wt.established else (None, wt.reason)
    return None, f"{a.label}: {a.reason or 'absence cannot be established from a panel'}"


@dataclass
class Result:
    """Three-valued outcome of a profile: state True (present), False (absent), None (not
    established); ``sets`` lists the findings (JSON pointers, ``wt:GENE`` for wild type) of each
    way it is present; ``how`` says how each finding matched."""

    state: bool | None
    sets: list[frozenset] = field(default_factory=list)
    how: dict[str, tuple[str, bool]] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)


def evaluate(expr, ctx: FindingsContext, strict: bool = False) -> Result:
    """``strict`` (inside NOT): an absent alteration is False only when evaluably absent."""
    if isinstance(expr, Alteration):
        return _evaluate_alteration(expr, ctx, strict)
    if isinstance(expr, Not):
        inner = evaluate(expr.arg, ctx, strict=True)
        if inner.state is None:
            return Result(None, reasons=inner.reasons)
        return Result(not inner.state, [frozenset()] if not inner.state else [])
    parts = [evaluate(a, ctx, strict) for a in expr.args]
    reasons = [r for p in parts if p.state is None for r in p.reasons]
    how: dict[str, tuple[str, bool]] = {}
    for p in parts:
        how.update(p.how)
    if isinstance(expr, Or):
        true = [p for p in parts if p.state]
        if true:
            return Result(True, [s for p in true for s in p.sets], how)
        if any(p.state is None for p in parts):
            return Result(None, reasons=reasons)
        return Result(False)
    if any(p.state is False for p in parts):
        return Result(False)
    if any(p.state is None for p in parts):
        return Result(None, reasons=reasons)
    sets = [frozenset().union(*combo) for combo in itertools.product(*(p.sets for p in parts))]
    return Result(True, sets, how)


def _evaluate_alteration(a: Alteration, ctx: FindingsContext, strict: bool) -> Result:
    if a.kind == WILD_TYPE:
        wt = ctx.wild_type(a.gene)
        if wt.established:
            mark = f"wt:{a.gene}"
            return Result(True, [frozenset({mark})], {mark: (WILD_TYPE, True)})
        if wt.established is False:
            return Result(False)
        return Result(None, reasons=[wt.reason or f"{a.gene} wild type not established"])
    hits = present(a, ctx)
    if hits:
        how = {ref: (a.kind, specific) for ref, specific in hits}
        return Result(True, [frozenset({ref}) for ref, _ in hits], how)
    if not strict:
        return Result(False)
    state, reason = absent(a, ctx)
    return Result(False) if state else Result(None, reasons=[reason or a.label])


@dataclass
class Match:
    record: Evidence
    result: Result
