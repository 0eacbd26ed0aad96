"""AMP/ASCO/CAP 2017 tiers (Li et al., J Mol Diagn 2017) for a patient's findings.

Per evidence item (predictive, direction Supports, sensitivity or resistance), with its source's
level first mapped to an AMP/ASCO/CAP level by :func:`amp_level` (CIViC's levels are not AMP's:
see :data:`CIVIC_TO_AMP`; the biomarker table is authored in AMP levels):

* AMP level A (approved therapy or professional guideline) or B (well-powered studies with
  consensus) in the patient's tumour type, its ancestor, or tumour-agnostic -> Tier I-A / I-B;
* AMP level A/B in another tumour type, or level C anywhere -> Tier II-C; level D -> Tier II-D;
* evidence that names any mutation of the gene ("EGFR mutation") or of an exon (for a variant
  at no known hotspot) rather than the patient's change counts at most as Tier II-C: such
  evidence is usually about the common activating changes, not a resistance mutation or a
  variant of unknown function.

A finding takes the best tier of its evidence; resistance evidence keeps its tier and is shown
as resistance.  A protein-altering variant, or an amplification / loss, with no counting
evidence is Tier III; a protein-silent variant is Tier IV.  A germline variant (``germline``
true) gets no tier: the tiers classify somatic variants and Tier IV is for benign or likely
benign ones, so it is listed apart by :func:`germline_findings`.  Wild-type findings
(RAS wild-type gating anti-EGFR antibodies) exist only when what the guideline tests was
evaluable and not mutated (:func:`~tumorboard.knowledge.matching.wild_type_status`; never with a
homozygous deletion); otherwise they are listed as "not established" with the reason and have
no tier.  Wild type is a finding line only where a guideline uses it (level A evidence in the
patient's tumour type, :func:`_guideline`); preclinical or tumour-agnostic wild-type items
produce none.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import jsonschema

from tumorboard.knowledge import gating
from tumorboard.knowledge.matching import (
    Excluded,
    FindingsContext,
    match,
    present,
    protein_altering,
    wild_type_status,
)
from tumorboard.knowledge.oncogenicity import UNKNOWN as UNKNOWN_ONCOGENICITY
from tumorboard.knowledge.oncogenicity import classify as classify_oncogenicity
from tumorboard.knowledge.sources import BIOMARKERS, CIVIC, SCHEMA, Evidence, KnowledgeBase
from tumorboard.knowledge.therapies import lines as therapy_lines
from tumorboard.knowledge.tumour_types import SAME_TYPE, Ontology, load_ontology
from tumorboard.knowledge.vocabulary import EXON, MUTATION, WILD_TYPE, Alteration, Not

__all__ = [
    "CIVIC_TO_AMP",
    "LEVEL_MAPPING_TEXT",
    "TIERS",
    "Tier",
    "actionability",
    "amp_level",
    "best_tier",
    "evidence_tier",
    "germline_findings",
    "tier_of",
    "validate_items",
    "wild_type_status",
]

EXCLUDED = "excluded"  # the evidence names the patient's tumour type as not covered
NO_TIER = "no tier"  # an established wild type whose guideline therapies are all set aside
COUNTED_RESPONSES = ("sensitivity", "resistance", "reduced sensitivity")


@dataclass(frozen=True, order=True)
class Tier:
    rank: int
    tier: str  # I, II, III, IV
    level: str | None  # A, B (Tier I), C, D (Tier II); None for III/IV

    @property
    def label(self) -> str:
        return f"Tier {self.tier}-{self.level}" if self.level else f"Tier {self.tier}"


TIER_IA, TIER_IB = Tier(0, "I", "A"), Tier(1, "I", "B")
TIER_IIC, TIER_IID = Tier(2, "II", "C"), Tier(3, "II", "D")
TIER_III, TIER_IV = Tier(4, "III", None), Tier(5, "IV", None)
TIERS = (TIER_IA, TIER_IB, TIER_IIC, TIER_IID, TIER_III, TIER_IV)
_BY_NAME = {(t.tier, t.level): t for t in TIERS}
_TIER_TEXT = re.compile(r"^(?:tier\s*)?(IV|III|II|I)\s*([A-D])?$", re.I)


def tier_of(tier: str | None, level: str | None = None) -> Tier | None:
    """The tier named by ``tier`` and ``level`` ("II", "C"), or by one text such as "IIC" or
    "Tier IB"; None for anything that names no AMP/ASCO/CAP tier."""
    m = _TIER_TEXT.match(f"{tier or ''}{level or ''}".strip())
    if not m:
        return None
    return _BY_NAME.get((m.group(1).upper(), (m.group(2) or "").upper() or None))


# --------------------------------------------------------------------------------------------
# Evidence levels: a source's level -> AMP/ASCO/CAP 2017 level (the one place they are mapped)
# --------------------------------------------------------------------------------------------

AMP_LEVELS = ("A", "B", "C", "D")

CIVIC_TO_AMP: dict[str, str | None] = {"A": "B", "B": "C", "C": "D", "D": "D", "E": None}
"""CIViC evidence level -> AMP/ASCO/CAP level (None: listed, never counted toward a tier).

