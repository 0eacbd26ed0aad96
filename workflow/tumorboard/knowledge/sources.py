"""The knowledge base's sources: predictive evidence from CIViC exports (both column layouts)
and the project's biomarker table, normalised to one record type (:class:`Evidence`), with tumour
types resolved; and the versioned knowledge-base JSON built from them (each input's release date
and sha256), written, validated and loaded.

The evidence's alterations are parsed by :mod:`tumorboard.knowledge.vocabulary`; matching them
to a patient's findings is :mod:`tumorboard.knowledge.matching`.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from importlib.resources import files
from pathlib import Path

import jsonschema

from tumorboard.knowledge.therapies import drug_names, non_drug_only, therapy_label
from tumorboard.knowledge.tumour_types import Ontology, load_ontology, normalise_doid
from tumorboard.knowledge.vocabulary import (
    FUSION,
    FUSION_RE,
    UNSUPPORTED,
    And,
    KnowledgeBaseError,
    parse_alteration,
    parse_profile,
    profile_from_dict,
)
from tumorboard.reference.resources import sha256_file

SCHEMA = files("tumorboard") / "schemas" / "knowledgebase.schema.json"
SCHEMA_VERSION = "1.0"
CIVIC = "CIViC"
BIOMARKERS = "tumorboard biomarkers"


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
        """The therapy line (normalised names and separators: knowledge.therapies)."""
        return therapy_label(self.therapies, self.therapy_interaction)

    @property
    def drugs(self) -> list[str]:
        """The normalised drugs (no non-drugs), lower case: what gating compares."""
        return drug_names(self.therapies)

    @property
    def non_drug_only(self) -> bool:
        """Are all the item's therapies non-drugs (chemotherapy, radiation...)?  Kept, never a
        therapy line."""
        return non_drug_only(self.therapies)

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
            "therapy": self.therapy,
            "drugs": self.drugs,
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
        keys = {f for f in cls.__dataclass_fields__ if f != "expression"}  # not therapy/drugs
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
    if len(parts) > 1 and not FUSION_RE.search(variant.upper()):
        return And(tuple(parse_alteration(gene, p) for p in parts))
    return parse_alteration(gene, variant)


@dataclass
class CivicExport:
    layout: str
    records: list[Evidence]
    excluded: dict[str, int]
    release_date: str | None  # newest last_review_date in the file
    rows: int
    skipped: list[dict] = field(default_factory=list)  # unreadable profiles: id, profile, error


def read_civic(path: str | Path, ontology: Ontology | None = None) -> CivicExport:
    """Accepted predictive evidence of a CIViC ClinicalEvidenceSummaries export (either layout).
    Germline-origin evidence (pharmacogenomics) and flagged items are left out and counted; a
    row whose molecular profile cannot be parsed is skipped, counted (``excluded``) and listed
    (``skipped``), never a failed build."""
    ontology = ontology or load_ontology()
    path = Path(path)
    records: list[Evidence] = []
    excluded: Counter[str] = Counter()
    skipped: list[dict] = []
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
            except UnreadableProfile as exc:
                excluded["unreadable profile"] += 1
                skipped.append({"id": f"EID{row['evidence_id'].strip()}", "profile": exc.profile,
                                "error": str(exc)})  # fmt: skip
    return CivicExport(layout, records, dict(sorted(excluded.items())), newest or None, n, skipped)


class UnreadableProfile(KnowledgeBaseError):
    """A CIViC molecular profile name the parser cannot read (the row is skipped and listed)."""

    def __init__(self, profile: str, message: str):
        super().__init__(message)
        self.profile = profile


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
        try:
            expression = parse_profile(profile)
        except KnowledgeBaseError as exc:
            raise UnreadableProfile(profile, str(exc)) from None
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
        keys = ("id", "name", "file", "layout", "release_date", "sha256", "records", "rows",
                "non_drug_only")  # fmt: skip
        return [{k: s[k] for k in keys if k in s} for s in self.sources]


def _source(
    sid: str,
    name: str,
    path: str | Path,
    layout: str,
    release: tuple[str | None, str],
    counts: tuple[int, int, dict],
    url: str | None = None,
    licence: str = "MIT (tumorboard)",
    skipped: list[dict] | None = None,
    non_drug: int | None = None,
) -> dict:
    """One entry of the document's ``sources``: ``release`` is (date, how it was found),
    ``counts`` (rows read, records kept, rows excluded by reason); ``skipped``: the rows whose
    profile could not be read (CIViC; counted in ``excluded`` too); ``non_drug``: records kept
    whose therapies are all non-drugs (never therapy lines: knowledge.therapies)."""
    rows, records, excluded = counts
    entry = {
        "id": sid,
        "name": name,
        "file": Path(path).name,
        "sha256": sha256_file(path),
        "url": url,
        "licence": licence,
        "layout": layout,
        "release_date": release[0],
        "release_date_basis": release[1],
        "rows": rows,
        "records": records,
        "excluded": excluded,
    }
    if non_drug is not None:
        entry["non_drug_only"] = non_drug
    return entry if skipped is None else entry | {"skipped_profiles": skipped}


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
    civic_source = _source(
        getattr(civic_resource, "id", "civic_evidence"),
        "CIViC clinical evidence summaries",
        civic,
        exp.layout,
        _civic_release(civic, exp.release_date),
        (exp.rows, len(exp.records), exp.excluded),
        url=getattr(civic_resource, "url", None),
        licence=getattr(civic_resource, "licence", None) or "CC0 1.0",
        skipped=exp.skipped,
        non_drug=sum(r.non_drug_only for r in exp.records),
    )
    table_source = _source(
        "biomarkers",
        "tumorboard regulatory and guideline biomarkers",
        biomarkers,
        "tumorboard biomarkers v1",
        (table.release_date, "release line of the table"),
        (len(table.records), len(table.records), {}),
        non_drug=sum(r.non_drug_only for r in table.records),
    )
    ontology_source = _source(
        "tumour_types",
        "tumorboard tumour types (OncoTree codes, Disease Ontology ids)",
        tumour_types,
        "tumorboard tumour types v1",
        (None, "not versioned separately"),
        (len(ontology.types), 0, {}),
    )
    records = table.records + exp.records
    return KnowledgeBase(records, [civic_source, table_source, ontology_source])


def _civic_release(path: str | Path, newest_review: str | None) -> tuple[str | None, str]:
    """A CIViC monthly release is dated by its file name (``01-Aug-2024-ClinicalEvidence...``);
    any other export by its newest review."""
    if m := re.match(r"(\d{2})-([A-Z][a-z]{2})-(\d{4})-", Path(path).name):
        month = _MONTHS.index(m[2]) + 1 if m[2] in _MONTHS else 0
        if month:
            return f"{m[3]}-{month:02d}-{m[1]}", "CIViC monthly release named in the file name"
    return newest_review, "newest last_review_date in the export"


_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


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


# --------------------------------------------------------------------------------------------
# Currency: how old each source is (page 1 of the report)
# --------------------------------------------------------------------------------------------

AS_OF_NEWEST = "newest source release"


def currency(sources: list[dict], max_age_years: float = 2, as_of: str | None = None) -> dict:
    """Each source's release date and age, and a warning for each one older than
    ``max_age_years``.  Ages are counted to ``as_of`` (a YYYY-MM-DD date, the config's
    ``knowledge.as_of``) or, when none is given, to the newest release date among the sources:
    never to the day the report is rendered, so the same inputs give the same report."""
    dated = [s["release_date"] for s in sources if s.get("release_date")]
    basis = "knowledge.as_of" if as_of else AS_OF_NEWEST
    ref = as_of or (max(dated) if dated else None)
    rows, parts, warnings = [], [], []
    for s in sources:
        release = s.get("release_date")
        age = (_date(ref) - _date(release)).days / 365.25 if release and ref else None
        name = re.sub(r"\s*\(.*\)$", "", s["name"])  # without its bracketed detail
        stale = age is not None and age > max_age_years
        age = None if age is None else round(age, 1)
        rows.append({"name": name, "release_date": release, "age_years": age, "stale": stale})
        parts.append(f"{name}, release {release}" if release else f"{name}, undated")
        if stale:
            warnings.append(
                f"{name} release {release} is {age:.1f} years old (more than {max_age_years:g}) "
                f"on {ref} ({basis}): therapy evidence may be out of date"
            )
    return {
        "as_of": ref,
        "as_of_basis": basis,
        "max_age_years": max_age_years,
        "sources": rows,
        "line": "; ".join(parts),
        "warnings": warnings,
    }


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise KnowledgeBaseError(f"not a YYYY-MM-DD date: {text!r}") from None