The two scales name different things, so they are not mapped one to one.  AMP/ASCO/CAP
(Li et al., J Mol Diagn 2017;19:4-23, Table 2): A = FDA-approved therapy or professional
guideline; B = well-powered studies with expert consensus; C = FDA-approved for a different
tumour type, investigational therapies, multiple small published studies with some consensus;
D = preclinical trials or a few case reports without consensus.  CIViC evidence levels
(civic.readthedocs.io, model/evidence/level): A validated association (proven or consensus
association in human medicine), B clinical evidence (a clinical trial or other primary patient
data), C case study, D preclinical, E inferential.

* CIViC A -> AMP B.  A CIViC evidence item records no approval or guideline (CIViC keeps those
  on assertions, not in the evidence export), so it is read as well-powered, validated clinical
  evidence.  Level A comes only from a source that is an approval or a guideline: the authored
  biomarker table (``resources/biomarkers.tsv``: FDA/EMA approvals and guidelines, each row
  citing its label or guideline), which keeps its own level.  A CIViC A association that is an
  approval therefore reaches Tier I-A through its authored row.
* CIViC B -> AMP C.  "Clinical trial or other primary patient data" includes single-arm,
  early-phase and stopped cohorts (e.g. 31 patients); one such item does not meet AMP B's
  "well-powered studies with consensus", but is an investigational therapy / small study (C).
* CIViC C (case study) -> AMP D ("a few case reports without consensus").
* CIViC D (preclinical) -> AMP D ("preclinical trials").
* CIViC E (inferential) -> not counted: AMP's lowest level still rests on data about the
  variant (preclinical or case reports); an inferred association has none.  The item is listed
  with the finding's evidence, with ``counts`` false.

PCGR (sigven/pcgr, docs/tier_systems.rst, AMP/ASCO/CAP tier model) agrees that Tier I needs
strong clinical evidence in the patient's tumour type ("approved therapies, part of guidelines,
validated or discovered in late clinical trials") and that case reports and preclinical
evidence (CIViC C/D/E) are weak, Tier II at most.  It differs in counting every CIViC B item as
strong (Tier I in the tumour type) and CIViC E as weak (Tier II); this mapping is stricter on
both, following Li et al.'s definitions of levels B and D.
"""

LEVEL_MAPPING_TEXT = (
    "CIViC evidence levels were mapped to AMP/ASCO/CAP levels (Li et al. 2017) rather than "
    "taken one to one, because CIViC's levels describe the kind of study and AMP's the "
    "strength of consensus: CIViC A (validated association) counts as AMP level B, CIViC B "
    "(clinical trial or other patient data) as level C, CIViC C (case study) and D "
    "(preclinical) as level D, and CIViC E (inferential) is listed but not counted; AMP level A "
    "(FDA/EMA approval or professional guideline) comes only from the project's authored "
    "biomarker table, which cites the label or guideline of each row. Tier I is level A or B "
    "in the patient's tumour type; Tier II is level A or B in another tumour type, or level C "
    "or D."
)


def amp_level(source: str, level: str) -> str | None:
    """The AMP/ASCO/CAP level (A-D) of an evidence item of ``source`` rated ``level`` by that
    source, or None when the item does not count toward a tier.  CIViC levels map by
    :data:`CIVIC_TO_AMP`; the authored biomarker table is already in AMP levels."""
    if source == CIVIC:
        return CIVIC_TO_AMP.get(level)
    return level if level in AMP_LEVELS else None


def evidence_tier(level: str, relation: str, specific: bool = True) -> Tier:
    """The AMP/ASCO/CAP tier one evidence item supports, from its AMP/ASCO/CAP ``level``
    (:func:`amp_level`, not the source's own level) and ``relation`` (how its tumour type
    relates to the patient's, see :meth:`tumorboard.knowledge.tumour_types.Ontology.relation`)."""
    if level in ("A", "B") and relation in SAME_TYPE and specific:
        return TIER_IA if level == "A" else TIER_IB
    if level in ("A", "B", "C"):
        return TIER_IIC
    return TIER_IID


def best_tier(tiers: list[Tier]) -> Tier | None:
    return min(tiers) if tiers else None


def counts(rec: Evidence, relation: str) -> bool:
    """Does an evidence item count toward a tier?"""
    return (
        rec.direction == "Supports"
        and rec.response in COUNTED_RESPONSES
        and relation != EXCLUDED
        and amp_level(rec.source, rec.level) is not None
        and not rec.non_drug_only  # chemotherapy, radiation...: kept, never a therapy line
    )


def relation_to(rec: Evidence, patient_code: str, ontology: Ontology) -> str:
    if any(c in rec.exclude_tumour_types for c in ontology.ancestors(patient_code)):
        return EXCLUDED
    return ontology.relation(patient_code, rec.tumour_type)


# --------------------------------------------------------------------------------------------
# Labels of findings
# --------------------------------------------------------------------------------------------


def _finding_label(mark: str, findings: dict) -> str:
    _, section, idx = mark.split("/")
    f = findings[section][int(idx)]
    if section == "variants":
        name = f"p.{f['protein_short']}" if f.get("protein_short") else f.get("hgvs_c") or "?"
        return f"{f['gene']} {name}"
    return f"{f['gene']} {'amplification' if f['call'] == 'amplified' else f['call']}"


def _label(marks: frozenset, findings: dict) -> tuple[str, list[str], list[str], str]:
    """(label, genes, JSON pointers, kind) of a set of matched findings."""
    refs = sorted(m for m in marks if m.startswith("/"))
    wt_genes = sorted(m[3:] for m in marks if m.startswith("wt:"))
    parts = [_finding_label(r, findings) for r in refs]
    genes = [findings[r.split("/")[1]][int(r.split("/")[2])]["gene"] for r in refs]
    if wt_genes:
        wt = wild_type_status(wt_genes, findings.get("hotspots", []), findings.get("variants", []),
                              findings.get("copy_number", []))  # fmt: skip
        parts.append(wt.label)
        refs += list(wt.refs)
        genes += wt_genes
    if wt_genes and len(marks) == len(wt_genes):
        kind = "wild type"
    elif len(marks) == 1:
        kind = "variant" if refs[0].startswith("/variants/") else "copy number"
    else:
        kind = "combination"
    return " + ".join(parts), list(dict.fromkeys(genes)), refs, kind


def _positive_leaves(expr) -> list[Alteration]:
    """Leaves that must be present (not under NOT)."""
    if isinstance(expr, Alteration):
        return [expr]
    if isinstance(expr, Not):
        return []
    return [x for a in expr.args for x in _positive_leaves(a)]


# --------------------------------------------------------------------------------------------
# Actionability
# --------------------------------------------------------------------------------------------


def _evidence_entry(
    rec: Evidence, relation: str, kinds: list[str], specific: bool, ontology: Ontology
) -> dict:
    counted = counts(rec, relation)
    tier = evidence_tier(amp_level(rec.source, rec.level), relation, specific) if counted else None
    if tier is not None and not specific and {MUTATION, EXON} & set(kinds):
        tier = TIER_IID  # generic: the vocabulary cannot tell which class "mutation" describes
    return {
        "source": rec.source,
        "id": rec.id,
        "url": rec.url,
        "profile": rec.profile,
        "match": ", ".join(kinds),
        "specific": specific,
        "level": rec.level,
        "direction": rec.direction,
        "significance": rec.significance,
        "response": rec.response,
        "therapy": rec.therapy,
        "therapy_interaction": rec.therapy_interaction,
        "drugs": rec.drugs,
        "disease": rec.disease,
        "tumour_type": rec.tumour_type,
        "tumour_type_match": relation,
        "counts": counted,
        "tier": tier.tier if tier else None,
        "tier_level": tier.level if tier else None,
        "citation": rec.citation,
        "indication": rec.indication,
        "statement": rec.statement,
        "set_aside": None,
        "_rank": tier.rank if tier else 99,
    }


def _therapies(evidence: list[dict]) -> list[dict]:
    """Best tier per (therapy, response), with the tumour types of that best evidence."""
    best: dict[tuple[str, str], dict] = {}
    for e, line in ((x, line) for x in evidence for line in therapy_lines(x)):
        if not e["counts"]:
            continue
        key = (line, e["response"])
        cur = best.get(key)
        if cur is None or e["_rank"] < cur["_rank"]:
            best[key] = {
                "therapy": line,
                "response": e["response"],
                "tier": e["tier"],
                "tier_level": e["tier_level"],
                "tumour_types": [],
                "evidence": [],
                "_rank": e["_rank"],
                "_fact": False,
            }
            cur = best[key]
        if e["_rank"] == cur["_rank"]:
            cur["_fact"] |= e["source"] == BIOMARKERS
            if e["disease"] not in cur["tumour_types"]:
                cur["tumour_types"].append(e["disease"])
        cur["evidence"].append(e["id"])
    # best first; at equal tier, sensitivity before resistance, regulatory facts first
    out = sorted(
        best.values(),
        key=lambda t: (t["_rank"], t["response"] != "sensitivity", not t["_fact"], t["therapy"]),
    )
    for t in out:
        del t["_rank"], t["_fact"]
        t["tumour_types"].sort()
    return out


def _basis(evidence: list[dict], patient_type: str) -> str:
    counted = [e for e in evidence if e["counts"]]  # already in order, best first
    if not counted:
        return "no evidence in the knowledge base counts toward a tier"
    e = counted[0]
    where = {
        "same": f"in {patient_type}",
        "broader": f"in {e['disease']}, which includes {patient_type}",
        "tumour-agnostic": "tumour-agnostic",
        "narrower": f"in {e['disease']}, a subtype of {patient_type}",
        "other": f"in another tumour type ({e['disease']})",
    }[e["tumour_type_match"]]
    note = "" if e["specific"] else "; the evidence names any mutation of the gene or exon"
    if not e["specific"] and e["tier_level"] == "D" and amp_level(e["source"], e["level"]) != "D":
        note += " (generic: lowest level, the item does not say which class of change it means)"
    level = f"level {e['level']}"
    if e["source"] == CIVIC:  # the source's level and the AMP/ASCO/CAP level it maps to
        level += f" (AMP/ASCO/CAP level {amp_level(CIVIC, e['level'])})"
    return f"{e['source']} {e['id']}: {level}, {e['response']} to {e['therapy']}, {where}{note}"


def actionability(
    findings: dict,
    kb: KnowledgeBase,
    tumour_type: str | None = None,
    ontology: Ontology | None = None,
) -> list[dict]:
    """Tiered findings with their evidence, best tier first.

    ``tumour_type`` defaults to the findings' own (the sample sheet's words); an unknown type
    raises :class:`~tumorboard.knowledge.tumour_types.TumourTypeError` listing the valid ones.
    Items: every variant and amplification/loss (Tier I-IV), wild-type findings with evidence in
    the patient's tumour type, combinations (complex profiles), and "not established" findings
    (a wild-type or NOT condition the workflow could not evaluate) with their reason."""
    ontology = ontology or load_ontology()
    code = ontology.resolve(tumour_type if tumour_type is not None else findings["tumour_type"])
    patient_type = ontology.name(code)
    ctx = FindingsContext(findings)
    germline = {f"/variants/{i}" for i, v in enumerate(findings.get("variants", []))
                if v.get("germline")}  # fmt: skip
    items: dict[frozenset, dict] = {}
    pending: dict[tuple, dict] = {}

    def item(marks: frozenset, status: str = "established", reason: str | None = None) -> dict:
        label, genes, refs, kind = _label(marks, findings)
        return {
            "finding": refs,
            "kind": kind,
            "gene": "/".join(genes),
            "alteration": label,
            "status": status,
            "reason": reason,
            "tier": None,
            "tier_level": None,
            "tier_label": None,
            "tier_basis": None,
            "therapies": [],
            "evidence": [],
        }

    excluded: list[Excluded] = []
    for m in match(kb, findings, excluded):
        rec, res = m.record, m.result
        relation = relation_to(rec, code, ontology)
        if res.state is None:
            if rec.direction != "Supports" or relation not in SAME_TYPE:
                continue
            marks = set()
            for leaf in _positive_leaves(rec.expression):
                if leaf.kind == WILD_TYPE:
                    marks.add(f"wt:{leaf.gene}")
                else:
                    marks.update(ref for ref, _ in present(leaf, ctx) if ref not in germline)
            reason = "; ".join(dict.fromkeys(res.reasons))
            wild_type_only = bool(marks) and all(mk.startswith("wt:") for mk in marks)
            # a wild-type condition is named by its label; anything else by the profile, so
            # a present variant is never itself shown as "not established"
            key = (frozenset(marks), reason if wild_type_only else rec.profile)
            if key not in pending:
                pending[key] = item(frozenset(marks), "not established", reason)
                if not wild_type_only:
                    pending[key]["alteration"] = rec.profile
            pending[key]["evidence"].append(_evidence_entry(rec, relation, [], True, ontology))
            continue
        for marks in res.sets:
            if not marks or marks & germline:
                continue  # NOT parts only name no finding; germline variants get no tier
            specific = all(res.how.get(mk, ("", True))[1] for mk in marks)
            kinds = sorted({res.how[mk][0] for mk in marks if mk in res.how})
            it = items.setdefault(marks, None) or item(marks)
            items[marks] = it
            it["evidence"].append(_evidence_entry(rec, relation, kinds, specific, ontology))

    for x in excluded:  # the indication excludes a co-alteration the patient has: say so
        relation = relation_to(x.record, code, ontology)
        if (x.record.direction != "Supports" or x.record.response != "sensitivity"
                or relation not in SAME_TYPE):  # fmt: skip
            continue
        present_text = "; ".join(
            f"{', '.join(_finding_label(r, findings) for r in refs)} present"
            for _, refs in x.excluding
        )
        needs = ", ".join(f"no {profile}" for profile, _ in x.excluding)
        reason = f"not for this patient: the indication requires {needs}; {present_text}"
        for marks in x.result.sets:
            if not marks or marks & germline:
                continue
            specific = all(x.result.how.get(mk, ("", True))[1] for mk in marks)
            kinds = sorted({x.result.how[mk][0] for mk in marks if mk in x.result.how})
            it = items.get(marks) or item(marks)
            items[marks] = it
            e = _evidence_entry(x.record, relation, kinds, specific, ontology)
            gating.set_aside(e, f"{reason} ({x.record.id})")
            it["evidence"].append(e)
            it.setdefault("set_aside", []).append(
                {"therapy": e["therapy"], "response": e["response"], "kind": "gated",
                 "rule": None, "reason": reason, "evidence": e["id"]}
            )  # fmt: skip

    for i in range(len(findings.get("variants", []))):
        if f"/variants/{i}" not in germline:
            items.setdefault(frozenset({f"/variants/{i}"}), None)
    for i, c in enumerate(findings.get("copy_number", [])):
        if c["call"] in ("amplified", "loss", "homozygous deletion"):
            items.setdefault(frozenset({f"/copy_number/{i}"}), None)

    # patient-level rules (knowledge.gating): specific over generic, co-alteration gates, one
    # line per drug; set-aside evidence keeps its entry with counts false and the reason
    built = [it for it in items.values() if it] + list(pending.values())
    gating.specific_over_generic(built)
    label = lambda ref: _finding_label(ref, findings)  # noqa: E731
    rules, lineage = gating.load_rules(), ontology.ancestors(code)
    gating.gate(built, rules, ctx, lineage, label)
    notes = gating.reconcile(built, lambda e: f"Tier {e['tier']}-{e['tier_level']}")
    for line, caveat in gating.caveats(built, rules, ctx, lineage).items():
        notes[line] = f"{notes[line]}; {caveat}" if line in notes else caveat
    out = []
    for marks, it in items.items():
        it = it or item(marks)
        counted = [e for e in it["evidence"] if e["counts"]]
        tier = best_tier([tier_of(e["tier"], e["tier_level"]) for e in counted])
        if it["kind"] in ("variant", "copy number") and tier is None:
            tier, reason = _untiered(marks, findings, ctx)
            it["reason"] = reason
        if it["kind"] == "wild type" and not any(_guideline(e) for e in counted):
            gated = [e for e in it["evidence"] if _guideline(e) and e["set_aside"]
                     and not e["set_aside"].startswith("reconciled")]  # fmt: skip
            if not gated:
                continue  # wild type is a finding only where a guideline uses it (_guideline)
            # established and used by a guideline, but each therapy it would make an option is
            # set aside for this patient (e.g. GR003, BRAF V600E): stated, without a tier
            by_reason: dict[str, list[str]] = {}
            for e in gated:
                names = by_reason.setdefault(e["set_aside"], [])
                names += [] if e["therapy"] in names else [e["therapy"]]
            it["reason"] = "; ".join(f"{', '.join(n)}: {r}" for r, n in by_reason.items())
            _finish(it, None, patient_type)
            it["tier_label"] = NO_TIER
            it["tier_basis"] = f"wild type established; {it['reason']}"
            out.append(it)
            continue
        _finish(it, tier, patient_type)
        out.append(it)
    for it in pending.values():
        if it["kind"] == "wild type" and not any(_guideline(e) for e in it["evidence"]):
            continue  # an unestablished wild type matters only where a guideline would use it
        _finish(it, None, patient_type)
        out.append(it)
    for it in out:
        for t in it["therapies"]:
            if t["therapy"].lower() in notes:
                t["note"] = notes[t["therapy"].lower()]
    out.sort(key=_order)
    return out


def co_occurrence(
    findings: dict, tumour_type: str | None = None, ontology: Ontology | None = None
) -> list[dict]:
    """Biologically unusual combinations in the findings (``flag`` rules of
    ``knowledge/gating_rules.tsv``, e.g. BRAF V600E with a RAS hotspot mutation), each with the
    findings it rests on and a note asking for confirmation."""
    ontology = ontology or load_ontology()
    code = ontology.resolve(tumour_type if tumour_type is not None else findings["tumour_type"])
    ctx = FindingsContext(findings)
    label = lambda ref: _finding_label(ref, findings)  # noqa: E731
    return gating.flags(gating.load_rules(), ctx, ontology.ancestors(code), label)


def _guideline(e: dict) -> bool:
    """Is this evidence entry what makes wild type a finding?  An approval or professional
    guideline (AMP/ASCO/CAP level A) supporting a response in the patient's tumour type or one
    that includes it (RAS wild type for anti-EGFR antibodies in colorectal cancer).  Wild-type
    items with only lower-level (e.g. preclinical, level D) or tumour-agnostic support produce
    no wild-type finding line."""
    return (
        e["direction"] == "Supports"
        and amp_level(e["source"], e["level"]) == "A"
        and e["tumour_type_match"] in ("same", "broader")
    )


def _untiered(marks: frozenset, findings: dict, ctx: FindingsContext) -> tuple[Tier, str]:
    (ref,) = marks
    _, section, idx = ref.split("/")
    if section == "copy_number":
        return TIER_III, "no therapeutic evidence in the knowledge base"
    v = findings["variants"][int(idx)]
    pc = next(p for r, _, p in ctx.variants if r == ref)
    if not protein_altering(v, pc):
        return TIER_IV, "no predicted protein change"
    onc = v.get("oncogenicity") or classify_oncogenicity(v)[0]
    if onc != UNKNOWN_ONCOGENICITY:  # oncogenicity is not actionability: shown apart
        return TIER_III, "no therapeutic evidence in the knowledge base"
    return TIER_III, "unknown significance: no therapeutic evidence in the knowledge base"


def germline_findings(findings: dict) -> list[dict]:
    """Variants marked germline (``germline`` true), listed apart from the tiered findings:
    AMP/ASCO/CAP tiers classify somatic variants (Tier IV is for benign or likely benign ones),
    so a germline variant gets no tier; it is reported for germline review instead."""
    return [
        {
            "finding": f"/variants/{i}",
            "gene": v["gene"],
            "alteration": _finding_label(f"/variants/{i}", findings),
            "vaf": v.get("vaf"),
            "note": "germline variant: reported apart, not tiered (AMP/ASCO/CAP tiers classify "
            "somatic variants; Tier IV is for benign or likely benign variants)",
        }
        for i, v in enumerate(findings.get("variants", []))
        if v.get("germline")
    ]


def _finish(it: dict, tier: Tier | None, patient_type: str) -> None:
    it["evidence"].sort(
        key=lambda e: (
            e["_rank"],
            e["source"] != "tumorboard biomarkers",
            e["response"] != "sensitivity",
            e["level"],
            e["id"],
        )
    )
    it["therapies"] = _therapies(it["evidence"])
    if it["status"] == "not established":
        # what the unestablished condition would gate; it has no tier until established
        it["tier_label"] = "not established"
        for x in it["therapies"] + it["evidence"]:
            x.update(tier=None, tier_level=None)
        for e in it["evidence"]:
            e["counts"] = False
    elif tier is not None:
        it["tier"], it["tier_level"], it["tier_label"] = tier.tier, tier.level, tier.label
        if tier.tier in ("I", "II"):
            it["tier_basis"] = _basis(it["evidence"], patient_type)
        else:
            it["tier_basis"] = it["reason"]
    else:
        it["tier_basis"] = "no evidence in the knowledge base counts toward a tier"
    for e in it["evidence"]:
        e.pop("_rank", None)


def _order(it: dict) -> tuple:
    tier = tier_of(it["tier"], it["tier_level"])
    rank = tier.rank if tier else len(TIERS)
    return (rank, it["status"] != "established", it["gene"], it["alteration"])


def validate_items(items: list[dict]) -> None:
    """Check ``actionability`` output against ``$defs/actionability_item`` of the knowledge-base
    schema (the fragment the findings schema carries)."""
    defs = json.loads(SCHEMA.read_text())["$defs"]
    schema = {"$defs": defs, "type": "array", "items": {"$ref": "#/$defs/actionability_item"}}
    jsonschema.Draft202012Validator(schema).validate(items)
